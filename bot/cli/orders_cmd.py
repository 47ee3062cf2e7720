"""`khaacho orders list | show | cancel | assign | act | credit-note`: orders as operators
see and move them."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_json,
    show_record,
    show_table,
)
from bot.services import operator_actions, operator_orders
from bot.services.credit_notes import CreditLineRequest
from bot.store import reports
from domain.business_time import day_start, read_local
from domain.digits import read_whole
from domain.money import format_npr
from domain.money_facts import CreditNoteReason
from domain.vendor_commands import VendorAction
from flows import order_notices

# What vendors may type too (domain.vendor_commands); far more than orders will number.
ORDER_NUMBER_DIGITS = 9

ORDER_COLUMNS = (
    Column("number", "#", numeric=True),
    Column("status", "status"),
    Column("retailer_phone", "retailer"),
    Column("retailer_name", "shop"),
    Column("vendor_name", "vendor"),
    Column("item_count", "items", numeric=True),
    Column("total", "total NPR", numeric=True),
    Column("source", "via"),
    Column("created_at", "placed"),
)


def parse_since(text: str) -> dt.datetime:
    """`2026-11-01` (start of that day in Nepal), an ISO timestamp, or `3d` / `12h` ago."""
    text = text.strip()
    # Five digits: 99999 days back is still a date; more would overflow timedelta.
    amount = read_whole(text[:-1], max_digits=5) if text[-1:] in ("d", "h") else None
    if amount is not None:
        delta = dt.timedelta(days=amount) if text.endswith("d") else dt.timedelta(hours=amount)
        return dt.datetime.now(dt.UTC) - delta
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return day_start(day)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (use 2026-11-01, an ISO timestamp, or 3d / 12h)") from None
    return read_local(moment)


def order_number_arg(text: str) -> int:
    """An order number as operators type it: `1042`, `#1042`, `#१०४२` (at most 9 digits)."""
    value = read_whole(text.strip().lstrip("#"), max_digits=ORDER_NUMBER_DIGITS)
    if value is None:
        raise argparse.ArgumentTypeError(f"not an order number: {text!r}")
    return value


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await reports.list_orders(conn, status=args.status, retailer=args.retailer,
                                         vendor=args.vendor, since=args.since, limit=args.limit)
    show_table(rows, ORDER_COLUMNS, as_json=args.json, title="orders")
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        order = await reports.order_detail(conn, args.number)
    if order is None:
        raise CliError(f"order #{args.number} not found")
    if args.json:
        show_json(order)
        return 0
    show_record(order, as_json=False, title=f"order #{args.number}")
    show_table(order["items"], (
        Column("line_no", "#", numeric=True), Column("sku", "sku"), Column("name", "product"),
        Column("qty", "qty", numeric=True), Column("unit", "unit"),
        Column("unit_price", "price", numeric=True), Column("line_total", "total", numeric=True),
    ), as_json=False, title="items")
    show_table(order["offers"], (
        Column("vendor_name", "vendor"), Column("offered_at", "offered"),
        Column("outcome", "outcome"), Column("reason", "reason"),
    ), as_json=False, title="offers")
    show_table(order["events"], (
        Column("at", "at"), Column("actor", "by"), Column("from_status", "from"),
        Column("to_status", "to"), Column("reason", "reason"),
    ), as_json=False, title="events")
    return 0


async def _cancel(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await operator_actions.cancel_order(conn, args.number, reason=args.reason,
                                                     actor=operator_name(args),
                                                     word=order_notices.outgoing)
    if args.json:
        show_json(result)
    else:
        print(f"order #{args.number} cancelled ({result['previous_status']} → cancelled); "
              f"{result['notices']} notice(s) queued")
    return 0


async def _assign(args: argparse.Namespace) -> int:
    from flows import money_notices

    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await operator_orders.assign_order(
            conn, args.number, vendor_phone=args.vendor, reason=args.reason,
            actor=operator_name(args), accept_minutes=rt.settings.vendor_accept_minutes,
            word=order_notices.outgoing, word_money=money_notices.outgoing,
            context={"via": "cli"})
    if args.json:
        show_json(result)
    else:
        print(f"order #{args.number} ({result['previous_status']}) offered to vendor "
              f"{result['vendor']}; {result['notices']} notice(s) queued")
    return 0


async def _act(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await operator_orders.act_for_vendor(
            conn, args.number, VendorAction(args.action), reason=args.reason,
            actor=operator_name(args), word=order_notices.outgoing, context={"via": "cli"})
    if args.json:
        show_json(result)
    else:
        print(f"order #{args.number} {result['previous_status']} → {result['status']} for its "
              f"vendor; {result['notices']} notice(s) queued")
    return 0


def credit_line_arg(text: str) -> CreditLineRequest:
    """`LINE:QTY` (`2:3`, `1:0.5`): credit QTY of the order's line LINE."""
    line, sep, qty = text.partition(":")
    number = read_whole(line, max_digits=4)
    try:
        amount = Decimal(qty.strip()) if sep else None
    except InvalidOperation:
        amount = None
    if number is None or amount is None or not amount.is_finite() or amount <= 0:
        raise argparse.ArgumentTypeError(f"not LINE:QTY (e.g. 2:3): {text!r}")
    return CreditLineRequest(number, amount)


