"""`khaacho sessions`, `khaacho flows diagram` and `khaacho chat` against the running stack."""

from __future__ import annotations

import json

import pytest

from bot.cli.errors import CliError
from bot.cli.main import build_parser
from bot.dev.chat_client import ChatClient
from bot.dev.terminal_chat import converse
from tests.conversation.conftest import Stack, add_retailer

PHONE = "9779812000061"


@pytest.fixture
def cli_env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    s = stack.runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("REDIS_URL", s.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", s.redis_key_prefix)
    return stack


async def run_cli(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(await args.handler(args) or 0)


async def test_sessions_list_show_and_reset(cli_env: Stack, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    await add_retailer(cli_env.runtime, PHONE)
    chat = cli_env.chat(PHONE)
    try:
        await chat.send("chini 10 kg, tel 3")
    finally:
        await chat.close()
    capsys.readouterr()

    assert await run_cli("sessions", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["phone"], r["state"], r["cart_lines"], r["questions"]) for r in rows] == [
        (PHONE, "resolving", 1, 1)]

    assert await run_cli("sessions", "show", PHONE, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["session"]["cart"][0]["sku"] == "SUGAR-KG"
    assert shown["session"]["questions"][0]["text"] == "tel 3"
    assert shown["session"]["history"][0]["text"] == "chini 10 kg, tel 3"
    assert shown["lock"] is None

    assert await run_cli("sessions", "show", PHONE) == 0
    out = capsys.readouterr().out
    assert "state      resolving" in out
    assert "question   “tel 3” → Dhara Mustard Oil 1L, Fortune Soyabean Oil 1L Pouch" in out
    assert "lock       free" in out

    assert await run_cli("sessions", "reset", PHONE) == 0
    assert f"session of {PHONE} reset" in capsys.readouterr().out
    with pytest.raises(CliError):
        await run_cli("sessions", "show", PHONE)
    async with cli_env.runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'session.reset'") == 1


async def test_sessions_show_names_the_lock_holder(cli_env: Stack,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    await cli_env.runtime.redis.set(cli_env.runtime.keys.lock(PHONE), b"abcdef0123", px=30000)
    assert await run_cli("sessions", "show", PHONE, "--json") == 0
    lock = json.loads(capsys.readouterr().out)["lock"]
    assert lock["holder"] == "abcdef0123"
    assert 0 <= lock["age_s"] < 5
    assert 25 < lock["expires_in_s"] <= 30


def test_flows_diagram_prints_mermaid_for_each_flow(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    assert main(["flows", "diagram"]) == 0
    out = capsys.readouterr().out
    assert out.count("```mermaid") == 2
    assert "reviewing --> placed: placed" in out
    assert "[*] --> onboarding_shop: unknown number" in out


async def test_chat_renders_choices_as_numbers_and_taps_by_number(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    await add_retailer(stack.runtime, PHONE)
    client = ChatClient(stack.sim_url, PHONE, quiet=0.4, timeout=10)
    try:
        await client.mark_read()
        assert await converse(client, ["chini 10 kg", "1", "/quit"]) == 0
    finally:
        await client.close()
    out = capsys.readouterr().out
    assert "  1) Confirm\n" in out and "  2) Edit\n" in out and "  3) Cancel\n" in out
    assert "(tapped “Confirm”)" in out
    assert "Order #1001 placed with Shrestha Traders" in out


async def test_chat_switches_identity_with_as(stack: Stack,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    await add_retailer(stack.runtime, PHONE)
    client = ChatClient(stack.sim_url, "9779800000999", quiet=0.4, timeout=10)
    try:
        await client.mark_read()
        assert await converse(client, [f"/as {PHONE}", "status", "/quit"]) == 0
    finally:
        await client.close()
    out = capsys.readouterr().out
    assert f"now chatting as {PHONE}" in out
    assert f"[bot → {PHONE}]" in out
    assert "You have no orders yet." in out
