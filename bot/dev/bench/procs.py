"""Starting and stopping the real processes a benchmark or chaos scenario drives.

Web, worker, the bare baseline and private Redis/Postgres servers run as
subprocesses so each gets its own core time (and can be SIGKILLed). Output
goes to a log file per process so a failure can be diagnosed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil


class ProcessFailed(Exception):
    """A managed process exited or never became ready."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def khaacho_argv(*args: str) -> list[str]:
    """argv running the `khaacho` CLI with this interpreter."""
    return [sys.executable, "-m", "bot.cli.main", *args]


def wait_http(url: str, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None,
              expect: int = 200) -> None:
    """Poll `url` until it answers `expect` (or the process dies, or time runs out)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ProcessFailed(f"process exited with {proc.returncode} before {url} was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == expect:
                    return
                last = str(resp.status)
        except urllib.error.HTTPError as exc:
            last = str(exc.code)
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise ProcessFailed(f"{url} not ready after {timeout:.0f}s ({last})")


def wait_port(port: int, timeout: float = 15.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise ProcessFailed(f"nothing listening on port {port} after {timeout:.0f}s")


@dataclass
class Managed:
    """One subprocess: how it was started, its log, and its CPU use."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str | None = None
    cwd: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    _ps: psutil.Process | None = None
    _cpu_mark: float = 0.0
    _wall_mark: float = field(default_factory=time.monotonic)

    def start(self, ready_timeout: float = 30.0) -> Managed:
        """Start the process and wait for its ready URL, if any."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - argv built here, no shell
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.cwd, start_new_session=True)
        finally:
            log.close()
        self._ps = psutil.Process(self.proc.pid)
        if self.ready_url:
            try:
                wait_http(self.ready_url, ready_timeout, self.proc)
            except ProcessFailed as exc:
                raise ProcessFailed(f"{self.name}: {exc}; log tail:\n{self.log_tail()}") from None
        self.mark()
        return self

    @property
    def pid(self) -> int:
        """The process id (it must be started)."""
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc is not None and self.proc.poll() is None

    def mark(self) -> None:
        """Start a CPU-accounting window now."""
        self._wall_mark = time.monotonic()
        self._cpu_mark = self.cpu_seconds()

    def cpu_seconds(self) -> float:
        """User+system CPU seconds used so far (children included)."""
        if self._ps is None or not self.alive():
            return self._cpu_mark
        try:
            t = self._ps.cpu_times()
            return float(t.user + t.system + t.children_user + t.children_system)
        except psutil.Error:
            return self._cpu_mark

    def rss_mb(self) -> float:
        """Resident memory now, in MB (0 when not running)."""
        if self._ps is None or not self.alive():
            return 0.0
        try:
            return round(self._ps.memory_info().rss / 1e6, 1)
        except psutil.Error:
            return 0.0

    def cpu_share(self) -> float:
        """Fraction of one core used since `mark()`."""
        wall = time.monotonic() - self._wall_mark
        return round((self.cpu_seconds() - self._cpu_mark) / wall, 3) if wall > 0 else 0.0

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait, then SIGKILL; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL, no goodbye (for chaos)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the process's output."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def service_env(*, database_url: str, redis_url: str, redis_prefix: str, api_url: str,
                app_secret: str, access_token: str, phone_number_id: str, verify_token: str,
                port: int, max_mps: float = 1000.0, log_level: str = "WARNING",
                extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment `khaacho serve` / `khaacho worker` run with."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WHATSAPP_", "DATABASE_", "REDIS_"))}
    env.update({
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "WHATSAPP_API_URL": api_url,
        "WHATSAPP_PHONE_NUMBER_ID": phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": access_token,
        "WHATSAPP_VERIFY_TOKEN": verify_token,
        "WHATSAPP_APP_SECRET": app_secret,
        "WHATSAPP_MAX_MPS": str(max_mps),
        "JWT_SECRET": "bench-jwt-secret-with-enough-entropy-0123456789",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WORKER_HEALTH_PORT": str(free_port()),
        "LOG_LEVEL": log_level,
        "PYTHONUNBUFFERED": "1",
    })
    if extra:
        env.update(extra)
    return env


def web_process(env: dict[str, str], log_dir: Path, name: str = "web") -> Managed:
    """`khaacho serve` on env's PORT, ready when /api/ready answers 200."""
    port = env["PORT"]
    return Managed(name, khaacho_argv("serve", "--host", "127.0.0.1", "--port", port), env,
                   log_dir / f"{name}.log", ready_url=f"http://127.0.0.1:{port}/api/ready")


def worker_process(env: dict[str, str], log_dir: Path, name: str = "worker", *,
                   conversations: bool = False) -> Managed:
    """`khaacho worker`, ready when its health endpoint answers 200.

    Waiting for it matters: a caller that goes on as soon as the process is
    spawned may stop Postgres (or load the system) before the worker has even
    opened its pool. With `conversations`, `khaacho worker --conversations`:
    conversation workers too, with a health port of its own so several can run
    side by side.
    """
    argv = khaacho_argv("worker", "--conversations") if conversations else khaacho_argv("worker")
    if conversations or env.get("WORKER_HEALTH_PORT", "0") == "0":
        env = {**env, "WORKER_HEALTH_PORT": str(free_port())}
    return Managed(name, argv, env, log_dir / f"{name}.log",
                   ready_url=f"http://127.0.0.1:{env['WORKER_HEALTH_PORT']}/health")


def baseline_process(port: int, log_dir: Path) -> Managed:
    """The bare aiohttp server on `port`."""
    command = [sys.executable, "-m", "bot.dev.bench.baseline", "--port", str(port)]
    return Managed("baseline", command,
                   dict(os.environ), log_dir / "baseline.log",
                   ready_url=f"http://127.0.0.1:{port}/api/ready")
