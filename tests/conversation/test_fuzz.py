"""Whatever a retailer types, the bot answers politely: never an error, never silence."""

from __future__ import annotations

import itertools
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conversation.conftest import Stack, add_retailer

# A number per example: the webhook's per-sender rate limit is not what is tested here.
_numbers = itertools.count(9779813000000)

words = st.sampled_from([
    "chini", "10", "kg", "bora", "sona", "tel", "remove", "2", "add", "clear", "cancel",
    "confirm", "edit", "हटाउ", "चिनी", "५", "केजी", "reorder", "status", "hisab", "नेपाली",
    "english", "ra", ",", "\n", "x2", "aadha", "wai wai", "ctn", "0", "-3", "99999999",
])
messages = st.one_of(
    st.lists(words, min_size=1, max_size=8).map(" ".join),
    st.text(alphabet=string.printable + "चिनीकेजी५२०।", min_size=1, max_size=80),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=messages)
async def test_any_message_gets_a_reply_and_never_an_error(stack: Stack, text: str) -> None:
    phone = str(next(_numbers))
    await add_retailer(stack.runtime, phone)
    # A cart first, so edits and confirms have something to act on.
    assert await stack.sim.post_webhook(stack.sim.text_envelope(phone, "chini 2 kg")) == 200
    async with stack.runtime.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = $1", phone)
    status = await stack.sim.post_webhook(stack.sim.text_envelope(phone, text))
    assert status == 200
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id "
                                "OFFSET $2", phone, before)
    if not text.strip():
        return  # WhatsApp never delivers an empty text; nothing to insist on
    assert rows, f"no reply to {text!r}"
    for row in rows:
        assert "something went wrong" not in str(row["payload"]), text


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(reply_id=st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["rv:confirm:99", "rv:confirm:x", "q:1:NOPE", "q::", "of:take:1",
                     "reorder:abc", "reorder:999", "rv:edit:1:extra", "::"])))
async def test_any_tapped_choice_gets_a_reply_and_never_an_error(stack: Stack,
                                                                 reply_id: str) -> None:
    phone = str(next(_numbers))
    await add_retailer(stack.runtime, phone)
    assert await stack.sim.post_webhook(stack.sim.text_envelope(phone, "chini 2 kg")) == 200
    async with stack.runtime.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = $1", phone)
    status = await stack.sim.post_webhook(stack.sim.reply_envelope(phone, reply_id, "x"))
    assert status == 200
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id "
                                "OFFSET $2", phone, before)
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
    assert rows, f"no reply to a tap on {reply_id!r}"
    for row in rows:
        assert "something went wrong" not in str(row["payload"]), reply_id
