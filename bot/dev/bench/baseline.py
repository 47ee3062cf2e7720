"""The machine's ceiling: bare aiohttp answering 200 to the same webhook POSTs.

Run as `python -m bot.dev.bench.baseline --port N`. It reads the body (as the real
webhook must, to check the signature) and answers 200 with nothing else, on
the same event loop (uvloop) and server settings as `khaacho serve`.
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web

from bot.lifecycle import run_until_signalled, serving


async def _webhook(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="ok")


async def _ready(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    """The bare app: POST /webhook → 200, GET /api/ready → 200."""
    app = web.Application(client_max_size=3 * 1024 * 1024)
    app.router.add_post("/webhook", _webhook)
    app.router.add_get("/api/ready", _ready)
    app.router.add_get("/api/health", _ready)
    return app


async def serve(host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT."""
    await run_until_signalled(serving(create_app(), host, port, backlog=1024))


def main() -> None:
    """Entry point for the subprocess."""
    parser = argparse.ArgumentParser(description="bare aiohttp webhook baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(serve(args.host, args.port))
    else:
        uvloop.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
