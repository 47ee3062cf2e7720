"""How the statements run on a schedule or per message cost as history grows.

`python -m bot.dev.history_bench [--small N] [--large N]` builds two databases
that differ only in how much finished history they hold (sent outbox rows,
delivered orders, ledger entries, job runs; the same few hundred open rows in
both), then times each statement over both, side by side, and prints the
ratio. A statement that reads only the open rows costs the same over both
(ratio about 1); one that reads the history grows with it. Uses DATABASE_URL's
server, or an embedded one when unset. Never deployed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from bot.db import connect, create_database, drop_database, scratch_name
from bot.metrics_endpoint import ORDERS_UNFINISHED, OUTBOX_WAITING
from bot.store import ledger as ledger_store
from bot.store import operator_views, reports
from bot.store import outbox as outbox_store
from jobs.runner import last_runs

RECIPIENTS = 300
WAITING = 600
RETAILERS = 50
JOBS = tuple(f"job-{i}" for i in range(17))
REPEATS = 30

Probe = Callable[[asyncpg.Connection], Awaitable[object]]


async def _fill(conn: asyncpg.Connection, history: int) -> None:
    """`history` finished rows in each table, then the same open rows as every fill."""
    await conn.execute(
        "INSERT INTO outbox (recipient, kind, payload, status, wamid, sent_at, created_at) "
        "SELECT '97798' || (50000000 + g % $2)::text, 'text', '{}', 'read', 'wamid.h' || g, "
        "now(), now() - interval '1 day' FROM generate_series(1, $1) g", history, RECIPIENTS)
    await conn.execute(
        "INSERT INTO outbox (recipient, kind, payload) "
        "SELECT '97798' || (50000000 + g % $2)::text, 'text', '{}' "
        "FROM generate_series(1, $1) g", WAITING, RECIPIENTS)
    await conn.execute(
        "INSERT INTO retailers (phone, shop_name, area, status, credit_limit) "
        "SELECT '97798' || (10000000 + g)::text, 'Shop ' || g, 'Kalanki', 'active', 100000 "
        "FROM generate_series(1, $1) g", RETAILERS)
    await conn.execute(
        "INSERT INTO vendors (phone, name, areas) VALUES ('9779850000000', 'V', '{Kalanki}')")
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at) "
        "SELECT 1 + g % $2, 1, 'delivered', 100, 1, now() - interval '2 days' "
        "FROM generate_series(1, $1) g", history, RETAILERS)
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count) "
        "SELECT 1 + g % $1, 1, 'pending', 100, 1 FROM generate_series(1, 200) g", RETAILERS)
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by) "
        "SELECT 1 + g % $2, CASE WHEN g / $2 % 2 = 0 THEN 'debit' ELSE 'credit' END, 100, "
        "current_date, 'bench', 'bench' FROM generate_series(1, $1) g", history, RETAILERS)
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by) "
        "SELECT r, 'debit', 250, current_date + 10 + g, 'open', 'bench' "
        "FROM generate_series(1, $1) r, generate_series(1, 3) g", RETAILERS)
    await conn.execute(
        "INSERT INTO job_runs (job, started_at, finished_at, as_of, outcome) "
        "SELECT ($2::text[])[1 + g % array_length($2::text[], 1)], "
        "now() - g * interval '1 second', now() - g * interval '1 second', "
        "now() - g * interval '1 second', "
        "CASE WHEN g % 2 = 0 THEN 'skipped' ELSE 'ok' END "
        "FROM generate_series(1, $1) g", history, list(JOBS))
    await conn.execute("VACUUM ANALYZE")


async def _claim(conn: asyncpg.Connection) -> object:
    tr = conn.transaction()
    await tr.start()
    try:
        return await outbox_store.claim(conn, "bench", 32, 30.0)
    finally:
        await tr.rollback()


PROBES: dict[str, Probe] = {
    "dispatcher claim (32 rows)": _claim,
    "credit figures of a busy retailer": lambda c: ledger_store.credit_figures(c, 7),
    "worker /health last runs": lambda c: last_runs(c, JOBS),
    "/metrics unfinished orders": lambda c: c.fetch(ORDERS_UNFINISHED),
    "/metrics outbox rows still to send": lambda c: c.fetch(OUTBOX_WAITING),
    "a busy retailer's unpaid debits": lambda c: ledger_store.unpaid_debits(c, 7),
    "… the same, whole history settled (old)": lambda c: ledger_store.settled_unpaid(
        c, 7, dt.date.max),
    "console retailer summary": lambda c: reports.retailer_detail(c, "9779810000007"),
    "console ledger page (200 rows)": lambda c: operator_views.ledger_with_balance(
        c, "9779810000007"),
}


async def _time(conn: asyncpg.Connection, probe: Probe) -> float:
    await probe(conn)  # warm the cache and the statement
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        await probe(conn)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def _measure(server: str, history: int) -> dict[str, float]:
    name = scratch_name("khaacho_history_")
    url = await create_database(server, name)
    try:
        conn = await connect(url)
        try:
            await _fill(conn, history)
            return {label: await _time(conn, probe) for label, probe in PROBES.items()}
        finally:
            await conn.close()
    finally:
        await drop_database(server, name)


async def _run(small: int, large: int) -> None:
    server = os.environ["DATABASE_URL"]
    few, many = await _measure(server, small), await _measure(server, large)
    print(f"{'statement':40} {f'{small} rows':>12} {f'{large} rows':>12} {'ratio':>7}")
    for label in few:
        print(f"{label:40} {few[label]:>10.2f}ms {many[label]:>10.2f}ms "
              f"{many[label] / few[label]:>7.2f}")


def main(argv: list[str] | None = None) -> None:
    """Print each statement's median time over a small and a large history, and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="finished rows per table")
    parser.add_argument("--large", type=int, default=300_000, help="finished rows per table")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        from bot.dev.embedded import ensure_services
        ensure_services(Path(".khaacho") / "history-bench")
    asyncio.run(_run(args.small, args.large))


if __name__ == "__main__":
    main()
