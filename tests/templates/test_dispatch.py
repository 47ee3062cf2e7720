"""The dispatcher and templates: held until approved, the other language, the marketing
route, opt-out, and Meta's template and marketing errors handled without blind retries."""

from __future__ import annotations

from decimal import Decimal

import aiohttp
import asyncpg

from bot.store import consent as consent_store
from bot.whatsapp.templates_api import refresh, sync
from flows import templates
from flows.replies import Outgoing
from tests.channel.dispatch import enqueue, statuses, wait_until
from tests.conversation.conftest import Stack
from tests.templates.conftest import desk_of, templates_client

SHOP = "9779811100001"


async def _synced(stack: Stack, *approved: tuple[str, str]) -> None:
    async with aiohttp.ClientSession() as http:
        await sync(stack.runtime.pool, templates_client(stack, http))
    for name, language in approved:
        await desk_of(stack).set_status(name, language)


async def _row(stack: Stack, row_id: int) -> asyncpg.Record:
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM outbox WHERE id = $1", row_id)
    assert row is not None
    return row


async def _becomes(stack: Stack, row_id: int, status: str) -> None:
    async def there() -> bool:
        return (await statuses(stack.runtime)).get(row_id) == status
    await wait_until(there)


def _unblocked(language: str = "en") -> Outgoing:
    return Outgoing(SHOP, templates.credit_unblocked(language, "Ram Kirana"))


def _nudge(language: str = "en") -> Outgoing:
    return Outgoing(SHOP, templates.reorder_nudge(language, "Ram Kirana", "chini 10 kg", 7))


def _templates_sent(stack: Stack) -> list[dict[str, object]]:
    return [m.payload["template"] for m in stack.sim.sent_to(SHOP) if m.type == "template"]


async def test_an_unapproved_template_waits_and_operators_are_told_once(stack: Stack) -> None:
    await _synced(stack)
    first, second = await enqueue(stack.runtime, [_unblocked(), _unblocked()])
    await _becomes(stack, first, "held")
    await _becomes(stack, second, "held")
    assert "not approved" in (await _row(stack, first))["last_error"]
    assert _templates_sent(stack) == []
    async with stack.runtime.pool.acquire() as conn:
        alerts = await conn.fetch("SELECT dedupe_key FROM operator_alerts "
                                  "WHERE kind = 'template_waiting'")
    assert [a["dedupe_key"] for a in alerts] == [
        f"template_waiting:template:{templates.CREDIT_UNBLOCKED}"]


async def test_held_messages_go_out_when_the_approval_webhook_arrives(stack: Stack) -> None:
    await _synced(stack)
    (row_id,) = await enqueue(stack.runtime, [_unblocked()])
    await _becomes(stack, row_id, "held")
    await desk_of(stack).set_status(templates.CREDIT_UNBLOCKED, "en")
    await _becomes(stack, row_id, "delivered")
    assert [t["name"] for t in _templates_sent(stack)] == [templates.CREDIT_UNBLOCKED]
    async with stack.runtime.pool.acquire() as conn:
        open_alerts = await conn.fetchval("SELECT count(*) FROM operator_alerts WHERE kind = "
                                          "'template_waiting' AND resolved_at IS NULL")
    assert open_alerts == 0


async def test_the_other_language_is_used_when_only_it_is_approved(stack: Stack) -> None:
    await _synced(stack, (templates.CREDIT_UNBLOCKED, "en"))
    (row_id,) = await enqueue(stack.runtime, [_unblocked("ne")])
    await _becomes(stack, row_id, "delivered")
    [sent] = _templates_sent(stack)
    assert sent["language"]["code"] == "en"  # type: ignore[index]


async def test_the_own_language_is_used_when_it_is_approved(stack: Stack) -> None:
    await _synced(stack, (templates.CREDIT_UNBLOCKED, "en"), (templates.CREDIT_UNBLOCKED, "ne"))
    (row_id,) = await enqueue(stack.runtime, [_unblocked("ne")])
    await _becomes(stack, row_id, "delivered")
    assert _templates_sent(stack)[0]["language"]["code"] == "ne"  # type: ignore[index]


async def test_marketing_goes_through_the_marketing_route(stack: Stack) -> None:
    await _synced(stack, (templates.REORDER_NUDGE, "en"))
    (row_id,) = await enqueue(stack.runtime, [_nudge()])
    await _becomes(stack, row_id, "delivered")
    [message] = [m for m in stack.sim.sent_to(SHOP) if m.type == "template"]
    assert desk_of(stack).marketing_sent == [message.wamid]
    assert "biz_opaque_callback_data" not in message.payload


