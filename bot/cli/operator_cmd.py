"""`khaacho operator add | list | disable`: the operator console's accounts.

The password is read from standard input (`--password-stdin`), never from the
command line where `ps` and shell history would keep it.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_table,
)
from bot.console import accounts

COLUMNS = (
    Column("username", "username"),
    Column("role", "role"),
    Column("active", "active"),
    Column("created_at", "created"),
    Column("created_by", "by"),
    Column("last_login_at", "last login"),
    Column("disabled_at", "disabled"),
)


def _read_password() -> str:
    # One line: a trailing newline from `echo` or a file is not part of the password.
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("no password on standard input (pipe it in with --password-stdin)")
    return password


async def _add(args: argparse.Namespace) -> int:
    if not args.password_stdin:
        raise CliError("give the password on standard input with --password-stdin")
    password = _read_password()
    try:
        async with cli_runtime() as rt, rt.pool.acquire() as conn:
            made = await accounts.add_account(conn, username=args.username, role=args.role,
                                              password=password, actor=operator_name(args),
                                              context={"via": "cli"})
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None
    print(f"operator {made.username} added ({made.role})")
    return 0


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        rows = await accounts.list_accounts(conn)
    records = [{"username": a.username, "role": a.role, "active": a.active,
                "created_at": a.created_at, "created_by": a.created_by,
                "last_login_at": a.last_login_at, "disabled_at": a.disabled_at} for a in rows]
    show_table(records, COLUMNS, as_json=args.json, title="console operators")
    return 0


async def _disable(args: argparse.Namespace) -> int:
    try:
        async with cli_runtime() as rt, rt.pool.acquire() as conn:
            done = await accounts.disable_account(conn, args.username,
                                                  actor=operator_name(args),
                                                  context={"via": "cli"})
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None
    print(f"operator {done.username} disabled")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `operator`."""
    p = sub.add_parser("operator", help="accounts of the operator console",
                       description="Accounts that log in to the web console at /console. "
                                   "Viewers read; operators also act; admins also manage "
                                   "accounts.")
    osub = p.add_subparsers(dest="operator_command", metavar="ACTION")
    osub.required = True
    q = osub.add_parser("add", help="add an account (password on stdin)",
                        description="Add a console account. The password (at least "
                                    f"{accounts.MIN_PASSWORD} characters) is read from "
                                    "standard input.")
    q.add_argument("--username", required=True, help="login name (a-z, 0-9, . _ -)")
    q.add_argument("--role", required=True, choices=accounts.ROLES,
                   help="viewer reads; operator acts; admin also manages operators")
    q.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input (required)")
    add_operator_flag(q)
    q.set_defaults(handler=_add)
    q = osub.add_parser("list", help="list accounts", description="List console accounts.")
    add_json_flag(q)
    q.set_defaults(handler=_list)
    q = osub.add_parser("disable", help="disable an account",
                        description="Disable a console account: it cannot log in and its "
                                    "open sessions end at their next request.")
    q.add_argument("username", help="the account to disable")
    add_operator_flag(q)
    q.set_defaults(handler=_disable)
