"""The webhook's edge (bot/whatsapp/updates.py): caps, identities, normalised text (issue 19)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from bot.whatsapp.updates import (
    Edge,
    InteractiveMessage,
    TextMessage,
    clean_text,
    parse_update,
)
from tests.channel.conftest import Bot, text_envelope
from tests.conftest import TEST_PHONE_NUMBER_ID

SHOP = "9779812345001"
EDGE = Edge(phone_number_id=TEST_PHONE_NUMBER_ID)


def _envelope(*messages: dict[str, Any], phone_number_id: str = TEST_PHONE_NUMBER_ID,
              display: str = "9779800000000", contacts: list[Any] | None = None
              ) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display, "phone_number_id": phone_number_id},
        "messages": list(messages)}
    if contacts is not None:
        value["contacts"] = contacts
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": value}]}]}


def _text(body: str = "2 bora chamal", sender: str | None = SHOP, wamid: str = "wamid.A1",
          **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"id": wamid, "timestamp": "1700000000", "type": "text",
                           "text": {"body": body}, **extra}
    if sender is not None:
        msg["from"] = sender
    return msg


# ---------------------------------------------------------------- volume


def test_a_million_junk_items_are_read_in_bounded_time_with_few_rejections() -> None:
    junk = _envelope(*([0] * 1_400_000))
    started = time.perf_counter()
    update = parse_update(junk, EDGE)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert len(update.rejected) == EDGE.max_rejections + 1  # and why the rest were not read
    assert len(update.rejected) + update.rejected_more == 1_400_000


def test_many_entries_are_capped_before_validation() -> None:
    env = {"object": "whatsapp_business_account", "entry": [{"changes": []}] * 500_000}
    started = time.perf_counter()
    update = parse_update(env, EDGE)
    assert time.perf_counter() - started < 2.0
    assert update.rejected_more >= 500_000 - EDGE.max_items - EDGE.max_rejections


def test_valid_messages_within_the_cap_are_all_read() -> None:
    env = _envelope(*[_text(wamid=f"wamid.{i}") for i in range(100)])
    assert len(parse_update(env, EDGE).messages) == 100


# ---------------------------------------------------------------- identities


def test_a_message_for_another_phone_number_id_is_set_aside() -> None:
    update = parse_update(_envelope(_text(), phone_number_id="999999999"), EDGE)
    assert update.messages == []
    assert update.foreign == 1


def test_a_message_from_our_own_business_number_is_set_aside() -> None:
    update = parse_update(_envelope(_text(sender="9779800000000"),
                                    display="+977 980-000-0000"), EDGE)
    assert update.messages == []
    assert update.foreign == 1


def test_a_plus_prefixed_sender_is_the_plain_number() -> None:
    message = parse_update(_envelope(_text(sender="+9779812345001")), EDGE).messages[0]
    assert message.sender == SHOP
    assert message.phone == SHOP


def test_a_sender_known_only_by_user_id_has_no_phone() -> None:
    msg = _text(sender=None, from_user_id="NP.1234567890abcdef")
    update = parse_update(_envelope(msg, contacts=[
        {"user_id": "NP.1234567890abcdef", "profile": {"username": "@ramkirana"}}]), EDGE)
    message = update.messages[0]
    assert message.sender == "NP.1234567890abcdef"
    assert message.phone is None


@pytest.mark.parametrize("wamid", ["wamid.\x00A", "w" * 9000, "wamid.\nA"])
def test_a_message_id_no_index_or_column_can_hold_is_rejected(wamid: str) -> None:
    update = parse_update(_envelope(_text(wamid=wamid), _text(wamid="wamid.ok")), EDGE)
    assert [m.wamid for m in update.messages] == ["wamid.ok"]
    assert len(update.rejected) == 1


def test_a_sender_with_nul_is_rejected() -> None:
    update = parse_update(_envelope(_text(sender="97798\x0012345001")), EDGE)
    assert update.messages == []
    assert len(update.rejected) == 1


def test_a_type_with_nul_is_an_unsupported_message_with_a_clean_type() -> None:
    update = parse_update(_envelope({"id": "wamid.T", "from": SHOP, "type": "te\x00xt"}), EDGE)
    assert update.messages[0].type == "text"  # cleaned, but no text payload: unsupported
    assert not isinstance(update.messages[0], TextMessage)


# ---------------------------------------------------------------- text


def test_lone_surrogates_are_replaced() -> None:
    body = parse_update(_envelope(_text(body="chini \ud800 10 kg")), EDGE).messages[0]
    assert isinstance(body, TextMessage)
    assert body.text.body == "chini \ufffd 10 kg"
    body.text.body.encode("utf-8")  # storable


def test_zero_width_characters_no_longer_split_words() -> None:
    body = parse_update(_envelope(_text(body="chi\u200bni 10\u2060 kg\ufeff")), EDGE).messages[0]
    assert isinstance(body, TextMessage)
    assert body.text.body == "chini 10 kg"


def test_nul_and_controls_are_removed_but_newlines_kept() -> None:
    assert clean_text("2 bora\x00 chamal\n5 kg\x07 chini\t!") == "2 bora chamal\n5 kg chini\t!"


def test_devanagari_is_composed() -> None:
    assert clean_text("क\u093c") == "क़"


def test_button_titles_are_cleaned_too() -> None:
    msg = {"id": "wamid.B", "from": SHOP, "type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "confirm\u200b", "title": "Ye\x00s"}}}
    message = parse_update(_envelope(msg), EDGE).messages[0]
    assert isinstance(message, InteractiveMessage)
    assert (message.reply_id, message.reply_title) == ("confirm", "Yes")


def test_a_text_over_the_cap_is_cut_and_marked() -> None:
    edge = Edge(max_text_chars=300)
    message = parse_update(_envelope(_text(body="chini 1 kg\n" * 1000)), edge).messages[0]
    assert isinstance(message, TextMessage)
    assert message.too_long
    assert len(message.text.body) == 300


def test_a_text_within_the_cap_is_whole() -> None:
    message = parse_update(_envelope(_text(body="chini 1 kg\n" * 100)), EDGE).messages[0]
    assert isinstance(message, TextMessage)
    assert not message.too_long


# ---------------------------------------------------------------- over HTTP


async def test_a_junk_volume_post_answers_fast_and_logs_a_few_lines(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    junk = _envelope(*([0] * 1_400_000))  # 2.8 MB: under the 3 MB cap, so it is read
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        status, answer = await bot.post(junk)
    assert time.perf_counter() - started < 10
    assert status == 200  # nothing readable: set aside, so never redelivered into a loop
    assert answer["unreadable"] == "nothing_readable"
    assert answer["rejected"][-1]["reason"].startswith("over 1000 parts")
    assert len(caplog.records) <= EDGE.max_rejections + 5
    assert len(str(answer)) < 20_000


async def test_a_message_for_another_number_is_not_answered(bot: Bot) -> None:
    status, _ = await bot.post(_envelope(_text(), phone_number_id="999999999"))
    assert status == 200
    assert await bot.effects() == []
    assert await bot.outbox() == []


async def test_a_plus_sender_is_handled_as_the_plain_number(bot: Bot) -> None:
    status, _ = await bot.post(text_envelope("+9779812345001", "hi", "wamid.plus"))
    assert status == 200
    assert [r["sender"] for r in await bot.effects()] == [SHOP]


async def test_a_poison_id_is_acknowledged_not_retried(bot: Bot) -> None:
    env = _envelope(_text(wamid="wamid.\x00bad"), _text(wamid="wamid.good"))
    for _ in range(2):
        status, _ = await bot.post(env)
        assert status == 200
    assert [r["wamid"] for r in await bot.effects()] == ["wamid.good"]
