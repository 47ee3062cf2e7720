"""`make demo` serves the console with a demo login that works."""

from __future__ import annotations

import aiohttp

from bot.dev.demo import DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD, local_stack
from bot.runtime import Runtime
from tests.console.conftest import Client


async def test_the_demo_console_accepts_the_demo_login(runtime: Runtime) -> None:
    async with local_stack(runtime.settings) as stack:
        c = Client(stack.web_url, aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True)))
        try:
            status, _, _ = await c.login(DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD)
            assert status == 303
            status, html, _ = await c.get("/console")
            assert status == 200 and "demo (admin)" in html
            assert stack.console_url == f"{stack.web_url}/console"
        finally:
            await c.close()
