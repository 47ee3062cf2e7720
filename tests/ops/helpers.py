"""Shared helpers for the ops tests: real HTTP servers over the test runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.auth import Role, issue_token
from bot.conversation.workers import drained
from bot.processes import create_app
from bot.runtime import Runtime
from tests.conftest import TEST_JWT_SECRET


class _DrainingClient(TestClient):  # type: ignore[type-arg]
    """A test client whose acknowledged webhook POSTs return once the inbox is worked off.

    The webhook answers as soon as a message is persisted (issue 15); these
    tests read effects right after posting, so they wait for the conversation
    workers (`bot.conversation.workers.drained`, the one way to wait).
    """

    def __init__(self, server: TestServer, pool: asyncpg.Pool) -> None:
        super().__init__(server)
        self._drain_pool = pool

    async def _request(self, method: str, path: Any, **kwargs: Any) -> ClientResponse:
        resp = await super()._request(method, path, **kwargs)
        if method == "POST" and str(path) == "/webhook" and resp.status < 500:
            await drained(self._drain_pool, within=30.0)
        return resp


@asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    """The whole web app on a loopback port."""
    client = _DrainingClient(TestServer(create_app(runtime)), runtime.pool)
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def bearer(operator: str = "sita", role: Role = "operator", hours: float = 1) -> dict[str, str]:
    """An Authorization header with a fresh token."""
    return {"Authorization": "Bearer " + issue_token(TEST_JWT_SECRET, operator, role, hours=hours)}


async def seed_basic(runtime: Runtime) -> dict[str, int]:
    """A retailer, a vendor, one pending order and one dead outbox row (plain SQL)."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        rid = await conn.fetchval(
            "INSERT INTO retailers (phone, shop_name, area, status, credit_limit) "
            "VALUES ('9812345123', 'Ram Kirana', 'Baneshwor', 'active', 50000) RETURNING id")
        vid = await conn.fetchval(
            "INSERT INTO vendors (phone, name, areas) VALUES ('9801000001', 'Shrestha Traders', "
            "'{Baneshwor}') RETURNING id")
        pid = await conn.fetchval(
            "INSERT INTO products (sku, name, unit) VALUES ('RICE-MANSULI-25', "
            "'Mansuli rice 25kg', 'bag') RETURNING id")
        oid = await conn.fetchval(
            "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count) "
            "VALUES ($1, $2, 'pending', 3600, 1) RETURNING id", rid, vid)
        await conn.execute(
            "INSERT INTO order_items (order_id, line_no, product_id, sku, name, unit, qty, "
            "unit_price, line_total) VALUES ($1, 1, $2, 'RICE-MANSULI-25', 'Mansuli rice 25kg', "
            "'bag', 2, 1800, 3600)", oid, pid)
        out = await conn.fetchval(
            "INSERT INTO outbox (recipient, kind, payload, status, attempts, error_code, "
            "last_error) VALUES ('9812345123', 'text', '{}'::jsonb, 'dead', 5, 131000, "
            "'something went wrong') RETURNING id")
    return {"retailer": rid, "vendor": vid, "product": pid, "order": oid, "outbox": out}
