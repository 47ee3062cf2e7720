"""The conversations, inbox, catalogue and reports pages open on the demo's seeded data."""

from __future__ import annotations

import aiohttp

from bot.dev.demo import DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD, local_stack
from bot.runtime import Runtime
from tests.console.conftest import Client


async def test_the_demo_serves_every_console2_page(runtime: Runtime) -> None:
    async with local_stack(runtime.settings) as stack:
        c = Client(stack.web_url, aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True)))
        try:
            await c.login(DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD)
            for path, expect in (("/console/conversations", "Live conversations"),
                                 ("/console/inbox", "Inbox"),
                                 ("/console/catalogue", "Catalogue upload"),
                                 ("/console/reports", "Vendor league"),
                                 ("/console/reports/league.csv", "rank,vendor")):
                status, html, _ = await c.get(path)
                assert status == 200 and expect in html, path
        finally:
            await c.close()
