"""`/console/inbox`: photos shown, voice notes playable, documents downloadable, one made a cart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.console.conftest import Client, add_operator, csrf_of
from tests.conversation.conftest import Stack, add_retailer, stack  # noqa: F401
from tests.media.conftest import Fetching, fetching  # noqa: F401

PHONE = "9779812000401"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
OGG = b"OggS\x00\x02" + bytes(range(200)) * 3
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 2 + b"\n%%EOF\n"


@pytest.fixture
async def operator(stack: Stack) -> AsyncIterator[Client]:  # noqa: F811
    await add_operator(stack.runtime, "sita", "operator")
    c = Client(stack.bot_url.removesuffix("/webhook"),
               aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
    await c.login("sita")
    yield c
    await c.close()


async def send_three(fetching: Fetching) -> None:  # noqa: F811
    await add_retailer(fetching.stack.runtime, PHONE, shop="Laxmi Store")
    chat = fetching.stack.chat(PHONE)
    try:
        await chat.send_media("image", JPEG, "image/jpeg")
        await chat.send_media("audio", OGG, "audio/ogg; codecs=opus", voice=True)
        await chat.send_media("document", PDF, "application/pdf", filename="list.pdf")
    finally:
        await chat.close()
    await fetching.fetched()


async def test_photos_voice_notes_and_documents_are_shown_as_each_should_be(
        fetching: Fetching, operator: Client) -> None:  # noqa: F811
    await send_three(fetching)
    status, html, _ = await operator.get("/console/inbox")
    assert status == 200 and "Laxmi Store" in html
    assert html.count("<img ") == 1 and html.count("<audio ") == 1
    assert "list.pdf" in html and " download>" in html

    ids = [int(part.split('"')[0]) for part in html.split('id="item-')[1:]]
    bodies = {}
    for item_id in ids:
        async with operator.http.get(f"{operator.base}/console/inbox/{item_id}/file") as r:
            assert r.status == 200
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in r.headers["Content-Security-Policy"]
            bodies[r.headers["Content-Type"]] = r.headers["Content-Disposition"]
    assert bodies["image/jpeg"].startswith("inline")
    assert bodies["audio/ogg"].startswith("inline")
    # A PDF is not played in the console's origin: it downloads.
    assert bodies["application/octet-stream"].startswith("attachment")


async def test_the_file_bytes_are_served_intact(fetching: Fetching,  # noqa: F811
                                                operator: Client) -> None:
    await send_three(fetching)
    _, html, _ = await operator.get("/console/inbox")
    first = int(html.split('id="item-')[1].split('"')[0])
    async with operator.http.get(f"{operator.base}/console/inbox/{first}/file") as r:
        assert await r.read() == JPEG


async def test_an_operator_turns_a_photo_into_a_cart_the_shop_is_asked_to_confirm(
        fetching: Fetching, operator: Client) -> None:  # noqa: F811
    await send_three(fetching)
    _, html, _ = await operator.get("/console/inbox")
    first = int(html.split('id="item-')[1].split('"')[0])
    before = len(fetching.stack.sim.sent_to(PHONE))
    status, html, _ = await operator.post(f"/console/inbox/{first}/cart", {
        "csrf_token": csrf_of(html), "cart_text": "chini 10 kg"}, follow=True)
    assert status == 200 and "Sent to Laxmi Store as a cart to confirm" in html
    async with asyncio.timeout(10):
        while not any("Sugar" in (m.text or "")
                      for m in fetching.stack.sim.sent_to(PHONE)[before:]):
            await asyncio.sleep(0.05)


async def test_a_missing_item_file_is_a_404(operator: Client) -> None:
    status, _, _ = await operator.get("/console/inbox/999999/file")
    assert status == 404


async def test_the_dashboard_counts_the_open_inbox(fetching: Fetching,  # noqa: F811
                                                   operator: Client) -> None:
    await send_three(fetching)
    _, html, _ = await operator.get("/console")
    flat = html.replace("\n", "").replace("  ", "")
    assert "<span>Inbox to work</span><strong>3</strong>" in flat
