"""Shared helpers for the ops tests: real HTTP servers over the test runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer

from bot.auth import Role, issue_token
from bot.runtime import Runtime
from bot.web.app import create_app
from tests.conftest import TEST_JWT_SECRET


@asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[TestClient]:
    """The whole web app on a loopback port."""
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def bearer(operator: str = "sita", role: Role = "operator", hours: float = 1) -> dict[str, str]:
    """An Authorization header with a fresh token."""
    return {"Authorization": "Bearer " + issue_token(TEST_JWT_SECRET, operator, role, hours=hours)}
