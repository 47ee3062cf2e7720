"""`khaacho alerts list | resolve`: what operators must look at (and were told of)."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_table,
)
from bot.services.operator_actions import audit
from bot.store import alerts as alert_store
from domain.digits import read_whole

ALERT_COLUMNS = (
    Column("id", "id", numeric=True),
    Column("kind", "kind"),
    Column("subject", "what"),
    Column("raised_at", "raised"),
    Column("notified_at", "told"),
)


def _alert_id(text: str) -> int:
    value = read_whole(text, max_digits=12)
    if value is None:
        raise argparse.ArgumentTypeError(f"not an alert id: {text!r}")
    return value


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await alert_store.open_alerts(conn, limit=args.limit)
    show_table([asdict(r) for r in rows], ALERT_COLUMNS, as_json=args.json,
               title=f"open alerts ({len(rows)})")
    return 0


async def _resolve(args: argparse.Namespace) -> int:
    actor = operator_name(args)
    async with cli_runtime() as rt, rt.pool.acquire() as conn, conn.transaction():
        done = await alert_store.resolve(conn, args.alert_id, by=actor,
                                         at=dt.datetime.now(dt.UTC))
        if not done:
            raise CliError(f"no open alert {args.alert_id}")
        await audit(conn, actor=actor, action="alert.resolve", target=f"alert:{args.alert_id}",
                    details={"note": args.note, "via": "cli"})
    print(f"alert {args.alert_id} resolved")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `alerts`."""
    p = sub.add_parser("alerts", help="list or resolve operator alerts",
                       description="Alerts for what the bot cannot settle alone: unroutable "
                                   "orders, disputes, dead letters, stuck vendors. Each is "
                                   "sent to OPERATOR_PHONES on WhatsApp once.")
    asub = p.add_subparsers(dest="alerts_command", metavar="ACTION")
    asub.required = True
    q = asub.add_parser("list", help="open alerts, oldest first",
                        description="List open alerts, oldest first.")
    q.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = asub.add_parser("resolve", help="close an alert once it is dealt with",
                        description="Close an open alert (audited). A condition that comes "
                                    "back later raises a new one.")
    q.add_argument("alert_id", type=_alert_id, metavar="ID", help="the alert's id")
    q.add_argument("--note", help="what was done (kept in the audit log)")
    add_operator_flag(q)
    q.set_defaults(handler=_resolve)
