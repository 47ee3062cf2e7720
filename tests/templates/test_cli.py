"""`khaacho templates list|sync|status`, and the signals in `stats` and `retailers show`."""

from __future__ import annotations

import json

import pytest

from bot.cli.errors import CliError
from bot.dev.sim_templates import DEFAULT_WABA_ID
from bot.store import consent as consent_store
from flows.templates import LANGUAGES, REGISTRY, REORDER_NUDGE
from tests.conftest import TEST_ACCESS_TOKEN
from tests.conversation.conftest import Stack, add_retailer
from tests.conversation.test_cli import run_cli
from tests.templates.conftest import desk_of

PHONE = "9779812400001"


@pytest.fixture
def cli_env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    s = stack.runtime.settings
    for key, value in {"DATABASE_URL": s.database_url, "REDIS_URL": s.redis_url,
                       "REDIS_KEY_PREFIX": s.redis_key_prefix,
                       "WHATSAPP_API_URL": f"{stack.sim_url}/v23.0",
                       "WHATSAPP_ACCESS_TOKEN": TEST_ACCESS_TOKEN,
                       "WHATSAPP_BUSINESS_ACCOUNT_ID": DEFAULT_WABA_ID}.items():
        monkeypatch.setenv(key, value)
    return stack


async def _listed(capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], dict[str, str]]:
    capsys.readouterr()
    assert await run_cli("templates", "list", "--json") == 0
    return {(r["name"], r["language"]): r for r in json.loads(capsys.readouterr().out)}


async def test_list_shows_every_template_not_synced_before_a_sync(
        cli_env: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    listed = await _listed(capsys)
    assert set(listed) == {(n, lang) for n in REGISTRY for lang in LANGUAGES}
    assert {r["status"] for r in listed.values()} == {"NOT SYNCED"}
    assert listed[(REORDER_NUDGE, "ne")]["category"] == "MARKETING"


async def test_sync_then_status_show_what_meta_decided(
        cli_env: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_cli("templates", "sync", "--json") == 0
    synced = json.loads(capsys.readouterr().out)
    assert len(synced["created"]) == 2 * len(REGISTRY)
    assert {r["status"] for r in (await _listed(capsys)).values()} == {"PENDING"}
    cli_env.sim.webhook_url = None  # no webhook: `status` reads Meta's answer itself
    desk_of(cli_env).templates[(REORDER_NUDGE, "en")].status = "APPROVED"
    assert await run_cli("templates", "status", "--json") == 0
    statuses = {(r["name"], r["language"]): r["status"]
                for r in json.loads(capsys.readouterr().out)}
    assert statuses[(REORDER_NUDGE, "en")] == "APPROVED"


async def test_sync_without_a_business_account_id_says_so(
        cli_env: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_BUSINESS_ACCOUNT_ID", "")
    with pytest.raises(CliError, match="WHATSAPP_BUSINESS_ACCOUNT_ID"):
        await run_cli("templates", "sync")


async def test_stats_show_the_account_signals_and_opt_outs(
        cli_env: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    await desk_of(cli_env).post_signal("phone_number_quality_update", {
        "display_phone_number": "9779800000000", "event": "DOWNGRADE",
        "current_limit": "TIER_250"})
    async with cli_env.runtime.pool.acquire() as conn:
        await consent_store.set_opt_out(conn, PHONE, True, "test")
    capsys.readouterr()
    assert await run_cli("stats", "--json") == 0
    wa = json.loads(capsys.readouterr().out)["whatsapp"]
    assert wa["opted_out"] == 1
    assert wa["signals"]["phone_number_quality_update"]["event"] == "DOWNGRADE"
    assert wa["signals"]["phone_number_quality_update"]["current_limit"] == "TIER_250"


async def test_retailers_show_says_whether_marketing_is_allowed(
        cli_env: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    await add_retailer(cli_env.runtime, PHONE)
    capsys.readouterr()
    assert await run_cli("retailers", "show", PHONE, "--json") == 0
    assert json.loads(capsys.readouterr().out)["marketing"] == "allowed"
    async with cli_env.runtime.pool.acquire() as conn:
        await consent_store.set_opt_out(conn, PHONE, True, "message:stop")
    assert await run_cli("retailers", "show", PHONE, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["marketing"] == "opted out"
    assert shown["marketing_changed"].startswith("message:stop at ")
