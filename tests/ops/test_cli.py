"""The operator CLI: tables by default, JSON with --json, one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os

import orjson
import pytest

from bot.auth import verify_token
from bot.cli.main import main
from bot.cli.orders_cmd import order_number_arg, parse_since
from bot.config import Settings
from bot.conversation.sessions import SessionIndex, activity_ms
from bot.db import connect
from bot.runtime import Runtime
from domain.business_time import local_time
from tests.conftest import TEST_JWT_SECRET
from tests.ops.helpers import seed_basic


@pytest.fixture
async def seeded(runtime: Runtime) -> dict[str, int]:
    return await seed_basic(runtime)


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", settings.redis_key_prefix)
    monkeypatch.setenv("JWT_SECRET", TEST_JWT_SECRET)
    monkeypatch.setenv("KHAACHO_OPERATOR", "hari")


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_orders_list_json_has_the_order(seeded: dict[str, int], cli_env: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["orders", "list", "--status", "pending", "--json"])
    assert isinstance(rows, list)
    assert [(r["number"], r["total"], r["retailer_phone"]) for r in rows] == [
        (1001, "3600.00", "9812345123")]


def test_orders_list_prints_a_table_by_default(seeded: dict[str, int], cli_env: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["orders", "list"]) == 0
    out = capsys.readouterr().out
    assert "1001" in out and "Ram Kirana" in out and "3,600.00" in out


def test_orders_show_unknown_is_one_line_and_nonzero(seeded: dict[str, int], cli_env: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["orders", "show", "424242"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "khaacho orders: order #424242 not found"


def test_retailers_show_has_balance_and_available(seeded: dict[str, int], cli_env: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    row = _json(capsys, ["retailers", "show", "9812345123", "--json"])
    assert isinstance(row, dict)
    assert (row["credit_limit"], row["open_orders"], row["available"]) == (
        "50000.00", "3600.00", "46400.00")


def test_vendors_list_json(seeded: dict[str, int], cli_env: None,
                           capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, ["vendors", "list", "--json"])
    assert isinstance(rows, list)
    assert [(r["phone"], r["open_orders"]) for r in rows] == [("9801000001", 1)]


def test_outbox_retry_requeues_and_audits_the_cli_user(
    seeded: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, ["outbox", "retry", str(seeded["outbox"]), "--json"])
    assert result == {"id": seeded["outbox"], "status": "pending", "previous_status": "dead"}
    audit = _json(capsys, ["outbox", "list", "--json"])
    assert isinstance(audit, list) and audit[0]["status"] == "pending"
    assert main(["outbox", "retry", str(seeded["outbox"])]) == 1
    assert "only failed or dead rows" in capsys.readouterr().err


def test_stats_json_runs_on_an_empty_analytics_table(seeded: dict[str, int], cli_env: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["stats", "--days", "3", "--json"])
    assert isinstance(data, dict)
    assert data["days"] == 3
    assert data["live"]["open_orders"] == 1


def test_admin_token_is_verifiable_with_the_secret(cli_env: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "token", "--operator", "sita", "--role", "viewer", "--hours", "2"]) == 0
    token = capsys.readouterr().out.strip()
    principal = verify_token(TEST_JWT_SECRET, token)
    assert (principal.operator, principal.role) == ("sita", "viewer")


def test_admin_token_without_a_secret_is_a_clear_error(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JWT_SECRET", "")
    assert main(["admin", "token", "--operator", "sita"]) == 1
    assert "JWT_SECRET" in capsys.readouterr().err


def test_orders_cancel_goes_through_the_order_service_and_is_audited(
    seeded: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, ["orders", "cancel", "1001", "--reason", "duplicate order",
                            "--as", "sita", "--json"])
    assert result == {"number": 1001, "status": "cancelled", "previous_status": "pending",
                      "notices": 2}
    shown = _json(capsys, ["orders", "show", "#1001", "--json"])
    assert isinstance(shown, dict)
    assert shown["events"][-1]["actor"] == "cli:sita"
    assert shown["events"][-1]["reason"] == "duplicate order"
    assert main(["orders", "cancel", "1001", "--reason", "again"]) == 1
    assert capsys.readouterr().err.startswith("khaacho orders: ")


def test_orders_cancel_requires_a_reason(cli_env: None) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["orders", "cancel", "1001"])
    assert exit_info.value.code == 2


def test_a_payment_recorded_from_the_cli_is_audited_once(
    seeded: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["payment", "record", "--retailer", "9812345123", "--amount", "500", "--ref", "R-1",
            "--advance", "--as", "sita", "--json"]
    _json(capsys, argv)
    _json(capsys, argv)  # the same reference again: nothing new, nothing audited

    async def audit_rows() -> list[tuple[str, str]]:
        conn = await connect(os.environ["DATABASE_URL"])
        try:
            rows = await conn.fetch("SELECT actor, target FROM audit_log "
                                    "WHERE action = 'payment.record'")
        finally:
            await conn.close()
        return [(r["actor"], r["target"]) for r in rows]

    assert asyncio.run(audit_rows()) == [("cli:sita", "retailer:9812345123")]


@pytest.mark.parametrize("argv", [["sessions", "list"], ["orders", "list"]])
def test_an_unreachable_service_is_one_line_and_exit_1(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"khaacho {argv[0]}: ") and "cannot" in err


@pytest.fixture
async def two_sessions(runtime: Runtime) -> None:
    """One conversation idle for two hours, one active a minute ago."""
    now = dt.datetime.now(dt.UTC)
    for phone, idle in (("9779800000001", dt.timedelta(hours=2)),
                        ("9779800000002", dt.timedelta(minutes=1))):
        session = {"state": "collecting", "language": "en", "cart": [{"sku": "X"}],
                   "last_activity": (now - idle).isoformat()}
        await runtime.redis.set(runtime.keys.session(phone), orjson.dumps(session), ex=3600)
        await SessionIndex(runtime.redis, runtime.keys).add(  # as SessionStore.save does
            phone, activity=activity_ms(session, 0),
            expires_at=int(now.timestamp() * 1000) + 3600_000)


def test_sessions_list_idle_over_finds_the_stale_conversation(
    two_sessions: None, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _json(capsys, ["sessions", "list", "--idle-over", "60", "--json"])
    assert isinstance(rows, list)
    assert [(r["phone"], r["state"], r["cart_lines"]) for r in rows] == [
        ("9779800000001", "collecting", 1)]
    assert rows[0]["idle_minutes"] >= 119
    everyone = _json(capsys, ["sessions", "list", "--json"])
    assert isinstance(everyone, list) and len(everyone) == 2


@pytest.mark.parametrize("text", ["1042", "#1042", " #१०४२ "])
def test_an_order_number_argument_reads_ascii_or_devanagari_digits(text: str) -> None:
    assert order_number_arg(text) == 1042


@pytest.mark.parametrize("text", ["²", "#١٠٤٢", "1042x", "", "1234567890"])
def test_an_order_number_argument_refuses_what_is_not_one(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        order_number_arg(text)


@pytest.mark.parametrize("command", [["orders", "show", "1234567890"],
                                     ["payment", "record", "--retailer", "9812345123",
                                      "--amount", "100", "--order", "1234567890"]])
def test_orders_and_payments_refuse_the_same_too_long_order_number(
        command: list[str], cli_env: None) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(command)
    assert exit_info.value.code == 2


def test_since_reads_days_hours_and_kathmandu_dates() -> None:
    assert parse_since("2026-11-01") == dt.datetime(2026, 10, 31, 18, 15, tzinfo=dt.UTC)
    assert parse_since("2026-11-01T09:00") == dt.datetime(2026, 11, 1, 3, 15, tzinfo=dt.UTC)
    since = parse_since("३d")
    ago = dt.datetime.now(dt.UTC) - since
    assert dt.timedelta(days=3) <= ago < dt.timedelta(days=3, minutes=1)


@pytest.mark.parametrize("text", ["99999999999d", "²d", "-3d"])
def test_since_refuses_a_number_of_days_it_cannot_count_back(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_since(text)


def test_sessions_list_shows_last_activity_on_the_kathmandu_clock_like_every_table(
    two_sessions: None, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _json(capsys, ["sessions", "list", "--json"])
    assert isinstance(rows, list)
    assert main(["sessions", "list"]) == 0
    table = capsys.readouterr().out
    for row in rows:
        at = dt.datetime.fromisoformat(row["last_activity"])
        assert local_time(at).strftime("%Y-%m-%d %H:%M") in table
        assert row["last_activity"] not in table
