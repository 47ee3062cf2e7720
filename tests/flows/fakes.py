"""The flows' ports in memory: a small world of shops, vendors, prices and orders.

`FakeWorld` keeps what Postgres would (accounts, vendors' prices and stock,
orders, payments owed) in plain dicts and answers the retailer and vendor
ports with the real pure code: the order parser over a `CatalogIndex` of
tests/conversation/catalog.csv, `domain.ordering` to plan and price, the
credit rules, `domain.order_status` for what a vendor may do. Only the SQL is
missing, so the flows run in memory, a test in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from domain import cart as carts
from domain import credit, ordering, routing
from domain import facts as fact
from domain.catalog import Catalog, parse_catalog_csv
from domain.credit import RetailerStatus
from domain.money import to_paisa
from domain.nepali_calendar import latest_month
from domain.order_status import Action, Role, Status, TransitionError, transition
from domain.ordering import (
    Cancelled,
    CancelRefusal,
    CancelRefused,
    Item,
    Market,
    NotAllowed,
    OrderRef,
    Placed,
    Plan,
    PricedLine,
    Product,
    Quote,
    SplitOffer,
    SplitPlaced,
    UnknownItems,
)
from domain.ordertext import parse_message
from domain.payments import pay_problem
from domain.resolver import CatalogIndex
from domain.statement import Period, last_days, month_period
from domain.vendor_commands import (
    LessFit,
    VendorAction,
    VendorChange,
    VendorCommand,
    sending_less,
)
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
from flows.vendor import VendorLine, VendorOrder

CATALOG = Path(__file__).resolve().parents[1] / "conversation" / "catalog.csv"
AREA = "Kathmandu"
ACCEPT_MINUTES = 15.0
T0 = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)
_OPEN = (Status.PENDING, Status.ACCEPTED, Status.DISPATCHED)


@dataclass
class FakeOrder:
    number: int
    retailer: Account
    vendor_id: int
    lines: tuple[PricedLine, ...]
    total: Decimal
    key: str | None
    status: Status = Status.PENDING
    created_at: dt.datetime = T0


@dataclass
class FakeVendor:
    id: int
    party: fact.Party
    prices: dict[str, Decimal]
    stock: dict[str, Decimal] = field(default_factory=dict)
    areas: tuple[str, ...] = (AREA,)
    minimums: dict[str, Decimal] = field(default_factory=dict)

    def candidate(self) -> routing.Candidate:
        offers = {sku: routing.Offer(sku, price, self.stock.get(sku),
                                     self.minimums.get(sku, Decimal(1)))
                  for sku, price in self.prices.items()}
        return routing.Candidate(self.id, self.party.name, self.areas, offers)


class FakeWorld:
    """Everything the two flows' ports read and write, in memory."""

    def __init__(self) -> None:
        rows = parse_catalog_csv(CATALOG.read_text(encoding="utf-8")).rows
        catalog = Catalog.from_rows(rows)
        self.index = CatalogIndex.build(catalog)
        self.products = {p.sku: Product(i, p.sku, p.name, p.unit)
                         for i, p in enumerate(catalog, start=1)}
        self.list_prices = {r.product.sku: r.price for r in rows if r.price is not None}
        self.categories = {r.product.sku: r.product.category for r in rows}
        # Cases opened for operators: (order number, what the retailer said).
        self.problems: list[tuple[int, str]] = []
        self.accounts: dict[str, Account] = {}
        self.limits: dict[int, Decimal] = {}
        self.owed: dict[int, Decimal] = {}
        self.vendors: dict[int, FakeVendor] = {}
        self.orders: list[FakeOrder] = []
        self.nudges: dict[int, tuple[int, list[tuple[str, Decimal]]]] = {}
        self.areas = [AREA, "Lalitpur"]
        self.now = T0
        self.statements: list[tuple[str, Period, str]] = []
        # Readings for exact texts, as a parser would give them (for what today's parser
        # does not yet produce: zero, negative, not-whole quantities).
        self.readings: dict[str, Reading] = {}
        # Answers for the next placements, whatever the world holds (races, other vendors).
        self.next_place: list[PlaceOutcome] = []
        # A vendor's smaller order waiting for the shop: order number → (vendor id, kept
        # line numbers), as `order_changes` rows with no answer.
        self.changes: dict[int, tuple[int, tuple[int, ...]]] = {}
        # And the smaller quantities it proposes: order number → {line_no: qty}.
        self.less: dict[int, dict[int, Decimal]] = {}
        # Gateways set up for paying from the chat, and the payments started:
        # (retailer id, method, amount, order number).
        self.pay_methods: tuple[str, ...] = ()
        self.payments: list[tuple[int, str, Decimal, int | None]] = []
        # vendor id → (order number, line number, when) picked from the lines list
        self.picks: dict[int, tuple[int, int, dt.datetime]] = {}

    # ------------------------------------------------------------ building the world

    def retailer(self, phone: str, *, status: RetailerStatus = RetailerStatus.ACTIVE,
                 limit: str = "100000", language: str = "en",
                 shop: str = "Ram Kirana") -> Account:
        account = Account(len(self.accounts) + 1, phone, shop, status, None, language)
        self.accounts[phone] = account
        self.limits[account.id] = Decimal(limit)
        self.owed[account.id] = Decimal(0)
        return account

    def vendor(self, name: str, phone: str, *, markup: str = "1",
               stock: dict[str, str] | None = None, language: str = "en",
               only: tuple[str, ...] | None = None,
               minimums: dict[str, str] | None = None) -> FakeVendor:
        """A vendor in the area selling the catalogue at its prices × `markup` (or `only` some)."""
        prices = {sku: (price * Decimal(markup)).quantize(Decimal("0.01"))
                  for sku, price in self.list_prices.items() if only is None or sku in only}
        v = FakeVendor(len(self.vendors) + 1, fact.Party(phone, language, name), prices,
                       {sku: Decimal(q) for sku, q in (stock or {}).items()},
                       minimums={sku: Decimal(q) for sku, q in (minimums or {}).items()})
        self.vendors[v.id] = v
        return v

    def backend(self) -> FakeRetailerBackend:
        return FakeRetailerBackend(self)

    def vendor_backend(self, vendor: FakeVendor) -> FakeVendorBackend:
        return FakeVendorBackend(self, vendor)

    # ------------------------------------------------------------ what the services would say

    def market(self) -> Market:
        return Market(self.products, {v.id: v.candidate() for v in self.vendors.values()})

    def position(self, account: Account) -> credit.CreditPosition:
        open_value = sum((o.total for o in self.orders
                          if o.retailer.id == account.id and o.status in _OPEN), Decimal(0))
        return credit.CreditPosition(self.limits[account.id], self.owed[account.id], open_value)

    def order(self, number: int) -> FakeOrder | None:
        return next((o for o in self.orders if o.number == number), None)

    def ref(self, order: FakeOrder) -> OrderRef:
        return OrderRef(order.number, order.number, order.retailer.id, order.vendor_id,
                        order.status, order.total)

    def party(self, account: Account) -> fact.Party:
        return fact.Party(account.phone, account.language, account.shop_name)


class FakeRetailerBackend:
    """`flows.retailer.RetailerBackend` over a `FakeWorld`."""

    def __init__(self, world: FakeWorld) -> None:
        self.world = world

    async def account(self, phone: str) -> Account | None:
        return self.world.accounts.get(phone)

    async def register(self, phone: str, shop: str, area: str, language: str) -> Account:
        account = self.world.retailer(phone, status=RetailerStatus.PENDING, limit="0",
                                      language=language, shop=shop)
        return account

    async def set_language(self, account: Account, language: str) -> None:
        self.world.accounts[account.phone] = replace(account, language=language)

    async def served_areas(self) -> list[str]:
        return list(self.world.areas)

    async def understand(self, text: str) -> Reading:
        if text in self.world.readings:
            return self.world.readings[text]
        return reading_of(parse_message(text, self.world.index), self.world.index)

    async def waiting_changes(self, account: Account) -> list[int]:
        return sorted(n for n, (vendor_id, _) in self.world.changes.items()
                      if (o := self.world.order(n)) is not None and o.retailer.id == account.id
                      and o.vendor_id == vendor_id and o.status in _CHANGEABLE)

    async def answer_change(self, account: Account, number: int,
                            agree: bool) -> list[fact.Fact] | None:
        """As bot.services.orders.answer_change, with no other vendor to re-route to."""
        order = self.world.order(number)
        if order is None or order.retailer.id != account.id or order.status not in _CHANGEABLE \
                or number not in self.world.changes \
                or self.world.changes[number][0] != order.vendor_id:
            return None
        vendor_id, kept = self.world.changes.pop(number)
        less = self.world.less.pop(number, {})
        vendor, shop = self.world.vendors[vendor_id], self.world.party(account)
        if not agree:
            order.status = Status.UNROUTABLE
            return [fact.ChangeDeclined(number, vendor.party), fact.OrderUnroutable(number, shop)]
        order.lines = tuple(_smaller([ln for ln in order.lines if ln.line_no in kept], less))
        order.total = ordering.total(list(order.lines))
        if order.status is Status.ACCEPTED:
            return [fact.ChangeAgreed(number, vendor.party, shop, order.total)]
        order.status = Status.ACCEPTED
        return [fact.OrderAccepted(number, vendor.party, shop, AREA, order.total)]

    async def report_problem(self, account: Account, number: int, text: str) -> Problem:
        order = self.world.order(number)
        if order is None or order.retailer.id != account.id:
            return Problem.UNKNOWN
        if order.status is not Status.DELIVERED:
            return Problem.NOT_DELIVERED
        if any(n == number for n, _ in self.world.problems):
            return Problem.ALREADY_OPEN
        self.world.problems.append((number, text))
        return Problem.OPENED

    async def offers(self, account: Account, skus: list[str]) -> list[PriceOffer]:
        out = []
        for sku in skus:
            p = self.world.products[sku]
            found = [PriceOffer(sku, p.name, p.unit, v.party.name, v.prices[sku])
                     for v in self.world.vendors.values() if sku in v.prices and AREA in v.areas]
            out += sorted(found, key=lambda o: o.price)
        return out

    async def categories(self, account: Account) -> list[Category]:
        sold = {sku for v in self.world.vendors.values() if AREA in v.areas for sku in v.prices}
        counts: dict[str, int] = {}
        for sku in sold:
            counts[self.world.categories[sku]] = counts.get(self.world.categories[sku], 0) + 1
        return [Category(name, n) for name, n in sorted(counts.items())]

    async def category_offers(self, account: Account, category: str) -> list[PriceOffer]:
        skus = sorted((sku for sku, c in self.world.categories.items() if c == category),
                      key=lambda sku: self.world.products[sku].name)
        return await self.offers(account, skus)

    async def quote(self, account: Account, lines: carts.Cart) -> Quote:
        q = self._quote(account, lines, None)
        if not q.lines and q.shortages and q.alternatives:
            q = self._quote(account, lines, q.alternatives[0].vendor_id)
        return q

    def _quote(self, account: Account, lines: carts.Cart, vendor_id: int | None) -> Quote:
        available = self.world.position(account).available
        merged = ordering.merge([Item(ln.sku, ln.qty) for ln in lines])
        if isinstance(merged, NotAllowed):
            return Quote(account.id, available, problem=merged)
        return ordering.quote_from(account.id, available, ordering.refusal_of(account.status),
                                   self.world.market(), AREA, merged, vendor_id,
                                   ACCEPT_MINUTES * 60)

    async def place(self, account: Account, lines: carts.Cart, *, key: str,
                    vendor_id: int | None = None) -> PlaceOutcome:
        if self.world.next_place:
            return self.world.next_place.pop(0)
        items = [Item(ln.sku, ln.qty) for ln in lines]
        result = self._place(account, items, key, vendor_id)
        if not isinstance(result, SplitOffer):
            return result
        placed = []
        before = (list(self.world.orders),
                  {v.id: dict(v.stock) for v in self.world.vendors.values()})
        for i, part in enumerate(result.parts, start=1):
            got = self._place(account, list(part.items), f"{key}:{i}", part.vendor_id)
            if not isinstance(got, Placed):
                self.world.orders = before[0]  # all of the split or none of it
                for vid, stock in before[1].items():
                    self.world.vendors[vid].stock = stock
                if isinstance(got, ordering.CreditShort):
                    return ordering.CreditShort(got.shortfall, got.available, got.total)
                assert not isinstance(got, SplitOffer)
                return got
            placed.append(got)
        return SplitPlaced(tuple(placed))

    def _place(self, account: Account, items: list[Item], key: str,
               vendor_id: int | None) -> ordering.PlaceResult:
        earlier = next((o for o in self.world.orders if o.key == key), None)
        if earlier is not None:
            vendor = self.world.vendors[earlier.vendor_id]
            return Placed(self.world.ref(earlier), earlier.lines, vendor.party.name, (),
                          duplicate=True)
        refusal = ordering.refusal_of(account.status)
        if refusal is not None:
            return refusal
        merged = ordering.merge(items)
        if isinstance(merged, NotAllowed):
            return merged
        market = self.world.market()
        unknown = ordering.unknown_skus(market, merged)
        if unknown:
            return UnknownItems(unknown)
        plan = ordering.plan(market, AREA, merged, vendor_id, ACCEPT_MINUTES * 60)
        if not isinstance(plan, Plan):
            return plan
        decision = credit.decide(self.world.position(account), plan.total)
        if not decision.allowed:
            return ordering.short_of_credit(decision, plan)
        vendor = self.world.vendors[plan.vendor_id]
        for ln in plan.lines:
            if ln.sku in vendor.stock:
                vendor.stock[ln.sku] -= ln.qty
        order = FakeOrder(1001 + len(self.world.orders), account, vendor.id, plan.lines,
                          plan.total, key, created_at=self.world.now)
        self.world.orders.append(order)
        offered = fact.OrderOffered(order.number, vendor.party, account.shop_name, AREA,
                                    plan.lines, plan.total, ACCEPT_MINUTES)
        return Placed(self.world.ref(order), plan.lines, vendor.party.name, (offered,))

    async def recent_orders(self, account: Account, limit: int) -> list[OrderLine]:
        mine = [o for o in reversed(self.world.orders) if o.retailer.id == account.id]
        return [OrderLine(o.number, o.status, o.total, o.created_at) for o in mine[:limit]]

    async def statement(self, account: Account, month: int | None,
                        language: str) -> StatementRequested:
        # The real period rules; the world records the request as the shell's row does.
        today = self.world.now.date()
        period = (last_days(today) if month is None
                  else month_period(latest_month(month, today), today))
        self.world.statements.append((account.phone, period, language))
        return StatementRequested(period)

    async def balance(self, account: Account) -> Balance:
        p = self.world.position(account)
        return Balance(p.outstanding, p.open_orders, p.limit, p.available, None, None,
                       can_pay=bool(self.world.pay_methods))

    async def pay_due(self, account: Account, number: int | None) -> PayDue:
        return PayDue(self.world.position(account).outstanding, self.world.pay_methods, number)

    async def start_payment(self, account: Account, method: str, amount: Decimal,
                            number: int | None) -> PayStart:
        owed = self.world.position(account).outstanding
        if method not in self.world.pay_methods:
            return PayNotStarted(method, owed, not_offered=True)
        problem = pay_problem(amount, owed)
        if problem is not None:
            return PayNotStarted(method, owed, problem)
        self.world.payments.append((account.id, method, amount, number))
        until = self.world.now + dt.timedelta(minutes=30)
        if method == "fonepay":
            return PayQr(method, amount, len(self.world.payments), until)
        return PayLink(method, amount, f"https://pay.test/{method}/{len(self.world.payments)}",
                       until)

    async def cancel_open_order(self, account: Account) -> Cancelled | CancelRefused | None:
        mine = [o for o in reversed(self.world.orders)
                if o.retailer.id == account.id and o.status in _OPEN]
        if not mine:
            return None
        return await self._cancel(account, mine[0])

    async def cancel_order(self, account: Account, number: int) -> Cancelled | CancelRefused:
        order = self.world.order(number)
        if order is None:
            return CancelRefused(CancelRefusal.NOT_FOUND, f"no order #{number}", number)
        if order.retailer.id != account.id:
            return CancelRefused(CancelRefusal.NOT_YOURS, f"order #{number} is not yours", number)
        return await self._cancel(account, order)

    async def _cancel(self, account: Account, order: FakeOrder) -> Cancelled | CancelRefused:
        try:
            transition(order.status, Action.CANCEL, Role.RETAILER)
        except TransitionError as exc:
            return CancelRefused(CancelRefusal(exc.code), str(exc), order.number,
                                 order.status.value)
        was, order.status = order.status, Status.CANCELLED
        self.world.changes.pop(order.number, None)  # the shop's question is withdrawn
        self.world.less.pop(order.number, None)
        vendor = self.world.vendors[order.vendor_id]
        told = fact.OrderCancelled(order.number, "cancelled by the retailer on WhatsApp",
                                   Role.RETAILER, was, vendor.party, self.world.party(account))
        return Cancelled(self.world.ref(order), (told,))

    async def last_order(self, account: Account) -> tuple[int, list[Understood]] | None:
        mine = [o for o in reversed(self.world.orders) if o.retailer.id == account.id]
        if not mine:
            return None
        last = mine[0]
        return last.number, [Understood(ln.name, LineStatus.RESOLVED, ln.sku, ln.name, ln.unit,
                                        ln.qty) for ln in last.lines]

    async def nudge_items(self, account: Account, nudge: int) -> list[Understood]:
        owner, wanted = self.world.nudges.get(nudge, (0, []))
        if owner != account.id:
            return []
        products = self.world.products
        return [Understood(products[sku].name, LineStatus.RESOLVED, sku, products[sku].name,
                           products[sku].unit, qty) for sku, qty in wanted]