async def _credit_note(args: argparse.Namespace) -> int:
    from flows import money_notices

    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await operator_actions.issue_credit_note(
            conn, args.number, reason=CreditNoteReason(args.reason), lines=args.line,
            note=args.note, actor=operator_name(args), word=money_notices.outgoing,
            context={"via": "cli"})
    if args.json:
        show_json(result)
    else:
        owed = result["balance"]
        print(f"credit note {result['credit_note_id']} on order #{args.number}: "
              f"{format_npr(result['amount'])} credited ({args.reason}); retailer "
              + (f"owes {format_npr(owed)}" if owed >= 0
                 else f"has {format_npr(-owed)} in advance")
              + f"; {result['notices']} notice(s) queued")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `orders`."""
    p = sub.add_parser("orders", help="list, inspect and cancel orders",
                       description="Orders as operators see them.")
    osub = p.add_subparsers(dest="orders_command", metavar="ACTION")
    osub.required = True

    q = osub.add_parser("list", help="list orders, newest first",
                        description="List orders, newest first, with optional filters.")
    q.add_argument("--status", choices=reports.ORDER_STATUSES, help="only this status")
    q.add_argument("--retailer", metavar="PHONE", help="only this retailer's orders")
    q.add_argument("--vendor", metavar="PHONE", help="only orders with this vendor")
    q.add_argument("--since", type=parse_since, metavar="DATE",
                   help="placed on/after: 2026-11-01, an ISO timestamp, or 3d / 12h ago")
    q.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_json_flag(q)
    q.set_defaults(handler=_list)

    q = osub.add_parser("show", help="one order with items, offers and events",
                        description="Show one order: items, vendor offers and its event trail.")
    q.add_argument("number", type=order_number_arg, help="order number, e.g. 1042 or #1042")
    add_json_flag(q)
    q.set_defaults(handler=_show)

    q = osub.add_parser("cancel", help="cancel an order (releases stock, tells both sides)",
                        description="Cancel an order through the order service: stock is "
                                    "released, retailer and vendor are told; audited.")
    q.add_argument("number", type=order_number_arg, help="order number")
    q.add_argument("--reason", required=True, help="why (shown to retailer and in the trail)")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_cancel)

    q = osub.add_parser("assign", help="offer a pending or unroutable order to a vendor",
                        description="Give a pending or unroutable order to the vendor named: "
                                    "stock moves to them, the old vendor is told to stop, the "
                                    "new one gets the offer, the retailer is told; audited.")
    q.add_argument("number", type=order_number_arg, help="order number")
    q.add_argument("--vendor", required=True, metavar="PHONE", help="the vendor's number")
    q.add_argument("--reason", required=True, help="why (kept in the trail and audit log)")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_assign)

    q = osub.add_parser("act", help="accept, dispatch or deliver for the order's vendor",
                        description="Do a vendor's step for them (they phoned it in, their "
                                    "phone is broken): the order service applies it as if "
                                    "the vendor had, both sides are told; who and why are "
                                    "audited and written in the order's trail.")
    q.add_argument("number", type=order_number_arg, help="order number")
    q.add_argument("action", choices=[a.value for a in operator_orders.ON_BEHALF],
                   help="the vendor's step")
    q.add_argument("--reason", required=True, help="why an operator does it")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_act)

    q = osub.add_parser("credit-note", help="credit damaged, wrong or returned items",
                        description="Give money back on a delivered order: each --line LINE:QTY "
                                    "credits QTY of the order's line LINE at its unit price, "
                                    "never beyond what was delivered. One ledger credit linked "
                                    "to the order and its lines; retailer and vendor are told; "
                                    "audited.")
    q.add_argument("number", type=order_number_arg, help="order number")
    q.add_argument("--reason", required=True, choices=[r.value for r in CreditNoteReason],
                   help="why the money goes back")
    q.add_argument("--line", required=True, action="append", type=credit_line_arg,
                   metavar="LINE:QTY", help="order line and quantity, e.g. 2:3 (repeatable)")
    q.add_argument("--note", help="what happened (kept with the entry)")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_credit_note)
