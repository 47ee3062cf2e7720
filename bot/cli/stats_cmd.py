"""`khaacho stats [--days N]`: the analytics job's daily aggregates, plus live counts."""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from bot.cli.output import Column, cli_runtime, show_json, show_record, show_table
from bot.store import account_signals, reports
from bot.store import consent as consent_store
from bot.store import inbox as inbox_store
from bot.store import templates as template_store


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not 1 <= value <= 366:
        raise argparse.ArgumentTypeError("days must be between 1 and 366")
    return value


async def _stats(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        data = await reports.stats(conn, days=args.days)
        backlog = await inbox_store.backlog(conn)
        data["whatsapp"] = await _whatsapp(conn)
    data["inbox"] = {"pending": backlog.pending, "dead": backlog.dead,
                     "statuses_waiting": backlog.statuses,
                     "oldest_pending_seconds": round(backlog.oldest_pending_seconds, 1)}
    if args.json:
        show_json(data)
        return 0
    show_record({**data["totals"], **data["live"],
                 "analytics last run": (data["analytics_last_run"] or {}).get("finished_at")},
                as_json=False, title=f"last {args.days} days")
    show_record({f"inbox {k}": v for k, v in data["inbox"].items()}, as_json=False,
                title="inbox backlog")
    wa = data["whatsapp"]
    show_record({**{f"templates {k}": v for k, v in wa["templates"].items()},
                 "messages held for a template": wa["held"],
                 "numbers opted out of marketing": wa["opted_out"],
                 **{k: f"{v['event']}{' ' + v['current_limit'] if 'current_limit' in v else ''}"
                    f" ({v['received_at'][:16]})" for k, v in wa["signals"].items()}},
                as_json=False, title="whatsapp account")
    show_table(data["daily"], (
        Column("day", "day"), Column("orders", "orders", numeric=True),
        Column("gmv", "GMV NPR", numeric=True), Column("avg_basket", "avg basket", numeric=True),
        Column("active_retailers", "active shops", numeric=True),
        Column("new_retailers", "new shops", numeric=True),
    ), as_json=False, title="by day")
    show_table(data["by_area"], (
        Column("area", "area"), Column("orders", "orders", numeric=True),
        Column("gmv", "GMV NPR", numeric=True),
    ), as_json=False, title="by area")
    show_table(data["by_category"], (
        Column("category", "category"), Column("orders", "orders", numeric=True),
        Column("gmv", "GMV NPR", numeric=True),
    ), as_json=False, title="by category")
    return 0


async def _whatsapp(conn: asyncpg.Connection) -> dict[str, Any]:
    """Templates by status, held messages, opted-out numbers, the account's latest signals."""
    templates = await conn.fetch("SELECT status, count(*) AS n FROM message_templates "
                                 "GROUP BY status ORDER BY status")
    return {"templates": {r["status"]: r["n"] for r in templates},
            "held": sum((await template_store.held_count(conn)).values()),
            "opted_out": await consent_store.opted_out_count(conn),
            "signals": await account_signals.latest(conn)}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `stats`."""
    p = sub.add_parser("stats", help="orders, GMV and shops per day (analytics job)",
                       description="The analytics job's daily aggregates for the last N days "
                                   "(Kathmandu days), by area and category, plus live counts.")
    p.add_argument("--days", type=_days, default=7, help="how many days back (default 7)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(handler=_stats)
