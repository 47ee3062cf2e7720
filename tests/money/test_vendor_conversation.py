"""The vendor's WhatsApp conversation, given parsed inbound messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from bot.conversation.retailer_backend import ServiceBackend
from bot.conversation.router import Router, vendor_said_of
from bot.conversation.vendor_backend import VendorServiceBackend
from bot.runtime import Runtime
from bot.services import orders
from bot.store import parties as party_store
from bot.whatsapp.updates import parse_update
from domain import ordering
from domain.facts import Party
from flows import vendor as vendor_flow
from flows.i18n import t
from flows.replies import Buttons, ListMenu, Outgoing, Text
from tests.money.conftest import World

D = Decimal


def _message(sender: str, body: dict[str, Any]) -> Any:
    envelope = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "1", "phone_number_id": "1"},
            "contacts": [{"wa_id": sender, "profile": {"name": "V"}}],
            "messages": [{"from": sender, "id": f"wamid.{sender}.{id(body)}",
                          "timestamp": "1700000000", **body}]}}]}]}
    update = parse_update(envelope)
    assert len(update.messages) == 1, update
    return update.messages[0]


def text(sender: str, body: str) -> Any:
    return _message(sender, {"type": "text", "text": {"body": body}})


def button(sender: str, reply_id: str, title: str) -> Any:
    return _message(sender, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": reply_id, "title": title}}})


def image(sender: str) -> Any:
    return _message(sender, {"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg"}})


async def _setup(conn: asyncpg.Connection, world: World, *, language: str = "en"
                 ) -> tuple[party_store.Vendor, int]:
    r = await world.retailer()
    vid = await world.vendor("Shrestha Traders", language=language)
    await world.price(vid, "sugar", "100")
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("sugar", D(5))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    vendor = await party_store.vendor(conn, vid)
    assert vendor is not None
    return vendor, placed.order.number


@dataclass
class VendorChat:
    """The vendor flow over the real backend, on the test's connection and clock."""

    world: World
    accept_minutes: float = orders.DEFAULT_ACCEPT_MINUTES

    async def handle(self, conn: asyncpg.Connection, vendor: party_store.Vendor,
                     message: Any) -> list[Outgoing]:
        backend = VendorServiceBackend(conn, vendor.id, accept_minutes=self.accept_minutes,
                                       clock=lambda: self.world.now)
        party = Party(vendor.phone, vendor.language, vendor.name)
        return await vendor_flow.handle(backend, party, vendor_said_of(message))


def flow(world: World) -> VendorChat:
    return VendorChat(world)


async def test_the_accept_button_accepts(conn: asyncpg.Connection, world: World) -> None:
    vendor, n = await _setup(conn, world)
    out = await flow(world).handle(conn, vendor, button(vendor.phone, f"vendor:accept:{n}",
                                                        "Accept"))
    assert out[0].to == vendor.phone and out[0].reply.body.startswith(f"✅ Order #{n} accepted")
    assert await conn.fetchval("SELECT status FROM orders") == "accepted"


async def test_text_commands_walk_the_order_to_delivery(conn: asyncpg.Connection,
                                                        world: World) -> None:
    vendor, n = await _setup(conn, world)
    f = flow(world)
    for said, status in ((f"{n} ok", "accepted"), (f"dispatched {n}", "dispatched"),
                         (f"DELIVERED #{n}", "delivered")):
        await f.handle(conn, vendor, text(vendor.phone, said))
        assert await conn.fetchval("SELECT status FROM orders") == status
    assert await conn.fetchval("SELECT amount FROM ledger_entries") == D("500.00")


async def test_nepali_commands_and_replies(conn: asyncpg.Connection, world: World) -> None:
    vendor, n = await _setup(conn, world, language="ne")
    out = await flow(world).handle(conn, vendor, text(vendor.phone, f"स्वीकार {n}"))
    assert out[0].reply.body.startswith(f"✅ अर्डर #{n} स्वीकार भयो")
    out = await flow(world).handle(conn, vendor, text(vendor.phone, f"{n} स्वीकार"))
    assert out[0].reply == Text(t("ne", "vendor.already_accepted", number=n))


async def test_a_reject_in_text_keeps_the_reason(conn: asyncpg.Connection, world: World) -> None:
    vendor, n = await _setup(conn, world)
    out = await flow(world).handle(conn, vendor, text(vendor.phone, f"REJECT {n} no stock"))
    # Unroutable now: the vendor is not told it went to another supplier (issue 14).
    assert out[0].reply == Text(t("en", "vendor.rejected.closed", number=n, reason="no stock"))
    assert await conn.fetchval("SELECT reason FROM order_offers") == "no stock"
    assert await conn.fetchval("SELECT status FROM orders") == "unroutable"


