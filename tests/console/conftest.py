"""The console for tests: `khaacho serve`'s app on a loopback port, accounts, an HTTP client.

`console` serves the real web application (bot.processes.create_app) on
127.0.0.1 over the test's Postgres and Redis; `Client` is a plain HTTP client
with its own cookie jar that logs in through the form, as a browser would.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.console import accounts
from bot.processes import create_app
from bot.runtime import Runtime

# The whole web + simulator + dispatcher stack (webhooks in, WhatsApp messages out).
from tests.conversation.conftest import Stack, stack  # noqa: F401

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


async def add_operator(runtime: Runtime, username: str, role: str,
                       password: str = PASSWORD) -> None:
    async with runtime.pool.acquire() as conn:
        await accounts.add_account(conn, username=username, role=role, password=password,
                                   actor="test")


@dataclass
class ConsoleServer:
    url: str
    runtime: Runtime

    def client(self) -> Client:
        return Client(self.url, aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True)))


@dataclass
class Client:
    """A browser-like HTTP client: cookies kept, redirects not followed unless asked."""

    base: str
    http: aiohttp.ClientSession
    last_html: str = ""

    async def get(self, path: str, *, follow: bool = False
                  ) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, allow_redirects=follow) as r:
            text = await r.text()
            self.last_html = text
            return r.status, text, r

    async def post(self, path: str, data: dict[str, str], *, follow: bool = False
                   ) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.post(self.base + path, data=data, allow_redirects=follow) as r:
            text = await r.text()
            self.last_html = text
            return r.status, text, r

    async def login(self, username: str, password: str = PASSWORD
                    ) -> tuple[int, str, aiohttp.ClientResponse]:
        _, page, _ = await self.get("/console/login")
        return await self.post("/console/login", {
            "csrf_token": csrf_of(page), "username": username, "password": password,
            "next": "/console"})

    async def form(self, page: str, action: str, data: dict[str, str], *,
                   follow: bool = True) -> tuple[int, str, aiohttp.ClientResponse]:
        """Open `page`, then post `data` to `action` with the page's CSRF token."""
        _, html, _ = await self.get(page)
        return await self.post(action, {"csrf_token": csrf_of(html), **data}, follow=follow)

    async def close(self) -> None:
        await self.http.close()


@contextlib.asynccontextmanager
async def serving_console(runtime: Runtime, **settings: object) -> AsyncIterator[ConsoleServer]:
    """The web app on a loopback port with `settings` changed (no conversation workers)."""
    changed = Runtime(runtime.settings.model_copy(update={"conversation_workers": 0,
                                                          **settings}),
                      runtime.pool, runtime.redis, runtime.keys)
    server = TestServer(create_app(changed), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield ConsoleServer(str(server.make_url("")).rstrip("/"), changed)
    finally:
        await server.close()


@pytest.fixture
async def console(runtime: Runtime) -> AsyncIterator[ConsoleServer]:
    """The web app on a loopback port (these tests post no webhooks)."""
    async with serving_console(runtime) as served:
        yield served


@pytest.fixture
async def client(console: ConsoleServer) -> AsyncIterator[Client]:
    c = console.client()
    yield c
    await c.close()


@dataclass
class Site:
    """The console of a running stack (webhooks, workers, dispatcher, simulator), logged in."""

    stack: Stack
    url: str
    operator: Client


@pytest.fixture
async def site(stack: Stack) -> AsyncIterator[Site]:  # noqa: F811
    """Operator `sita` logged in to the console of the whole stack."""
    await add_operator(stack.runtime, "sita", "operator")
    url = stack.bot_url.removesuffix("/webhook")
    c = Client(url, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
    status, _, _ = await c.login("sita")
    assert status == 303
    try:
        yield Site(stack, url, c)
    finally:
        await c.close()
