"""Not collected (no `test_` prefix): a conversation turn's cost, printed.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m pytest -q -p no:cacheprovider \\
        tests/conversation/bench_turn.py -s [TURNS=200 in the environment]

One retailer's text turns put in the inbox and handled by a conversation
worker (tests/conversation/turn_cost.py): the statements and Redis round trips
of one priced turn, then the CPU (and wall) ms per turn over TURNS turns,
inbox insert included. The figures in the report for issue 15 come from here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.runtime import Runtime
from tests.conversation.conftest import add_retailer, seed_catalog
from tests.conversation.turn_cost import Turns

PHONE = "9779812000001"
TEXTS = ["chini 10 kg, 2 bora sona, rara 2 ctn", "hi", "chini 5 kg", "2 bora sona"]


async def test_bench_turn(runtime: Runtime) -> None:
    await seed_catalog(runtime)
    await add_retailer(runtime, PHONE)
    turns = Turns(runtime, PHONE)
    for text in TEXTS:  # warm up: the catalogue index, prepared statements
        await turns.turn(text)
    t = await turns.turn("chini 10 kg, 2 bora sona, rara 2 ctn")
    print(f"\nstatements {len(t.statements)}")
    for s in t.statements:
        print("  ", s)
    print(f"redis round trips {len(t.redis)}: {t.redis}")
    n = int(os.environ.get("TURNS", "200"))
    async with runtime.pool.acquire() as conn:
        backends = [r["pid"] for r in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
    pg = _cpu_seconds(backends)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        await turns.turn(TEXTS[i % len(TEXTS)])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pg = _cpu_seconds(backends) - pg
    print(f"cpu_ms_per_turn {1000 * cpu / n:.2f} postgres_cpu_ms_per_turn {1000 * pg / n:.2f} "
          f"wall_ms_per_turn {1000 * wall / n:.2f} over {n} turns")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these (local) Postgres backends; 0 for any not readable."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks
