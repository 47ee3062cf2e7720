"""Template quality, account and number signals: recorded, shown, and alerting on a drop."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services import alerts
from bot.store import account_signals
from bot.whatsapp.signals import FIELDS, interpret, quality_dropped
from bot.whatsapp.updates import Signal
from tests.channel.conftest import signed
from tests.conversation.conftest import Stack
from tests.templates.conftest import desk_of

SAMPLES = Path("/work/shared/whatsapp/sample-updates")
_FILES = ("template_quality_update", "template_status_update", "template_category_update",
          "account_update", "user_marketing_preferences")


def _samples() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in _FILES:
        path = SAMPLES / f"{name}.json"
        if path.exists():
            out.extend((f"{name}:{case}", env)
                       for case, env in json.loads(path.read_text()).items())
    return out


async def _post(stack: Stack, envelope: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body, headers = signed(envelope)
    async with aiohttp.ClientSession() as http, http.post(stack.bot_url, data=body,
                                                          headers=headers) as resp:
        return resp.status, await resp.json()


async def _alerts(stack: Stack) -> list[str]:
    async with stack.runtime.pool.acquire() as conn:
        return [r["subject"] for r in await conn.fetch(
            "SELECT subject FROM operator_alerts WHERE kind = 'account_quality' ORDER BY id")]


@pytest.mark.skipif(not SAMPLES.exists(), reason="the shared WhatsApp samples are not here")
async def test_every_real_sample_of_these_fields_is_accepted_and_applied(stack: Stack) -> None:
    for case, envelope in _samples():
        status, answer = await _post(stack, envelope)
        assert status == 200, case
        assert "signals" in answer and not answer["ignored"], case
    async with stack.runtime.pool.acquire() as conn:
        quality = await conn.fetchval("SELECT quality FROM message_templates WHERE name = "
                                      "'welcome_template' AND language = 'en_US'")
        category = await conn.fetchval("SELECT category FROM message_templates WHERE name = "
                                       "'my_message_template'")
        events = await conn.fetchval("SELECT count(*) FROM account_signals "
                                     "WHERE field = 'account_update'")
    assert (quality, category) == ("YELLOW", "MARKETING")
    assert events == len(json.loads((SAMPLES / "account_update.json").read_text()))


async def test_a_template_quality_drop_is_recorded_and_alerts(stack: Stack) -> None:
    await desk_of(stack).post_signal("message_template_quality_update", {
        "previous_quality_score": "GREEN", "new_quality_score": "YELLOW",
        "message_template_id": 806312974732579, "message_template_name": "reorder_nudge",
        "message_template_language": "en"})
    async with stack.runtime.pool.acquire() as conn:
        quality = await conn.fetchval("SELECT quality FROM message_templates "
                                      "WHERE name = 'reorder_nudge'")
        latest = await account_signals.latest(conn)
    assert quality == "YELLOW"
    assert latest["message_template_quality_update"]["event"] == "GREEN->YELLOW"
    assert await _alerts(stack) == [
        "template reorder_nudge (en) quality fell from GREEN to YELLOW"]


async def test_a_flagged_number_alerts_operators_on_whatsapp(stack: Stack) -> None:
    await desk_of(stack).post_signal("phone_number_quality_update", {
        "display_phone_number": "9779800000000", "event": "FLAGGED",
        "current_limit": "TIER_1K"})
    assert await _alerts(stack) == ["WhatsApp number: FLAGGED (limit TIER_1K)"]
    async with stack.runtime.pool.acquire() as conn, conn.transaction():
        told = await alerts.notify_operators(conn, ["9779800000099"],
                                             now=dt.datetime.now(dt.UTC))
    assert [t.kind for t in told] == ["account_quality"]


async def test_a_messaging_limit_change_is_recorded_without_an_alert(stack: Stack) -> None:
    await desk_of(stack).post_signal("phone_number_quality_update", {
        "display_phone_number": "9779800000000", "event": "UPGRADE",
        "current_limit": "TIER_10K"})
    await desk_of(stack).post_signal("business_capability_update", {
        "max_daily_conversation_per_phone": 10000, "max_phone_numbers_per_business": 2})
    async with stack.runtime.pool.acquire() as conn:
        latest = await account_signals.latest(conn)
    assert latest["phone_number_quality_update"] | {"received_at": None} == {
        "event": "UPGRADE", "current_limit": "TIER_10K", "received_at": None}
    assert latest["business_capability_update"]["event"] == "LIMIT_10000"
    assert await _alerts(stack) == []


async def test_the_same_drop_twice_alerts_once(stack: Stack) -> None:
    for _ in range(2):
        await desk_of(stack).post_signal("account_update", {"event": "ACCOUNT_RESTRICTION"})
    assert await _alerts(stack) == ["WhatsApp account: ACCOUNT_RESTRICTION"]


@pytest.mark.parametrize(("before", "after", "dropped"), [
    ("GREEN", "YELLOW", True), ("YELLOW", "RED", True), ("GREEN", "RED", True),
    ("RED", "YELLOW", False), ("YELLOW", "GREEN", False), ("GREEN", "GREEN", False),
    (None, "RED", False), ("UNKNOWN", "RED", False),
])
def test_what_counts_as_a_quality_drop(before: str | None, after: str, dropped: bool) -> None:
    assert quality_dropped(before, after) is dropped


async def test_metrics_show_the_latest_signal_and_template_counts(stack: Stack) -> None:
    await desk_of(stack).post_signal("phone_number_quality_update", {
        "display_phone_number": "9779800000000", "event": "FLAGGED", "current_limit": "TIER_1K"})
    await desk_of(stack).post_signal("message_template_status_update", {
        "event": "APPROVED", "message_template_id": 1, "message_template_name": "order_update",
        "message_template_language": "en", "reason": "NONE",
        "message_template_category": "UTILITY"})
    async with aiohttp.ClientSession() as http, http.get(
            stack.bot_url.replace("/webhook", "/metrics")) as resp:
        text = await resp.text()
    assert ('khaacho_whatsapp_signal_info{field="phone_number_quality_update",event="FLAGGED",'
            'limit="TIER_1K"} 1') in text
    assert 'khaacho_templates{status="APPROVED"} 1' in text


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
_KEYS = st.sampled_from(["event", "message_template_name", "message_template_language",
                         "message_template_id", "new_category", "previous_quality_score",
                         "new_quality_score", "current_limit", "user_preferences", "reason",
                         "rejection_info", "message_template_category"])


@given(st.sampled_from(sorted(FIELDS)), st.dictionaries(_KEYS, _JSON, max_size=6))
def test_any_value_of_a_signal_field_is_read_without_error(field: str,
                                                           value: dict[str, Any]) -> None:
    out = interpret([Signal(field=field, value=value)])
    for change in out.templates.values():  # only keys the table can hold
        assert re.fullmatch(r"[a-z0-9_]+", change.name) and 2 <= len(change.language) <= 16
    for consent in out.consent.values():
        assert consent.phone.isdigit()


async def test_a_malformed_template_signal_is_acknowledged_not_redelivered(stack: Stack) -> None:
    status = await desk_of(stack).post_signal("message_template_status_update", {
        "event": "APPROVED", "message_template_name": "Not A Name!",
        "message_template_language": "x", "user_preferences": 7})
    assert status == 200
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM message_templates") == 0
        assert await conn.fetchval("SELECT count(*) FROM account_signals") == 1


def test_signals_of_another_business_account_are_left_out() -> None:
    ours = Signal(field="account_update", value={"event": "ACCOUNT_VIOLATION"}, entry_id="1")
    theirs = Signal(field="account_update", value={"event": "ACCOUNT_VIOLATION"}, entry_id="2")
    assert len(interpret([ours, theirs], waba_id="1").events) == 1
    assert len(interpret([ours, theirs]).events) == 2
