"""Reading a statement's plan: how many rows of a table it actually read.

The `tests/*/test_*_reads.py` specify that scheduled and per-message statements
read the rows still being worked on, not the history: they fill history, run
the statement under EXPLAIN ANALYZE and count what the scans of one table
returned or filtered away.
"""

from __future__ import annotations

from typing import Any

import asyncpg


def scanned(plan: dict[str, Any], relation: str) -> int:
    """Rows the plan's scans of `relation` returned or filtered away, over every loop
    (not the rows an UPDATE or DELETE node then wrote)."""
    own = 0
    if plan.get("Relation Name") == relation and "Scan" in plan.get("Node Type", ""):
        loops = int(plan.get("Actual Loops", 1))
        kept = float(plan.get("Actual Rows", 0))
        dropped = float(plan.get("Rows Removed by Filter", 0))
        dropped += float(plan.get("Rows Removed by Index Recheck", 0))
        own = round((kept + dropped) * loops)
    return own + sum(scanned(p, relation) for p in plan.get("Plans", ()))


async def rows_read(conn: asyncpg.Connection, relation: str, sql: str, *args: Any) -> int:
    """Run `sql` under EXPLAIN ANALYZE, undo whatever it wrote, and count `relation`'s rows read."""
    tr = conn.transaction()
    await tr.start()
    try:
        explained = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args)
    finally:
        await tr.rollback()
    return scanned(explained[0]["Plan"], relation)  # the pool decodes json