async def test_orders_lists_the_vendors_open_orders(conn: asyncpg.Connection,
                                                   world: World) -> None:
    vendor, n = await _setup(conn, world)
    out = await flow(world).handle(conn, vendor, text(vendor.phone, "orders"))
    assert out[0].reply.body.splitlines() == [
        "Your open orders:", f"#{n} — waiting for supplier — Shop 1 — Rs 500"]


async def test_anything_else_gets_the_help(conn: asyncpg.Connection, world: World) -> None:
    vendor, _ = await _setup(conn, world)
    for said in ("namaste", "what is this", "dispatched"):
        out = await flow(world).handle(conn, vendor, text(vendor.phone, said))
        assert out[0].reply == Text(t("en", "vendor.help"))
    out = await flow(world).handle(conn, vendor, image(vendor.phone))
    assert out[0].reply == Text(t("en", "vendor.unsupported"))


async def test_a_stale_retailer_button_is_not_an_order_action(conn: asyncpg.Connection,
                                                              world: World) -> None:
    vendor, _ = await _setup(conn, world)
    out = await flow(world).handle(conn, vendor, button(vendor.phone, "rv:confirm:3", "OK"))
    assert out[0].reply == Text(t("en", "vendor.help"))
    assert await conn.fetchval("SELECT status FROM orders") == "pending"


async def test_a_reject_re_routes_with_the_configured_window(conn: asyncpg.Connection,
                                                             world: World) -> None:
    vendor, n = await _setup(conn, world)
    backup = await world.vendor("Backup")
    await world.price(backup, "sugar", "110")
    f = VendorChat(world, accept_minutes=5)
    await f.handle(conn, vendor, text(vendor.phone, f"{n} no"))
    row = await conn.fetchrow("SELECT vendor_id, accept_deadline FROM orders")
    assert row["vendor_id"] == backup
    assert row["accept_deadline"] == world.now + dt.timedelta(minutes=5)


async def test_a_bug_in_an_action_is_answered_and_rolled_back_not_retried(
        runtime: Runtime, conn: asyncpg.Connection, world: World, monkeypatch: Any) -> None:
    vendor, n = await _setup(conn, world)

    async def broken(c: asyncpg.Connection, *args: Any, **kwargs: Any) -> None:
        await c.execute("UPDATE orders SET status = 'accepted'")
        raise ValueError("bug")

    monkeypatch.setattr(orders, "vendor_act", broken)
    router = Router(runtime.redis, runtime.keys,
                    retailer_backend=lambda c: ServiceBackend(runtime, c),
                    vendor_backend=lambda c, vid: VendorServiceBackend(c, vid,
                                                                       clock=lambda: world.now))
    async with conn.transaction():
        out = await router.handle(conn, text(vendor.phone, f"{n} ok"))
    assert out[0].reply == Text(t("en", "busy_error"))
    assert await conn.fetchval("SELECT status FROM orders") == "pending"


async def test_a_bare_ok_offers_the_only_pending_order_as_buttons_and_changes_nothing(
        conn: asyncpg.Connection, world: World) -> None:
    vendor, n = await _setup(conn, world)
    out = await flow(world).handle(conn, vendor, text(vendor.phone, "OK"))
    reply = out[0].reply
    assert isinstance(reply, Buttons)
    assert reply.body == f"Order #{n} — Shop 1, Rs 500. Tap to confirm:"
    assert [(b.id, b.title) for b in reply.buttons] == [
        (f"vendor:accept:{n}", "Accept"), (f"vendor:reject:{n}", "Reject")]
    assert await conn.fetchval("SELECT status FROM orders") == "pending"


async def test_a_bare_keyword_with_several_orders_lists_them(conn: asyncpg.Connection,
                                                             world: World) -> None:
    vendor, first = await _setup(conn, world)
    r2 = await world.retailer()
    second = await orders.place_order(conn, retailer_id=r2, items=[ordering.Item("sugar", D(1))],
                                      actor="t", now=world.now)
    assert isinstance(second, ordering.Placed)
    f = flow(world)
    for n in (first, second.order.number):
        await f.handle(conn, vendor, text(vendor.phone, f"{n} ok"))
    out = await f.handle(conn, vendor, text(vendor.phone, "पठाइयो"))
    menu = out[0].reply
    assert isinstance(menu, ListMenu)
    assert [(r.id, r.title) for r in menu.sections[0].rows] == [
        (f"vendor:dispatch:{first}", f"#{first} Shop 1"),
        (f"vendor:dispatch:{second.order.number}", f"#{second.order.number} Shop 3")]
