"""The `khaacho` command: one entry point, a subcommand per operator task.

Each module in `COMMANDS` exposes `register(subparsers)`, which adds its
subcommand(s) and sets `handler` (a plain or async callable taking the parsed
arguments and returning an exit code) via `set_defaults`. The dev tools'
commands (demo, simulator, chat, bench) come from `bot.dev.commands`: this
list is the one place outside `bot/dev` that names it.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence
from typing import Protocol

from redis.exceptions import RedisError

from bot.cli import (
    admin_cmd,
    alerts_cmd,
    catalog_cmd,
    conversation_cmd,
    flows_cmd,
    inbox_cmd,
    invoices_cmd,
    jobs_cmd,
    ledger_cmd,
    operator_cmd,
    orders_cmd,
    outbox_cmd,
    parse_cmd,
    parties_cmd,
    payment_cmd,
    report_cmd,
    retailers_cmd,
    sessions_cmd,
    stack_cmd,
    stats_cmd,
    templates_cmd,
    vendors_cmd,
)
from bot.cli.errors import CliError
from bot.db import DatabaseUnavailable
from bot.dev import commands as dev_commands
from bot.services.operator_actions import ActionError


class CommandModule(Protocol):
    """A module that adds its subcommands to the parser."""

    def register(self, sub: argparse._SubParsersAction[argparse.ArgumentParser], /) -> None:
        """Add the subcommand(s) with their `handler`."""


# The order of `khaacho --help`; the dev commands extend `migrate`, so they follow stack_cmd.
COMMANDS: tuple[CommandModule, ...] = (
    stack_cmd,
    dev_commands,
    parse_cmd,
    catalog_cmd,
    jobs_cmd,
    report_cmd,
    orders_cmd,
    retailers_cmd,
    vendors_cmd,
    outbox_cmd,
    stats_cmd,
    admin_cmd,
    sessions_cmd,
    flows_cmd,
    parties_cmd,
    payment_cmd,
    invoices_cmd,
    ledger_cmd,
    alerts_cmd,
    templates_cmd,
    inbox_cmd,
    operator_cmd,
    conversation_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="khaacho",
        description="Khaacho: WhatsApp ordering for kirana shops and wholesalers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
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
    except ActionError as exc:  # an operator action refused: the same one line, exit 1
        print(f"khaacho {args.command}: {exc.message}", file=sys.stderr)
        return 1
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
