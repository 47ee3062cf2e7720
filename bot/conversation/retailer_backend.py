"""The retailer flow's `RetailerBackend`: Postgres, the catalogue and the order services.

One `ServiceBackend` serves one message: the router binds it to the
pipeline's connection, so every read and write of the message happens in the
message's transaction (with the inbox claim and the outbox rows).

Quotes, placements and cancellations come back from the order service in the
one order vocabulary (`domain.ordering`), which the flow reads as it is; this
module only adds what the service does not know: the retailer as an
`Account`, the message as the parser reads it, a split cart placed as one
order per vendor, and the balance with its next due date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import asyncpg

from bot import gateways
from bot.conversation.pipeline import retailer_of
from bot.gateways.qr import qr_image
from bot.runtime import Runtime
from bot.services import ledger, payments
from bot.services import orders as order_service
from bot.store import ledger as ledger_store
from bot.store import orders as order_store
from bot.store import parties as party_store
from bot.store import statement_requests as statement_store
from bot.store.alerts import raise_alert
from domain import cart as carts
from domain.alerts import Alert, AlertKind
from domain.business_time import business_date
from domain.credit import RetailerStatus
from domain.facts import Fact
from domain.nepali_calendar import latest_month
from domain.order_status import Role, Status
from domain.ordering import Cancelled, CancelRefusal, CancelRefused, Item, Quote, SplitOffer
from domain.ordertext import parse_message
from domain.payments import Gateway
from domain.statement import last_days, month_period
from flows.retailer import (
    Account,
    Balance,
    Category,
    LineStatus,
    OrderLine,
    PlaceOutcome,
    PriceOffer,
    Problem,
    Reading,
    Understood,
)
from flows.retailer.ports import PayDue, PayLink, PayNotStarted, PayQr, PayStart, StatementRequested
from flows.retailer.reading import reading_of
from jobs.reorder_nudges import nudge_items


def _price_offer(r: order_store.AreaPrice) -> PriceOffer:
    return PriceOffer(r.sku, r.name, r.unit, r.vendor_name, r.price)


def _account(r: party_store.Retailer) -> Account:
    return Account(id=r.id, phone=r.phone, shop_name=r.shop_name,
                   status=RetailerStatus(r.status), blocked_reason=r.blocked_reason,
                   language=r.language)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ServiceBackend:
    """`flows.retailer.RetailerBackend` over the real services, for one message."""

    def __init__(self, runtime: Runtime, conn: asyncpg.Connection) -> None:
        self.runtime = runtime
        self.conn = conn

    @property
    def accept_minutes(self) -> float:
        return float(self.runtime.settings.vendor_accept_minutes)

    # ------------------------------------------------------------ parties

    async def account(self, phone: str) -> Account | None:
        r = await retailer_of(self.conn, phone)
        return None if r is None else _account(r)

    async def register(self, phone: str, shop: str, area: str, language: str) -> Account:
        r = await party_store.insert_retailer(
            self.conn, phone=phone, shop_name=shop, area=area, owner_name=None,
            credit_limit=Decimal(0), terms_days=30, language=language)
        if r is None:  # registered meanwhile (another device, an operator)
            r = await party_store.retailer_by_phone(self.conn, phone)
            assert r is not None
        else:
            await party_store.audit(self.conn, actor=f"whatsapp:{phone}",
                                    action="retailer.self_register", target=f"retailer:{r.id}",
                                    details={"shop_name": shop, "area": area}, now=_now())
        return _account(r)

    async def served_areas(self) -> list[str]:
        """Every area some active vendor delivers to, most served first."""
        rows = await self.conn.fetch(
            """SELECT mode() WITHIN GROUP (ORDER BY trim_area(area)) AS area
               FROM vendors, unnest(areas) AS area
               WHERE active AND normal_area(area) NOT IN ('', '*')
               GROUP BY normal_area(area) ORDER BY count(*) DESC, 1""")
        return [r["area"] for r in rows]

    async def set_language(self, account: Account, language: str) -> None:
        await party_store.update_retailer(self.conn, account.id, now=_now(), language=language)

    # ------------------------------------------------------------ reading the message

    async def understand(self, text: str) -> Reading:
        # On the message's connection: a rebuild must not wait for a second
        # pool connection while every handler holds one (a pool deadlock).
        index = await self.runtime.catalog.index(self.conn)
        return reading_of(parse_message(text, index), index)

    # ------------------------------------------------------------ orders

    async def answer_change(self, account: Account, number: int,
                            agree: bool) -> list[Fact] | None:
        return await order_service.answer_change(self.conn, account.id, number, agree, _now(),
                                                 accept_minutes=self.accept_minutes)

    async def waiting_changes(self, account: Account) -> list[int]:
        return await order_store.waiting_changes(self.conn, account.id)

    async def report_problem(self, account: Account, number: int, text: str) -> Problem:
        order = await order_store.order_by_number(self.conn, number)
        if order is None or order.retailer_id != account.id:
            return Problem.UNKNOWN
        if order.status != Status.DELIVERED.value:
            return Problem.NOT_DELIVERED
        # A dispute alert: operators are told (OPERATOR_PHONES) and list it in `alerts`.
        alert = Alert(AlertKind.DISPUTE, f"order:{number}",
                      f"Order #{number}: {account.shop_name} ({account.phone}) reports: {text}")
        opened = await raise_alert(self.conn, alert, details={
            "order_number": number, "retailer_id": account.id, "said": text})
        return Problem.OPENED if opened is not None else Problem.ALREADY_OPEN

    async def _area(self, account: Account) -> str | None:
        r = await party_store.retailer(self.conn, account.id)
        return None if r is None else r.area

    async def offers(self, account: Account, skus: list[str]) -> list[PriceOffer]:
        area = await self._area(account)
        if area is None:
            return []
        rows = await order_store.area_prices(self.conn, area, skus)
        return [_price_offer(r) for r in sorted(rows, key=lambda r: (skus.index(r.sku), r.price))]

    async def categories(self, account: Account) -> list[Category]:
        area = await self._area(account)
        if area is None:
            return []
        return [Category(name, n) for name, n in await order_store.area_categories(self.conn, area)]

    async def category_offers(self, account: Account, category: str) -> list[PriceOffer]:
        area = await self._area(account)
        if area is None:
            return []
        return [_price_offer(r)
                for r in await order_store.area_category_prices(self.conn, area, category)]

    async def quote(self, account: Account, lines: carts.Cart) -> Quote:
        items = [Item(ln.sku, ln.qty) for ln in lines]
        minutes = self.accept_minutes
        q = await order_service.quote(self.conn, account.id, items, accept_minutes=minutes)
        if not q.lines and q.shortages and q.alternatives:
            # The best vendor is short; price it at the vendor who has it all.
            q = await order_service.quote(self.conn, account.id, items,
                                          vendor_id=q.alternatives[0].vendor_id,
                                          accept_minutes=minutes)
        return q

    async def place(self, account: Account, lines: carts.Cart, *, key: str,
                    vendor_id: int | None = None) -> PlaceOutcome:
        items = [Item(ln.sku, ln.qty) for ln in lines]
        now = _now()
        actor = f"retailer:{account.id}"
        result = await order_service.place_order(
            self.conn, retailer_id=account.id, items=items, vendor_id=vendor_id,
            idempotency_key=key, actor=actor, now=now, accept_minutes=self.accept_minutes)
        if not isinstance(result, SplitOffer):
            return result
        # The retailer confirmed the whole cart; no one vendor has all of it, so
        # each vendor gets the part they carry (all placed or none).
        split = await order_service.place_split(
            self.conn, retailer_id=account.id, parts=result.parts, idempotency_key=key,
            actor=actor, now=now, accept_minutes=self.accept_minutes)
        assert not isinstance(split, SplitOffer), "a part names its vendor; it never splits"
        return split

    async def recent_orders(self, account: Account, limit: int) -> list[OrderLine]:
        orders = await order_store.orders_of_retailer(self.conn, account.id, limit=limit)
        return [OrderLine(o.number, Status(o.status), o.total, o.created_at) for o in orders]

    async def cancel_open_order(self, account: Account) -> Cancelled | CancelRefused | None:
        recent = await order_store.orders_of_retailer(self.conn, account.id, limit=5)
        open_orders = [o for o in recent if o.status in order_store.OPEN_STATUSES]
        if not open_orders:
            return None
        return await order_service.cancel_order(
            self.conn, order_number=open_orders[0].number, role=Role.RETAILER,
            actor=f"retailer:{account.id}", reason="cancelled by the retailer on WhatsApp",
            now=_now(), retailer_id=account.id)

    async def cancel_order(self, account: Account, number: int) -> Cancelled | CancelRefused:
        # The service answers another shop's order as "not found" (its callers must not
        # learn who ordered what); the retailer asked by number is told it is not theirs.
        existing = await order_store.order_by_number(self.conn, number)
        if existing is not None and existing.retailer_id != account.id:
            return CancelRefused(CancelRefusal.NOT_YOURS, f"order #{number} is not yours",
                                 number)
        return await order_service.cancel_order(
            self.conn, order_number=number, role=Role.RETAILER,
            actor=f"retailer:{account.id}", reason="cancelled by the retailer on WhatsApp",
            now=_now(), retailer_id=account.id)

    async def last_order(self, account: Account) -> tuple[int, list[Understood]] | None:
        orders = await order_store.orders_of_retailer(self.conn, account.id, limit=10)
        placed = [o for o in orders if o.status not in ("cancelled", "unroutable")] or orders
        if not placed:
            return None
        last = placed[0]
        items = await order_store.items(self.conn, last.id)
        current = await order_store.products_by_sku(self.conn, [i.sku for i in items])
        lines = []
        for item in items:
            product = current.get(item.sku)
            if product is None:
                lines.append(Understood(text=item.name, status=LineStatus.UNKNOWN,
                                        name=item.name))
            else:
                lines.append(Understood(text=item.name, status=LineStatus.RESOLVED,
                                        sku=item.sku, name=product.name, unit=product.unit,
                                        qty=item.qty))
        return last.number, lines

    async def nudge_items(self, account: Account, nudge: int) -> list[Understood]:
        """The products (and usual quantities) a reorder nudge's button stands for."""
        owner = await self.conn.fetchval(
            "SELECT retailer_id FROM nudges_sent WHERE id = $1 OR batch_id = $1 LIMIT 1", nudge)
        if owner != account.id:
            return []
        wanted = await nudge_items(self.conn, nudge)
        products = await order_store.products_by_sku(self.conn, [sku for sku, _ in wanted])
        return [Understood(text=p.name, status=LineStatus.RESOLVED, sku=p.sku, name=p.name,
                           unit=p.unit, qty=qty)
                for sku, qty in wanted if (p := products.get(sku)) is not None and qty > 0]

    # ------------------------------------------------------------ money

    async def statement(self, account: Account, month: int | None,
                        language: str) -> StatementRequested:
        # Only the request is written here, in the message's transaction (with its
        # inbox row done, so a redelivery writes none); the `documents` job renders it.
        now = _now()
        today = business_date(now)
        period = (last_days(today) if month is None
                  else month_period(latest_month(month, today), today))
        await statement_store.add(self.conn, account.id, period, language, now=now)
        return StatementRequested(period)

    async def balance(self, account: Account) -> Balance:
        position = await ledger.credit_position(self.conn, account.id)
        # The one rule operators' summaries and the reminders use too: payments settle
        # the earliest-due debit first (domain.dues.settle); next due is what is left
        # of the first debit not yet covered. Every credit counts, as in the operators'
        # summary (a payment is money received).
        unpaid = await ledger_store.unpaid_debits(self.conn, account.id)
        next_due: Decimal | None = None
        next_date: dt.date | None = None
        if unpaid and position.outstanding > 0:
            next_due = unpaid[0].outstanding
            next_date = unpaid[0].debit.due_date
        return Balance(outstanding=position.outstanding, open_orders=position.open_orders,
                       limit=position.limit, available=position.available,
                       next_due=next_due, next_due_date=next_date,
                       can_pay=bool(gateways.clients(self.runtime.settings)))

    async def pay_due(self, account: Account, number: int | None) -> PayDue:
        clients = gateways.clients(self.runtime.settings)
        due = await payments.due(self.conn, account.id, number)
        return PayDue(due.owed, tuple(g.value for g in payments.offered(clients)), number)

    async def start_payment(self, account: Account, method: str, amount: Decimal,
                            number: int | None) -> PayStart:
        clients = gateways.clients(self.runtime.settings)
        try:
            gateway = Gateway(method)
        except ValueError:
            return PayNotStarted(method, Decimal(0), not_offered=True)
        now = _now()
        result = await payments.start(self.conn, clients, retailer_id=account.id,
                                      gateway=gateway, amount=amount, order_number=number,
                                      settings=self.runtime.settings, now=now)
        if isinstance(result, payments.NotStarted):
            return PayNotStarted(method, result.owed, result.problem, result.gateway_down,
                                 result.not_offered)
        intent = result.intent
        if result.payment_url is not None:
            return PayLink(method, intent.amount, result.payment_url, intent.expires_at)
        assert result.qr_message is not None
        image = await qr_image(self.conn, result.qr_message, intent.token,
                               max_bytes=self.runtime.settings.media_max_bytes)
        return PayQr(method, intent.amount, image, intent.expires_at)
