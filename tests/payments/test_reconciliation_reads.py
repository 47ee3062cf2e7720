"""The reconciliation look-up reads the intents it may still settle, not the expired ones."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Runtime
from bot.store import payment_intents as intent_store
from tests.jobs import builders
from tests.plans import rows_read

# Every unpaid intent ends expired and is kept: a year's worth dwarfs the pending
# ones and those expired in the last day, the only ones still asked about.
EXPIRED_HISTORY = 60_000
PENDING = 200
RECENTLY_EXPIRED = 200


async def test_the_due_intents_look_up_reads_no_intent_that_expired_days_ago(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        retailer = await builders.retailer(conn)
        # Expired over the past months, each asked about until a day after it expired.
        await conn.execute(
            "INSERT INTO payment_intents (gateway, token, reference, retailer_id, amount, state, "
            "created_at, expires_at, settled_at, checked_at) "
            "SELECT 'khalti', 'tok-old-' || g, 'ref-old-' || g, $1, 100, 'expired', "
            "now() - interval '2 days' - interval '3 minutes' * g, "
            "now() - interval '2 days' - interval '3 minutes' * g + interval '15 minutes', "
            "now() - interval '2 days' - interval '3 minutes' * g + interval '15 minutes', "
            "now() - interval '1 day' - interval '3 minutes' * g + interval '15 minutes' "
            "FROM generate_series(1, $2) g", retailer["id"], EXPIRED_HISTORY)
        await conn.execute(
            "INSERT INTO payment_intents (gateway, token, reference, retailer_id, amount, state, "
            "created_at, expires_at, settled_at, checked_at) "
            "SELECT 'khalti', 'tok-new-' || g, 'ref-new-' || g, $1, 100, 'expired', "
            "now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour', "
            "now() - interval '5 minutes' FROM generate_series(1, $2) g",
            retailer["id"], RECENTLY_EXPIRED)
        await conn.execute(
            "INSERT INTO payment_intents (gateway, token, reference, retailer_id, amount, "
            "created_at, expires_at, checked_at) "
            "SELECT 'esewa', 'tok-now-' || g, 'ref-now-' || g, $1, 100, "
            "now() - interval '5 minutes', now() + interval '10 minutes', "
            "now() - interval '2 minutes' FROM generate_series(1, $2) g",
            retailer["id"], PENDING)
        await conn.execute("ANALYZE payment_intents")
        now = await conn.fetchval("SELECT now()")
        read = await rows_read(conn, "payment_intents", intent_store._DUE_FOR_CHECK,
                               now, now - dt.timedelta(minutes=1), 50)
    assert read < 10 * (PENDING + RECENTLY_EXPIRED)
