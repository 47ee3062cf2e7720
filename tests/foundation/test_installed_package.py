"""`pip install .` carries everything the commands read: they work outside the source tree.

The wheel is built offline from a copy of the tree (the test environment's
setuptools, no build isolation) and installed by pip into a directory of its
own. Its `khaacho` script then runs from a directory outside the checkout
with only that directory in front of the environment's dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.runtime import Runtime

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# What `pip install .` builds from: the project's metadata and its four packages.
SOURCES = ("pyproject.toml", "README.md", "schema.sql", "bot", "domain", "flows", "jobs")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    site: Path  # where pip put the packages (and bin/khaacho)
    elsewhere: Path  # a working directory outside any checkout

    def run(self, *args: str, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`khaacho ARGS` from the installed copy, in a directory outside the tree."""
        full_env = {**(env or os.environ), "PYTHONPATH": str(self.site)}
        return subprocess.run(  # noqa: S603 - the installed script
            [str(self.site / "bin" / "khaacho"), *args], cwd=self.elsewhere, env=full_env,
            capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    built = subprocess.run(  # noqa: S603 - setuptools' PEP 517 hook, offline
        [sys.executable, "-c",
         "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])",
         str(dist)],
        cwd=src, capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(dist.glob("khaacho-*.whl"))
    site = base / "site"
    done = subprocess.run(  # noqa: S603 - pip from this environment, no index
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, site, elsewhere)


def test_the_wheel_carries_the_schema_and_the_demo_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        schema = wheel.read("bot/schema.sql").decode("utf-8")
    assert schema == (ROOT / "schema.sql").read_text(encoding="utf-8")
    demo = ROOT / "bot" / "dev" / "demo_data"
    expected = {f"bot/dev/{p.relative_to(demo.parent)}" for p in demo.rglob("*.csv")}
    assert expected and expected <= names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_the_installed_commands_run_from_the_installed_copy(installed: Installed) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import bot.db, bot.dev.demo_catalog as d; "
         "print(bot.db.SCHEMA_PATH); print(d.DEMO_DIR)"],
        cwd=installed.elsewhere, env={**os.environ, "PYTHONPATH": str(installed.site)},
        capture_output=True, text=True, timeout=60, check=True)
    for line in where.stdout.split():
        assert Path(line).is_relative_to(installed.site), line


def test_khaacho_bench_help_works_installed(installed: Installed) -> None:
    done = installed.run("bench", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: khaacho bench" in done.stdout


def test_khaacho_bench_parse_runs_installed(installed: Installed) -> None:
    done = installed.run("bench", "parse", "--products", "200", "--lines", "40")
    assert done.returncode == 0, done.stderr
    assert "khaacho parse_message" in done.stdout
    assert "rapidfuzz extractOne(WRatio)" in done.stdout


def test_khaacho_demo_plays_an_order_installed(installed: Installed, runtime: Runtime) -> None:
    settings = runtime.settings
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "REDIS_KEY_PREFIX": settings.redis_key_prefix,
           "HOST": "127.0.0.1", "WORKER_HEALTH_PORT": "0"}
    done = installed.run("demo", "--no-interactive", env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Outstanding" in done.stdout
