"""No phone number or message text in a log line at INFO and above (issue 19).

Masking structured fields is not enough: the formatted message, the exception
text (asyncpg's DETAIL quoting a whole row, our own exceptions naming the
sender) and free-form fields (a URL path, a lock key) are scrubbed too.
"""

from __future__ import annotations

import logging

import asyncpg
import orjson
import pytest
from pydantic import BaseModel, ValidationError

from bot.conversation.locks import LockTimeout
from bot.logs import JsonFormatter, scrub

PHONE = "9779812345004"
SHOP = "Ram Kirana Pasal"


def _format(level: int, msg: str, *args: object, exc: BaseException | None = None,
            **extra: object) -> str:
    record = logging.LogRecord("t", level, __file__, 1, msg, args,
                               (type(exc), exc, exc.__traceback__) if exc else None)
    for k, v in extra.items():
        setattr(record, k, v)
    return JsonFormatter().format(record)


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_a_phone_in_the_formatted_message_is_masked() -> None:
    line = _format(logging.WARNING, "no reply for %s", PHONE)
    assert PHONE not in line
    assert orjson.loads(line)["msg"] == "no reply for 97XXXXXXXX004"


def test_a_phone_in_exception_text_is_masked() -> None:
    exc = _raised(LockTimeout(f"sender {PHONE} stayed locked"))
    line = _format(logging.ERROR, "message failed", exc=exc)
    assert PHONE not in line
    assert "97XXXXXXXX004 stayed locked" in orjson.loads(line)["exc"]


def test_a_phone_inside_a_free_field_like_a_path_or_lock_key_is_masked() -> None:
    line = _format(logging.INFO, "request", path=f"/api/admin/retailers/{PHONE}",
                   key=f"khaacho:lock:{PHONE}", keys=[f"khaacho:lock:{PHONE}"])
    assert PHONE not in line


def test_a_plus_prefixed_phone_is_masked() -> None:
    assert PHONE not in scrub(f"from +{PHONE}")


def test_order_numbers_amounts_and_dates_are_left_alone() -> None:
    text = "order #1001 total 3600.00 on 2026-12-02 took 83 ms"
    assert scrub(text) == text


def test_debug_lines_keep_the_detail_for_local_debugging() -> None:
    line = _format(logging.DEBUG, "reply to %s", PHONE)
    assert PHONE in line


async def test_postgres_failing_row_detail_is_dropped(runtime: object, pool: asyncpg.Pool
                                                      ) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.PostgresError) as caught:
            await conn.execute(
                "INSERT INTO retailers (phone, shop_name, area, status) "
                "VALUES ($1, $2, 'Baneshwor', 'no-such-status')", PHONE[3:], SHOP)
    exc = caught.value
    assert "Failing row contains" in str(exc.detail)  # what Postgres really says
    line = _format(logging.ERROR, "insert failed: %s", exc.detail, exc=exc,
                   error=str(exc), detail=exc.detail)
    assert SHOP not in line
    assert PHONE[3:] not in line
    assert "Failing row contains (…)" in line


async def test_postgres_key_detail_is_dropped(runtime: object, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("INSERT INTO retailers (phone, shop_name, area) "
                           "VALUES ($1, $2, 'Baneshwor')", PHONE[3:], SHOP)
        with pytest.raises(asyncpg.UniqueViolationError) as caught:
            await conn.execute("INSERT INTO retailers (phone, shop_name, area) "
                               "VALUES ($1, $2, 'Baneshwor')", PHONE[3:], SHOP)
    line = _format(logging.WARNING, "duplicate: %s", caught.value.detail)
    assert PHONE[3:] not in line
    assert "Key (phone)=(…)" in line


def test_pydantic_errors_do_not_repeat_the_input() -> None:
    class Qty(BaseModel):
        qty: int

    with pytest.raises(ValidationError) as caught:
        Qty.model_validate({"qty": f"2 bora chamal from {SHOP}"})
    line = _format(logging.WARNING, "bad: %s", caught.value, exc=caught.value)
    assert SHOP not in line
