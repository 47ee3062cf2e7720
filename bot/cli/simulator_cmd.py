"""`khaacho simulator`: run the local WhatsApp Cloud API stand-in."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from aiohttp import web

from bot.cli.errors import CliError
from bot.dev.simulator import Simulator, create_app


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `simulator` subcommand."""
    p = subparsers.add_parser(
        "simulator",
        help="run a local WhatsApp Cloud API simulator",
        description=(
            "Serve POST /{version}/{phone_number_id}/messages like the Graph API, record what "
            "the bot sends, post signed sent/delivered status webhooks back to the bot, and "
            "accept test controls under /_sim/ (fail, heal, window, inbound, messages, reset). "
            "Point WHATSAPP_API_URL at http://HOST:PORT/v23.0."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port to listen on (default 8090)")
    p.add_argument("--webhook-url", default=None,
                   help="the bot's webhook (default http://127.0.0.1:$PORT/webhook)")
    p.add_argument("--token", default=None,
                   help="bearer token to accept (default $WHATSAPP_ACCESS_TOKEN)")
    p.add_argument("--app-secret", default=None,
                   help="secret to sign webhooks with (default $WHATSAPP_APP_SECRET)")
    p.add_argument("--phone-number-id", default=None,
                   help="business phone number id (default $WHATSAPP_PHONE_NUMBER_ID)")
    p.add_argument("--mps", type=float, default=None,
                   help="answer 130429 above this many messages per second")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    """Serve the simulator until interrupted."""
    token = args.token or os.environ.get("WHATSAPP_ACCESS_TOKEN", "")
    if not token:
        raise CliError("no access token: pass --token or set WHATSAPP_ACCESS_TOKEN")
    bot_port = os.environ.get("PORT", "8080")
    sim = Simulator(
        access_token=token,
        phone_number_id=args.phone_number_id
        or os.environ.get("WHATSAPP_PHONE_NUMBER_ID") or "1122334455667",
        webhook_url=args.webhook_url or f"http://127.0.0.1:{bot_port}/webhook",
        app_secret=args.app_secret or os.environ.get("WHATSAPP_APP_SECRET", ""),
        mps=args.mps,
    )
    runner = web.AppRunner(create_app(sim), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    print(f"simulator listening on http://{args.host}:{args.port} "
          f"(WHATSAPP_API_URL=http://{args.host}:{args.port}/v23.0), webhooks to {sim.webhook_url}",
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0
