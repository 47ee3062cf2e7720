"""The retailer conversation: one message in, replies out, the session moved along.

`RetailerFlow.handle` orchestrates parse → cart → questions → review → confirm.
The state machine (flows/machine.py, built once at import) decides which
state the conversation is in; this module decides what to say, in the
retailer's language, using `flows.i18n` for every word.

Everything that needs Postgres or the catalogue goes through `Backend`
(implemented over the order, ledger and catalogue services in
bot/conversation/retailer_backend.py), so the flow itself holds no SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from domain import cart as carts
from domain.areas import match_area
from domain.cart import CartError, CartLine
from domain.cart_edits import Add, Change, Clear, Remove, parse_edit
from domain.ordering import (
    Cancelled,
    CancelRefused,
    CreditShort,
    NotAllowed,
    Placed,
    PricedLine,
    Quote,
    Refusal,
    SplitPlaced,
    StockShort,
    UnknownItems,
)
from flows import machine as m
from flows import order_notices
from flows.commands import Command, command_of
from flows.i18n import money, qty, script_language, t, unit
from flows.replies import Button, Buttons, ListMenu, ListRow, ListSection, Outgoing, Reply, Text
from flows.session import Candidate, CartItem, Language, Question, Session, utcnow

log = logging.getLogger(__name__)

MAX_CANDIDATES = 10
BODY_BUDGET = 900  # interactive bodies are ≤ 1024; leave room for the totals
SHOP_NAME_MAX, AREA_MAX = 120, 80
AREA_CHOICE = "area:"

# ---------------------------------------------------------------- what the backend answers


@dataclass(frozen=True, slots=True)
class Account:
    """The retailer as the conversation needs to know them."""

    id: int
    phone: str
    shop_name: str
    status: str  # pending | active | blocked
    blocked_reason: str | None
    language: str


@dataclass(frozen=True, slots=True)
class Option:
    """A product offered for an ambiguous or unknown line."""

    sku: str
    name: str
    unit: str


@dataclass(frozen=True, slots=True)
class Understood:
    """One order line as the parser read it."""

    text: str
    status: str  # resolved | ask | unknown
    sku: str | None = None
    name: str | None = None
    unit: str | None = None
    qty: Decimal | None = None
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """A message as the parser read it: what it is about, and its order lines."""

    intent: str  # order | status | balance | help | cancel | confirm | reorder | greeting | other
    lines: list[Understood]


# Placing answers in the order vocabulary (`domain.ordering`); a split cart
# comes back placed (`SplitPlaced`), never as a `SplitOffer`.
PlaceOutcome = Placed | SplitPlaced | CreditShort | StockShort | NotAllowed | UnknownItems


@dataclass(frozen=True, slots=True)
class OrderLine:
    number: int
    status: str
    total: Decimal
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Balance:
    outstanding: Decimal
    open_orders: Decimal
    limit: Decimal
    available: Decimal
    next_due: Decimal | None
    next_due_date: dt.date | None


class Backend(Protocol):
    """What the retailer flow needs from Postgres, the catalogue and the services."""

    async def account(self, conn: Any, phone: str) -> Account | None: ...
    async def register(self, conn: Any, phone: str, shop: str, area: str,
                       language: str) -> Account: ...
    async def set_language(self, conn: Any, account: Account, language: str) -> None: ...
    async def served_areas(self, conn: Any) -> list[str]: ...
    async def understand(self, conn: Any, text: str) -> Reading: ...
    async def quote(self, conn: Any, account: Account, lines: carts.Cart) -> Quote: ...
    async def place(self, conn: Any, account: Account, lines: carts.Cart, *, key: str,
                    vendor_id: int | None = None) -> PlaceOutcome: ...
    async def recent_orders(self, conn: Any, account: Account, limit: int) -> list[OrderLine]: ...
    async def balance(self, conn: Any, account: Account) -> Balance: ...
    async def cancel_open_order(self, conn: Any, account: Account
                                ) -> Cancelled | CancelRefused | None: ...
    async def last_order(self, conn: Any, account: Account
                         ) -> tuple[int, list[Understood]] | None: ...
    async def nudge_items(self, conn: Any, account: Account, nudge: int
                          ) -> list[Understood]: ...


# ---------------------------------------------------------------- inbound, reduced


@dataclass(frozen=True, slots=True)
class Said:
    """What a retailer's message amounts to: typed text or the id of a tapped choice."""

    text: str | None = None
    choice: str | None = None
    choice_title: str | None = None


