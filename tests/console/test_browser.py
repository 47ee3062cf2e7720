"""The console in a real browser (headless chromium): what an operator sees and does.

Over the whole stack: an order placed through a signed webhook shows up, the
operator moves it along for the vendor, records the shop's payment, and sees the
ledger and the shop's WhatsApp receipt (in the simulator). Screenshots of each
page are saved under .khaacho/artefacts/console/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.console.browser import Browser, chromium_or_skip
from tests.console.conftest import PASSWORD, Site, add_operator
from tests.console.test_pages import SHOP, place_order
from tests.conversation.conftest import VENDOR_PHONE, add_retailer, texts

pytestmark = pytest.mark.slow


@pytest.fixture
async def browser(site: Site) -> AsyncIterator[Browser]:
    """Chromium with a fresh profile pointed at the stack's console, logged in as admin asha."""
    chromium_or_skip()
    b = Browser.start()
    b.base = site.url
    try:
        await add_operator(site.stack.runtime, "asha", "admin")
        await b.open("/console")  # not logged in: sent to the login page
        await b.screenshot("login")
        await b.fill("form", {"username": "asha", "password": PASSWORD})
        await b.submit("form")
        yield b
    finally:
        await b.call(b.quit)


async def test_an_operator_sees_a_webhook_order_and_records_the_payment(
        site: Site, browser: Browser) -> None:
    await add_retailer(site.stack.runtime, SHOP, shop="Laxmi Pasal")
    await place_order(site)
    b = browser

    await b.open("/console")
    assert "Orders placed\n1" in await b.text(".tiles")
    assert "1001" in await b.text("main")
    await b.screenshot("dashboard")

    await b.click_link("Orders")
    assert "Laxmi Pasal" in await b.text("#orders")
    await b.screenshot("orders")
    await b.click_link("1001")
    for action in ("accept", "dispatch", "deliver"):
        await b.fill("#act-form", {"action": action, "reason": "vendor phoned"})
        await b.submit("#act-form")
    assert "Order #1001 is now delivered." in await b.text("main")
    await b.screenshot("order")

    shop = site.stack.chat(SHOP)
    try:
        await shop.mark_read()
        await b.click_link("Laxmi Pasal")
        await b.fill("#payment-form", {"amount": "500", "method": "cash",
                                       "reference": "RCPT-7"})
        await b.submit("#payment-form")
        page = await b.text("main")
        assert "Payment of Rs 500 recorded; balance Rs 480." in page
        assert await b.text("#balance") == "Rs 480"
        ledger = await b.text("#ledger")
        assert ledger.index("Rs 480") < ledger.index("Rs 980")
        await b.screenshot("retailer")
        receipt = texts(await shop.replies())
        assert "500" in receipt
    finally:
        await shop.close()


async def test_the_session_cookie_is_not_readable_from_javascript(browser: Browser) -> None:
    await browser.open("/console")
    cookies = await browser.script("return document.cookie")
    assert "khaacho_console" not in cookies
    names = [c["name"] for c in await browser.call(browser.driver.get_cookies)]
    assert "khaacho_console" in names  # the browser holds it; scripts cannot read it


async def test_every_page_renders_and_is_screenshotted(site: Site, browser: Browser) -> None:
    await add_retailer(site.stack.runtime, SHOP, shop="Laxmi Pasal")
    async with site.stack.runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, status, attempts, error_code, "
            "last_error, failed_at) VALUES ($1, 'text', $2, 'dead', 5, 131047, "
            "'Re-engagement message: more than 24 hours since the customer replied', now())",
            SHOP, {"type": "text", "text": {"body": "Your order is on its way"}})
    for path, name, expect in (
            ("/console/vendors", "vendors", "Shrestha Traders"),
            (f"/console/vendors/{VENDOR_PHONE}", "vendor", "Price list"),
            ("/console/retailers", "retailers", "Laxmi Pasal"),
            ("/console/outbox", "outbox", "131047"),
            ("/console/operators", "operators", "asha")):
        await browser.open(path)
        assert expect in await browser.text("main"), path
        await browser.screenshot(name)
    await browser.click_link("नेपाली")
    assert "आज" in await browser.text("header")
    await browser.screenshot("operators-ne")


async def test_pages_fit_a_phone_screen(site: Site, browser: Browser) -> None:
    await add_retailer(site.stack.runtime, SHOP, shop="Laxmi Pasal")
    await browser.resize(390, 844)
    for path in ("/console", "/console/orders", f"/console/retailers/{SHOP}",
                 "/console/vendors", "/console/outbox"):
        await browser.open(path)
        overflow = await browser.script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)  # wide tables scroll inside their box
    await browser.open(f"/console/retailers/{SHOP}")
    await browser.screenshot("retailer-phone")


async def test_cancelling_asks_first_and_then_cancels(site: Site, browser: Browser) -> None:
    await add_retailer(site.stack.runtime, SHOP, shop="Laxmi Pasal")
    await place_order(site)
    await browser.open("/console/orders/1001")
    await browser.fill("#cancel-form", {"reason": "shop asked"})
    await browser.submit("#cancel-form", confirm=True)
    assert await browser.text("#order-status") == "cancelled"
