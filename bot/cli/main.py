"""The `khaacho` command: one entry point, a subcommand per operator task.

Each module in `COMMAND_MODULES` exposes `register(subparsers)`, which adds its
subcommand(s) and sets `handler` (a plain or async callable taking the parsed
arguments and returning an exit code) via `set_defaults`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import sys
from collections.abc import Sequence

from redis.exceptions import RedisError

from bot.cli.errors import CliError
from bot.db import DatabaseUnavailable

COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.stack_cmd",
    "bot.cli.parse_cmd",
    "bot.cli.catalog_cmd",
    "bot.cli.simulator_cmd",
    "bot.cli.bench_cmd",
    "bot.cli.jobs_cmd",
    "bot.cli.report_cmd",
    "bot.cli.orders_cmd",
    "bot.cli.retailers_cmd",
    "bot.cli.vendors_cmd",
    "bot.cli.outbox_cmd",
    "bot.cli.stats_cmd",
    "bot.cli.admin_cmd",
    "bot.cli.chat_cmd",
    "bot.cli.sessions_cmd",
    "bot.cli.flows_cmd",
    "bot.cli.parties_cmd",
    "bot.cli.payment_cmd",
    "bot.cli.ledger_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="khaacho",
        description="Khaacho: WhatsApp ordering for kirana shops and wholesalers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _unreachable(exc: BaseException) -> str:
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if isinstance(exc, RedisError):
        return f"cannot reach REDIS_URL: {exc}"
    return f"{type(exc).__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors become one line on stderr and a non-zero exit."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        if inspect.iscoroutinefunction(handler):
            result = asyncio.run(handler(args))
        else:
            result = handler(args)
    except CliError as exc:
        print(f"khaacho {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except (DatabaseUnavailable, RedisError, OSError) as exc:
        # A service that cannot be reached is an operator's problem to fix, not a
        # traceback to read: one line, whichever command met it.
        print(f"khaacho {args.command}: {_unreachable(exc)}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
