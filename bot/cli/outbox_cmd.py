"""`khaacho outbox list | show | retry`: what the bot is sending and what failed."""

from __future__ import annotations

import argparse

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_json,
    show_record,
    show_table,
)
from bot.services import operator_actions
from bot.store import reports

OUTBOX_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("recipient", "to"),
    Column("kind", "kind"),
    Column("status", "status"),
    Column("attempts", "tries", numeric=True),
    Column("error_code", "code", numeric=True),
    Column("last_error", "last error"),
    Column("correlation", "about"),
    Column("created_at", "queued"),
)


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await reports.list_outbox(conn, failed_only=args.failed, limit=args.limit)
    show_table(rows, OUTBOX_COLUMNS, as_json=args.json,
               title="failed outbox rows" if args.failed else "outbox")
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        row = await reports.outbox_row(conn, args.id)
    if row is None:
        raise CliError(f"outbox row {args.id} not found")
    if args.json:
        show_json(row)
        return 0
    show_record(row, as_json=False, title=f"outbox row {args.id}")
    show_table(row["attempts_log"], (
        Column("at", "at"), Column("dispatcher", "by"), Column("outcome", "outcome"),
        Column("http_status", "http", numeric=True), Column("error_code", "code", numeric=True),
        Column("error_title", "error"), Column("duration_ms", "ms", numeric=True),
    ), as_json=False, title="attempts")
    return 0


async def _retry(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        result = await operator_actions.retry_outbox(conn, args.id, actor=operator_name(args))
    if args.json:
        show_json(result)
    else:
        print(f"outbox row {args.id} re-queued ({result['previous_status']} → pending)")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `outbox`."""
    p = sub.add_parser("outbox", help="inspect outgoing messages and retry failed ones",
                       description="The outbox: every message the bot sends, its attempts "
                                   "and errors.")
    osub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    osub.required = True
    q = osub.add_parser("list", help="list outbox rows, newest first",
                        description="List outbox rows, newest first.")
    q.add_argument("--failed", action="store_true", help="only failed and dead rows")
    q.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = osub.add_parser("show", help="one row with its payload and attempts",
                        description="Show one outbox row, its payload and every send attempt.")
    q.add_argument("id", type=int, help="outbox row id")
    add_json_flag(q)
    q.set_defaults(handler=_show)
    q = osub.add_parser("retry", help="send a failed or dead row again (audited)",
                        description="Re-queue a failed or dead row from scratch; audited.")
    q.add_argument("id", type=int, help="outbox row id")
    add_operator_flag(q)
    add_json_flag(q)
    q.set_defaults(handler=_retry)