# ---------------------------------------------------------------- the flow


class RetailerFlow:
    """Turns one retailer message into replies, moving the session's state."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def handle(
        self, conn: Any, phone: str, said: Said, session: Session | None
    ) -> tuple[Session, list[Outgoing]]:
        """Handle one message; return the session to save and the replies to send."""
        restored = session is not None
        if session is None:
            session = Session(phone=phone)
        account = await self.backend.account(conn, phone)
        if account is not None and not restored:
            session.language = "ne" if account.language == "ne" else "en"
            session.language_chosen = account.language == "ne"
        if said.text and not session.language_chosen:
            session.language = script_language(said.text) or session.language
        session.remember("in", said.text or f"[{said.choice_title or said.choice}]")
        now = utcnow()
        session.last_activity = now
        session.last_inbound = now
        turn = _Turn(self, conn, session, account)
        with m.attached(session) as convo:
            turn.convo = convo
            if account is None:
                await turn.onboarding(said)
            elif not restored and _needs_context(said):
                turn.say(Text(t(session.language, "restart")))
                turn.say(Text(t(session.language, "cart.empty")))
                m.fire(convo, "cancel")
            else:
                await turn.shopping(said)
        for out in turn.out:
            if out.to == phone:  # not the vendor's copy of a new order
                session.remember("out", _visible(out.reply))
        return session, turn.out


# Intents the parser may read from free words. Never "confirm": placing an order
# takes the button or the word itself, not a guess ("wai wai 5" once read as "ok").
_INTENT_COMMANDS: dict[str, Command] = {
    "status": Command.STATUS, "balance": Command.BALANCE, "help": Command.HELP,
    "cancel": Command.CANCEL, "reorder": Command.REORDER, "greeting": Command.GREETING,
}


def _needs_context(said: Said) -> bool:
    """A message that only makes sense with the session we no longer have."""
    if said.choice:
        return True
    if said.text:
        cmd = command_of(said.text)
        if cmd in (Command.CONFIRM, Command.EDIT, Command.YES, Command.NO):
            return True
        return isinstance(parse_edit(said.text), Remove | Clear)
    return False


def _visible(reply: Reply) -> str:
    if isinstance(reply, Text):
        return reply.body
    if isinstance(reply, Buttons):
        return reply.body + " [" + " | ".join(b.title for b in reply.buttons) + "]"
    if isinstance(reply, ListMenu):
        rows = [r.title for s in reply.sections for r in s.rows]
        return reply.body + " [" + " | ".join(rows) + "]"
    return f"[template {reply.name}]"


class _Turn:
    """One message's worth of work: the session, the account and the replies so far."""

    convo: m.Conversation

    def __init__(self, flow: RetailerFlow, conn: Any, session: Session,
                 account: Account | None) -> None:
        self.backend = flow.backend
        self.conn = conn
        self.s = session
        self.account = account
        self.out: list[Outgoing] = []

    # ------------------------------------------------------------ small helpers

    @property
    def lang(self) -> str:
        return self.s.language

    def tr(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def say(self, reply: Reply, correlation: str | None = None) -> None:
        self.out.append(Outgoing(self.s.phone, reply, correlation=correlation))

    def text(self, key: str, **values: object) -> None:
        self.say(Text(self.tr(key, **values)))

    def fire(self, trigger: str) -> bool:
        return m.fire(self.convo, trigger)

    def set_cart(self, cart: carts.Cart) -> None:
        self.s.lines = cart
        self.s.rev += 1
        self.s.reminded_at = None

    def qty_unit(self, amount: Decimal, unit_name: str) -> tuple[str, str]:
        return qty(self.lang, amount), unit(self.lang, unit_name, amount)

    # ------------------------------------------------------------ onboarding

    async def onboarding(self, said: Said) -> None:
        text = (said.text or "").strip()
        state = self.s.state
        if state == m.ONBOARDING_SHOP and text and not said.choice:
            if len(text) > SHOP_NAME_MAX or command_of(text) is not None:
                self.text("onboard.bad_name")
                return
            self.s.shop_name = " ".join(text.split())
            self.fire("name_shop")
            await self.ask_area()
            return
        if state == m.ONBOARDING_AREA and self.s.shop_name:
            if said.choice and said.choice.startswith(AREA_CHOICE):
                await self.register(said.choice.removeprefix(AREA_CHOICE), served=True)
                return
            if text and not said.choice:
                if len(text) > AREA_MAX or command_of(text) is not None:
                    self.text("onboard.bad_area")
                    return
                served = await self.backend.served_areas(self.conn)
                known = match_area(text, served)
                await self.register(known or " ".join(text.split()), served=known is not None)
                return
        if state in (m.ONBOARDING_SHOP, m.ONBOARDING_AREA):
            self.text("onboard.bad_name" if state == m.ONBOARDING_SHOP else "onboard.bad_area")
            return
        self.fire("meet")
        self.text("onboard.welcome")

    async def ask_area(self) -> None:
        """Offer the areas vendors serve as a list (typing another is still fine)."""
        served = await self.backend.served_areas(self.conn)
        body = self.tr("onboard.ask_area", shop=self.s.shop_name)
        if not served:
            self.say(Text(body))
            return
        rows = tuple(ListRow(id=AREA_CHOICE + area, title=title)
                     for area, title in zip(served[:MAX_CANDIDATES],
                                            unique_titles(served[:MAX_CANDIDATES], 24),
                                            strict=True))
        self.say(ListMenu(body=body + "\n" + self.tr("onboard.area_pick"),
                          button=self.tr("onboard.area_button"),
                          sections=(ListSection(title=self.tr("onboard.area_button"),
                                                rows=rows),)))

    async def register(self, area: str, *, served: bool) -> None:
        self.account = await self.backend.register(
            self.conn, self.s.phone, self.s.shop_name, area, self.lang)
        self.fire("register")
        self.text("onboard.done", shop=self.s.shop_name, area=area)
        if not served:
            self.text("onboard.area_unserved", area=area)

    # ------------------------------------------------------------ shopping

    async def shopping(self, said: Said) -> None:
        if said.choice:
            await self.on_choice(said.choice)
            return
        text = (said.text or "").strip()
        if not text:
            self.text("cart.nothing_understood")
            return
        cmd = command_of(text)
        if cmd is not None and await self.on_command(cmd):
            return
        state = self.s.state
        if state == m.RESOLVING and await self.pick_by_number(text):
            return
        if state in (m.EDITING, m.REVIEWING, m.COLLECTING, m.ADJUSTING):
            edit = parse_edit(text)
            if isinstance(edit, Remove | Clear | Add) or (
                    state == m.EDITING and isinstance(edit, Change)):
                await self.apply_edit(edit)
                return
        await self.add_text(text, replace=False)

    async def on_command(self, cmd: Command) -> bool:
        """Handle a command; False when it means nothing here (then it is read as text)."""
        if cmd is Command.HELP or cmd is Command.GREETING:
            if cmd is Command.GREETING and self.s.cart:
                await self.show_review()
                return True
            self.text("help")
            return True
        if cmd is Command.STATUS:
            await self.status()
            return True
        if cmd is Command.BALANCE:
            await self.balance()
            return True
        if cmd is Command.CANCEL:
            await self.cancel()
            return True
        if cmd is Command.REORDER:
            await self.reorder()
            return True
        if cmd in (Command.ENGLISH, Command.NEPALI):
            lang: Language = "en" if cmd is Command.ENGLISH else "ne"
            self.s.language = lang
            self.s.language_chosen = True
            assert self.account is not None
            await self.backend.set_language(self.conn, self.account, lang)
            self.text("language.set")
            if self.s.cart and self.s.state == m.REVIEWING:
                await self.show_review()
            return True
        if cmd is Command.CONFIRM:
            if self.s.questions:
                self.ask_question()
            elif self.s.state in (m.REVIEWING, m.COLLECTING, m.EDITING):
                await self.confirm()
            elif self.s.state == m.ADJUSTING:
                await self.take_offer()
            else:
                self.text("confirm.nothing")
            return True
        if cmd is Command.EDIT:
            if self.s.cart:
                self.fire("edit")
                self.text("edit.help")
            else:
                self.text("cart.empty")
            return True
        if cmd is Command.YES and self.s.state == m.ADJUSTING:
            await self.take_offer()
            return True
        if cmd is Command.NO and self.s.state == m.ADJUSTING:
            self.s.offer = None
            await self.show_review()
            return True
        return False

    # ------------------------------------------------------------ taps

    async def on_choice(self, choice: str) -> None:
        parts = choice.split(":")
        kind = parts[0]
        if kind == "q" and len(parts) == 3:
            await self.answer(parts[1], parts[2])
        elif kind == "rv" and len(parts) == 3:
            await self.on_review_button(parts[1], parts[2])
        elif kind == "of" and len(parts) == 3:
            await self.on_offer_button(parts[1], parts[2])
        elif kind == "reorder":
            # A reorder nudge's quick reply (`reorder:<nudge id>`): the products it named.
            await self.reorder(nudge=int(parts[1]) if len(parts) == 2 and parts[1].isdigit()
                               else None)
        else:
            self.text("stale_reply")

    async def on_review_button(self, action: str, rev: str) -> None:
        if action == "cancel":
            await self.cancel()
            return
        if rev != str(self.s.rev) or self.s.state not in (
                m.REVIEWING, m.COLLECTING, m.EDITING, m.ADJUSTING):
            # A button under an older summary: show what the cart is now instead.
            if self.s.cart:
                self.text("confirm.expired")
                await self.show_review()
            else:
                self.text("stale_reply")
            return
        if action == "confirm":
            await self.confirm()
        elif action == "edit":
            self.fire("edit")
            self.text("edit.help")
        else:
            self.text("stale_reply")

    async def on_offer_button(self, action: str, rev: str) -> None:
        if self.s.state != m.ADJUSTING or rev != str(self.s.rev):
            self.text("stale_reply")
            return
        if action == "take":
            await self.take_offer()
        elif action == "other":
            vendor_id = self.s.offer_vendor_id
            self.s.offer = None
            await self.confirm(vendor_id=vendor_id)
        else:
            self.s.offer = None
            self.s.offer_vendor_id = None
            self.text("offer.declined")
            self.fire("review")

    # ------------------------------------------------------------ adding items

    async def add_text(self, text: str, *, replace: bool) -> None:
        reading = await self.backend.understand(self.conn, text)
        understood = reading.lines
        if not understood:
            # "mero order kaha pugyo?", "kati baki cha": not a command word, but the
            # parser knows what it is about.
            cmd = _INTENT_COMMANDS.get(reading.intent)
            if cmd is None or not await self.on_command(cmd):
                self.text("cart.nothing_understood")
            return
        cart = self.s.lines
        added: list[CartLine] = []
        notes: list[str] = []
        for line in understood:
            if line.status == "resolved" and line.sku:
                amount = line.qty
                if amount is None or amount <= 0:
                    amount = Decimal(1)
                    q_unit = unit(self.lang, line.unit or "unit", amount)
                    notes.append(self.tr("cart.qty_assumed", unit=q_unit, text=line.text,
                                         example=f"{line.text} 5"))
                new = CartLine(line.sku, line.name or line.sku, line.unit or "unit", amount)
                try:
                    if replace and carts.index_of(cart, line.sku):
                        cart = carts.set_qty(cart, line.sku, amount)
                    else:
                        cart = carts.add(cart, new)
                except CartError as exc:
                    notes.append(self.tr("edit.bad_qty", problem=str(exc)))
                    continue
                added.append(new)
            elif line.status == "ask" and line.options:
                self.s.qseq += 1
                self.s.questions.append(Question(
                    id=self.s.qseq, text=line.text, qty=line.qty, unit=line.unit,
                    candidates=[Candidate(sku=o.sku, name=o.name, unit=o.unit)
                                for o in line.options[:MAX_CANDIDATES]],
                    replace=replace))
            elif line.options:
                names = ", ".join(o.name for o in line.options[:3])
                notes.append(self.tr("cart.unknown.suggest", text=line.text, suggestions=names))
            else:
                notes.append(self.tr("cart.unknown", text=line.text))
        if added:
            self.set_cart(cart)
        self.fire("add_items")
        await self.after_change(added, notes, replace=replace)

    async def after_change(self, added: Sequence[CartLine], notes: list[str], *,
                           replace: bool = False) -> None:
        """Say what changed, then ask the next question or show the review."""
        if self.s.questions:
            if added:
                prices = _prices(await self.pricing(tuple(added)))
                body = [self.tr("cart.updated" if replace else "cart.added")]
                body += [self.line_text(i + 1, ln, prices) for i, ln in enumerate(added)]
                self.say(Text("\n".join([*body, *notes])))
            elif notes:
                self.say(Text("\n".join(notes)))
            self.ask_question()
            return
        if notes:
            self.say(Text("\n".join(notes)))
        if self.s.cart:
            await self.show_review()
        else:
            self.fire("emptied")
            if not notes:
                self.text("cart.empty")

    # ------------------------------------------------------------ questions

    def ask_question(self) -> None:
        q = self.s.question
        if q is None:
            return
        body = self.tr("ask.which", text=q.text)
        shown = q.candidates[: MAX_CANDIDATES - 1]
        none = self.tr("ask.none")
        titles = unique_titles([c.name for c in shown] + [none], 24)
        rows = [ListRow(id=f"q:{q.id}:{c.sku}", title=title,
                        description=_fit(c.name, 72) if title != c.name else None)
                for c, title in zip(shown, titles, strict=False)]
        rows.append(ListRow(id=f"q:{q.id}:-", title=titles[-1],
                            description=self.tr("ask.none.desc")))
        self.say(ListMenu(body=body, button=self.tr("ask.button"),
                          sections=(ListSection(title=_fit(q.text, 24) or "…", rows=tuple(rows)),)))

    async def answer(self, qid: str, sku: str) -> None:
        q = self.s.question
        if q is None or str(q.id) != qid or self.s.state != m.RESOLVING:
            self.text("stale_reply")
            return
        await self.resolve_current(sku)

    async def pick_by_number(self, text: str) -> bool:
        """A typed number while a question is open picks that row (chat users do this)."""
        q = self.s.question
        digits = text.translate(str.maketrans("०१२३४५६७८९", "0123456789")).strip()
        if q is None or not digits.isdigit():
            return False
        n = int(digits)
        shown = q.candidates[: MAX_CANDIDATES - 1]
        if 1 <= n <= len(shown):
            await self.resolve_current(shown[n - 1].sku)
        elif n == len(shown) + 1:
            await self.resolve_current("-")
        else:
            self.text("ask.pick_from_list")
            self.ask_question()
        return True

    async def resolve_current(self, sku: str) -> None:
        q = self.s.questions.pop(0)
        notes: list[str] = []
        added: list[CartLine] = []
        chosen = next((c for c in q.candidates if c.sku == sku), None)
        if chosen is None:
            notes.append(self.tr("ask.skipped", text=q.text))
        else:
            amount = q.qty if q.qty and q.qty > 0 else Decimal(1)
            new = CartLine(chosen.sku, chosen.name, chosen.unit, amount)
            cart = self.s.lines
            try:
                if q.replace and carts.index_of(cart, chosen.sku):
                    cart = carts.set_qty(cart, chosen.sku, amount)
                else:
                    cart = carts.add(cart, new)
                self.set_cart(cart)
                added.append(new)
            except CartError as exc:
                notes.append(self.tr("edit.bad_qty", problem=str(exc)))
        self.fire("answer")
        if self.s.questions:
            if notes:
                self.say(Text("\n".join(notes)))
            self.ask_question()
            return
        if notes:
            self.say(Text("\n".join(notes)))
        if self.s.cart:
            self.fire("review")
            await self.show_review()
        else:
            self.text("cart.empty")

    # ------------------------------------------------------------ review

    async def pricing(self, lines: carts.Cart) -> Quote | None:
        if self.account is None or not lines:
            return None
        return await self.backend.quote(self.conn, self.account, lines)

    def line_text(self, n: int, line: CartLine, prices: dict[str, PricedLine]) -> str:
        amount, u = self.qty_unit(line.qty, line.unit)
        priced = prices.get(line.sku)
        if priced is None:
            return self.tr("cart.line.noprice", n=n, name=line.name, qty=amount, unit=u)
        return self.tr("cart.line", n=n, name=line.name, qty=amount, unit=u,
                       price=money(self.lang, priced.unit_price),
                       total=money(self.lang, priced.line_total))

    async def show_review(self) -> None:
        if self.s.questions:
            self.ask_question()
            return
        cart = self.s.lines
        if not cart:
            self.fire("emptied")
            self.text("cart.empty")
            return
        if self.s.state != m.EDITING:
            # While editing, the summary is shown after each change but the
            # conversation stays in editing: "chini 20 kg" keeps meaning "make it 20".
            self.fire("review")
        quote = await self.pricing(cart)
        prices = _prices(quote)
        lines = [self.line_text(i, ln, prices) for i, ln in enumerate(cart, 1)]
        tail: list[str] = []
        if quote is not None:
            unpriced = sum(1 for ln in cart if ln.sku not in prices)
            vendor = " + ".join(quote.vendor_names)
            if vendor:
                tail.append(self.tr("review.vendor", vendor=vendor))
            tail.append(self.tr("review.total", total=money(self.lang, quote.total)))
            tail.append(self.tr("review.credit",
                                available=money(self.lang, max(quote.available, Decimal(0)))))
            shortages = quote.shortages if not quote.lines else ()
            for short in shortages:
                line = next((ln for ln in cart if ln.sku == short.sku), None)
                if line is not None:
                    amount, u = self.qty_unit(short.available, line.unit)
                    tail.append(self.tr("review.short", name=line.name, available=amount, unit=u))
            if unpriced and not shortages:
                tail.append(self.tr("review.unpriced", count=unpriced))
        intro = self.tr("review.intro", count=len(cart))
        body = "\n".join([intro, *lines, "", *tail])
        rev = self.s.rev
        buttons = (
            Button(f"rv:confirm:{rev}", self.tr("btn.confirm")),
            Button(f"rv:edit:{rev}", self.tr("btn.edit")),
            Button(f"rv:cancel:{rev}", self.tr("btn.cancel")),
        )
        if len(body) > BODY_BUDGET:
            # Long carts: the lines as text, the buttons under a short summary.
            self.say(Text("\n".join([intro, *lines])))
            body = "\n".join(tail) or intro
        self.say(Buttons(body=body, buttons=buttons, header=self.tr("review.header"),
                         footer=self.tr("review.footer")))

    # ------------------------------------------------------------ edits

    async def apply_edit(self, edit: Remove | Add | Clear | Change) -> None:
        if isinstance(edit, Clear):
            self.set_cart(carts.EMPTY)
            self.s.questions.clear()
            self.s.offer = None
            self.fire("emptied")
            self.text("cart.cleared")
            self.text("cart.empty")
            return
        if isinstance(edit, Remove):
            cart = self.s.lines
            removed = []
            for n in edit.numbers:  # highest first, so lower numbers keep their meaning
                if not 1 <= n <= len(cart):
                    self.text("edit.no_line", n=n, count=len(cart))
                    continue
                removed.append(cart[n - 1].name)
                cart = carts.remove(cart, n)
            if removed:
                self.set_cart(cart)
                self.text("edit.removed", name=", ".join(reversed(removed)))
            self.s.offer = None
            if self.s.cart:
                await self.show_review()
            else:
                self.fire("emptied")
                self.text("cart.empty")
            return
        if isinstance(edit, Add):
            await self.add_text(edit.text, replace=False)
            return
        await self.add_text(edit.text, replace=True)

    # ------------------------------------------------------------ confirm

    async def confirm(self, *, vendor_id: int | None = None) -> None:
        assert self.account is not None
        cart = self.s.lines
        if not cart:
            self.text("confirm.nothing")
            return
        if self.s.questions:
            self.ask_question()
            return
        if self.account.status == "pending":
            self.text("account.pending")
            return
        if self.account.status == "blocked":
            self.text("account.blocked",
                      reason=self.account.blocked_reason or self.tr("account.blocked.noreason"))
            return
        key = f"wa:{self.s.phone}:{self.s.started_at.timestamp():.0f}:{self.s.rev}"
        outcome = await self.backend.place(self.conn, self.account, cart, key=key,
                                           vendor_id=vendor_id)
        if isinstance(outcome, Placed | SplitPlaced):
            placed = (outcome,) if isinstance(outcome, Placed) else outcome.placed
            self.out.extend(order_notices.outgoing(n for p in placed for n in p.notices))
            numbers = [p.order.number for p in placed]
            self.s.last_order = numbers[-1] if numbers else None
            self.set_cart(carts.EMPTY)
            self.s.offer = None
            self.s.offer_vendor_id = None
            self.fire("placed")
            total = money(self.lang, sum((p.order.total for p in placed), Decimal(0)))
            if len(numbers) == 1:
                self.say(Text(self.tr("placed", number=numbers[0],
                                      vendor=placed[0].vendor_name, total=total)),
                         correlation=f"order:{numbers[0]}")
            else:
                orders = ", ".join(f"#{p.order.number} ({p.vendor_name})" for p in placed)
                self.text("placed.many", orders=orders)
            return
        if isinstance(outcome, CreditShort):
            await self.credit_short(outcome)
            return
        if isinstance(outcome, StockShort):
            self.stock_short(outcome)
            return
        if isinstance(outcome, UnknownItems):
            names = [ln.name for ln in cart if ln.sku in outcome.skus]
            self.set_cart(tuple(ln for ln in cart if ln.sku not in outcome.skus))
            self.text("short.unknown_items", names=", ".join(names) or "—")
            await self.show_review()
            return
        if outcome.code is Refusal.PENDING:
            self.text("account.pending")
        elif outcome.code is Refusal.BLOCKED:
            self.text("account.blocked",
                      reason=outcome.reason or self.tr("account.blocked.noreason"))
        elif outcome.code is Refusal.VENDOR:
            self.text("short.no_vendor")
        else:
            self.text("short.not_allowed", reason=outcome.reason)

    async def credit_short(self, outcome: CreditShort) -> None:
        lang = self.lang
        body = [self.tr("short.credit", total=money(lang, outcome.total),
                        available=money(lang, max(outcome.available, Decimal(0))),
                        short=money(lang, outcome.shortfall))]
        reduced = carts.fit_budget(self.s.lines, dict(outcome.prices), outcome.available) \
            if outcome.available > 0 and outcome.prices else carts.EMPTY
        self.fire("short")
        rev = self.s.rev
        if reduced:
            cost = sum((ln.qty * outcome.prices.get(ln.sku, Decimal(0)) for ln in reduced),
                       Decimal(0))
            self.s.offer = [CartItem.of(ln) for ln in reduced]
            self.s.offer_vendor_id = None
            body.append(self.tr("short.credit.offer", reduced=money(lang, cost)))
            body += [f"• {ln.name} — {' '.join(self.qty_unit(ln.qty, ln.unit))}"
                     for ln in reduced]
            self.say(Buttons(body="\n".join(body)[:1000], buttons=(
                Button(f"of:take:{rev}", self.tr("btn.reduce")),
                Button(f"rv:edit:{rev}", self.tr("btn.edit")),
                Button(f"rv:cancel:{rev}", self.tr("btn.cancel")),
            )))
        else:
            self.s.offer = None
            body.append(self.tr("short.credit.none"))
            self.say(Buttons(body="\n".join(body), buttons=(
                Button(f"rv:edit:{rev}", self.tr("btn.edit")),
                Button(f"rv:cancel:{rev}", self.tr("btn.cancel")),
            )))

    def stock_short(self, outcome: StockShort) -> None:
        lang = self.lang
        short = outcome.lines[0]
        alt = outcome.alternatives[0] if outcome.alternatives else None
        vendor = short.vendor_name or ""
        avail, u = self.qty_unit(short.available, short.unit)
        asked = " ".join(self.qty_unit(short.wanted, short.unit))
        key = "short.stock" if vendor else "short.stock.anyone"
        body = [self.tr(key, vendor=vendor, available=avail, unit=u,
                        name=short.name, asked=asked)]
        self.fire("short")
        rev = self.s.rev
        buttons: list[Button] = []
        if short.available > 0:
            reduced = carts.set_qty(self.s.lines, short.sku, short.available)
            self.s.offer = [CartItem.of(ln) for ln in reduced]
            body.append(self.tr("short.stock.offer", available=avail, unit=u, name=short.name))
            buttons.append(Button(f"of:take:{rev}", self.tr("btn.take_available")))
        else:
            self.s.offer = None
        self.s.offer_vendor_id = alt.vendor_id if alt else None
        if alt is not None and alt.vendor_name:
            body.append(self.tr("short.stock.other", vendor=alt.vendor_name,
                                total=money(lang, alt.total)))
            buttons.append(Button(f"of:other:{rev}", self.tr("btn.other_vendor")))
        buttons.append(Button(f"rv:cancel:{rev}", self.tr("btn.cancel")))
        if len(buttons) == 1:
            buttons.insert(0, Button(f"rv:edit:{rev}", self.tr("btn.edit")))
        self.say(Buttons(body="\n".join(body), buttons=tuple(buttons)))

    async def take_offer(self) -> None:
        if not self.s.offer:
            await self.show_review()
            return
        self.set_cart(tuple(item.to_line() for item in self.s.offer))
        self.s.offer = None
        await self.confirm()

    # ------------------------------------------------------------ commands

    async def status(self) -> None:
        assert self.account is not None
        orders = await self.backend.recent_orders(self.conn, self.account, 5)
        if not orders:
            self.text("status.none")
            return
        lines = [self.tr("status.header")]
        for o in orders:
            lines.append(self.tr("status.line", number=o.number,
                                 status=self.tr(f"status.{o.status}"),
                                 total=money(self.lang, o.total),
                                 date=o.created_at.strftime("%Y-%m-%d")))
        self.say(Text("\n".join(lines)))

    async def balance(self) -> None:
        assert self.account is not None
        b = await self.backend.balance(self.conn, self.account)
        lang = self.lang
        if b.next_due is not None and b.next_due > 0 and b.next_due_date is not None:
            due = self.tr("balance.due", amount=money(lang, b.next_due),
                          date=b.next_due_date.isoformat())
        else:
            due = self.tr("balance.nodue")
        self.text("balance", outstanding=money(lang, b.outstanding),
                  open=money(lang, b.open_orders), limit=money(lang, b.limit),
                  available=money(lang, max(b.available, Decimal(0))), due=due)

    async def cancel(self) -> None:
        assert self.account is not None
        if self.s.cart or self.s.questions:
            self.set_cart(carts.EMPTY)
            self.s.questions.clear()
            self.s.offer = None
            self.fire("cancel")
            self.text("cart.cancelled")
            return
        result = await self.backend.cancel_open_order(self.conn, self.account)
        self.fire("cancel")
        if result is None:
            self.text("cancel.nothing")
            return
        if isinstance(result, Cancelled):
            self.out.extend(order_notices.outgoing(result.notices))
            number, key = result.order.number, "cancel.order_done"
        else:
            number, key = result.number, "cancel.order_too_late"
        self.say(Text(self.tr(key, number=number)), correlation=f"order:{number}")

    async def reorder(self, nudge: int | None = None) -> None:
        assert self.account is not None
        lines: list[Understood] = []
        if nudge is not None:
            lines = await self.backend.nudge_items(self.conn, self.account, nudge)
        if lines:
            note = [self.tr("cart.added")]
        else:
            last = await self.backend.last_order(self.conn, self.account)
            if last is None:
                self.text("reorder.none")
                return
            number, lines = last
            note = [self.tr("reorder.loaded", number=number)]
        cart = self.s.lines
        missing = []
        for line in lines:
            if line.status == "resolved" and line.sku and line.qty:
                cart = carts.add(cart, CartLine(line.sku, line.name or line.sku,
                                                line.unit or "unit", line.qty))
            else:
                missing.append(line.name or line.text)
        self.set_cart(cart)
        self.fire("add_items")
        if missing:
            note.append(self.tr("reorder.missing", names=", ".join(missing)))
        self.say(Text("\n".join(note)))
        await self.show_review()


def _prices(quote: Quote | None) -> dict[str, PricedLine]:
    """The priced lines of a quote by sku (none without a quote)."""
    return {} if quote is None else {ln.sku: ln for ln in quote.priced}


def unique_titles(names: Sequence[str], limit: int) -> list[str]:
    """Titles of at most `limit` characters that stay distinct (WhatsApp refuses repeats).

    Names that only differ at the end ("Wai Wai Chicken Noodles 75g" / "… Carton
    (30 pcs)") keep their ends, cut in the middle; any still alike are numbered.
    """
    titles = [_fit(n, limit) for n in names]
    for _ in range(2):
        seen: dict[str, int] = {}
        for t_ in titles:
            seen[t_] = seen.get(t_, 0) + 1
        clashes = [i for i, t_ in enumerate(titles) if seen[t_] > 1]
        if not clashes:
            return titles
        for i in clashes:
            name = " ".join(names[i].split())
            if _ == 0 and len(name) > limit:
                head = (limit - 1) // 2
                titles[i] = name[:head].rstrip() + "…" + name[-(limit - 1 - head):].lstrip()
            else:
                titles[i] = _fit(f"{i + 1}. {name}", limit)
    return titles


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
