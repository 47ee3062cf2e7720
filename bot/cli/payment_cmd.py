"""`khaacho payment record`: post a payment to a retailer's credit ledger."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict
from decimal import Decimal

from bot.cli.errors import CliError
from bot.cli.orders_cmd import order_number_arg
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
from bot.services.operator_actions import audit, void_payment
from domain.digits import read_whole
from domain.money import AmountError, format_npr, parse_amount
from flows import money_notices, order_notices


def _amount(text: str) -> str:
    try:
        parse_amount(text)
    except AmountError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _payment_id(text: str) -> int:
    value = read_whole(text, max_digits=12)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a payment id: {text!r}")
    return value


def _owes(balance: Decimal) -> str:
    if balance < 0:
        return f"{format_npr(-balance)} paid in advance"
    return f"they now owe {format_npr(balance)}"


async def _record(args: argparse.Namespace) -> int:
    from bot.store.outbox import enqueue

    now = dt.datetime.now(dt.UTC)
    async with cli_runtime() as rt, rt.pool.acquire() as conn, conn.transaction():
        try:
            retailer = await parties.find_retailer(conn, args.retailer)
            result = await ledger.record_payment(
                conn, retailer_id=retailer.id, amount=parse_amount(args.amount),
                method=args.method, reference=args.ref, order_number=args.order,
                advance=args.advance, block_after_days=rt.settings.block_after_days_overdue,
                actor=operator_name(args), now=now)
        except ledger.NeedsAdvance as exc:
            raise CliError(f"{exc}: add --advance if that is meant") from None
        except (parties.PartyError, ledger.LedgerError) as exc:
            raise CliError(str(exc)) from None
        await enqueue(conn, order_notices.outgoing(result.notices)
                      + money_notices.outgoing(result.account_notices))
        if not result.duplicate:
            # Every operator write is audited (the admin API records payments the same way).
            await audit(conn, actor=operator_name(args), action="payment.record",
                        target=f"retailer:{retailer.phone}",
                        details={"payment_id": result.payment.id, "amount": result.payment.amount,
                                 "method": args.method, "reference": args.ref,
                                 "advance": args.advance, "via": "cli"})
    p = result.payment
    if args.json:
        show_json({"payment_id": p.id, "ledger_entry_id": result.entry.id,
                   "duplicate": result.duplicate, "amount": p.amount, "method": p.method,
                   "reference": p.reference, "balance": result.balance})
    elif result.duplicate:
        print(f"payment ref {p.reference} was already recorded ({format_npr(p.amount)} "
              f"{p.method}, payment {p.id}); nothing changed; {_owes(result.balance)}")
    else:
        print(f"recorded {format_npr(p.amount)} {p.method} from {retailer.shop_name}"
              + (f" (ref {p.reference})" if p.reference else "")
              + f"; {_owes(result.balance)}"
              + ("; credit reopened" if result.account_notices else ""))
    return 0


async def _void(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await void_payment(conn, args.payment_id, reason=args.reason,
                                    actor=operator_name(args), word=money_notices.outgoing,
                                    context={"via": "cli"})
    if args.json:
        show_json(result)
    else:
        print(f"voided payment {result['payment_id']} ({format_npr(result['amount'])}); "
              f"reversal entry {result['reversal_entry_id']}; {_owes(result['balance'])}")
    return 0


INTENT_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("created_at", "started"),
    Column("gateway", "gateway"),
    Column("reference", "reference"),
    Column("retailer", "retailer"),
    Column("amount", "asked", numeric=True),
    Column("paid_amount", "paid", numeric=True),
    Column("state", "state"),
    Column("transaction_id", "gateway txn"),
    Column("payment_id", "payment", numeric=True),
    Column("detail", "detail"),
)


async def _intents(args: argparse.Namespace) -> int:
    from bot.store import payment_intents
    from domain.payments import IntentState

    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        retailer_id = None
        if args.retailer:
            try:
                retailer_id = (await parties.find_retailer(conn, args.retailer)).id
            except parties.PartyError as exc:
                raise CliError(str(exc)) from None
        found = await payment_intents.listed(
            conn, state=None if args.state is None else IntentState(args.state),
            retailer_id=retailer_id, limit=args.limit)
        phones = {r["id"]: r["phone"] for r in await conn.fetch(
            "SELECT id, phone FROM retailers WHERE id = ANY($1::bigint[])",
            list({i.retailer_id for i in found}))}
    rows = [{**asdict(i), "gateway": i.gateway.value, "state": i.state.value,
             "retailer": phones.get(i.retailer_id, str(i.retailer_id))} for i in found]
    show_table(rows, INTENT_COLUMNS, as_json=args.json,
               title=f"payment intents ({len(rows)})")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `payment`."""
    p = sub.add_parser("payment", help="record a retailer's payment",
                       description="Payments received from retailers, posted to the ledger.")
    psub = p.add_subparsers(dest="payment_command", metavar="ACTION")
    psub.required = True
    q = psub.add_parser("record", help="post a payment as a ledger credit",
                        description="Record a payment. A reference is unique in any case: "
                                    "recording the same payment again changes nothing; the "
                                    "same reference for another amount is refused (exit 1). "
                                    "More than the retailer owes is refused unless --advance.")
    q.add_argument("--retailer", required=True, metavar="PHONE",
                   help="the retailer's WhatsApp number")
    q.add_argument("--amount", required=True, type=_amount, help="amount in NPR")
    q.add_argument("--order", type=order_number_arg, metavar="NUMBER",
                   help="the order it pays for (e.g. 1042)")
    q.add_argument("--method", choices=ledger.METHODS, default="cash",
                   help="how it was paid (default cash)")
    q.add_argument("--ref", help="the payment's reference (eSewa/Khalti/bank id, receipt no.)")
    q.add_argument("--advance", action="store_true",
                   help="the payment may exceed what is owed; the rest stays on account")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_record)
    q = psub.add_parser("void", help="undo a payment recorded by mistake",
                        description="Void a payment (a bounced cheque, the wrong shop): the "
                                    "payment is kept and marked voided, a reversing debit "
                                    "linked to its credit is posted, and the retailer is told "
                                    "on WhatsApp. A payment is voided once.")
    q.add_argument("payment_id", type=_payment_id, metavar="ID", help="the payment's id")
    q.add_argument("--reason", required=True, help="why (kept with the reversal, told to "
                                                   "the retailer)")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_void)
    q = psub.add_parser("intents", help="payments started from the chat (gateways)",
                        description="Fonepay, Khalti and eSewa payments retailers started "
                                    "from WhatsApp, newest first: what was asked, what the "
                                    "gateway says was paid, and where each stands (a held "
                                    "one waits for an operator: see `alerts list`).")
    q.add_argument("--state", choices=("pending", "paid", "held", "expired", "canceled",
                                       "failed"), help="only intents in this state")
    q.add_argument("--retailer", metavar="PHONE", help="only this retailer's")
    q.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    add_json_flag(q)
    q.set_defaults(handler=_intents)