_NEXT = {VendorAction.ACCEPT: (Action.ACCEPT, Status.ACCEPTED),
         VendorAction.DISPATCH: (Action.DISPATCH, Status.DISPATCHED),
         VendorAction.DELIVER: (Action.DELIVER, Status.DELIVERED)}
_PROGRESS = [Status.PENDING, Status.ACCEPTED, Status.DISPATCHED, Status.DELIVERED]
_CHANGEABLE = (Status.PENDING, Status.ACCEPTED)


def _smaller(lines: list[PricedLine], less: dict[int, Decimal]) -> list[PricedLine]:
    return [replace(ln, qty=less[ln.line_no], line_total=to_paisa(ln.unit_price
                                                                  * less[ln.line_no]))
            if ln.line_no in less else ln for ln in lines]


class FakeVendorBackend:
    """`flows.vendor.VendorBackend` over a `FakeWorld`, for one vendor."""

    def __init__(self, world: FakeWorld, vendor: FakeVendor) -> None:
        self.world = world
        self.vendor = vendor
        self.commands: list[VendorCommand] = []

    async def act(self, command: VendorCommand) -> list[fact.Fact]:
        self.commands.append(command)
        me, number, action = self.vendor.party, command.order_number, command.action
        order = self.world.order(number)
        if order is None or order.vendor_id != self.vendor.id:
            return [fact.VendorRefused(number, me, fact.VendorRefusal.NOT_FOUND, action)]
        shop = self.world.party(order.retailer)
        if action is VendorAction.REJECT:
            if order.status is not Status.PENDING:
                return [fact.VendorRefused(number, me, fact.VendorRefusal.WRONG_STEP, action,
                                           order.status)]
            order.status = Status.UNROUTABLE
            return [fact.OrderRejected(number, me, command.reason),
                    fact.OrderUnroutable(number, shop)]
        if action is VendorAction.DISPATCH and number in self.world.changes:
            return [fact.ChangeRefused(number, me, fact.ChangeRefusal.DISPATCH_WAITING)]
        step, target = _NEXT[action]
        if order.status in _PROGRESS and \
                _PROGRESS.index(order.status) >= _PROGRESS.index(target):
            why = (fact.VendorRefusal.ALREADY_ACCEPTED if action is VendorAction.ACCEPT
                   else fact.VendorRefusal.ALREADY)
            return [fact.VendorRefused(number, me, why, action,
                                       None if action is VendorAction.ACCEPT else order.status)]
        try:
            order.status = transition(order.status, step, Role.VENDOR)
        except TransitionError:
            return [fact.VendorRefused(number, me, fact.VendorRefusal.WRONG_STEP, action,
                                       order.status)]
        if action is VendorAction.ACCEPT:
            return [fact.OrderAccepted(number, me, shop, AREA, order.total)]
        if action is VendorAction.DISPATCH:
            return [fact.OrderDispatched(number, me, shop)]
        due = (self.world.now + dt.timedelta(days=30)).date()
        return [fact.OrderDelivered(number, me, shop, order.total, due)]

    async def change(self, change: VendorChange) -> list[fact.Fact]:
        """As bot.services.orders.vendor_change: the shop is asked, nothing changes yet."""
        me, number = self.vendor.party, change.order_number
        order = self.world.order(number)
        if order is None or order.vendor_id != self.vendor.id:
            return [fact.VendorRefused(number, me, fact.VendorRefusal.NOT_FOUND,
                                       VendorAction.ACCEPT)]
        if order.status not in _CHANGEABLE:
            return [fact.ChangeRefused(number, me, fact.ChangeRefusal.WRONG_STEP)]
        if number in self.world.changes:
            return [fact.ChangeRefused(number, me, fact.ChangeRefusal.WAITING)]
        texts = {ln.line_no: [ln.name, ln.sku] for ln in order.lines}
        keep, unmatched_keep = ordering.match_lines(change.keep, texts)
        drop, unmatched_drop = ordering.match_lines(change.drop, texts)
        fewer, unmatched_less = ordering.match_lines([n for n, _ in change.less], texts)
        if unmatched_keep or unmatched_drop or unmatched_less:
            return [fact.ChangeRefused(number, me, fact.ChangeRefusal.UNMATCHED,
                                       unmatched_keep + unmatched_drop + unmatched_less)]
        kept = ordering.kept_lines([ln.line_no for ln in order.lines], keep, drop)
        if not kept:
            return [fact.ChangeRefused(number, me, fact.ChangeRefusal.NOTHING_LEFT)]
        by_line = {ln.line_no: ln for ln in order.lines}
        less: dict[int, Decimal] = {}
        units = dict(change.units)
        for name, asked in change.less:
            line = by_line[fewer[name]]
            how, qty = sending_less(asked, units.get(name), line.qty, line.unit, line.name)
            if line.line_no not in kept and how is LessFit.OK:
                how = LessFit.NOT_LESS
            if how is not LessFit.OK or qty is None:
                return [fact.ChangeRefused(number, me, fact.ChangeRefusal(how.value), (name,),
                                           line.unit)]
            less[line.line_no] = qty
        if len(kept) == len(order.lines) and not less:
            return await self.act(VendorCommand(VendorAction.ACCEPT, number))
        self.world.changes[number] = (self.vendor.id, kept)
        self.world.less[number] = less
        shown = _smaller([ln for ln in order.lines if ln.line_no in kept], less)
        return [fact.ChangeProposed(
            number, me, self.world.party(order.retailer),
            tuple((ln.name, ln.qty, ln.unit, ln.line_total) for ln in shown),
            tuple(ln.name for ln in order.lines if ln.line_no not in kept),
            ordering.total(shown))]

    async def order_lines(self, number: int) -> list[VendorLine] | None:
        order = self.world.order(number)
        if order is None or order.vendor_id != self.vendor.id or order.status not in _CHANGEABLE:
            return None
        return [VendorLine(ln.line_no, ln.name, ln.qty, ln.unit) for ln in order.lines]

    async def remember_pick(self, number: int, line_no: int) -> None:
        self.world.picks[self.vendor.id] = (number, line_no, self.world.now)

    async def last_pick(self, within_minutes: float) -> tuple[int, int] | None:
        found = self.world.picks.get(self.vendor.id)
        if found is None or found[2] <= self.world.now - dt.timedelta(minutes=within_minutes):
            return None
        return found[0], found[1]

    async def forget_pick(self) -> None:
        self.world.picks.pop(self.vendor.id, None)

    async def set_language(self, language: str) -> None:
        self.vendor.party = replace(self.vendor.party, language=language)

    async def open_orders(self, limit: int) -> list[VendorOrder]:
        mine = sorted((o for o in self.world.orders
                       if o.vendor_id == self.vendor.id and o.status in _OPEN),
                      key=lambda o: o.number)
        return [VendorOrder(o.number, o.status, o.retailer.shop_name, o.total)
                for o in mine[:limit]]
