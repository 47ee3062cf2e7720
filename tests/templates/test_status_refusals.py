"""A failed status webhook with Meta's opt-out or template codes has the same consequences
as the send call answering with them (bot/store/refusals.py, one rule for both)."""

from __future__ import annotations

import aiohttp

from bot.conversation.workers import drained
from bot.store import consent as consent_store
from bot.whatsapp.templates_api import sync
from flows import templates
from flows.replies import Outgoing
from tests.channel.dispatch import enqueue, statuses, wait_until
from tests.conversation.conftest import Stack
from tests.templates.conftest import desk_of, templates_client

SHOP = "9779811100002"


async def _synced_and_sent(stack: Stack, outgoing: Outgoing, name: str) -> str:
    """Sync the templates, approve `name` in English, send `outgoing`; its wamid."""
    async with aiohttp.ClientSession() as http:
        await sync(stack.runtime.pool, templates_client(stack, http))
    await desk_of(stack).set_status(name, "en")
    (row_id,) = await enqueue(stack.runtime, [outgoing])

    async def accepted() -> bool:
        return (await statuses(stack.runtime)).get(row_id) in ("sent", "delivered", "read")
    await wait_until(accepted)
    async with stack.runtime.pool.acquire() as conn:
        wamid = await conn.fetchval("SELECT wamid FROM outbox WHERE id = $1", row_id)
    assert isinstance(wamid, str)
    return wamid


async def _fails_with(stack: Stack, wamid: str, code: int, title: str) -> None:
    env = stack.sim.status_envelope(wamid, "failed", SHOP, error={
        "code": code, "title": title, "message": title,
        "error_data": {"details": title}})
    assert await stack.sim.post_webhook(env) == 200
    await drained(stack.runtime.pool)


async def _template_status(stack: Stack, name: str) -> str | None:
    async with stack.runtime.pool.acquire() as conn:
        value = await conn.fetchval("SELECT status FROM message_templates WHERE name = $1 "
                                    "AND language = 'en'", name)
    return None if value is None else str(value)


async def test_a_failed_status_with_131050_records_the_opt_out(stack: Stack) -> None:
    wamid = await _synced_and_sent(
        stack, Outgoing(SHOP, templates.reorder_nudge("en", "Ram Kirana", "chini 10 kg", 7)),
        templates.REORDER_NUDGE)
    await _fails_with(stack, wamid, 131050, "Unable to deliver the message. This recipient "
                      "has chosen to stop receiving marketing messages on WhatsApp")
    async with stack.runtime.pool.acquire() as conn:
        state = await consent_store.state(conn, SHOP)
    assert state is not None and state.opted_out and state.source == "meta:131050"


async def test_a_failed_status_with_132015_records_the_template_paused(stack: Stack) -> None:
    wamid = await _synced_and_sent(
        stack, Outgoing(SHOP, templates.credit_unblocked("en", "Ram Kirana")),
        templates.CREDIT_UNBLOCKED)
    await _fails_with(stack, wamid, 132015, "Template is Paused")
    assert await _template_status(stack, templates.CREDIT_UNBLOCKED) == "PAUSED"


async def test_a_failed_status_with_132001_records_the_template_missing(stack: Stack) -> None:
    wamid = await _synced_and_sent(
        stack, Outgoing(SHOP, templates.credit_unblocked("en", "Ram Kirana")),
        templates.CREDIT_UNBLOCKED)
    await _fails_with(stack, wamid, 132001, "Template name does not exist in the translation")
    assert await _template_status(stack, templates.CREDIT_UNBLOCKED) == "MISSING"


async def test_a_failed_status_with_another_code_records_neither(stack: Stack) -> None:
    wamid = await _synced_and_sent(
        stack, Outgoing(SHOP, templates.credit_unblocked("en", "Ram Kirana")),
        templates.CREDIT_UNBLOCKED)
    await _fails_with(stack, wamid, 131026, "Message undeliverable")
    assert await _template_status(stack, templates.CREDIT_UNBLOCKED) == "APPROVED"
    async with stack.runtime.pool.acquire() as conn:
        assert await consent_store.state(conn, SHOP) is None
