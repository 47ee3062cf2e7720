"""`khaacho admin token`: issue a bearer token for the admin API."""

from __future__ import annotations

import argparse

from bot.auth import ROLES, AuthError, issue_token
from bot.cli.errors import CliError
from bot.cli.output import show_json
from bot.cli.settings_arg import settings_for_cli


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None
    if not 0 < value <= 24 * 90:
        raise argparse.ArgumentTypeError("hours must be more than 0 and at most 2160 (90 days)")
    return value


def _token(args: argparse.Namespace) -> int:
    settings = settings_for_cli()
    secret = settings.jwt_secret.get_secret_value()
    try:
        token = issue_token(secret, args.operator, args.role, hours=args.hours)
    except AuthError as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        show_json({"token": token, "operator": args.operator, "role": args.role,
                   "hours": args.hours})
    else:
        print(token)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `admin`."""
    p = sub.add_parser("admin", help="admin API access (tokens)",
                       description="Admin API helpers.")
    asub = p.add_subparsers(dest="admin_command", metavar="ACTION")
    asub.required = True
    q = asub.add_parser("token", help="issue a bearer token for the admin API",
                        description="Print an HS256 JWT signed with JWT_SECRET for "
                                    "`Authorization: Bearer …`. Viewers read; operators also "
                                    "write.")
    q.add_argument("--operator", required=True, metavar="NAME", help="who the token is for")
    q.add_argument("--role", choices=ROLES, default="operator",
                   help="viewer (read-only) or operator (default)")
    q.add_argument("--hours", type=_hours, default=12.0, help="valid for (default 12 hours)")
    q.add_argument("--json", action="store_true", help="print JSON with the token")
    q.set_defaults(handler=_token)
