"""Payment intents in Postgres: one row per attempt to pay through a gateway. Plain SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from domain.payments import Gateway, IntentState

_COLS = ("id, gateway, token, reference, retailer_id, order_id, amount, state, payment_url, "
         "qr_message, paid_amount, transaction_id, payment_id, detail, check_failures, "
         "created_at, expires_at, checked_at, settled_at")


@dataclass(frozen=True, slots=True)
class Intent:
    """One attempt to pay `amount` through `gateway`."""

    id: int
    gateway: Gateway
    token: str
    reference: str | None
    retailer_id: int
    order_id: int | None
    amount: Decimal
    state: IntentState
    payment_url: str | None
    qr_message: str | None
    paid_amount: Decimal | None
    transaction_id: str | None
    payment_id: int | None
    detail: str
    check_failures: int
    created_at: dt.datetime
    expires_at: dt.datetime
    checked_at: dt.datetime | None
    settled_at: dt.datetime | None


def _intent(row: asyncpg.Record | None) -> Intent | None:
    if row is None:
        return None
    values = dict(row)
    values["gateway"] = Gateway(values["gateway"])
    values["state"] = IntentState(values["state"])
    return Intent(**values)


async def insert(conn: asyncpg.Connection, *, gateway: Gateway, token: str, retailer_id: int,
                 order_id: int | None, amount: Decimal, expires_at: dt.datetime,
                 now: dt.datetime) -> Intent:
    """A new pending intent (the gateway's reference follows once it answers)."""
    intent = _intent(await conn.fetchrow(
        f"""INSERT INTO payment_intents (gateway, token, retailer_id, order_id, amount,
                                         expires_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLS}""",  # noqa: S608
        gateway.value, token, retailer_id, order_id, amount, expires_at, now))
    assert intent is not None
    return intent


async def started(conn: asyncpg.Connection, intent_id: int, *, reference: str,
                  payment_url: str | None, qr_message: str | None,
                  expires_at: dt.datetime) -> Intent:
    """Record what the gateway answered to the start: its reference, link or QR."""
    intent = _intent(await conn.fetchrow(
        f"""UPDATE payment_intents SET reference = $2, payment_url = $3, qr_message = $4,
                   expires_at = $5
            WHERE id = $1 RETURNING {_COLS}""",  # noqa: S608
        intent_id, reference, payment_url, qr_message, expires_at))
    assert intent is not None
    return intent


async def by_id(conn: asyncpg.Connection, intent_id: int, *,
                for_update: bool = False) -> Intent | None:
    return _intent(await conn.fetchrow(
        f"SELECT {_COLS} FROM payment_intents WHERE id = $1"  # noqa: S608
        + (" FOR UPDATE" if for_update else ""), intent_id))


async def by_token(conn: asyncpg.Connection, token: str) -> Intent | None:
    """The intent a short link or merchant-side id names."""
    return _intent(await conn.fetchrow(
        f"SELECT {_COLS} FROM payment_intents WHERE token = $1", token))  # noqa: S608


async def by_reference(conn: asyncpg.Connection, gateway: Gateway,
                       reference: str) -> Intent | None:
    """The intent the gateway names `reference` (a pidx, a PRN, a transaction_uuid)."""
    return _intent(await conn.fetchrow(
        f"SELECT {_COLS} FROM payment_intents "  # noqa: S608
        "WHERE gateway = $1 AND reference = $2", gateway.value, reference))


async def settle(conn: asyncpg.Connection, intent_id: int, *, state: IntentState,
                 now: dt.datetime, paid_amount: Decimal | None = None,
                 transaction_id: str | None = None, payment_id: int | None = None,
                 detail: str = "",
                 from_states: tuple[IntentState, ...] = (IntentState.PENDING,)
                 ) -> Intent | None:
    """Move an intent in one of `from_states` to `state` (an expired one may still be paid).

    None when it was in none of them: someone else settled it first.
    """
    return _intent(await conn.fetchrow(
        f"""UPDATE payment_intents
            SET state = $2, settled_at = $3, paid_amount = coalesce($4, paid_amount),
                transaction_id = coalesce($5, transaction_id),
                payment_id = coalesce($6, payment_id), detail = $7, checked_at = $3
            WHERE id = $1 AND state = ANY($8::text[])
            RETURNING {_COLS}""",  # noqa: S608
        intent_id, state.value, now, paid_amount, transaction_id, payment_id, detail[:500],
        [s.value for s in from_states]))


async def checked(conn: asyncpg.Connection, intent_id: int, *, now: dt.datetime,
                  failed: bool, detail: str = "") -> None:
    """Note a status check that left the intent pending (`failed`: the gateway did not answer)."""
    await conn.execute(
        "UPDATE payment_intents SET checked_at = $2, detail = $3, "
        "check_failures = check_failures + $4::int WHERE id = $1",
        intent_id, now, detail[:500], 1 if failed else 0)


# Read through payment_intents_due_idx as two ranges, the pending intents and those
# expired in the last day, never the expired ones of before (schema.sql says why).
_DUE_FOR_CHECK = f"""SELECT {_COLS} FROM payment_intents
    WHERE reference IS NOT NULL AND created_at <= $1
      AND (state = 'pending'
           OR (state = 'expired' AND settled_at > $1 - interval '1 day'))
      AND (checked_at IS NULL OR checked_at < $2)
    ORDER BY checked_at NULLS FIRST, id LIMIT $3"""  # noqa: S608


async def due_for_check(conn: asyncpg.Connection, *, now: dt.datetime,
                        checked_before: dt.datetime, limit: int) -> list[Intent]:
    """Pending intents not checked since `checked_before`, those never checked first.

    Intents that expired in the last day are asked about too: a QR or a form paid
    just after its time must still be credited (or held), never lost.
    """
    rows = await conn.fetch(_DUE_FOR_CHECK, now, checked_before, limit)
    return [i for i in map(_intent, rows) if i is not None]


async def listed(conn: asyncpg.Connection, *, state: IntentState | None,
                 retailer_id: int | None, limit: int) -> list[Intent]:
    """Intents, newest first, of one state and/or retailer when given."""
    rows = await conn.fetch(
        f"""SELECT {_COLS} FROM payment_intents
            WHERE ($1::text IS NULL OR state = $1) AND ($2::bigint IS NULL OR retailer_id = $2)
            ORDER BY id DESC LIMIT $3""",  # noqa: S608
        None if state is None else state.value, retailer_id, limit)
    return [i for i in map(_intent, rows) if i is not None]


async def paid_since(conn: asyncpg.Connection, retailer_id: int, since: dt.datetime) -> bool:
    """Whether the retailer paid another intent started at or after `since`."""
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM payment_intents WHERE retailer_id = $1 "
        "AND state = 'paid' AND created_at >= $2)", retailer_id, since))


