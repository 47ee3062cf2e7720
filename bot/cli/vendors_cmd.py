"""`khaacho vendors list | show`: vendors with their 30-day performance."""

from __future__ import annotations

import argparse

from bot.cli.errors import CliError
from bot.cli.output import Column, add_json_flag, cli_runtime, show_json, show_record, show_table
from bot.services import parties
from bot.store import reports

VENDOR_COLUMNS = (
    Column("phone", "phone"),
    Column("name", "name"),
    Column("areas", "areas"),
    Column("active", "active"),
    Column("products", "products", numeric=True),
    Column("open_orders", "open", numeric=True),
    Column("offers", "offers 30d", numeric=True),
    Column("acceptance_rate", "accept rate", numeric=True),
    Column("median_response_seconds", "median reply s", numeric=True),
    Column("fulfilment_rate", "fulfil rate", numeric=True),
)


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await reports.list_vendors(conn, area=args.area)
    show_table(rows, VENDOR_COLUMNS, as_json=args.json, title="vendors")
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            vendor = await parties.find_vendor(conn, args.phone)
        except parties.PartyError:
            raise CliError(f"no vendor with phone {args.phone}") from None
        row = await reports.vendor_detail(conn, vendor.phone)
    if row is None:
        raise CliError(f"no vendor with phone {args.phone}")
    if args.json:
        show_json(row)
        return 0
    show_record(row, as_json=False, title=f"vendor {args.phone}")
    from bot.cli.orders_cmd import ORDER_COLUMNS

    show_table(row["recent_orders"], ORDER_COLUMNS, as_json=False, title="recent orders")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `vendors`."""
    p = sub.add_parser("vendors", help="list and inspect vendors (with performance)",
                       description="Vendors with catalogue size, open orders and 30-day "
                                   "performance. To change one, use `khaacho vendor`.")
    vsub = p.add_subparsers(dest="vendors_command", metavar="ACTION")
    vsub.required = True
    q = vsub.add_parser("list", help="list vendors", description="List vendors.")
    q.add_argument("--area", help="only vendors serving this area")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = vsub.add_parser("show", help="one vendor with performance and recent orders",
                        description="Show one vendor: performance figures and recent orders.")
    q.add_argument("phone", help="the vendor's WhatsApp number")
    add_json_flag(q)
    q.set_defaults(handler=_show)
