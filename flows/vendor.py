"""The vendor's side of WhatsApp: answer orders by button or by text.

A vendor taps Accept / Reject on an order (`vendor:accept:1042`) or writes
`ACCEPT 1042`, `1042 ok`, `REJECT 1042 no stock`, `DISPATCHED 1042`,
`DELIVERED 1042` (or the Nepali equivalents); `orders` lists their open
orders, anything else gets the help text. The conversation keeps no session:
an order's state lives in Postgres (`domain.order_status` is its machine), so
a vendor can answer any order in any order.

Pure decisions over the `VendorBackend` port, which the shell binds to the
message's transaction (bot/conversation/vendor_backend.py; a fake in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from domain.facts import ChangeRefused, Fact, Party
from domain.order_status import Status
from domain.vendor_commands import (
    QuantityAnswer,
    VendorAction,
    VendorChange,
    VendorCommand,
    VendorQuery,
    button_id,
    line_row_id,
    parse,
    parse_bare,
    parse_button,
    parse_change,
    parse_line_row,
    parse_lines_request,
    parse_quantity_answer,
    parse_query,
)
from flows import order_notices as notices
from flows.commands import Command
from flows.commands import command_of as word_command
from flows.i18n import qty, t, unit
from flows.replies import Button, Buttons, ListMenu, ListRow, ListSection, Outgoing, Text

OPEN_ORDERS_SHOWN = 15
# How long after picking a line a bare quantity ("5", "3 bora") still answers for it.
PICK_MINUTES = 30.0
# How many open orders a bare keyword looks through, and offers as list rows.
OPEN_ORDERS_SEARCHED, PICK_ROWS = 50, 10
# The status an order must be in for each action to apply.
_STATUS_FOR = {VendorAction.ACCEPT: Status.PENDING, VendorAction.REJECT: Status.PENDING,
               VendorAction.DISPATCH: Status.ACCEPTED, VendorAction.DELIVER: Status.DISPATCHED}


_LANGUAGES = {Command.ENGLISH: "en", Command.NEPALI: "ne"}


@dataclass(frozen=True, slots=True)
class VendorSaid:
    """A vendor's message as the flow reads it.

    `text` is typed text; `tapped` the id of a reply button or list row;
    `payload` / `button_text` a template quick reply's; `readable` is False for
    what the bot cannot read at all (a photo, a voice note).
    """

    text: str | None = None
    tapped: str | None = None
    payload: str | None = None
    button_text: str | None = None
    readable: bool = True


@dataclass(frozen=True, slots=True)
class VendorOrder:
    """One of the vendor's open orders, with the shop it is for (None if unknown)."""

    number: int
    status: Status
    shop: str | None
    total: Decimal


@dataclass(frozen=True, slots=True)
class VendorLine:
    """One line of an order the vendor may still send less of."""

    line_no: int
    name: str
    qty: Decimal
    unit: str


class VendorBackend(Protocol):
    """The order service and the vendor's orders, for one message (one transaction)."""

    async def act(self, command: VendorCommand) -> list[Fact]:
        """Apply the vendor's command to the order; what happened, to word."""
        ...

    async def open_orders(self, limit: int) -> list[VendorOrder]:
        """The vendor's open orders, oldest number first."""
        ...

    async def set_language(self, language: str) -> None:
        """Remember the language the vendor asked for ("नेपाली", "english")."""
        ...

    async def change(self, change: VendorChange) -> list[Fact]:
        """Propose sending only some lines of a pending order (the shop is asked)."""
        ...

    async def order_lines(self, number: int) -> list[VendorLine] | None:
        """The lines of the vendor's own order not yet dispatched; None for any other."""
        ...

    async def remember_pick(self, number: int, line_no: int) -> None:
        """The line the vendor picked from the list, so a bare "5" can answer for it."""
        ...

    async def last_pick(self, within_minutes: float) -> tuple[int, int] | None:
        """(order number, line number) picked in the last `within_minutes`, if any."""
        ...

    async def forget_pick(self) -> None:
        """The picked line was answered."""
        ...


def command_of(said: VendorSaid) -> VendorCommand | VendorQuery | VendorAction | None:
    """What the message asks: an order command, a query, a bare keyword, or nothing."""
    if said.tapped is not None:
        return parse_button(said.tapped) if said.tapped else None
    if said.payload:
        found = parse_button(said.payload)
        if found is not None:
            return found
    if said.payload is not None or said.button_text is not None:
        return parse(said.button_text) if said.button_text else None
    if said.text is not None:
        return parse(said.text) or parse_query(said.text) or parse_bare(said.text)
    return None


async def handle(backend: VendorBackend, vendor: Party, said: VendorSaid) -> list[Outgoing]:
    """The replies (and retailer notices) for one message from a vendor."""
    lang = vendor.language
    word = word_command(said.text) if said.text else None
    switch = _LANGUAGES.get(word) if word is not None else None
    if switch is not None:
        await backend.set_language(switch)
        return [Outgoing(vendor.phone, Text(t(switch, "vendor.language.set")))]
    change = parse_change(said.text) if said.text else None
    if change is not None:
        return notices.outgoing(await backend.change(change))
    row = parse_line_row(said.tapped) if said.tapped else None
    if row is not None:
        return [await _ask_quantity(backend, vendor, lang, *row)]
    wanted = parse_lines_request(said.text) if said.text else None
    if wanted is not None:
        return [await _lines_list(backend, vendor, lang, wanted)]
    command = command_of(said)
    answer = parse_quantity_answer(said.text) if said.text and command is None else None
    if answer is not None:
        picked = await _answer_pick(backend, vendor, lang, answer)
        if picked is not None:
            return picked
    if isinstance(command, VendorCommand):
        return notices.outgoing(await backend.act(command))
    if command is VendorQuery.LIST:
        return [await _open_orders(backend, vendor, lang)]
    if isinstance(command, VendorAction):
        confirm = await _which_order(backend, vendor, lang, command)
        if confirm is not None:
            return [confirm]
    if command is None and not said.readable:
        return [Outgoing(vendor.phone, Text(t(lang, "vendor.unsupported")))]
    return [Outgoing(vendor.phone, Text(t(lang, "vendor.help")))]


