"""`khaacho report daily|weekly [--date D] [--format table|csv|json]`: the figures on demand.

The same numbers the analytics job stores and the weekly report sends,
computed live from Postgres for any day or week.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson

from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.db import DatabaseUnavailable
from bot.runtime import Runtime
from flows.i18n import money

DAILY_COLUMNS = ("dimension", "key", "orders", "gmv", "active_retailers", "new_retailers",
                 "avg_basket")
VENDOR_COLUMNS = ("vendor", "orders", "value", "offers", "acceptance_rate",
                  "median_response_seconds", "fulfilment_rate", "price_flags")
VENDOR_TABLE_COLUMNS = ("vendor", "orders", "value", "offers", "acceptance_rate",
                        "median_response", "fulfilment_rate", "price_flags")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _today() -> date:
    from jobs.job import local_now

    return local_now(datetime.now(UTC)).date()


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value}"
    return str(value)


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in cells:
        lines.append("  ".join(v.rjust(w) if v[:1].isdigit() else v.ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: "" if r.get(c) is None else r.get(c) for c in columns})
    return buf.getvalue().rstrip("\n")


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2).decode()


async def _with_conn(fn: Any) -> Any:
    try:
        rt = await Runtime.open(settings_for_cli())
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    try:
        async with rt.pool.acquire() as conn:
            return await fn(conn)
    finally:
        await rt.close()


async def _daily(args: argparse.Namespace) -> int:
    from jobs.analytics import compute_day

    day = args.date or _today()
    rows = await _with_conn(lambda conn: compute_day(conn, day))
    if args.format == "json":
        print(_json({"day": day, "rows": rows}))
    elif args.format == "csv":
        print(_csv(rows, DAILY_COLUMNS))
    else:
        print(f"Daily report for {day.isoformat()} (Asia/Kathmandu)")
        print(_table(rows, DAILY_COLUMNS))
    return 0


async def _weekly(args: argparse.Namespace) -> int:
    from jobs.weekly_reports import build_weekly, week_for

    first, last = week_for(args.date or _today())
    report = await _with_conn(lambda conn: build_weekly(conn, first, last))
    vendors = report["vendors"]
    if args.format == "json":
        print(_json(report))
    elif args.format == "csv":
        total = {"vendor": "TOTAL", "orders": report["totals"]["orders"],
                 "value": report["totals"]["gmv"]}
        print(_csv([*vendors, total], VENDOR_COLUMNS))
    else:
        t = report["totals"]
        print(f"Weekly report {first.isoformat()} to {last.isoformat()} (Asia/Kathmandu)")
        print(f"orders {t['orders']}  GMV {money('en', t['gmv'])}  active retailers "
              f"{t['active_retailers']}  new retailers {t['new_retailers']}  average basket "
              f"{money('en', t['avg_basket'])}")
        print()
        shown = [{**v, "acceptance_rate": _pct(v["acceptance_rate"]),
                  "fulfilment_rate": _pct(v["fulfilment_rate"]),
                  "median_response": _duration(v["median_response_seconds"])} for v in vendors]
        print(_table(shown, VENDOR_TABLE_COLUMNS))
        if report["call_list"]:
            print()
            print("Retailers to call this week:")
            print(_table(report["call_list"], ("call_rank", "shop_name", "phone", "area",
                                               "churn_risk", "days_since_last")))
    return 0


def _pct(rate: Decimal | None) -> str | None:
    return None if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _duration(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m {secs:02d}s"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `report daily` and `report weekly`."""
    p = sub.add_parser("report", help="daily or weekly business figures",
                       description="Orders, GMV, retailers and vendor figures for a day or "
                                   "a week, computed live (Kathmandu days).")
    rsub = p.add_subparsers(dest="report_command", metavar="PERIOD")
    rsub.required = True
    for name, handler, help_text, date_help in (
        ("daily", _daily, "one day's figures, overall, per area and per category",
         "the day (YYYY-MM-DD, default today in Kathmandu)"),
        ("weekly", _weekly, "the week's figures and each vendor's (as sent on Sundays)",
         "any day: the report is the one sent on the Sunday on or before it, covering "
         "the seven days before that Sunday (default today)"),
    ):
        sp = rsub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--date", type=_date, help=date_help)
        sp.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default table)")
        sp.set_defaults(handler=handler)
