"""Paying from the chat: start a gateway payment, and settle what its status API says.

A payment intent (bot/store/payment_intents.py) is one attempt: asked for an
amount no larger than what is owed, started at a gateway (a Khalti link, an eSewa
short link, a Fonepay QR), then settled exactly once from what the gateway's
status API says (`domain.payments.judge`):
- paid the amount asked → credited through `ledger.record_payment` (the one path
  every payment takes), under the reference `<gateway>:<gateway reference>`, so a
  second callback or poll finds the payment and credits nothing; a credit block
  lifts at once (`reopen_if_cleared`, inside record_payment);
- paid another amount, or refunded before it was credited → held for an operator
  (an operator alert), never credited on a guess;
- expired or cancelled → closed; the retailer is told.
The callers put the facts returned here into the outbox, worded by flows/.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from bot.config import Settings
from bot.gateways import GatewayClient, GatewayError
from bot.services import ledger
from bot.store import ledger as ledger_store
from bot.store import orders as order_store
from bot.store import parties as party_store
from bot.store import payment_intents as intents
from bot.store.alerts import raise_alert
from bot.store.outbox import enqueue
from domain.alerts import Alert, AlertKind
from domain.facts import Party, PaymentReceived
from domain.money import format_npr
from domain.money_facts import MoneyFact, OrderPaidOnline, PaymentHeld, PaymentNotMade
from domain.payments import (
    GATEWAY_ORDER,
    Gateway,
    IntentState,
    Observation,
    PayProblem,
    Verdict,
    judge,
    pay_problem,
)
from flows.replies import Outgoing

log = logging.getLogger(__name__)

Clients = Mapping[Gateway, GatewayClient]


def offered(clients: Clients) -> tuple[Gateway, ...]:
    """The gateways to offer, in the order they are shown."""
    return tuple(g for g in GATEWAY_ORDER if g in clients)


def new_token(now: dt.datetime) -> str:
    """Our id for an intent: the day and 48 random bits (eSewa takes letters, digits, `-`)."""
    return f"{now:%y%m%d}-{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class Due:
    """What may be paid now: the whole balance, or what is left of one delivered order."""

    owed: Decimal
    order_id: int | None = None
    order_number: int | None = None


async def due(conn: asyncpg.Connection, retailer_id: int, order_number: int | None) -> Due:
    """What is owed (for `order_number`: what is left unpaid of its debit, within the balance)."""
    owed = await ledger.balance(conn, retailer_id)
    if order_number is None:
        return Due(owed)
    order = await order_store.order_by_number(conn, order_number)
    if order is None or order.retailer_id != retailer_id:
        return Due(Decimal(0), None, order_number)
    left = next((st.outstanding for st in await ledger_store.unpaid_debits(conn, retailer_id)
                 if st.debit.order_id == order.id), Decimal(0))
    return Due(max(Decimal(0), min(left, owed)), order.id, order_number)


@dataclass(frozen=True, slots=True)
class Started:
    """A payment the retailer can now make: a link to open or a QR to scan."""

    intent: intents.Intent
    payment_url: str | None
    qr_message: str | None


@dataclass(frozen=True, slots=True)
class NotStarted:
    """Why no payment was started: the amount (`problem`), or the gateway (`gateway_down`)."""

    owed: Decimal
    problem: PayProblem | None = None
    gateway_down: bool = False
    not_offered: bool = False


async def start(conn: asyncpg.Connection, clients: Clients, *, retailer_id: int,
                gateway: Gateway, amount: Decimal, order_number: int | None,
                settings: Settings, now: dt.datetime) -> Started | NotStarted:
    """Start paying `amount` through `gateway`, checked again against what is owed now.

    The gateway is asked inside the caller's transaction (its answer is short);
    a refusal or silence leaves a `failed` intent and a NotStarted.
    """
    client = clients.get(gateway)
    current = await due(conn, retailer_id, order_number)
    if client is None:
        return NotStarted(current.owed, not_offered=True)
    problem = pay_problem(amount, current.owed)
    if problem is not None:
        return NotStarted(current.owed, problem)
    retailer = await party_store.retailer(conn, retailer_id)
    assert retailer is not None
    expires = now + dt.timedelta(minutes=settings.payment_link_minutes)
    intent = await intents.insert(conn, gateway=gateway, token=new_token(now),
                                  retailer_id=retailer_id, order_id=current.order_id,
                                  amount=amount, expires_at=expires, now=now)
    what = (f"Order {order_number}" if order_number is not None else "Khaacho dues")
    try:
        answer = await client.start(intent, description=f"{what} {retailer.shop_name}")
    except GatewayError as exc:
        log.warning("payment start failed", extra={"gateway": gateway.value, "error": str(exc)})
        await intents.settle(conn, intent.id, state=IntentState.FAILED, now=now,
                             detail=str(exc), from_states=(IntentState.PENDING,))
        return NotStarted(current.owed, gateway_down=True)
    # The gateway's own expiry wins when it is sooner than ours.
    if answer.expires_at is not None:
        expires = min(expires, answer.expires_at)
    intent = await intents.started(conn, intent.id, reference=answer.reference,
                                   payment_url=answer.payment_url,
                                   qr_message=answer.qr_message, expires_at=expires)
    return Started(intent, answer.payment_url, answer.qr_message)


@dataclass(frozen=True, slots=True)
class Settled:
    """What one observation did to an intent, and who must be told (for the outbox)."""

    intent: intents.Intent
    verdict: Verdict | None  # None: nothing changed (already settled, or still waiting)
    receipts: tuple[PaymentReceived, ...] = ()
    facts: tuple[MoneyFact, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether this observation moved the intent (False for a duplicate callback)."""
        return self.verdict is not None and self.verdict is not Verdict.WAIT


