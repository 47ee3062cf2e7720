"""`khaacho operator add | list | disable`: accounts from the command line, password on stdin."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from bot.cli.main import main
from bot.console import accounts
from bot.db import connect
from bot.runtime import Runtime


@pytest.fixture
def cli(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    s = runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("REDIS_URL", s.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", s.redis_key_prefix)
    monkeypatch.setenv("KHAACHO_OPERATOR", "lead")
    return runtime


def query(runtime: Runtime, sql: str) -> object:
    """One value, read on a connection of its own (the CLI ran its own event loop)."""
    async def read() -> object:
        conn = await connect(runtime.settings.database_url)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()
    return asyncio.run(read())


def logs_in(runtime: Runtime, username: str, password: str) -> bool:
    async def check() -> bool:
        conn = await connect(runtime.settings.database_url)
        try:
            return await accounts.authenticate(conn, username, password) is not None
        finally:
            await conn.close()
    return asyncio.run(check())


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_add_reads_the_password_from_stdin_and_it_logs_in(
        cli: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(monkeypatch, ["operator", "add", "--username", "Sita", "--role", "operator",
                             "--password-stdin"], "a good long password\n")
    assert code == 0 and "operator sita added (operator)" in capsys.readouterr().out
    assert logs_in(cli, "sita", "a good long password")
    assert not logs_in(cli, "sita", "a good long password\n")
    assert str(query(cli, "SELECT password_hash FROM console_operators")).startswith(
        "$argon2id$")
    assert query(cli, "SELECT actor || ' ' || action FROM audit_log") == "cli:lead operator.add"


def test_add_refuses_a_short_password_a_taken_name_and_no_stdin_flag(
        cli: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["operator", "add", "--username", "ram", "--role", "viewer"]
    assert run(monkeypatch, [*base, "--password-stdin"], "short\n") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert run(monkeypatch, base, "a good long password\n") == 1
    assert "--password-stdin" in capsys.readouterr().err
    assert run(monkeypatch, [*base, "--password-stdin"], "a good long password\n") == 0
    assert run(monkeypatch, [*base, "--password-stdin"], "a good long password\n") == 1
    assert "already exists" in capsys.readouterr().err
    assert run(monkeypatch, ["operator", "add", "--username", "no spaces", "--role", "viewer",
                             "--password-stdin"], "a good long password\n") == 1


def test_list_and_disable(cli: Runtime, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    run(monkeypatch, ["operator", "add", "--username", "ram", "--role", "admin",
                      "--password-stdin"], "a good long password\n")
    assert run(monkeypatch, ["operator", "disable", "ram"]) == 0
    capsys.readouterr()
    assert run(monkeypatch, ["operator", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["username"], r["role"], r["active"]) for r in listed] == [("ram", "admin", False)]
    assert run(monkeypatch, ["operator", "disable", "nobody"]) == 1
    assert not logs_in(cli, "ram", "a good long password")
