"""`/console/conversations`: take over, reply, hand back — over HTTP, through to the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.services import takeover
from tests.console.conftest import Client, add_operator, csrf_of
from tests.conversation.conftest import Stack, add_retailer, stack  # noqa: F401

PHONE = "9779812000091"


@pytest.fixture
async def operator(stack: Stack) -> AsyncIterator[Client]:  # noqa: F811
    import aiohttp

    await add_operator(stack.runtime, "sita", "operator")
    base = stack.bot_url.removesuffix("/webhook")
    c = Client(base, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
    status, _, _ = await c.login("sita")
    assert status == 303
    yield c
    await c.close()


async def wait_for_text(stack: Stack, phone: str, text: str) -> None:  # noqa: F811
    async with asyncio.timeout(10):
        while not any(m.text == text for m in stack.sim.sent_to(phone)):
            await asyncio.sleep(0.05)


async def test_an_operator_takes_over_replies_and_hands_back_from_the_page(
        stack: Stack, operator: Client) -> None:  # noqa: F811
    await add_retailer(stack.runtime, PHONE, shop="Hari Pasal")
    await stack.sim.inbound_text(PHONE, "chini 2 kg")
    page = f"/console/conversations/{PHONE}"

    status, html, _ = await operator.get(page)
    assert status == 200 and "chini 2 kg" in html and "Hari Pasal" in html
    status, html, _ = await operator.form(page, f"{page}/takeover", {"note": "asked for help"})
    assert status == 200 and "taken over" in html.lower()

    await stack.sim.inbound_text(PHONE, "hello? anyone?")
    status, html, _ = await operator.form(page, f"{page}/reply",
                                          {"text": "Namaste, Sita from Khaacho here"})
    assert status == 200 and "Queued for sending" in html
    await wait_for_text(stack, PHONE, "Namaste, Sita from Khaacho here")
    # The bot said nothing to "hello? anyone?": the only reply after it is the operator's.
    texts = [m.text for m in stack.sim.sent_to(PHONE)]
    assert texts[-1] == "Namaste, Sita from Khaacho here"

    status, html, _ = await operator.form(page, f"{page}/handback", {})
    assert status == 200 and "back with the bot" in html
    async with stack.runtime.pool.acquire() as conn:
        assert not await takeover.is_taken_over(conn, PHONE)
        actors = {r["actor"] for r in await conn.fetch(
            "SELECT actor FROM audit_log WHERE action LIKE 'conversation.%'")}
    assert actors == {"console:sita"}


async def test_outside_the_window_the_page_offers_only_the_template(
        stack: Stack, operator: Client) -> None:  # noqa: F811
    await add_retailer(stack.runtime, PHONE, shop="Hari Pasal")
    await stack.sim.inbound_text(PHONE, "hello")
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE inbound_messages SET received_at = now() - interval '2 days'")
    page = f"/console/conversations/{PHONE}"
    await operator.form(page, f"{page}/takeover", {})
    _, html, _ = await operator.get(page)
    assert "reply-form" not in html and "template-form" in html
    # A hand-made POST of free text is refused all the same.
    status, html, _ = await operator.post(f"{page}/reply", {"csrf_token": csrf_of(html),
                                                            "text": "hi"}, follow=True)
    assert status == 200 and "24-hour window is closed" in html
    status, html, _ = await operator.form(page, f"{page}/template",
                                          {"template": "operator_followup", "signed": "Sita"})
    assert "Queued for sending" in html
    async with asyncio.timeout(10):
        while not any(m.type == "template" for m in stack.sim.sent_to(PHONE)):
            await asyncio.sleep(0.05)


async def test_the_list_shows_live_sessions_and_taken_over_conversations(
        stack: Stack, operator: Client) -> None:  # noqa: F811
    await add_retailer(stack.runtime, PHONE)
    await stack.sim.inbound_text(PHONE, "chini 2 kg")
    async with stack.runtime.pool.acquire() as conn:
        await takeover.take_over(conn, PHONE, actor="console:ram", note="call back")
    status, html, _ = await operator.get("/console/conversations")
    assert status == 200
    assert html.count(PHONE) >= 2 and "console:ram" in html and "call back" in html


async def test_a_viewer_cannot_take_over(stack: Stack) -> None:  # noqa: F811
    import aiohttp

    await add_operator(stack.runtime, "guest", "viewer")
    base = stack.bot_url.removesuffix("/webhook")
    c = Client(base, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
    try:
        await c.login("guest")
        page = f"/console/conversations/{PHONE}"
        status, _, _ = await c.form(page, f"{page}/takeover", {}, follow=False)
        assert status == 403
    finally:
        await c.close()
    async with stack.runtime.pool.acquire() as conn:
        assert not await takeover.is_taken_over(conn, PHONE)


async def test_a_page_for_something_that_is_not_a_phone_is_a_404(
        stack: Stack, operator: Client) -> None:  # noqa: F811
    status, _, _ = await operator.get("/console/conversations/not-a-phone")
    assert status == 404
