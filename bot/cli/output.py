"""How CLI commands show things: rich tables for people, `--json` for scripts.

Every listing command adds `--json` with `add_json_flag` and prints with
`show_table` / `show_record`; a command that needs Postgres and Redis opens
them with `cli_runtime()`, which turns "cannot connect" into one clear line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from bot import jsontext
from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.db import DatabaseUnavailable
from bot.runtime import Runtime
from domain.business_time import local_time
from domain.money import format_amount, format_decimal, to_paisa


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: the row key, its header, and right-alignment for numbers."""

    key: str
    header: str
    numeric: bool = False


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add `--json` (machine-readable output) to a subcommand."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def cell(value: object) -> str:
    """A value as a table shows it: times in Nepal time, figures grouped in lakhs."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return local_time(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        # Money (two places) keeps its paisa so a column lines up: 2,00,000.00.
        if value.is_finite() and value == to_paisa(value):
            return format_amount(value, always_paisa=True)
        return format_decimal(value)
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return jsontext.dumps(value)
    return str(value)


def _console(out: TextIO | None) -> Console:
    stream = out or sys.stdout
    # Piped output (grep, less, a log) should not be wrapped at rich's default 80 columns.
    width = None if stream.isatty() else 240
    return Console(file=stream, soft_wrap=False, width=width)


def show_json(value: object, *, out: TextIO | None = None) -> None:
    """Print `value` as indented JSON."""
    print(jsontext.dumps(value, indent=True), file=out or sys.stdout)


def show_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *,
               as_json: bool, title: str | None = None, out: TextIO | None = None,
               json_value: object = None) -> None:
    """A rich table of `rows` (or JSON of `json_value`, default the rows)."""
    if as_json:
        show_json(rows if json_value is None else json_value, out=out)
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        table.add_column(col.header, justify="right" if col.numeric else "left",
                         no_wrap=col.numeric)
    for row in rows:
        table.add_row(*(cell(row.get(col.key)) for col in columns))
    console = _console(out)
    if rows:
        console.print(table)
    else:
        console.print(f"{title or 'nothing'}: none")


def show_record(record: Mapping[str, Any], *, as_json: bool, title: str | None = None,
                out: TextIO | None = None, skip: Sequence[str] = ()) -> None:
    """A two-column field/value table of one record (or its JSON)."""
    if as_json:
        show_json(record, out=out)
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in record.items():
        if key in skip or (isinstance(value, list) and value and isinstance(value[0], dict)):
            continue
        table.add_row(key, cell(value))
    _console(out).print(table)


def operator_name(args: argparse.Namespace) -> str:
    """Who runs a CLI write, for the audit log: `--as`, $KHAACHO_OPERATOR or the OS user."""
    name = getattr(args, "as_operator", None) or os.environ.get("KHAACHO_OPERATOR")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return f"cli:{name}"


def add_operator_flag(parser: argparse.ArgumentParser) -> None:
    """Add `--as NAME` (the operator named in the audit log) to a write subcommand."""
    parser.add_argument("--as", dest="as_operator", metavar="NAME",
                        help="operator name for the audit log (default $KHAACHO_OPERATOR "
                             "or your login)")


@asynccontextmanager
async def cli_runtime() -> AsyncIterator[Runtime]:
    """Postgres and Redis from the environment, closed at the end."""
    settings = settings_for_cli()
    try:
        runtime = await Runtime.open(settings)
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    try:
        yield runtime
    finally:
        await runtime.close()
