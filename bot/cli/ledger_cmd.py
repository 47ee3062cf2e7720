"""`khaacho ledger check | show | correct`: reconcile, read, or correct the credit ledger."""

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
    show_json,
    show_table,
)
from bot.services import ledger, parties
from bot.store import ledger as ledger_store
from bot.store import parties as party_store
from bot.store import payment_intents as intent_store
from domain.money import AmountError, format_npr, parse_amount

PROBLEM_COLUMNS = (
    Column("kind", "problem"),
    Column("retailer_id", "retailer", numeric=True),
    Column("order_id", "order id", numeric=True),
    Column("detail", "detail"),
)
ENTRY_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("created_at", "at"),
    Column("kind", "kind"),
    Column("amount", "amount", numeric=True),
    Column("order_id", "order id", numeric=True),
    Column("payment_id", "payment", numeric=True),
    Column("due_date", "due"),
    Column("note", "note"),
    Column("created_by", "by"),
)


async def _check(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        problems = await ledger.check(conn)
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM retailers) AS retailers, "
            "(SELECT count(*) FROM ledger_entries) AS entries, "
            "(SELECT count(*) FROM orders WHERE status = 'delivered') AS delivered, "
            "(SELECT count(*) FROM payments) AS payments, "
            "(SELECT count(*) FROM payments WHERE voided_at IS NOT NULL) AS voided, "
            "(SELECT count(*) FROM credit_notes) AS credit_notes")
        books = await intent_store.books(conn)
    if args.json:
        show_json({"ok": not problems, "counts": dict(counts),
                   "gateways": [asdict(b) for b in books],
                   "problems": [asdict(p) for p in problems]})
    elif problems:
        show_table([asdict(p) for p in problems], PROBLEM_COLUMNS, as_json=False,
                   title=f"ledger check: {len(problems)} problem(s)")
    else:
        print(f"ledger ok: {counts['retailers']} retailers, {counts['entries']} entries, "
              f"{counts['delivered']} delivered orders each with one debit, "
              f"{counts['payments']} payments each with one credit "
              f"({counts['voided']} voided, each reversed once), "
              f"{counts['credit_notes']} credit notes each with one credit")
        for b in books:
            if b.paid_intents or b.payments:
                print(f"  {b.gateway}: {b.paid_intents} paid intents, {format_npr(b.paid_total)}"
                      f" = {b.payments} ledger payments, {format_npr(b.payments_total)}")
    if problems:
        raise CliError(f"{len(problems)} problem(s) found", exit_code=2)
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            retailer = await parties.find_retailer(conn, args.phone)
        except parties.PartyError as exc:
            raise CliError(str(exc)) from None
        entries = await ledger_store.entries(conn, retailer.id)
        position = await ledger.credit_position(conn, retailer.id)
    rows = [asdict(e) for e in entries]
    if args.json:
        show_json({"retailer": retailer.phone, "balance": position.outstanding,
                   "open_orders": position.open_orders, "limit": position.limit,
                   "available": position.available, "entries": rows})
        return 0
    show_table(rows, ENTRY_COLUMNS, as_json=False, title=f"ledger of {retailer.shop_name}")
    print(f"owes {format_npr(position.outstanding)}; open orders "
          f"{format_npr(position.open_orders)}; limit {format_npr(position.limit)}; "
          f"available {format_npr(position.available)}")
    return 0


async def _correct(args: argparse.Namespace) -> int:
    now = dt.datetime.now(dt.UTC)
    async with cli_runtime() as rt, rt.pool.acquire() as conn, conn.transaction():
        try:
            retailer = await parties.find_retailer(conn, args.retailer)
            entry = await ledger.post_correction(
                conn, retailer_id=retailer.id, kind=args.kind, amount=args.amount,
                note=args.note, actor=operator_name(args), now=now,
                terms_days=retailer.credit_terms_days)
        except (parties.PartyError, ledger.LedgerError) as exc:
            raise CliError(str(exc)) from None
        await party_store.audit(conn, actor=operator_name(args), action="ledger.correct",
                                target=retailer.phone,
                                details={"entry_id": entry.id, "kind": entry.kind,
                                         "amount": str(entry.amount), "note": entry.note},
                                now=now)
        owed = await ledger.balance(conn, retailer.id)
    print(f"posted {entry.kind} {format_npr(entry.amount)} on {retailer.shop_name} "
          f"(entry {entry.id}); they now owe {format_npr(owed)}")
    return 0


def _amount(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except AmountError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ledger`."""
    p = sub.add_parser("ledger", help="reconcile or read the credit ledger",
                       description="The append-only credit ledger.")
    lsub = p.add_subparsers(dest="ledger_command", metavar="ACTION")
    lsub.required = True
    q = lsub.add_parser("check", help="prove the books add up",
                        description="Check that every retailer's balance equals the sum of "
                                    "their entries, every delivered order has exactly one "
                                    "debit for its total, every payment one credit (and a "
                                    "voided one one reversal), and every credit note one "
                                    "credit within what was delivered, and every gateway "
                                    "payment (Fonepay, Khalti, eSewa) matches its paid intent, "
                                    "with equal totals per gateway. "
                                    "Exits 2 when something is wrong.")
    add_json_flag(q)
    q.set_defaults(handler=_check)
    q = lsub.add_parser("show", help="one retailer's entries and balance",
                        description="List a retailer's ledger entries and credit position.")
    q.add_argument("phone", help="the retailer's WhatsApp number")
    add_json_flag(q)
    q.set_defaults(handler=_show)
    q = lsub.add_parser("correct", help="post a correcting entry",
                        description="The ledger is never edited: a mistake is corrected by a "
                                    "new debit or credit with a note saying why.")
    q.add_argument("--retailer", required=True, metavar="PHONE",
                   help="the retailer's WhatsApp number")
    q.add_argument("--kind", required=True, choices=("debit", "credit"),
                   help="debit adds to what they owe, credit takes from it")
    q.add_argument("--amount", required=True, type=_amount, help="amount in NPR")
    q.add_argument("--note", required=True, help="why (kept with the entry)")
    add_operator_flag(q)
    q.set_defaults(handler=_correct)
