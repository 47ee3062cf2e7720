"""Logs as JSON lines, one object per event, safe to ship to any collector.

Every line carries the request id of the work in progress (a contextvar set
by the web middleware, and by the dispatcher from an outbox row's
`request_id`), so one message can be followed from webhook to outbox to send.
Phone numbers in well-known fields are masked (`98XXXXX123`) and message
bodies appear only at DEBUG: logs are shipped to places customers' words and
numbers should not go. Above DEBUG the formatted message, the exception text
and every other text field are scrubbed too (`scrub`): a digit run as long as
a phone number is masked wherever it appears (`LockTimeout: sender 97…`, a
lock key, a URL path), and the row data Postgres quotes in its errors
(`Failing row contains (…)`, `Key (shop_name)=(…)`) and pydantic's
`input_value=…` are dropped, since they hold what people wrote.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {
    "message", "asctime", "taskName",
}

# `extra` fields that hold a phone number / WhatsApp id: masked on every line.
PHONE_FIELDS = frozenset({
    "phone", "sender", "recipient", "to", "from", "from_", "wa_id", "retailer_phone",
    "vendor_phone",
})
# `extra` fields that hold what a person wrote or is sent: only at DEBUG.
BODY_FIELDS = frozenset({"body", "text", "message_body", "payload", "reply"})

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "khaacho_request_id", default=None
)

_REQUEST_ID_OK = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def new_request_id() -> str:
    """A fresh request id (16 hex characters)."""
    return secrets.token_hex(8)


def clean_request_id(value: str | None) -> str:
    """An incoming `X-Request-Id` if it is safe to log and echo, else a fresh one."""
    if value and _REQUEST_ID_OK.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    """The request id of the work in progress (None outside a request/send)."""
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token[str | None]:
    """Set the request id for the current task; returns a token for `reset_request_id`."""
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    """Restore the request id from before `set_request_id`."""
    _request_id.reset(token)


@contextmanager
def request_context(request_id: str | None) -> Iterator[str]:
    """Run a block under `request_id` (a fresh one when None)."""
    rid = request_id or new_request_id()
    token = _request_id.set(rid)
    try:
        yield rid
    finally:
        _request_id.reset(token)


def mask_phone(phone: object) -> str:
    """`9812345123` → `98XXXXX123`: enough to tell numbers apart, not to dial one."""
    text = str(phone)
    if len(text) < 6:
        return "X" * len(text)
    return text[:2] + "X" * (len(text) - 5) + text[-3:]


# 9-15 digits (optionally after +) not inside a longer number: every phone
# number and WhatsApp id we handle (98XXXXXXXX, 97798XXXXXXXX, Meta's ids).
_PHONE_RUN = re.compile(r"(?<![0-9])\+?[0-9]{9,15}(?![0-9])")
# Postgres quotes the offending row or key values in its DETAIL lines.
_FAILING_ROW = re.compile(r"(Failing row contains )\(.*?\)(?=\.?\s*$|\.?\n)", re.M)
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\((?:[^()]|\([^()]*\))*\)")
# pydantic's error text repeats the input: `input_value='2 bora chamal', input_type=str`.
_INPUT_VALUE = re.compile(r"(input_value=).*?(?=, input_type=|\]$|$)", re.M)


def scrub(text: str) -> str:
    """`text` without phone numbers or the row data and inputs errors quote."""
    text = _FAILING_ROW.sub(r"\1(…)", text)
    text = _KEY_VALUES.sub(r"\1(…)", text)
    text = _INPUT_VALUE.sub(r"\1…", text)
    return _PHONE_RUN.sub(lambda m: mask_phone(m.group(0)), text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    return value


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object with its `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        debug = record.levelno <= logging.DEBUG
        if not debug:
            entry["msg"] = scrub(entry["msg"])
        rid = getattr(record, "request_id", None) or _request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_") or key == "request_id":
                continue
            if key in BODY_FIELDS and not debug:
                continue
            if key in PHONE_FIELDS and value is not None:
                value = mask_phone(value)
            elif not debug:
                value = _scrub_value(value)
            entry[key] = value
        if record.exc_info:
            exc = self.formatException(record.exc_info)
            entry["exc"] = exc if debug else scrub(exc)
        if record.stack_info:
            entry["stack"] = record.stack_info if debug else scrub(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stderr at `level`; quiet the chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler.executors", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
