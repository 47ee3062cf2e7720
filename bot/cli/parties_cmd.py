"""`khaacho retailer add|approve|block|set-limit` and `khaacho vendor add|list`."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict
from decimal import Decimal

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_table,
)
from bot.services import parties
from domain.money import AmountError, format_npr, parse_amount

VENDOR_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("phone", "phone"),
    Column("name", "name"),
    Column("areas", "areas"),
    Column("language", "lang"),
    Column("active", "active"),
    Column("created_at", "added"),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _limit(text: str) -> Decimal:
    """argparse type: a credit limit in NPR (zero allowed)."""
    if text.strip().replace(".", "").strip("0") == "":
        return Decimal(0)
    try:
        return parse_amount(text)
    except AmountError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def _retailer_add(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            r = await parties.add_retailer(
                conn, phone=args.phone, shop_name=args.shop, area=args.area,
                owner_name=args.owner, credit_limit=args.limit, terms_days=args.terms,
                language=args.language, approve=args.approve, actor=operator_name(args),
                now=_now())
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
    print(f"retailer {r.phone} added: {r.shop_name}, {r.area}, {r.status}, "
          f"limit {format_npr(r.credit_limit)}, terms {r.credit_terms_days} days")
    return 0


async def _retailer_approve(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            r = await parties.approve_retailer(conn, args.phone, actor=operator_name(args),
                                               now=_now())
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
    print(f"retailer {r.phone} ({r.shop_name}) is active")
    return 0


async def _retailer_block(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            r = await parties.block_retailer(conn, args.phone, reason=args.reason,
                                             actor=operator_name(args), now=_now())
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
    print(f"retailer {r.phone} ({r.shop_name}) is blocked: {r.blocked_reason}")
    return 0


async def _retailer_set_limit(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            r = await parties.set_limit(conn, args.phone, args.amount,
                                        terms_days=args.terms, actor=operator_name(args),
                                        now=_now())
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
    print(f"retailer {r.phone} ({r.shop_name}): limit {format_npr(r.credit_limit)}, "
          f"terms {r.credit_terms_days} days")
    return 0


async def _vendor_add(args: argparse.Namespace) -> int:
    areas = [a.strip() for a in args.areas.split(",")]
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            v = await parties.add_vendor(conn, phone=args.phone, name=args.name, areas=areas,
                                         language=args.language, actor=operator_name(args),
                                         now=_now())
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
    print(f"vendor {v.phone} added: {v.name} (id {v.id}), areas {', '.join(v.areas)}")
    return 0


async def _vendor_list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        vendors = await parties.list_vendors(conn, area=args.area)
    rows = [asdict(v) | {"areas": list(v.areas)} for v in vendors]
    show_table(rows, VENDOR_COLUMNS, as_json=args.json, title="vendors")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `retailer` and `vendor`."""
    p = sub.add_parser("retailer", help="add, approve, block a retailer or set their limit",
                       description="Operator writes on retailers (each one is audited). "
                                   "To list and inspect, use `khaacho retailers`.")
    rsub = p.add_subparsers(dest="retailer_command", metavar="ACTION")
    rsub.required = True

    q = rsub.add_parser("add", help="register a retailer",
                        description="Register a retailer (pending until approved, unless "
                                    "--approve).")
    q.add_argument("--phone", required=True, help="WhatsApp number, e.g. 9812345678")
    q.add_argument("--shop", required=True, help="shop name")
    q.add_argument("--area", required=True, help="area the shop is in (vendors serve areas)")
    q.add_argument("--owner", help="owner's name")
    q.add_argument("--limit", type=_limit, default=Decimal(0),
                   help="credit limit in NPR (default 0)")
    q.add_argument("--terms", type=int, default=30, help="credit terms in days (default 30)")
    q.add_argument("--language", choices=("en", "ne"), default="en",
                   help="language the bot writes in")
    q.add_argument("--approve", action="store_true", help="approve straight away")
    add_operator_flag(q)
    q.set_defaults(handler=_retailer_add)

    q = rsub.add_parser("approve", help="let a retailer order on credit",
                        description="Approve a pending retailer (or unblock a blocked one).")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    add_operator_flag(q)
    q.set_defaults(handler=_retailer_approve)

    q = rsub.add_parser("block", help="stop a retailer from ordering",
                        description="Block a retailer: new orders are refused; placed ones "
                                    "carry on.")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    q.add_argument("--reason", required=True, help="why (shown to the retailer)")
    add_operator_flag(q)
    q.set_defaults(handler=_retailer_block)

    q = rsub.add_parser("set-limit", help="change a retailer's credit limit",
                        description="Set a retailer's credit limit (and optionally terms).")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    q.add_argument("amount", type=_limit, help="new credit limit in NPR")
    q.add_argument("--terms", type=int, default=None, help="new credit terms in days")
    add_operator_flag(q)
    q.set_defaults(handler=_retailer_set_limit)

    p = sub.add_parser("vendor", help="add or list vendors",
                       description="Register vendors and list them. For performance figures, "
                                   "use `khaacho vendors`.")
    vsub = p.add_subparsers(dest="vendor_command", metavar="ACTION")
    vsub.required = True
    q = vsub.add_parser("add", help="register a vendor",
                        description="Register a wholesaler who receives orders on WhatsApp.")
    q.add_argument("--phone", required=True, help="WhatsApp number, e.g. 9801234567")
    q.add_argument("--name", required=True, help="business name retailers see")
    q.add_argument("--areas", required=True,
                   help="comma-separated areas served, or * for everywhere")
    q.add_argument("--language", choices=("en", "ne"), default="en",
                   help="language of the vendor's order messages")
    add_operator_flag(q)
    q.set_defaults(handler=_vendor_add)
    q = vsub.add_parser("list", help="list vendors",
                        description="List vendors with the areas they serve.")
    q.add_argument("--area", help="only vendors serving this area")
    add_json_flag(q)
    q.set_defaults(handler=_vendor_list)