async def test_utility_templates_use_the_messages_route(stack: Stack) -> None:
    await _synced(stack, (templates.CREDIT_UNBLOCKED, "en"))
    (row_id,) = await enqueue(stack.runtime, [_unblocked()])
    await _becomes(stack, row_id, "delivered")
    assert desk_of(stack).marketing_sent == []


async def test_marketing_to_an_opted_out_number_is_not_sent(stack: Stack) -> None:
    await _synced(stack, (templates.REORDER_NUDGE, "en"), (templates.CREDIT_UNBLOCKED, "en"))
    async with stack.runtime.pool.acquire() as conn:
        await consent_store.set_opt_out(conn, SHOP, True, "test")
    nudge, notice = await enqueue(stack.runtime, [_nudge(), _unblocked()])
    await _becomes(stack, nudge, "skipped")
    await _becomes(stack, notice, "delivered")  # order and payment messages continue
    assert [t["name"] for t in _templates_sent(stack)] == [templates.CREDIT_UNBLOCKED]


async def test_131049_marketing_limit_fails_without_a_retry(stack: Stack) -> None:
    await _synced(stack, (templates.REORDER_NUDGE, "en"))
    desk_of(stack).marketing_limited.add(SHOP)
    requests = stack.sim.requests
    (row_id,) = await enqueue(stack.runtime, [_nudge()])
    await _becomes(stack, row_id, "failed")
    row = await _row(stack, row_id)
    assert (row["error_code"], row["attempts"]) == (131049, 1)
    assert stack.sim.requests == requests  # refused before the send was accepted
    async with stack.runtime.pool.acquire() as conn:
        outcomes = await conn.fetch("SELECT outcome FROM outbox_attempts WHERE outbox_id = $1",
                                    row_id)
    assert [o["outcome"] for o in outcomes] == ["permanent"]


async def test_131050_records_the_opt_out(stack: Stack) -> None:
    await _synced(stack, (templates.REORDER_NUDGE, "en"))
    desk_of(stack).stopped_marketing.add(SHOP)
    first, second = await enqueue(stack.runtime, [_nudge(), _nudge()])
    await _becomes(stack, first, "failed")
    await _becomes(stack, second, "skipped")  # the next one is not even tried
    async with stack.runtime.pool.acquire() as conn:
        state = await consent_store.state(conn, SHOP)
    assert state is not None and state.opted_out and state.source == "meta:131050"


async def test_132001_marks_the_template_missing_and_holds_the_row(stack: Stack) -> None:
    await _synced(stack, (templates.CREDIT_UNBLOCKED, "en"))
    del desk_of(stack).templates[(templates.CREDIT_UNBLOCKED, "en")]  # deleted in Business Manager
    (row_id,) = await enqueue(stack.runtime, [_unblocked()])
    await _becomes(stack, row_id, "held")
    assert (await _row(stack, row_id))["error_code"] == 132001
    async with stack.runtime.pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM message_templates WHERE name = $1 "
                                     "AND language = 'en'", templates.CREDIT_UNBLOCKED)
    assert status == "MISSING"


async def test_a_paused_template_holds_the_row_until_it_is_approved_again(stack: Stack) -> None:
    await _synced(stack, (templates.CREDIT_UNBLOCKED, "en"))
    desk_of(stack).templates[(templates.CREDIT_UNBLOCKED, "en")].status = "PAUSED"
    (row_id,) = await enqueue(stack.runtime, [_unblocked()])
    await _becomes(stack, row_id, "held")
    assert (await _row(stack, row_id))["error_code"] == 132015
    await desk_of(stack).set_status(templates.CREDIT_UNBLOCKED, "en")
    await _becomes(stack, row_id, "delivered")


async def test_a_template_never_synced_is_sent_and_meta_decides(stack: Stack) -> None:
    (row_id,) = await enqueue(stack.runtime, [
        Outgoing(SHOP, templates.credit_blocked("en", "Ram", Decimal(5), 16, 1001))])
    await _becomes(stack, row_id, "delivered")


async def test_templates_status_releases_held_rows_when_the_webhook_was_missed(
        stack: Stack) -> None:
    await _synced(stack)
    (row_id,) = await enqueue(stack.runtime, [_unblocked()])
    await _becomes(stack, row_id, "held")
    desk_of(stack).templates[(templates.CREDIT_UNBLOCKED, "en")].status = "APPROVED"
    async with aiohttp.ClientSession() as http:
        await refresh(stack.runtime.pool, templates_client(stack, http))
    await _becomes(stack, row_id, "delivered")
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM operator_alerts WHERE resolved_at "
                                   "IS NULL AND kind = 'template_waiting'") == 0
