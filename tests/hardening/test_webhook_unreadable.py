"""A correctly signed body nobody can read is recorded and acknowledged, never redelivered
for days (WhatsApp retries any non-200 for up to 7); a bad signature is still refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest

from bot.metrics import WEBHOOK_UNREADABLE
from bot.runtime import Runtime
from bot.store.webhook_dead_letters import HEAD_BYTES
from bot.whatsapp.signature import HEADER
from jobs import retention
from jobs.job import JobContext
from tests.channel.conftest import Bot, signed
from tests.channel.proxy import TcpProxy
from tests.channel.test_outage import pg_proxy

__all__ = ["pg_proxy"]

PHONE = "9779812345001"


async def _letters(runtime: Runtime) -> list[dict[str, object]]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, sha256, reason, detail, body_bytes, body_head, "
                                "deliveries FROM webhook_dead_letters ORDER BY id")
    return [dict(r) for r in rows]


async def test_a_signed_body_that_is_not_json_is_recorded_and_acknowledged(bot: Bot) -> None:
    status, answer = await bot.post(b"object=whatsapp")
    assert status == 200
    assert answer["unreadable"] == "not_json" and answer["handled"] == 0
    [letter] = await _letters(bot.runtime)
    assert (letter["id"], letter["reason"], letter["body_head"]) == (
        answer["dead_letter"], "not_json", b"object=whatsapp")
    assert letter["sha256"] == hashlib.sha256(b"object=whatsapp").hexdigest()


async def test_a_signed_body_that_is_not_an_envelope_is_recorded_with_the_reason(
        bot: Bot) -> None:
    status, answer = await bot.post({"object": "whatsapp_business_account", "entry": "nope"})
    assert status == 200 and answer["unreadable"] == "not_envelope"
    assert "entry" in answer["error"]
    [letter] = await _letters(bot.runtime)
    assert letter["reason"] == "not_envelope" and "entry" in str(letter["detail"])


async def test_an_envelope_with_nothing_readable_is_recorded_and_acknowledged(
        bot: Bot) -> None:
    env = {"object": "whatsapp_business_account",
           "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
               "messaging_product": "whatsapp", "messages": [7, "x"]}}]}]}
    status, answer = await bot.post(env)
    assert status == 200 and answer["unreadable"] == "nothing_readable"
    assert answer["rejected"]
    assert [r["reason"] for r in await _letters(bot.runtime)] == ["nothing_readable"]
    assert await bot.outbox() == []


async def test_a_redelivered_unreadable_body_is_one_record_counted_twice(bot: Bot) -> None:
    first = await bot.post(b"\xff\xfe not json")
    second = await bot.post(b"\xff\xfe not json")
    assert first[0] == second[0] == 200
    assert first[1]["dead_letter"] == second[1]["dead_letter"]
    [letter] = await _letters(bot.runtime)
    assert letter["deliveries"] == 2


async def test_only_the_first_64_kb_of_an_unreadable_body_are_kept(bot: Bot) -> None:
    body = b"x" * (HEAD_BYTES * 4)
    status, _ = await bot.post(body)
    assert status == 200
    [letter] = await _letters(bot.runtime)
    assert letter["body_bytes"] == len(body)
    assert letter["body_head"] == body[:HEAD_BYTES]


async def test_the_metric_counts_unreadable_bodies_by_reason(bot: Bot) -> None:
    before = WEBHOOK_UNREADABLE.value(reason="not_json")
    await bot.post(b"not json at all")
    assert WEBHOOK_UNREADABLE.value(reason="not_json") == before + 1


async def test_the_log_line_names_neither_phone_nor_text(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    body = f'{{"from": "{PHONE}", "text": "chini pathaidinu" '.encode()  # cut short: not JSON
    with caplog.at_level(logging.INFO):
        status, _ = await bot.post(body)
    assert status == 200
    lines = [r for r in caplog.records if r.getMessage() == "webhook body unreadable, set aside"]
    assert len(lines) == 1
    for record in caplog.records:
        shown = f"{record.getMessage()} {record.__dict__}"
        assert PHONE not in shown and "chini" not in shown


@pytest.mark.parametrize("signature, status", [(None, 401), ("sha256=" + "0" * 64, 403)])
async def test_an_unreadable_body_without_a_good_signature_is_still_refused(
        bot: Bot, signature: str | None, status: int) -> None:
    body, headers = signed(b"object=whatsapp")
    if signature is None:
        del headers[HEADER]
    else:
        headers[HEADER] = signature
    async with bot.client.post("/webhook", data=body, headers=headers) as resp:
        assert resp.status == status
    assert await _letters(bot.runtime) == []


async def test_an_unreadable_body_while_postgres_is_down_is_503_for_a_redelivery(
        runtime: Runtime, pg_proxy: tuple[TcpProxy, Bot]) -> None:
    proxy, bot = pg_proxy
    proxy.cut()
    assert (await bot.post(b"object=whatsapp", drain=False))[0] == 503
    proxy.restore()
    assert await _letters(runtime) == []


async def test_old_unreadable_bodies_are_purged_with_the_inbox(bot: Bot) -> None:
    await bot.post(b"old junk")
    await bot.post(b"new junk")
    now = dt.datetime.now(dt.UTC)
    async with bot.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE webhook_dead_letters SET received_at = $1 "
                           "WHERE body_head = 'old junk'::bytea", now - dt.timedelta(days=400))
    await retention.run(JobContext(bot.runtime), now)
    assert [r["body_head"] for r in await _letters(bot.runtime)] == [b"new junk"]
