"""The dispatcher's claim reads the rows still to send, not the outbox's history."""

from __future__ import annotations

from typing import Any

from bot.runtime import Runtime
from bot.store import outbox as outbox_store

# The unsent rows are always the newest: a planner that assumes they are spread
# evenly over the ids walks the primary key from the oldest sent row to find them.
SENT_HISTORY = 100_000
WAITING = 600
VENDORS = 300


def _outbox_rows_read(plan: dict[str, Any]) -> int:
    """Rows the plan's scans of `outbox` returned or filtered away, over every loop."""
    own = 0
    if plan.get("Relation Name") == "outbox":
        loops = int(plan.get("Actual Loops", 1))
        kept = float(plan.get("Actual Rows", 0))
        dropped = float(plan.get("Rows Removed by Filter", 0))
        dropped += float(plan.get("Rows Removed by Index Recheck", 0))
        own = round((kept + dropped) * loops)
    return own + sum(_outbox_rows_read(p) for p in plan.get("Plans", ()))


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
        tr = conn.transaction()
        await tr.start()
        try:
            explained = await conn.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + outbox_store._CLAIM, 32, "test", 30.0)
        finally:
            await tr.rollback()
    plan = explained[0]["Plan"]  # the pool decodes json
    assert _outbox_rows_read(plan) < 10 * WAITING
