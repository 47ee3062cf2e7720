"""Log lines: JSON, with the request id, masked phones, bodies only at DEBUG."""

from __future__ import annotations

import logging

import orjson

from bot.logs import JsonFormatter, mask_phone, request_context


def _line(level: int, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("t", level, __file__, 1, "handled", (), None)
    for k, v in extra.items():
        setattr(record, k, v)
    return orjson.loads(JsonFormatter().format(record))


def test_mask_phone_keeps_two_leading_and_three_trailing_digits() -> None:
    assert mask_phone("9812345123") == "98XXXXX123"
    assert mask_phone("9779812345123") == "97XXXXXXXX123"
    assert mask_phone("123") == "XXX"


def test_phone_fields_are_masked_on_every_line() -> None:
    line = _line(logging.INFO, sender="9812345123", recipient="9801112223")
    assert line["sender"] == "98XXXXX123"
    assert line["recipient"] == "98XXXXX223"


def test_bodies_appear_only_at_debug() -> None:
    assert "body" not in _line(logging.INFO, body="2 bora chamal")
    assert _line(logging.DEBUG, body="2 bora chamal")["body"] == "2 bora chamal"


def test_the_request_id_in_context_is_on_the_line() -> None:
    with request_context("req-42"):
        assert _line(logging.INFO)["request_id"] == "req-42"
    assert "request_id" not in _line(logging.INFO)
