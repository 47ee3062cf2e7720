"""Marketing consent: STOP / START by message and the user_preferences webhook."""

from __future__ import annotations

import pytest

from bot.store import consent as consent_store
from flows.consent import Consent, consent_of
from tests.conversation.conftest import Stack, add_retailer, choice, texts
from tests.templates.conftest import desk_of

PHONE = "9779812300001"


async def _opted_out(stack: Stack, phone: str = PHONE) -> bool | None:
    async with stack.runtime.pool.acquire() as conn:
        state = await consent_store.state(conn, phone)
    return None if state is None else state.opted_out


@pytest.mark.parametrize("text", ["STOP", "stop", "Unsubscribe", "banda", "रोक", " Stop. "])
def test_the_stop_words_stop_marketing(text: str) -> None:
    assert consent_of(text) is Consent.STOP


@pytest.mark.parametrize("text", ["START", "start", "resume"])
def test_start_resumes(text: str) -> None:
    assert consent_of(text) is Consent.START


@pytest.mark.parametrize("text", ["stop chini", "cancel", "banda gobhi 2 kg", "restart"])
def test_only_a_whole_stop_word_counts(text: str) -> None:
    assert consent_of(text) is None


async def test_stop_turns_marketing_off_and_says_orders_continue(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        said = texts(await chat.send("STOP"))
    finally:
        await chat.close()
    assert "no more offers" in said and "orders and payments" in said
    assert await _opted_out(stack) is True


async def test_stop_is_answered_in_nepali_for_a_nepali_shop(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        said = texts(await chat.send("रोक"))
    finally:
        await chat.close()
    assert "अफर" in said
    assert await _opted_out(stack) is True


async def test_start_resumes_after_stop(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("STOP")
        said = texts(await chat.send("START"))
    finally:
        await chat.close()
    assert "Welcome back" in said
    assert await _opted_out(stack) is False


async def test_start_without_an_opt_out_is_still_a_greeting(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        said = texts(await chat.send("start"))
    finally:
        await chat.close()
    assert "Welcome back" not in said
    assert await _opted_out(stack) is None


async def test_stop_keeps_the_cart(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        await chat.send("stop")
        placed = await chat.tap(choice(review, "rv:confirm"))
    finally:
        await chat.close()
    assert "Order #1001 placed" in texts(placed)


async def test_the_user_preferences_webhook_stops_and_resumes(stack: Stack) -> None:
    desk = desk_of(stack)
    for value, expected in (("stop", True), ("resume", False)):
        status = await desk.post_signal("user_preferences", {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1"},
            "user_preferences": [{"wa_id": PHONE, "detail": "User requested", "category":
                                  "marketing_messages", "value": value,
                                  "timestamp": 1731705721}]})
        assert status == 200
        assert await _opted_out(stack) is expected
