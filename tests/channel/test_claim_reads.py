"""The dispatcher's claim reads the rows still to send, not the outbox's history."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from tests.plans import rows_read

# The unsent rows are always the newest: a planner that assumes they are spread
# evenly over the ids walks the primary key from the oldest sent row to find them.
SENT_HISTORY = 100_000
WAITING = 600
VENDORS = 300


async def test_a_claim_reads_only_the_rows_still_to_send_however_long_the_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, status, wamid, sent_at) "
            "SELECT '97798' || (50000000 + g % $2)::text, 'text', '{}', 'read', "
            "'wamid.h' || g, now() FROM generate_series(1, $1) g", SENT_HISTORY, VENDORS)
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload) "
            "SELECT '97798' || (50000000 + g % $2)::text, 'text', '{}' "
            "FROM generate_series(1, $1) g", WAITING, VENDORS)
        await conn.execute("ANALYZE outbox")
        read = await rows_read(conn, "outbox", outbox_store._CLAIM, 32, "test", 30.0)
    assert read < 10 * WAITING
