"""`khaacho migrate | serve | worker | demo`: running the service itself."""

from __future__ import annotations

import argparse
import contextlib

from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.db import DatabaseUnavailable, connect, migrate
from bot.logs import configure_logging


async def _migrate(args: argparse.Namespace) -> int:
    settings = settings_for_cli(embedded=args.embedded)
    try:
        conn = await connect(settings.database_url)
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    try:
        version = await migrate(conn)
    finally:
        await conn.close()
    print(f"schema {version} applied" if version else "schema already up to date")
    return 0


def _run(main: object) -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is Linux-only
        import asyncio

        asyncio.run(main)  # type: ignore[arg-type]
    else:
        uvloop.run(main)  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    from bot.web.app import serve

    settings = settings_for_cli()
    configure_logging(settings.log_level)
    try:
        _run(serve(settings, host=args.host, port=args.port))
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    return 0


def _worker(args: argparse.Namespace) -> int:
    from jobs.worker import run_worker

    settings = settings_for_cli()
    configure_logging(settings.log_level)
    try:
        _run(run_worker(settings))
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.dev.demo import run_demo

    settings = settings_for_cli(embedded=True)
    with contextlib.suppress(KeyboardInterrupt):
        return run_demo(settings, interactive=args.interactive)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add migrate, serve, worker and demo."""
    p = sub.add_parser("migrate", help="apply schema.sql (idempotent)",
                       description="Apply schema.sql to DATABASE_URL; a no-op when up to date.")
    p.add_argument("--embedded", action="store_true",
                   help="start the embedded Postgres when DATABASE_URL is unset")
    p.set_defaults(handler=_migrate)

    p = sub.add_parser("serve", help="run the web service (webhook, APIs)",
                       description="Run the aiohttp web service until SIGTERM.")
    p.add_argument("--host", help="interface to listen on (default HOST or 0.0.0.0)")
    p.add_argument("--port", type=int, help="port to listen on (default PORT or 8080)")
    p.set_defaults(handler=_serve)

    p = sub.add_parser("worker", help="run the job runner and outbox dispatcher",
                       description="Run scheduled jobs and the outbox dispatcher until SIGTERM.")
    p.set_defaults(handler=_worker)

    p = sub.add_parser("demo", help="start everything locally and show an order end to end",
                       description="Start embedded Postgres/Redis where the URLs are unset, "
                                   "load the demo catalogue, run web + worker + the WhatsApp "
                                   "simulator and open the chat (or, without a terminal, "
                                   "play a sample conversation and exit).")
    p.add_argument("--interactive", action=argparse.BooleanOptionalAction, default=None,
                   help="force the interactive chat on or off (default: on when stdin is a tty)")
    p.set_defaults(handler=_demo)
