"""What retailers, vendors and operators are told about money and accounts, as reply values.

`outgoing` words each `domain.money_facts` fact in its recipient's language
(the strings are the "money & operators" block of flows/i18n). A notice that
belongs to an order falls back to the `order_update` template outside the
24-hour window; account unblocking to `credit_unblocked`, a voided payment to
`payment_voided`, a held gateway payment to `payment_held` / `payment_returned`
and an expired one to `payment_expired`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from domain import money_facts as m
from domain.facts import Party, PaymentReceived
from flows import order_notices, templates
from flows.i18n import money, qty, t, unit
from flows.order_notices import correlation
from flows.replies import Outgoing, Template, Text
from flows.templates import ORDER_UPDATE


def _lang(language: str) -> str:
    return language if language in ("en", "ne") else "en"


def _balance(lang: str, balance: Decimal) -> str:
    if balance < 0:
        return t(lang, "money.balance.advance", advance=money(lang, -balance))
    return t(lang, "money.balance.owed", balance=money(lang, balance))


def _order_text(to: Party, number: int, key: str, **values: object) -> Outgoing:
    lang = _lang(to.language)
    body = t(lang, key, number=number, **values)
    flat = " ".join(body.split())
    return Outgoing(to.phone, Text(body),
                    Template(ORDER_UPDATE, lang, (f"#{number}", flat[:199])),
                    correlation(number))


def _account_text(to: Party, key: str, correlation_id: str, fallback: Template | None = None,
                  **values: object) -> Outgoing:
    return Outgoing(to.phone, Text(t(_lang(to.language), key, **values)), fallback,
                    correlation_id)


def notices_of(fact: m.MoneyFact) -> list[Outgoing]:
    """The messages one money fact makes, in the order they are sent."""
    match fact:
        case m.PaymentVoided(retailer=r):
            lang = _lang(r.language)
            balance = _balance(lang, fact.balance)
            body = t(lang, "money.payment_voided", amount=money(lang, fact.amount),
                     reason=fact.reason, balance=balance)
            # Voids come days later, when the shop's 24-hour window is usually shut.
            return [Outgoing(r.phone, Text(body), templates.payment_voided(
                lang, r.name, fact.payment_id, fact.amount, fact.reason, balance),
                f"payment:{fact.payment_id}")]
        case m.CreditNoteIssued(retailer=r, vendor=v):
            out = []
            rl = _lang(r.language)
            out.append(_order_text(r, fact.number, "money.credit_note.retailer",
                                   amount=money(rl, fact.amount),
                                   reason=t(rl, f"money.credit_note.reason.{fact.reason.value}"),
                                   lines=_lines(rl, fact.lines),
                                   balance=_balance(rl, fact.balance)))
            if v is not None:
                vl = _lang(v.language)
                out.append(_order_text(v, fact.number, "money.credit_note.vendor",
                                       amount=money(vl, fact.amount), shop=r.name,
                                       reason=t(vl, "money.credit_note.reason."
                                                + fact.reason.value),
                                       lines=_lines(vl, fact.lines)))
            return out
        case m.CreditReopened(retailer=r):
            lang = _lang(r.language)
            return [Outgoing(r.phone, Text(t(lang, "money.credit_reopened",
                                             balance=_balance(lang, fact.balance))),
                             templates.credit_unblocked(lang, r.name),
                             f"retailer:{r.phone}:unblocked")]
        case m.AccountApproved(retailer=r):
            lang = _lang(r.language)
            key = "money.account_approved.cart" if fact.cart_kept else "money.account_approved"
            return [_account_text(r, key, f"retailer:{r.phone}:approved",
                                  shop=r.name, limit=money(lang, fact.limit))]
        case m.AccountBlocked(retailer=r):
            return [_account_text(r, "money.account_blocked", f"retailer:{r.phone}:blocked",
                                  reason=fact.reason)]
        case m.AccountUnblocked(retailer=r):
            lang = _lang(r.language)
            return [Outgoing(r.phone, Text(t(lang, "money.account_unblocked")),
                             templates.credit_unblocked(lang, r.name),
                             f"retailer:{r.phone}:unblocked")]
        case m.OrderAssigned(retailer=r):
            return [_order_text(r, fact.number, "money.order_assigned", vendor=fact.vendor)]
        case m.OrderTakenAway(vendor=v):
            return [_order_text(v, fact.number, "money.order_taken_away")]
        case m.OrderPaidOnline(vendor=v):
            lang = _lang(v.language)
            return [_order_text(v, fact.number, "money.pay.vendor", shop=fact.shop,
                                amount=money(lang, fact.amount),
                                method=t(lang, f"pay.method.{fact.gateway}"))]
        case m.PaymentHeld(retailer=r):
            lang = _lang(r.language)
            method = t(lang, f"pay.method.{fact.gateway}")
            # Settled by the reconciliation job too, when the window may be shut.
            if fact.paid is None:
                return [_account_text(r, "money.pay.held.refunded", f"intent:{fact.intent_id}",
                                      templates.payment_returned(lang, r.name, method,
                                                                 fact.asked),
                                      method=method, asked=money(lang, fact.asked))]
            return [_account_text(r, "money.pay.held", f"intent:{fact.intent_id}",
                                  templates.payment_held(lang, r.name, method, fact.paid,
                                                         fact.asked),
                                  method=method, asked=money(lang, fact.asked),
                                  paid=money(lang, fact.paid))]
        case m.PaymentNotMade(retailer=r):
            lang = _lang(r.language)
            method = t(lang, f"pay.method.{fact.gateway}")
            if fact.canceled:
                # Cancelled at the gateway right after asking to pay in this chat: the
                # window is open (a fallback would say "not in time", which is untrue).
                return [_account_text(r, "money.pay.canceled", f"intent:{fact.intent_id}",
                                      method=method, amount=money(lang, fact.amount))]
            return [_account_text(r, "money.pay.expired", f"intent:{fact.intent_id}",
                                  templates.payment_expired(lang, r.name, method, fact.amount),
                                  method=method, amount=money(lang, fact.amount))]
        case m.OperatorAlerted(operator=o):
            return [_account_text(o, "money.operator_alert", f"alert:{fact.alert_id}",
                                  id=fact.alert_id, kind=fact.kind, subject=fact.subject)]


def _lines(lang: str, lines: tuple[m.CreditedLine, ...]) -> str:
    return "\n".join(t(lang, "money.credit_note.line", name=ln.name, qty=qty(lang, ln.qty),
                       unit=unit(lang, ln.unit, ln.qty), amount=money(lang, ln.amount))
                     for ln in lines)


def outgoing(facts: Iterable[m.MoneyFact]) -> list[Outgoing]:
    """Every message the facts make, in order: what the caller puts in the outbox."""
    return [out for fact in facts for out in notices_of(fact)]


def payment_notices(receipts: Iterable[PaymentReceived],
                    facts: Iterable[m.MoneyFact]) -> list[Outgoing]:
    """A gateway payment's receipt (flows.order_notices words it) and its other notices."""
    return order_notices.outgoing(receipts) + outgoing(facts)