async def observe(conn: asyncpg.Connection, intent_id: int, seen: Observation, *,
                  settings: Settings, now: dt.datetime) -> Settled:
    """Apply what the status API said to intent `intent_id`, once, in the caller's transaction.

    The intent row is locked first, so a return page and the reconciliation job
    settling the same payment at once credit it once.
    """
    intent = await intents.by_id(conn, intent_id, for_update=True)
    if intent is None:
        raise LookupError(f"no payment intent {intent_id}")
    verdict = judge(intent.amount, seen, now=now, expires_at=intent.expires_at)
    late = intent.state is IntentState.EXPIRED
    if intent.state is not IntentState.PENDING and not (
            late and verdict in (Verdict.CREDIT, Verdict.HOLD)):
        # Already settled (a second callback, a poll after the return page): nothing.
        if late:
            await intents.checked(conn, intent.id, now=now, failed=False, detail=seen.detail)
        return Settled(intent, None)
    retailer = await party_store.retailer(conn, intent.retailer_id)
    assert retailer is not None
    party = Party(retailer.phone, retailer.language, retailer.shop_name)
    if verdict is Verdict.WAIT:
        await intents.checked(conn, intent.id, now=now, failed=False, detail=seen.detail)
        return Settled(intent, Verdict.WAIT)
    if verdict in (Verdict.EXPIRE, Verdict.CANCEL):
        state = IntentState.EXPIRED if verdict is Verdict.EXPIRE else IntentState.CANCELED
        done = await intents.settle(conn, intent.id, state=state, now=now, detail=seen.detail,
                                    from_states=(IntentState.PENDING,))
        assert done is not None  # the row lock keeps everyone else out
        if await intents.paid_since(conn, intent.retailer_id, intent.created_at):
            # They tapped one gateway, then paid with another: nothing to tell.
            return Settled(done, verdict)
        return Settled(done, verdict, facts=(PaymentNotMade(
            party, intent.amount, intent.gateway.value, verdict is Verdict.CANCEL, intent.id),))
    if verdict is Verdict.CREDIT:
        credited = await _credit(conn, intent, seen, settings=settings, now=now)
        if isinstance(credited, Settled):
            return credited
        why = credited
    else:
        why = (f"paid {format_npr(seen.amount)} where {format_npr(intent.amount)} was asked"
               if seen.amount is not None else f"the gateway says {seen.detail or seen.seen}")
    return await _hold(conn, intent, seen, party, why, now=now)


