"""How a long-running process runs: start its service, wait for SIGTERM or SIGINT, drain.

A service is an async context manager: entering it starts it (an aiohttp
application listening on a port, the worker's components), leaving it stops
it and waits for what is in flight. `run_until_signalled` is the one loop
every long-running command goes through (`khaacho serve`, `worker`,
`simulator`, the bench's bare server); `serving` makes an aiohttp application
such a service the way aiohttp's own `run_app` does: `AppRunner.setup` runs
its startup (and the entering half of its `cleanup_ctx`), and on the way out
`cleanup` stops accepting, lets in-flight requests finish within
`shutdown_timeout`, then runs the cleanups.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from aiohttp import web

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# aiohttp's own default: how long in-flight requests get once the service stops.
SHUTDOWN_TIMEOUT = 60.0


@contextlib.contextmanager
def stop_requested(signals: Sequence[signal.Signals] = STOP_SIGNALS) -> Iterator[asyncio.Event]:
    """An event that SIGTERM or SIGINT sets while the block runs (default handling after)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def run_until_signalled(service: contextlib.AbstractAsyncContextManager[Any]) -> None:
    """Start `service`, run until SIGTERM or SIGINT, then stop it (it drains on the way out).

    The handlers are in place before the service starts, so a signal during
    start-up stops it cleanly as soon as it is up.
    """
    with stop_requested() as stop:
        async with service:
            await stop.wait()


@contextlib.asynccontextmanager
async def serving(app: web.Application, host: str, port: int, *,
                  shutdown_timeout: float = SHUTDOWN_TIMEOUT,
                  backlog: int = 128) -> AsyncIterator[web.AppRunner]:
    """Serve `app` on `host:port` while the block runs; then drain it and run its cleanups."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False,
                           shutdown_timeout=shutdown_timeout)
    try:
        # A failed start-up (or a taken port) still unwinds what did start:
        # aiohttp's cleanup runs the cleanup contexts that were entered.
        await runner.setup()
        await web.TCPSite(runner, host, port, backlog=backlog).start()
        yield runner
    finally:
        await runner.cleanup()


def bound_port(runner: web.AppRunner) -> int | None:
    """The TCP port the runner listens on (useful when it was asked for port 0)."""
    ports = [a[1] for a in runner.addresses if isinstance(a, tuple)]
    return int(ports[0]) if ports else None
