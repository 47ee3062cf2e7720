"""`templates sync` over the simulator: every template created in both languages, statuses
stored, Meta's refusals, and the status webhook approving one."""

from __future__ import annotations

import aiohttp
import orjson

from bot.store import templates as template_store
from bot.whatsapp.template_rules import SUBCODE_BAD_NAME, SUBCODE_MISSING_EXAMPLE
from bot.whatsapp.templates_api import create_request, refresh, sync
from flows.templates import LANGUAGES, REGISTRY, REORDER_NUDGE
from tests.conftest import TEST_ACCESS_TOKEN
from tests.conversation.conftest import Stack
from tests.templates.conftest import desk_of, templates_client

EVERY = {(name, lang) for name in REGISTRY for lang in LANGUAGES}


async def _stored(stack: Stack) -> dict[tuple[str, str], str]:
    async with stack.runtime.pool.acquire() as conn:
        return {(s.name, s.language): s.status for s in await template_store.all_statuses(conn)}


async def test_sync_creates_every_template_in_both_languages_with_examples(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        report = await sync(stack.runtime.pool, templates_client(stack, http))
    desk = desk_of(stack)
    assert set(report.created) == EVERY and not report.refused
    assert set(desk.templates) == EVERY
    for (name, lang), made in desk.templates.items():
        body = next(c for c in made.components if c["type"] == "BODY")
        assert body["text"] == REGISTRY[name].body[lang]
        assert body["example"]["body_text"] == [list(REGISTRY[name].examples[lang])]
        assert made.category == REGISTRY[name].category.value
    assert await _stored(stack) == dict.fromkeys(EVERY, "PENDING")


async def test_a_second_sync_creates_nothing_and_keeps_the_statuses(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        client = templates_client(stack, http)
        await sync(stack.runtime.pool, client)
        await desk_of(stack).set_status(REORDER_NUDGE, "en")
        again = await sync(stack.runtime.pool, client)
    assert again.created == () and set(again.existing) == EVERY
    assert (await _stored(stack))[(REORDER_NUDGE, "en")] == "APPROVED"


async def test_the_listing_is_read_across_pages(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        client = templates_client(stack, http)
        await sync(stack.runtime.pool, client)
        url = f"{client.url}?limit=3"
        async with http.get(url, headers={"Authorization": f"Bearer {TEST_ACCESS_TOKEN}"}) as r:
            first = await r.json()
        assert len(first["data"]) == 3 and "next" in first["paging"]
        assert len(await client.list_all()) == len(EVERY)


async def test_the_simulator_refuses_a_missing_example_like_meta(stack: Stack) -> None:
    request = create_request(REGISTRY[REORDER_NUDGE], "en")
    del request["components"][0]["example"]
    async with aiohttp.ClientSession() as http:
        answer = await templates_client(stack, http).create(request)
    assert answer["error"]["code"] == 100
    assert answer["error"]["error_subcode"] == SUBCODE_MISSING_EXAMPLE
    assert answer["error"]["error_user_title"] == "Missing Sample Parameter Values"
    assert not desk_of(stack).templates


async def test_the_simulator_refuses_a_bad_name_like_meta(stack: Stack) -> None:
    request = {**create_request(REGISTRY[REORDER_NUDGE], "en"), "name": "Reorder-Nudge"}
    async with aiohttp.ClientSession() as http:
        answer = await templates_client(stack, http).create(request)
    assert answer["error"]["error_subcode"] == SUBCODE_BAD_NAME


async def test_a_wrong_token_is_refused_with_190(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http, http.get(
            templates_client(stack, http).url, headers={"Authorization": "Bearer nope"}) as r:
        body = orjson.loads(await r.read())
    assert r.status == 401 and body["error"]["code"] == 190


async def test_a_status_webhook_approves_a_template(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        await sync(stack.runtime.pool, templates_client(stack, http))
    assert await desk_of(stack).set_status(REORDER_NUDGE, "ne") == 1
    stored = await _stored(stack)
    assert stored[(REORDER_NUDGE, "ne")] == "APPROVED"
    assert stored[(REORDER_NUDGE, "en")] == "PENDING"


async def test_a_rejection_webhook_keeps_the_reason_and_alerts(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        await sync(stack.runtime.pool, templates_client(stack, http))
    await desk_of(stack).set_status(REORDER_NUDGE, "en", "REJECTED", "INVALID_FORMAT")
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT status, rejected_reason FROM message_templates "
                                  "WHERE name = $1 AND language = 'en'", REORDER_NUDGE)
        alerts = await conn.fetch("SELECT kind, subject FROM operator_alerts")
    assert (row["status"], row["rejected_reason"]) == ("REJECTED", "INVALID_FORMAT")
    assert [a["kind"] for a in alerts] == ["account_quality"]
    assert REORDER_NUDGE in alerts[0]["subject"]


async def test_status_reads_back_what_meta_decided(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        client = templates_client(stack, http)
        await sync(stack.runtime.pool, client)
        stack.sim.webhook_url = None  # the webhook is lost: `templates status` still catches up
        for t in desk_of(stack).templates.values():
            t.status = "APPROVED"
        assert await refresh(stack.runtime.pool, client) == len(EVERY)
    assert set((await _stored(stack)).values()) == {"APPROVED"}


async def test_the_simulator_approves_on_command_over_http(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        await sync(stack.runtime.pool, templates_client(stack, http))
        async with http.post(f"{stack.sim_url}/_sim/templates/approve", json={}) as resp:
            assert (await resp.json()) == {"changed": len(EVERY)}
        async with http.post(f"{stack.sim_url}/_sim/templates/reject",
                             json={"name": REORDER_NUDGE, "language": "ne",
                                   "reason": "INVALID_FORMAT"}) as resp:
            assert (await resp.json()) == {"changed": 1}
    stored = await _stored(stack)
    assert stored.pop((REORDER_NUDGE, "ne")) == "REJECTED"
    assert set(stored.values()) == {"APPROVED"}