async def _credit(conn: asyncpg.Connection, intent: intents.Intent, seen: Observation, *,
                  settings: Settings, now: dt.datetime) -> Settled | str:
    """Record the payment once; the reason it could not be, for a hold."""
    assert seen.amount is not None and intent.reference is not None
    order = None if intent.order_id is None else await order_store.order_by_id(
        conn, intent.order_id)
    try:
        async with conn.transaction():  # a savepoint: a refusal leaves nothing behind
            # Money the gateway took is in the merchant's account: a balance that
            # shrank meanwhile (a cash payment typed in) leaves the rest on account.
            result = await ledger.record_payment(
                conn, retailer_id=intent.retailer_id, amount=seen.amount,
                method=intent.gateway.value, reference=f"{intent.gateway}:{intent.reference}",
                actor=f"gateway:{intent.gateway}", now=now,
                order_number=None if order is None else order.number, advance=True,
                block_after_days=settings.block_after_days_overdue)
    except ledger.LedgerError as exc:
        return f"not credited: {exc}"
    done = await intents.settle(conn, intent.id, state=IntentState.PAID, now=now,
                                paid_amount=seen.amount, transaction_id=seen.transaction,
                                payment_id=result.payment.id, detail=seen.detail,
                                from_states=(IntentState.PENDING, IntentState.EXPIRED))
    assert done is not None
    if result.duplicate:
        return Settled(done, Verdict.CREDIT)
    facts: list[MoneyFact] = list(result.account_notices)
    if order is not None and order.vendor_id is not None:
        vendor = await party_store.vendor(conn, order.vendor_id)
        if vendor is not None:
            facts.append(OrderPaidOnline(order.number, Party(vendor.phone, vendor.language,
                                                             vendor.name),
                                         (await _shop(conn, intent.retailer_id)),
                                         seen.amount, intent.gateway.value))
    return Settled(done, Verdict.CREDIT, result.notices, tuple(facts))


async def _shop(conn: asyncpg.Connection, retailer_id: int) -> str:
    retailer = await party_store.retailer(conn, retailer_id)
    return "" if retailer is None else retailer.shop_name


async def _hold(conn: asyncpg.Connection, intent: intents.Intent, seen: Observation,
                party: Party, why: str, *, now: dt.datetime) -> Settled:
    done = await intents.settle(conn, intent.id, state=IntentState.HELD, now=now,
                                paid_amount=seen.amount, transaction_id=seen.transaction,
                                detail=why, from_states=(IntentState.PENDING,
                                                         IntentState.EXPIRED))
    assert done is not None
    subject = (f"{intent.gateway} payment {intent.reference} from {party.name} "
               f"({party.phone}) held: {why}")
    await raise_alert(conn, Alert(AlertKind.PAYMENT_HELD, f"payment_intent:{intent.id}",
                                  subject[:300]),
                      details={"intent_id": intent.id, "gateway": intent.gateway.value,
                               "reference": intent.reference, "asked": str(intent.amount),
                               "paid": None if seen.amount is None else str(seen.amount),
                               "transaction_id": seen.transaction})
    return Settled(done, Verdict.HOLD, facts=(PaymentHeld(
        party, intent.amount, seen.amount, intent.gateway.value, intent.id),))


# Words a settlement's receipts and notices (flows.money_notices.payment_notices).
WordFacts = Callable[[Sequence[PaymentReceived], Sequence[MoneyFact]], list[Outgoing]]


async def check(pool: asyncpg.Pool, client: GatewayClient, intent: intents.Intent, *,
                settings: Settings, now: dt.datetime, word: WordFacts) -> Settled | None:
    """Ask the gateway about `intent` (no transaction held meanwhile), then settle it.

    None when the gateway did not answer: the failure is counted on the intent and
    the next check asks again. The facts are worded by `word` and put in the outbox
    in the same transaction as the settlement.
    """
    try:
        seen = await client.lookup(intent)
    except GatewayError as exc:
        async with pool.acquire() as conn:
            await intents.checked(conn, intent.id, now=now, failed=True, detail=str(exc))
        log.warning("payment status check failed",
                    extra={"gateway": intent.gateway.value, "intent": intent.id,
                           "error": str(exc)})
        return None
    async with pool.acquire() as conn, conn.transaction():
        settled = await observe(conn, intent.id, seen, settings=settings, now=now)
        out = word(settled.receipts, settled.facts)
        if out:
            await enqueue(conn, out)
    return settled