@dataclass(frozen=True, slots=True)
class GatewayBooks:
    """One gateway's paid intents against the ledger's payments through it (voided ones too:
    a refund is voided in the ledger, and the gateway still took the money once)."""

    gateway: Gateway
    paid_intents: int
    paid_total: Decimal
    payments: int
    payments_total: Decimal


async def books(conn: asyncpg.Connection) -> list[GatewayBooks]:
    """Per gateway: paid intents and their total; the gateway's payments and their total."""
    rows = await conn.fetch(
        """SELECT g.gateway,
                  (SELECT count(*) FROM payment_intents i
                   WHERE i.gateway = g.gateway AND i.state = 'paid') AS paid_intents,
                  (SELECT coalesce(sum(i.paid_amount), 0) FROM payment_intents i
                   WHERE i.gateway = g.gateway AND i.state = 'paid') AS paid_total,
                  (SELECT count(*) FROM payments p WHERE p.method = g.gateway
                   AND p.reference LIKE g.gateway || ':%') AS payments,
                  (SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.method = g.gateway
                   AND p.reference LIKE g.gateway || ':%') AS payments_total
           FROM unnest($1::text[]) AS g (gateway) ORDER BY g.gateway""",
        [g.value for g in Gateway])
    return [GatewayBooks(Gateway(r["gateway"]), r["paid_intents"], Decimal(r["paid_total"]),
                         r["payments"], Decimal(r["payments_total"])) for r in rows]


async def unmatched(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Paid intents whose payment is missing or differs, and gateway payments no intent names."""
    return list(await conn.fetch(
        """SELECT i.id AS intent_id, i.gateway, i.retailer_id, i.paid_amount,
                  p.id AS payment_id, p.amount, p.retailer_id AS payment_retailer, p.voided_at
           FROM payment_intents i LEFT JOIN payments p ON p.id = i.payment_id
           WHERE i.state = 'paid'
             AND (p.id IS NULL OR p.amount <> i.paid_amount OR p.retailer_id <> i.retailer_id
                  OR p.method <> i.gateway)
           UNION ALL
           SELECT NULL, p.method, p.retailer_id, NULL, p.id, p.amount, p.retailer_id, p.voided_at
           FROM payments p
           WHERE p.reference LIKE p.method || ':%' AND p.method IN ('fonepay', 'khalti', 'esewa')
             AND NOT EXISTS (SELECT 1 FROM payment_intents i WHERE i.payment_id = p.id)
           ORDER BY 1 NULLS LAST, 5"""))
