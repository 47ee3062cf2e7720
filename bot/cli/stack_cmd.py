"""`khaacho migrate | serve | worker`: running the service itself."""

from __future__ import annotations

import argparse
from collections.abc import Coroutine
from typing import Any

from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.db import DatabaseUnavailable, connect, migrate
from bot.lifecycle import run_until_signalled
from bot.logs import configure_logging
from bot.processes import web_service, worker_service


async def _migrate(args: argparse.Namespace) -> int:
    settings = settings_for_cli()
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


def _run(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is Linux-only
        import asyncio

        asyncio.run(main)
    else:
        uvloop.run(main)


def _serve(args: argparse.Namespace) -> int:
    settings = settings_for_cli()
    configure_logging(settings.log_level)
    try:
        _run(run_until_signalled(web_service(settings, host=args.host, port=args.port)))
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = settings_for_cli()
    configure_logging(settings.log_level)
    try:
        _run(run_until_signalled(worker_service(settings, conversations=args.conversations)))
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add migrate, serve and worker."""
    p = sub.add_parser("migrate", help="apply schema.sql (idempotent)",
                       description="Apply schema.sql to DATABASE_URL; a no-op when up to date.")
    p.set_defaults(handler=_migrate)

    p = sub.add_parser("serve", help="run the web service (webhook, APIs)",
                       description="Run the aiohttp web service until SIGTERM.")
    p.add_argument("--host", help="interface to listen on (default HOST or 0.0.0.0)")
    p.add_argument("--port", type=int, help="port to listen on (default PORT or 8080)")
    p.set_defaults(handler=_serve)

    p = sub.add_parser("worker", help="run the job runner and outbox dispatcher",
                       description="Run scheduled jobs and the outbox dispatcher until SIGTERM.")
    p.add_argument("--conversations", action="store_true",
                   help="also run conversation workers (CONVERSATION_WORKERS loops) that "
                        "work off the inbox, beside those in `khaacho serve`")
    p.set_defaults(handler=_worker)
