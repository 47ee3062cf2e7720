"""Hypothesis posts hostile envelopes at the webhook over HTTP (issue 19).

Tested at the HTTP boundary only (status codes and effects), so the
properties hold whether the webhook handles a message inline or persists it
first and processes it later: never a 5xx, never an effect twice, bounded time.
"""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.runtime import Runtime
from tests.channel.conftest import start_bot
from tests.conftest import TEST_PHONE_NUMBER_ID

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(["\x00", "\ud800", "\udfff", "\u200b", "\ufeff", "a",
                                      "+", "9", "\u202e", "\n"]), max_size=40),
    st.sampled_from(["", "\x00", "w" * 9000, "+9779812345001", "9779812345001",
                     "NP.1234567890", "@ramkirana", "9779800000000"]),
)
ids = st.one_of(hostile_text, st.integers(min_value=-2**63, max_value=2**63 - 1), st.none())
deep = st.recursive(st.integers() | hostile_text, lambda c: st.lists(c, max_size=3),
                    max_leaves=60)


@st.composite
def messages(draw: st.DrawFn, n: int) -> dict[str, Any]:
    msg: dict[str, Any] = {"id": draw(ids), "timestamp": "1700000000",
                           "type": draw(st.sampled_from(["text", "interactive", "te\x00xt",
                                                         "image", "x" * 500]))}
    if draw(st.booleans()):
        msg["from"] = draw(ids)
    if draw(st.booleans()):
        msg["from_user_id"] = draw(hostile_text)
    msg["text"] = {"body": draw(hostile_text)}
    if draw(st.booleans()):
        msg["interactive"] = {"type": "button_reply",
                              "button_reply": {"id": draw(hostile_text),
                                               "title": draw(hostile_text)}}
    if draw(st.booleans()):
        msg["junk"] = draw(deep)
    return msg


@st.composite
def sane_messages(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """A real-looking text from a real-looking number, with hostile words in it."""
    sender = draw(st.sampled_from(["9779812345001", "+9779812345002", "9779812345003"]))
    return {"id": f"wamid.h{n}.{draw(st.integers(0, 10**9))}", "from": sender,
            "timestamp": "1700000000", "type": "text", "text": {"body": draw(hostile_text)}}


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=0, max_value=5))
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "9779800000000",
                     "phone_number_id": draw(st.sampled_from(
                         [TEST_PHONE_NUMBER_ID] * 3 + ["999", "\x00", None]))},
        "messages": [draw(st.one_of(messages(i), sane_messages(i))) for i in range(count)],
    }
    if draw(st.booleans()):
        value["contacts"] = draw(st.lists(st.fixed_dictionaries(
            {"wa_id": ids, "user_id": hostile_text,
             "profile": st.fixed_dictionaries({"name": hostile_text})}), max_size=3))
    if draw(st.booleans()):
        value["messages"] += [draw(deep)] * draw(st.integers(min_value=0, max_value=3000))
    return {"object": "whatsapp_business_account",
            "entry": [{"id": draw(ids), "changes": [{"field": "messages", "value": value}]}]}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(envelope=envelopes())
async def test_hostile_envelopes_never_5xx_never_twice_and_answer_fast(
    runtime: Runtime, channel_effects_reset: None, envelope: dict[str, Any],
) -> None:
    bot = await start_bot(runtime)
    try:
        async with runtime.pool.acquire() as conn:
            await conn.execute("TRUNCATE channel_effects")
        started = time.perf_counter()
        first, _ = await bot.post(envelope)
        elapsed = time.perf_counter() - started
        effects = len(await bot.effects())
        again, _ = await bot.post(envelope)  # WhatsApp's redelivery
        effects_after = len(await bot.effects())
        event(f"status {first}, effects {min(effects, 2)}")
    finally:
        await bot.client.close()
    assert first < 500 and again < 500, (first, again)
    assert elapsed < 5.0
    assert effects_after == effects  # no effect twice
