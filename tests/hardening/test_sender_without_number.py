"""A sender WhatsApp names only by a business-scoped user id (issue 19).

Asked for a number, never onboarded under the id (and never failing an insert
on every redelivery), recorded like any message; once an operator links the id
to a retailer (`khaacho retailer link`, `POST /api/admin/retailers/{phone}/link`,
both audited) the id is served as that retailer, replies going to the id.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest

from bot.cli.main import build_parser
from bot.conversation.workers import drained
from bot.services import sender_links
from bot.services.sender_links import LinkError
from tests.channel.conftest import signed
from tests.conftest import TEST_PHONE_NUMBER_ID
from tests.conversation.conftest import Stack, add_retailer
from tests.ops.helpers import bearer, serving

USER_ID = "NP.1234567890abcdef"
PHONE = "9779812345070"
NEED_PHONE = "did not share your phone number"


def _envelope(wamid: str, body: str) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "9779800000000",
                         "phone_number_id": TEST_PHONE_NUMBER_ID},
            "contacts": [{"user_id": USER_ID, "profile": {"username": "@ramkirana"}}],
            "messages": [{"from_user_id": USER_ID, "id": wamid, "timestamp": "1700000000",
                          "type": "text", "text": {"body": body}}]}}]}]}


async def _post(stack: Stack, envelope: dict[str, Any]) -> int:
    """POST signed, then wait until the conversation workers have handled it."""
    body, headers = signed(envelope)
    async with aiohttp.ClientSession() as http, http.post(stack.bot_url, data=body,
                                                          headers=headers) as resp:
        status = resp.status
    await drained(stack.runtime.pool, within=30.0)
    return status


async def _replies(stack: Stack, to: str = USER_ID) -> list[str]:
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id",
                                to)
    return [orjson.dumps(orjson.loads(r["payload"]) if isinstance(r["payload"], str)
                         else r["payload"]).decode() for r in rows]


async def _link_audits(stack: Stack) -> list[tuple[str, str, Any]]:
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT actor, target, details FROM audit_log "
                                "WHERE action = 'sender.link' ORDER BY id")
    return [(r["actor"], r["target"], r["details"]) for r in rows]


async def test_a_sender_without_a_number_is_asked_for_it_and_not_onboarded(
    stack: Stack,
) -> None:
    assert await _post(stack, _envelope("wamid.u1", "namaste")) == 200
    assert await _post(stack, _envelope("wamid.u2", "chini 10 kg")) == 200
    replies = await _replies(stack)
    assert len(replies) == 2
    assert all(NEED_PHONE in r for r in replies)
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM retailers") == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM inbound_messages WHERE sender = $1", USER_ID) == 2


async def test_a_linked_sender_is_served_as_the_retailer_with_replies_to_the_id(
    stack: Stack,
) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        await sender_links.link_sender(conn, USER_ID, PHONE, actor="admin:sita")
    assert await _post(stack, _envelope("wamid.u3", "chini 10 kg")) == 200
    replies = await _replies(stack)
    assert replies and not any(NEED_PHONE in r for r in replies)
    assert await _replies(stack, to=PHONE) == []
    # The retailer's own conversation: the session is under their phone, not the id.
    session = await stack.runtime.redis.get(stack.runtime.keys.session(PHONE))
    assert session is not None and b"SUGAR" in session.upper()
    assert await stack.runtime.redis.get(stack.runtime.keys.session(USER_ID)) is None


async def test_linking_is_audited_and_relinking_moves_the_id(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_retailer(stack.runtime, "9779812345071", shop="Sita Pasal")
    async with stack.runtime.pool.acquire() as conn:
        first = await sender_links.link_sender(conn, USER_ID, PHONE, actor="admin:sita")
        again = await sender_links.link_sender(conn, USER_ID, PHONE, actor="admin:sita")
        moved = await sender_links.link_sender(conn, USER_ID, "9779812345071",
                                               actor="admin:gita")
    assert (first.changed, again.changed, moved.changed) == (True, False, True)
    assert moved.previous_phone == PHONE
    assert await _link_audits(stack) == [
        ("admin:sita", f"retailer:{PHONE}", {"user_id": USER_ID, "previous": None}),
        ("admin:gita", "retailer:9779812345071", {"user_id": USER_ID, "previous": PHONE})]


@pytest.mark.parametrize("user_id, reason", [
    ("9779812345070", "phone number"), ("NP 123", "not a WhatsApp user id"),
    ("x" * 257, "not a WhatsApp user id"), ("", "not a WhatsApp user id")])
async def test_what_is_not_a_user_id_is_refused_with_a_reason(
        stack: Stack, user_id: str, reason: str) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(LinkError, match=reason):
            await sender_links.link_sender(conn, user_id, PHONE, actor="admin:sita")
    assert await _link_audits(stack) == []


async def test_a_link_to_nobody_is_refused_as_missing(stack: Stack) -> None:
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(LinkError) as err:
            await sender_links.link_sender(conn, USER_ID, PHONE, actor="admin:sita")
    assert err.value.missing


async def test_the_cli_links_an_id_by_the_operator(
        stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = stack.runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("REDIS_URL", s.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", s.redis_key_prefix)
    await add_retailer(stack.runtime, PHONE)
    args = build_parser().parse_args(["retailer", "link", USER_ID, "--phone", PHONE,
                                      "--json", "--as", "hari"])
    assert await args.handler(args) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert (out["user_id"], out["phone"], out["changed"]) == (USER_ID, PHONE, True)
    assert [(a, t) for a, t, _ in await _link_audits(stack)] == [
        ("cli:hari", f"retailer:{PHONE}")]


async def test_the_admin_endpoint_links_an_id_and_refuses_clearly(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with serving(stack.runtime) as client:
        ok = await client.post(f"/api/admin/retailers/{PHONE}/link",
                               json={"user_id": USER_ID}, headers=bearer("sita"))
        nobody = await client.post("/api/admin/retailers/9779800000999/link",
                                   json={"user_id": USER_ID}, headers=bearer("sita"))
        junk = await client.post(f"/api/admin/retailers/{PHONE}/link",
                                 json={"user_id": "12345"}, headers=bearer("sita"))
        body = await ok.json()
    assert ok.status == 200 and body["phone"] == PHONE and body["changed"] is True
    assert nobody.status == 404
    assert 400 <= junk.status < 500
    assert [a for a, _, _ in await _link_audits(stack)] == ["admin:sita"]
