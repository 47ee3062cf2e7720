"""`khaacho retailers list | show`: retailers with balance, score, band and limit.

(The writes — add, approve, block, set-limit — are `khaacho retailer …`.)
"""

from __future__ import annotations

import argparse

from bot.cli.errors import CliError
from bot.cli.output import Column, add_json_flag, cli_runtime, show_json, show_record, show_table
from bot.services import parties
from bot.store import reports

RETAILER_COLUMNS = (
    Column("phone", "phone"),
    Column("shop_name", "shop"),
    Column("area", "area"),
    Column("status", "status"),
    Column("credit_limit", "limit", numeric=True),
    Column("balance", "balance", numeric=True),
    Column("open_orders", "open orders", numeric=True),
    Column("available", "available", numeric=True),
    Column("next_due", "next due"),
    Column("score", "score", numeric=True),
    Column("band", "band"),
)


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await reports.list_retailers(conn, status=args.status, area=args.area,
                                            limit=args.limit)
    show_table(rows, RETAILER_COLUMNS, as_json=args.json, title="retailers")
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            retailer = await parties.find_retailer(conn, args.phone)
        except parties.PartyError:
            raise CliError(f"no retailer with phone {args.phone}") from None
        row = await reports.retailer_detail(conn, retailer.phone)
    if row is None:
        raise CliError(f"no retailer with phone {args.phone}")
    if args.json:
        show_json(row)
        return 0
    show_record(row, as_json=False, title=f"retailer {args.phone}")
    from bot.cli.orders_cmd import ORDER_COLUMNS

    show_table(row["recent_orders"], ORDER_COLUMNS, as_json=False, title="recent orders")
    show_table(row["recent_payments"], (
        Column("received_at", "received"), Column("amount", "amount", numeric=True),
        Column("method", "method"), Column("reference", "reference"),
        Column("recorded_by", "by"),
    ), as_json=False, title="recent payments")
    show_table(row["ledger"], (
        Column("created_at", "at"), Column("kind", "kind"),
        Column("amount", "amount", numeric=True), Column("order_number", "order"),
        Column("due_date", "due"), Column("note", "note"),
    ), as_json=False, title="ledger (latest 20)")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `retailers`."""
    p = sub.add_parser("retailers", help="list and inspect retailers (balance, score, limit)",
                       description="Retailers with balance, credit score, band and limit. "
                                   "To change one, use `khaacho retailer`.")
    rsub = p.add_subparsers(dest="retailers_command", metavar="ACTION")
    rsub.required = True
    q = rsub.add_parser("list", help="list retailers",
                        description="List retailers with their credit position and score.")
    q.add_argument("--status", choices=("pending", "active", "blocked"), help="only this status")
    q.add_argument("--area", help="only this area")
    q.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = rsub.add_parser("show", help="one retailer with orders, payments and ledger",
                        description="Show one retailer: credit position, score, recent "
                                    "orders, payments and ledger entries.")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    add_json_flag(q)
    q.set_defaults(handler=_show)
