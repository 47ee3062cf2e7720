"""`khaacho retailer add|approve|unblock|block|update|set-limit|link` and
`khaacho vendor add|list|deactivate|activate`."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict
from decimal import Decimal

import asyncpg

from bot.cli.errors import CliError
from bot.cli.links_cmd import add_link_parser
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_table,
)
from bot.conversation.session_admin import read_session
from bot.runtime import Runtime
from bot.services import invoices as invoice_service
from bot.services import operator_actions, parties
from domain.money import AmountError, format_npr, parse_amount
from flows import money_notices

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


async def _cart_kept(rt: Runtime, conn: asyncpg.Connection, phone: str) -> bool:
    """Whether the retailer's conversation holds a cart the bot promised to place."""
    try:
        found = await parties.find_retailer(conn, phone)
    except parties.PartyError:
        return False
    data, _ = await read_session(rt, found.phone)
    return bool((data or {}).get("cart"))


async def _retailer_approve(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        r = await operator_actions.approve_retailer(
            conn, args.phone, actor=operator_name(args), limit=args.limit,
            cart_kept=await _cart_kept(rt, conn, args.phone), word=money_notices.outgoing)
    print(f"retailer {r['phone']} ({r['shop_name']}) is active, limit "
          f"{format_npr(r['credit_limit'])}" + ("; told on WhatsApp" if r["told"] else ""))
    return 0


async def _retailer_block(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        r = await operator_actions.block_retailer(conn, args.phone, reason=args.reason,
                                                  actor=operator_name(args),
                                                  word=money_notices.outgoing)
    print(f"retailer {r['phone']} ({r['shop_name']}) is blocked: {r['blocked_reason']}"
          + ("; told on WhatsApp" if r["told"] else ""))
    return 0


async def _retailer_update(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        r = await operator_actions.update_retailer(
            conn, args.phone, actor=operator_name(args), shop_name=args.name,
            area=args.area, language=args.language)
    print(f"retailer {r['phone']}: {r['shop_name']}, {r['area']}, language {r['language']}")
    return 0


async def _vendor_active(args: argparse.Namespace, active: bool) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        v = await operator_actions.set_vendor_active(conn, args.phone, active,
                                                     actor=operator_name(args),
                                                     reason=getattr(args, "reason", None))
    state = "active" if v["active"] else "deactivated: no new orders are offered to them"
    print(f"vendor {v['phone']} ({v['name']}) is {state}"
          + (f"; {v['open_orders']} open order(s) still with them (khaacho orders assign)"
             if v["open_orders"] and not v["active"] else ""))
    return 0


async def _vendor_set(args: argparse.Namespace) -> int:
    if args.pan is None and args.vat_registered is None and args.address is None:
        raise CliError("nothing to set: give --pan, --vat-registered or --address")
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            tax = await invoice_service.set_vendor_details(
                conn, args.phone, actor=operator_name(args), now=_now(), pan=args.pan,
                vat_registered=None if args.vat_registered is None
                else args.vat_registered == "yes",
                address=args.address)
        except invoice_service.VendorDetailsError as exc:
            raise CliError(str(exc)) from None
    print(f"vendor {args.phone} ({tax.name}): PAN {tax.pan or '-'}, "
          f"VAT-registered {'yes' if tax.vat_registered else 'no'}, "
          f"address {tax.address or '-'}")
    return 0


async def _vendor_deactivate(args: argparse.Namespace) -> int:
    return await _vendor_active(args, False)


async def _vendor_activate(args: argparse.Namespace) -> int:
    return await _vendor_active(args, True)


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
    p = sub.add_parser("retailer", help="add, approve, block, update a retailer or set a limit",
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

    for name, text in (("approve", "let a retailer order on credit"),
                       ("unblock", "let a blocked retailer order again")):
        q = rsub.add_parser(name, help=text,
                            description="Approve a pending retailer or unblock a blocked one "
                                        "(the same action); they are told on WhatsApp, and a "
                                        "cart the bot kept for them is offered to confirm.")
        q.add_argument("phone", help="the retailer's WhatsApp number")
        q.add_argument("--limit", type=_limit, default=None,
                       help="set their credit limit in NPR at the same time")
        add_operator_flag(q)
        q.set_defaults(handler=_retailer_approve)

    q = rsub.add_parser("update", help="correct a retailer's name, area or language",
                        description="Change a retailer's shop name, area (which vendors serve "
                                    "them) or the language the bot writes in; audited.")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    q.add_argument("--name", help="new shop name")
    q.add_argument("--area", help="new area")
    q.add_argument("--language", choices=("en", "ne"), help="new language")
    add_operator_flag(q)
    q.set_defaults(handler=_retailer_update)

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
    add_link_parser(rsub)  # `retailer link` (h2, issue 19): bot/cli/links_cmd.py

    p = sub.add_parser("vendor", help="add, list, deactivate vendors",
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
    q = vsub.add_parser("deactivate", help="stop offering orders to a vendor",
                        description="Deactivate a vendor: left out of prices and routing at "
                                    "once; orders they hold stay until assigned elsewhere.")
    q.add_argument("phone", help="the vendor's WhatsApp number")
    q.add_argument("--reason", required=True, help="why (kept in the audit log)")
    add_operator_flag(q)
    q.set_defaults(handler=_vendor_deactivate)
    q = vsub.add_parser("set", help="set a vendor's PAN, VAT registration and address",
                        description="Set the particulars printed on a vendor's invoices: PAN "
                                    "(nine digits; their VAT number when VAT-registered), "
                                    "VAT registration and address. An empty value clears it.")
    q.add_argument("phone", help="the vendor's WhatsApp number")
    q.add_argument("--pan", help="PAN / VAT number, nine digits")
    q.add_argument("--vat-registered", choices=("yes", "no"),
                   help="yes: invoices show VAT 13%% as its own line")
    q.add_argument("--address", help="address printed on invoices")
    add_operator_flag(q)
    q.set_defaults(handler=_vendor_set)
    q = vsub.add_parser("activate", help="offer orders to a vendor again",
                        description="Reactivate a deactivated vendor.")
    q.add_argument("phone", help="the vendor's WhatsApp number")
    add_operator_flag(q)
    q.set_defaults(handler=_vendor_activate)
