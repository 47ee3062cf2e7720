"""The vendor flow's `VendorBackend`: the order service and the vendor's open orders.

Bound to one message's connection (the pipeline's transaction) and one
vendor; the router builds one per vendor message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import asyncpg

from bot.services import orders as order_service
from bot.store import orders as order_store
from domain.facts import Fact
from domain.order_status import Status
from domain.vendor_commands import VendorChange, VendorCommand
from flows.vendor import VendorLine, VendorOrder


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class VendorServiceBackend:
    """`flows.vendor.VendorBackend` over Postgres, for one vendor and one message."""

    def __init__(self, conn: asyncpg.Connection, vendor_id: int, *,
                 accept_minutes: float = order_service.DEFAULT_ACCEPT_MINUTES,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.conn = conn
        self.vendor_id = vendor_id
        self.accept_minutes = accept_minutes
        self.clock = clock

    async def act(self, command: VendorCommand) -> list[Fact]:
        """The order service's answer to the command (a reject re-routes with our window)."""
        return await order_service.vendor_act(
            self.conn, self.vendor_id, command.order_number, command.action, command.reason,
            self.clock(), accept_minutes=self.accept_minutes)

    async def change(self, change: VendorChange) -> list[Fact]:
        return await order_service.vendor_change(self.conn, self.vendor_id, change, self.clock(),
                                                 accept_minutes=self.accept_minutes)

    async def order_lines(self, number: int) -> list[VendorLine] | None:
        order = await order_store.order_by_number(self.conn, number)
        if order is None or order.vendor_id != self.vendor_id or \
                order.status not in (Status.PENDING.value, Status.ACCEPTED.value):
            return None
        return [VendorLine(it.line_no, it.name, it.qty, it.unit)
                for it in await order_store.items(self.conn, order.id)]

    async def remember_pick(self, number: int, line_no: int) -> None:
        await self.conn.execute(
            "INSERT INTO vendor_line_picks (vendor_id, order_number, line_no, picked_at) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (vendor_id) DO UPDATE SET "
            "order_number = EXCLUDED.order_number, line_no = EXCLUDED.line_no, "
            "picked_at = EXCLUDED.picked_at", self.vendor_id, number, line_no, self.clock())

    async def last_pick(self, within_minutes: float) -> tuple[int, int] | None:
        row = await self.conn.fetchrow(
            "SELECT order_number, line_no FROM vendor_line_picks "
            "WHERE vendor_id = $1 AND picked_at > $2", self.vendor_id,
            self.clock() - dt.timedelta(minutes=within_minutes))
        return None if row is None else (int(row["order_number"]), int(row["line_no"]))

    async def forget_pick(self) -> None:
        await self.conn.execute("DELETE FROM vendor_line_picks WHERE vendor_id = $1",
                                self.vendor_id)

    async def set_language(self, language: str) -> None:
        await self.conn.execute("UPDATE vendors SET language = $2 WHERE id = $1",
                                self.vendor_id, language)

    async def open_orders(self, limit: int) -> list[VendorOrder]:
        orders = await order_store.open_orders_of_vendor(self.conn, self.vendor_id, limit=limit)
        if not orders:
            return []
        rows = await self.conn.fetch("SELECT id, shop_name FROM retailers WHERE id = ANY($1)",
                                     list({o.retailer_id for o in orders}))
        shops = {r["id"]: r["shop_name"] for r in rows}
        return [VendorOrder(o.number, Status(o.status), shops.get(o.retailer_id), o.total)
                for o in orders]
