"""Seeding shops, wholesalers and price lists for the money tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
import pytest

from bot.config import Settings
from bot.runtime import Runtime
from bot.services import parties

# The whole web + simulator + dispatcher stack, for the end-to-end test.
from tests.conversation.conftest import stack  # noqa: F401

T0 = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)  # 09:45 in Kathmandu


@dataclass(slots=True)
class World:
    """Builds rows with the real services and plain inserts."""

    conn: asyncpg.Connection
    now: dt.datetime = T0
    _phones: int = 0

    def phone(self) -> str:
        self._phones += 1
        return f"97798{self._phones:08d}"

    async def retailer(self, *, limit: str = "100000", area: str = "Kalanki",
                       status: str = "active", language: str = "en",
                       terms_days: int = 30) -> int:
        r = await parties.add_retailer(
            self.conn, phone=self.phone(), shop_name=f"Shop {self._phones}", area=area,
            credit_limit=Decimal(limit), terms_days=terms_days, language=language,
            approve=status == "active", actor="test", now=self.now)
        if status == "blocked":
            await parties.block_retailer(self.conn, r.phone, reason="overdue", actor="test",
                                         now=self.now)
        return r.id

    async def vendor(self, name: str, *, areas: tuple[str, ...] = ("Kalanki",),
                     language: str = "en") -> int:
        v = await parties.add_vendor(self.conn, phone=self.phone(), name=name, areas=areas,
                                     language=language, actor="test", now=self.now)
        return v.id

    async def product(self, sku: str, *, unit: str = "kg", category: str = "grocery") -> int:
        return await self.conn.fetchval(
            "INSERT INTO products (sku, name, unit, category) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            sku, sku.replace("-", " ").title(), unit, category)

    async def price(self, vendor_id: int, sku: str, price: str, stock: str | None = None,
                    min_qty: str = "1") -> None:
        pid = await self.product(sku)
        await self.conn.execute(
            "INSERT INTO vendor_products (vendor_id, product_id, price, stock, min_qty) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vendor_id, product_id) DO UPDATE "
            "SET price = EXCLUDED.price, stock = EXCLUDED.stock, min_qty = EXCLUDED.min_qty",
            vendor_id, pid, Decimal(price), None if stock is None else Decimal(stock),
            Decimal(min_qty))

    async def stock(self, vendor_id: int, sku: str) -> Decimal | None:
        return await self.conn.fetchval(
            "SELECT vp.stock FROM vendor_products vp JOIN products p ON p.id = vp.product_id "
            "WHERE vp.vendor_id = $1 AND p.sku = $2", vendor_id, sku)

    async def phone_of_vendor(self, vendor_id: int) -> str:
        return await self.conn.fetchval("SELECT phone FROM vendors WHERE id = $1", vendor_id)

    async def phone_of_retailer(self, retailer_id: int) -> str:
        return await self.conn.fetchval("SELECT phone FROM retailers WHERE id = $1", retailer_id)


@pytest.fixture
def cli(runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI pointed at this test's database and Redis, run as operator sita."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", settings.redis_key_prefix)
    monkeypatch.setenv("KHAACHO_OPERATOR", "sita")


@pytest.fixture
async def conn(runtime: Runtime) -> AsyncIterator[asyncpg.Connection]:
    async with runtime.pool.acquire() as c:
        yield c


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    return World(conn)
