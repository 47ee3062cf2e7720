"""A randomized life of the books: orders, answers, time-outs, deliveries, payments
(advances among them), voids and credit notes.

Hypothesis drives the real services over real Postgres in random sequences and,
after every step, the reconciliation check must pass and the model must agree:
each retailer owes exactly what was delivered minus what was paid (a repeated
payment reference counted once), nobody is past their credit limit, and every
unit of stock is either on the shelf or in an order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bot.config import Settings
from bot.db import connect
from bot.runtime import Runtime
from bot.services import credit_notes, ledger, orders, parties
from domain import ordering
from domain.money_facts import CreditNoteReason
from domain.order_status import Role
from domain.vendor_commands import VendorAction
from flows import order_notices

D = Decimal
T0 = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)
SKUS = ("rice", "sugar", "oil")
# vendor name → {sku: (price, initial stock or None)}
VENDORS: dict[str, dict[str, tuple[str, str | None]]] = {
    "Alpha": {"rice": ("2000", "12"), "sugar": ("95", "60")},
    "Beta": {"rice": ("2100", None), "sugar": ("100", "40"), "oil": ("250", "20")},
    "Gamma": {"sugar": ("98", None), "oil": ("240", None)},
}
TABLES = ("credit_note_lines, credit_notes, ledger_entries, payments, order_offers, "
          "order_events, order_items, orders, vendor_products, products, vendors, retailers, "
          "audit_log, outbox")


class Books(RuleBasedStateMachine):
    database_url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self.run(connect(self.database_url))
        self.now = T0
        self.run(self._reset())
        self.retailers: list[int] = []
        self.vendors: dict[int, str] = {}
        self.initial_stock: dict[tuple[int, str], Decimal] = {}
        self.numbers: list[int] = []
        self.owed: dict[int, Decimal] = defaultdict(Decimal)
        self.references: dict[str, tuple[int, Decimal]] = {}
        # Retailers with a voided payment: a void may put them over their limit.
        self.voided: set[int] = set()
        self.run(self._seed())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.conn.close())
        self.loop.close()

    async def _reset(self) -> None:
        await self.conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        await self.conn.execute("ALTER SEQUENCE order_number_seq RESTART WITH 1001")

    async def _seed(self) -> None:
        for n, sku in enumerate(SKUS):
            await self.conn.execute("INSERT INTO products (sku, name, unit) VALUES ($1, $2, $3)",
                                    sku, sku.title(), ("bag", "kg", "litre")[n])
        for i, (name, prices) in enumerate(VENDORS.items()):
            v = await parties.add_vendor(self.conn, phone=f"98010000{i:02d}", name=name,
                                         areas=["Kalanki"], actor="t", now=self.now)
            self.vendors[v.id] = name
            for sku, (price, stock) in prices.items():
                await self.conn.execute(
                    "INSERT INTO vendor_products (vendor_id, product_id, price, stock) "
                    "SELECT $1, id, $3, $4 FROM products WHERE sku = $2",
                    v.id, sku, D(price), None if stock is None else D(stock))
                if stock is not None:
                    self.initial_stock[(v.id, sku)] = D(stock)

    # ------------------------------------------------------------ rules

    @initialize(limit=st.sampled_from(["15000", "60000"]))
    def first_retailer(self, limit: str) -> None:
        self.add_retailer(limit)

    @rule(limit=st.sampled_from(["0", "3000", "15000", "60000"]))
    def add_retailer(self, limit: str) -> None:
        r = self.run(parties.add_retailer(
            self.conn, phone=f"98120000{len(self.retailers):02d}", shop_name="Shop",
            area="Kalanki", credit_limit=D(limit), approve=True, actor="t", now=self.now))
        self.retailers.append(r.id)

    @precondition(lambda self: self.retailers)
    @rule(data=st.data(), cart=st.dictionaries(st.sampled_from(SKUS),
                                               st.integers(min_value=1, max_value=15),
                                               min_size=1, max_size=3))
    def place(self, data: st.DataObject, cart: dict[str, int]) -> None:
        r = data.draw(st.sampled_from(self.retailers))
        items = [ordering.Item(sku, D(q)) for sku, q in cart.items()]
        result = self.run(orders.place_order(self.conn, retailer_id=r, items=items,
                                             actor="t", now=self.now))
        if isinstance(result, ordering.SplitOffer):
            result = self.run(orders.place_split(self.conn, retailer_id=r, parts=result.parts,
                                                 actor="t", now=self.now))
            if isinstance(result, ordering.SplitPlaced):
                self.numbers.extend(p.order.number for p in result.placed)
            return
        event(f"place: {type(result).__name__}")
        if isinstance(result, ordering.Placed):
            self.numbers.append(result.order.number)
        else:
            assert isinstance(result, ordering.CreditShort | ordering.StockShort), result

    def _order(self, number: int) -> asyncpg.Record:
        return self.run(self.conn.fetchrow(
            "SELECT id, retailer_id, vendor_id, status, total FROM orders WHERE number = $1",
            number))

    @precondition(lambda self: self.numbers)
    @rule(data=st.data(), action=st.sampled_from(list(VendorAction)),
          wrong_vendor=st.booleans())
    def vendor_answers(self, data: st.DataObject, action: VendorAction,
                       wrong_vendor: bool) -> None:
        number = data.draw(st.sampled_from(self.numbers))
        before = self._order(number)
        vendor = before["vendor_id"]
        if wrong_vendor:
            vendor = next(v for v in self.vendors if v != vendor)
        self.run(orders.vendor_act(self.conn, vendor, number, action, "busy", self.now))
        after = self._order(number)
        if wrong_vendor:
            assert after["status"] == before["status"]
        if after["status"] == "delivered" and before["status"] != "delivered":
            self.owed[after["retailer_id"]] += after["total"]
        event(f"{action.value}: {before['status']} -> {after['status']}")

    @precondition(lambda self: self.numbers)
    @rule(data=st.data())
    def vendor_moves_it_on(self, data: st.DataObject) -> None:
        """The assigned vendor takes the next step (the common, happy case)."""
        number = data.draw(st.sampled_from(self.numbers))
        before = self._order(number)
        step = {"pending": VendorAction.ACCEPT, "accepted": VendorAction.DISPATCH,
                "dispatched": VendorAction.DELIVER}.get(before["status"])
        if step is None:
            return
        self.run(orders.vendor_act(self.conn, before["vendor_id"], number, step, None,
                                   self.now))
        after = self._order(number)
        assert after["status"] != before["status"]
        if after["status"] == "delivered":
            self.owed[after["retailer_id"]] += after["total"]
        event(f"moved on: {before['status']} -> {after['status']}")

    @precondition(lambda self: self.numbers)
    @rule(data=st.data(), operator=st.booleans())
    def cancel(self, data: st.DataObject, operator: bool) -> None:
        number = data.draw(st.sampled_from(self.numbers))
        o = self._order(number)
        self.run(orders.cancel_order(
            self.conn, order_number=number, role=Role.OPERATOR if operator else Role.RETAILER,
            actor="t", reason=None, now=self.now, retailer_id=o["retailer_id"]))

    @rule(minutes=st.sampled_from([1, 10, 16]))
    def time_passes(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)
        self.run(orders.reroute_expired(self.conn, self.now, word=order_notices.outgoing))

    @precondition(lambda self: self.retailers)
    @rule(data=st.data(), amount=st.integers(min_value=1, max_value=5000),
          ref=st.one_of(st.none(), st.sampled_from(["R1", "R2", "r2", "R3", "R4"])),
          advance=st.booleans())
    def pay(self, data: st.DataObject, amount: int, ref: str | None, advance: bool) -> None:
        r = data.draw(st.sampled_from(self.retailers))
        ref_key = ref.upper() if ref is not None else None
        try:
            result = self.run(ledger.record_payment(
                self.conn, retailer_id=r, amount=D(amount), method="cash", reference=ref,
                advance=advance, actor="t", now=self.now))
        except ledger.PaymentConflict:
            # A reference is one payment, whatever its case: another retailer or amount clashes.
            assert ref_key is not None and self.references[ref_key] != (r, D(amount))
            return
        except ledger.NeedsAdvance:
            assert not advance and D(amount) > max(self.owed[r], D(0))
            return
        ref = ref_key
        if ref is not None and ref in self.references:
            assert result.duplicate
            assert result.payment.amount == self.references[ref][1]
            return
        assert not result.duplicate
        assert advance or D(amount) <= self.owed[r]
        if ref is not None:
            self.references[ref] = (r, D(amount))
        self.owed[r] -= D(amount)

    @rule(data=st.data())
    def void_a_payment(self, data: st.DataObject) -> None:
        live = self.run(self.conn.fetch(
            "SELECT id, retailer_id, amount FROM payments WHERE voided_at IS NULL ORDER BY id"))
        if not live:
            return
        p = data.draw(st.sampled_from(live))
        result = self.run(ledger.void_payment(self.conn, p["id"], reason="bounced", actor="t",
                                              now=self.now))
        assert result.reversal.amount == p["amount"]
        self.owed[p["retailer_id"]] += p["amount"]
        self.voided.add(p["retailer_id"])
        event("payment voided")

    @rule(data=st.data(), reason=st.sampled_from(list(CreditNoteReason)))
    def credit_a_delivered_line(self, data: st.DataObject, reason: CreditNoteReason) -> None:
        lines = self.run(self.conn.fetch(
            "SELECT o.number, o.retailer_id, i.line_no, i.qty - coalesce(("
            "  SELECT sum(l.qty) FROM credit_note_lines l WHERE l.order_id = i.order_id "
            "  AND l.line_no = i.line_no), 0) AS left_qty "
            "FROM orders o JOIN order_items i ON i.order_id = o.id "
            "WHERE o.status = 'delivered' ORDER BY o.id, i.line_no"))
        open_lines = [ln for ln in lines if ln["left_qty"] > 0]
        if not open_lines:
            return
        ln = data.draw(st.sampled_from(open_lines))
        qty = D(data.draw(st.integers(min_value=1, max_value=int(ln["left_qty"]))))
        over = data.draw(st.booleans())
        asked = ln["left_qty"] + 1 if over else qty
        try:
            result = self.run(credit_notes.issue_credit_note(
                self.conn, order_number=ln["number"], reason=reason,
                lines=[credit_notes.CreditLineRequest(ln["line_no"], asked)], actor="t",
                now=self.now))
        except ledger.PaymentConflict:
            assert over  # more than was delivered is refused, and only that
            return
        assert not over
        self.owed[ln["retailer_id"]] -= result.amount
        event("credit note")

    # ------------------------------------------------------------ invariants

    @invariant()
    def books_reconcile(self) -> None:
        assert self.run(ledger.check(self.conn)) == []

    @invariant()
    def balances_match_the_model_and_limits_hold(self) -> None:
        for r in self.retailers:
            pos = self.run(ledger.credit_position(self.conn, r))
            assert pos.outstanding == self.owed[r]
            # Deliveries move value from open orders to the ledger and payments and
            # credit notes only lower it, so an order that fitted the limit keeps
            # fitting; a voided payment is the one thing that may undo that.
            if r not in self.voided:
                assert pos.outstanding + pos.open_orders <= pos.limit

    @invariant()
    def stock_is_on_the_shelf_or_in_an_order(self) -> None:
        for (vid, sku), initial in self.initial_stock.items():
            shelf = self.run(self.conn.fetchval(
                "SELECT vp.stock FROM vendor_products vp JOIN products p ON p.id = vp.product_id"
                " WHERE vp.vendor_id = $1 AND p.sku = $2", vid, sku))
            held = self.run(self.conn.fetchval(
                "SELECT coalesce(sum(i.reserved_qty), 0) FROM order_items i "
                "JOIN orders o ON o.id = i.order_id "
                "WHERE o.vendor_id = $1 AND i.sku = $2", vid, sku))
            assert shelf + held == initial, (vid, sku, shelf, held, initial)

    @invariant()
    def every_order_status_change_is_an_event(self) -> None:
        bad = self.run(self.conn.fetchval(
            "SELECT count(*) FROM orders o WHERE o.status <> (SELECT to_status FROM order_events"
            " e WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1)"))
        assert bad == 0


@pytest.mark.slow
def test_the_books_reconcile_after_any_sequence(runtime: Runtime, settings: Settings) -> None:
    Books.database_url = settings.database_url
    machine = Books.TestCase
    machine.settings = settings_for_machine
    machine().runTest()


settings_for_machine = settings(max_examples=30, stateful_step_count=50, deadline=None,
                                suppress_health_check=[HealthCheck.too_slow])