async def _which_order(backend: VendorBackend, vendor: Party, lang: str,
                       action: VendorAction) -> Outgoing | None:
    """`ok` without a number: offer the orders it could mean as buttons to tap.

    Never acted on directly: a bare `ok` may answer some other message, and an
    order is money.
    """
    status = _STATUS_FOR[action]
    orders = [o for o in await backend.open_orders(OPEN_ORDERS_SEARCHED) if o.status is status]
    if not orders:
        return None
    if len(orders) == 1:
        o = orders[0]
        actions = ((VendorAction.ACCEPT, VendorAction.REJECT)
                   if status is Status.PENDING else (action,))
        return Outgoing(vendor.phone, Buttons(
            body=t(lang, "vendor.confirm_one", number=o.number, shop=o.shop or "-",
                   total=notices.amount(lang, o.total)),
            buttons=tuple(Button(button_id(a, o.number), t(lang, f"vendor.btn.{a.value}"))
                          for a in actions)), correlation=notices.correlation(o.number))
    rows = tuple(ListRow(button_id(action, o.number),
                         t(lang, "vendor.pick.row", number=o.number, shop=o.shop or "-")[:24],
                         notices.amount(lang, o.total))
                 for o in orders[:PICK_ROWS])
    return Outgoing(vendor.phone, ListMenu(
        body=t(lang, "vendor.pick"), button=t(lang, "vendor.pick.button"),
        sections=(ListSection(t(lang, f"vendor.action.{action.value}")[:24], rows),)))


async def _open_orders(backend: VendorBackend, vendor: Party, lang: str) -> Outgoing:
    orders = await backend.open_orders(OPEN_ORDERS_SHOWN)
    if not orders:
        return Outgoing(vendor.phone, Text(t(lang, "vendor.open.none")))
    lines = [t(lang, "vendor.open.header")]
    for o in orders:
        lines.append(t(lang, "vendor.open.line", number=o.number,
                       status=notices.status_name(lang, o.status), shop=o.shop or "-",
                       total=notices.amount(lang, o.total)))
    return Outgoing(vendor.phone, Text("\n".join(lines)))


async def _lines_list(backend: VendorBackend, vendor: Party, lang: str,
                      number: int) -> Outgoing:
    """The order's lines as a list: picking one asks how many can be sent."""
    lines = await backend.order_lines(number)
    if not lines:
        return Outgoing(vendor.phone, Text(t(lang, "vendor.lines.none", number=number)))
    rows = tuple(ListRow(line_row_id(number, ln.line_no), ln.name[:24],
                         f"{qty(lang, ln.qty)} {unit(lang, ln.unit, ln.qty)}"
                         [:72])
                 for ln in lines[:PICK_ROWS])
    return Outgoing(vendor.phone, ListMenu(
        body=t(lang, "vendor.lines", number=number), button=t(lang, "vendor.lines.button"),
        sections=(ListSection(t(lang, "vendor.lines.section", number=number)[:24], rows),)),
        correlation=notices.correlation(number))


async def _ask_quantity(backend: VendorBackend, vendor: Party, lang: str, number: int,
                        line_no: int) -> Outgoing:
    """A picked line: how many can be sent, answered in the words `parse_change` reads.

    The pick is remembered for `PICK_MINUTES`, so a bare "1" or "3 bora" answers it;
    the reply also shows the full form ("1001 tokla tea 500g 1"), which names the
    order and the line itself and is read the same whenever it comes.
    """
    lines = await backend.order_lines(number)
    line = next((ln for ln in lines or [] if ln.line_no == line_no), None)
    if line is None:
        return Outgoing(vendor.phone, Text(t(lang, "vendor.lines.none", number=number)))
    await backend.remember_pick(number, line_no)
    name = line.name.casefold()
    return Outgoing(vendor.phone, Text(t(
        lang, "vendor.lines.ask", number=number, name=line.name, written=name,
        qty=qty(lang, line.qty), unit=unit(lang, line.unit, line.qty))),
        correlation=notices.correlation(number))


async def _answer_pick(backend: VendorBackend, vendor: Party, lang: str,
                       answer: QuantityAnswer) -> list[Outgoing] | None:
    """A bare quantity after picking a line: propose sending that much of it.

    None when no line was picked lately (the message is then read as anything else).
    The pick is kept after a refusal, so the vendor can simply write another number.
    """
    picked = await backend.last_pick(PICK_MINUTES)
    if picked is None:
        return None
    number, line_no = picked
    lines = await backend.order_lines(number)
    line = next((ln for ln in lines or [] if ln.line_no == line_no), None)
    if line is None:
        await backend.forget_pick()
        return [Outgoing(vendor.phone, Text(t(lang, "vendor.lines.none", number=number)))]
    change = VendorChange(number, (), (), ((line.name, answer.qty),),
                          ((line.name, answer.unit),) if answer.unit else ())
    told = await backend.change(change)
    if not any(isinstance(fact, ChangeRefused) for fact in told):
        await backend.forget_pick()
    return notices.outgoing(told)
