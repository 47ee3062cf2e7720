"""`khaacho orders list | show | cancel`: orders as operators see them."""

from __future__ import annotations

import argparse
import datetime as dt

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
from bot.services import operator_actions
from bot.store import reports
from domain.business_time import day_start, read_local
from domain.digits import read_whole
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
        try:
            result = await operator_actions.cancel_order(conn, args.number, reason=args.reason,
                                                         actor=operator_name(args),
                                                         word=order_notices.outgoing)
        except operator_actions.ActionError as exc:
            raise CliError(exc.message) from None
    if args.json:
        show_json(result)
    else:
        print(f"order #{args.number} cancelled ({result['previous_status']} → cancelled); "
              f"{result['notices']} notice(s) queued")
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
