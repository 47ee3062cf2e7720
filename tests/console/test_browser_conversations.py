"""Conversations, catalogue, reports and inbox in a real browser (headless chromium).

An operator takes a conversation over, writes a reply that reaches the shop's
WhatsApp (the simulator), hands it back; uploads a price list with a bad row and
sees the error by line. Screenshots under .khaacho/artefacts/console/.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import takeover
from tests.console.browser import Browser, chromium_or_skip
from tests.console.conftest import PASSWORD, Site, add_operator
from tests.conversation.conftest import add_retailer
from tests.media.conftest import Fetching, fetching  # noqa: F401
from tests.reports.test_business_reports import seed

pytestmark = pytest.mark.slow

SHOP = "9779812000501"


@pytest.fixture
async def browser(site: Site) -> AsyncIterator[Browser]:
    """Chromium logged in as operator `hari`."""
    chromium_or_skip()
    b = Browser.start()
    b.base = site.url
    try:
        await add_operator(site.stack.runtime, "hari", "operator")
        await b.open("/console/login")
        await b.fill("form", {"username": "hari", "password": PASSWORD})
        await b.submit("form")
        yield b
    finally:
        await b.call(b.quit)


async def _arrived(site: Site, text: str) -> None:
    async with asyncio.timeout(10):
        while not any(m.text == text for m in site.stack.sim.sent_to(SHOP)):
            await asyncio.sleep(0.05)


async def test_take_over_reply_and_hand_back(site: Site, browser: Browser) -> None:
    b = browser
    await add_retailer(site.stack.runtime, SHOP, shop="Bishnu Kirana")
    await site.stack.sim.inbound_text(SHOP, "chini 2 kg")

    await b.open("/console/conversations")
    assert SHOP in await b.text("#live-sessions")
    await b.screenshot("conversations")
    await b.click_link(SHOP)
    assert "chini 2 kg" in await b.text("#transcript")
    await b.fill("#takeover-form", {"note": "wants to talk about prices"})
    await b.submit("#takeover-form")
    assert "Taken over by console:hari" in await b.text("#takeover-state")

    await b.fill("#reply-form", {"text": "Namaste, Hari here. Sugar is Rs 98 a kg today."})
    await b.submit("#reply-form")
    await _arrived(site, "Namaste, Hari here. Sugar is Rs 98 a kg today.")
    await b.open(f"/console/conversations/{SHOP}")
    assert "Hari here" in await b.text("#transcript")
    await b.screenshot("conversation-taken-over")

    await b.submit("#handback-form", confirm=True)
    assert "is back with the bot" in await b.text("main")
    async with site.stack.runtime.pool.acquire() as conn:
        assert not await takeover.is_taken_over(conn, SHOP)
    await b.screenshot("conversation")


async def test_a_catalogue_with_a_bad_row_shows_the_error_by_line(
        site: Site, browser: Browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    bad = tmp_path / "prices.csv"
    bad.write_text("sku,name,unit,aliases,category,price\n"
                   "SUGAR-KG,Sugar (Loose),kg,chini,sugar,95\n"
                   "OIL-1L,Sunflower Oil 1L,litre,tel,oil,ninety\n", encoding="utf-8")
    await browser.open("/console/catalogue")
    file_input = await browser.find("#file")
    await browser.call(file_input.send_keys, str(bad))
    await browser.submit("#upload-form")
    assert "1 bad row(s)" in await browser.text("#rejected")
    errors = await browser.text("#row-errors")
    assert "3" in errors and "price" in errors
    assert not await browser.call(browser.driver.find_elements, By.ID, "apply")
    await browser.screenshot("catalogue-rejected")
    async with site.stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM products WHERE sku = 'OIL-1L'") == 0


def png(width: int = 48, height: int = 32) -> bytes:
    """A real (decodable) PNG: a photo the browser can draw."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + b"".join(bytes((x * 5 % 256, y * 8 % 256, 120))
                                       for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


async def test_reports_and_inbox_render(site: Site, browser: Browser,
                                        fetching: Fetching) -> None:  # noqa: F811
    await seed(site.stack.runtime)
    await browser.open("/console/reports?weeks=12")
    assert "Ageing of what shops owe" in await browser.text("main")
    svgs = await browser.script("return document.querySelectorAll('main svg').length")
    assert svgs == 5
    await browser.screenshot("reports")

    await add_retailer(site.stack.runtime, SHOP, shop="Bishnu Kirana")
    chat = site.stack.chat(SHOP)
    try:
        await chat.send_media("image", png(), "image/png", caption="list for tomorrow")
        await chat.send_media("audio", b"OggS\x00\x02" + bytes(300), "audio/ogg; codecs=opus",
                              voice=True)
    finally:
        await chat.close()
    await fetching.fetched()
    await browser.open("/console/inbox")
    drawn = await browser.script(
        "var i = document.querySelector('img.inbox-photo'); return i && i.naturalWidth")
    assert drawn == 48  # the photo really loads from the console
    assert await browser.script("return document.querySelectorAll('audio').length") == 1
    await browser.screenshot("inbox")
    await browser.open("/console/catalogue")
    await browser.screenshot("catalogue")


async def test_these_pages_fit_a_phone_screen(site: Site, browser: Browser) -> None:
    await seed(site.stack.runtime)
    await add_retailer(site.stack.runtime, SHOP, shop="Bishnu Kirana")
    await site.stack.sim.inbound_text(SHOP, "chini 2 kg")
    await browser.resize(390, 844)
    for path in ("/console/conversations", f"/console/conversations/{SHOP}",
                 "/console/catalogue", "/console/reports", "/console/inbox"):
        await browser.open(path)
        overflow = await browser.script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    await browser.open(f"/console/conversations/{SHOP}")
    await browser.screenshot("conversation-phone")
