"""Sessions under pressure: concurrent messages from one sender, a session lost mid-flow."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import orjson

from flows.machine import MACHINE
from flows.session import Session
from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000031"


async def session_of(stack: Stack, phone: str) -> Session:
    raw = await stack.runtime.redis.get(stack.runtime.keys.session(phone))
    assert raw is not None
    return Session.load(raw)


async def test_twenty_concurrent_messages_from_one_retailer_are_all_handled(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    envelopes = [stack.sim.text_envelope(PHONE, "chini 1 kg thap") for _ in range(20)]
    statuses = await asyncio.gather(*(stack.sim.post_webhook(e) for e in envelopes))
    assert statuses == [200] * 20

    session = await session_of(stack, PHONE)
    # Each message saw the cart the previous one left: no update was lost.
    assert [(i.sku, i.qty) for i in session.cart] == [("SUGAR-KG", Decimal(20))]
    assert session.rev == 20
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM inbound_messages") == 20
        reviews = await conn.fetch(
            "SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id", PHONE)
    bodies = [orjson.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"]
              for r in reviews]
    totals = [b["interactive"]["body"]["text"].split("Sugar (Loose) — ")[1].split(" kg")[0]
              for b in bodies if "interactive" in b]
    # One summary per message, each one kilogram more than the one before.
    assert totals == [str(n) for n in range(1, 21)]
    # Conversations were attached to the one shared machine and detached again.
    assert MACHINE.models == []


async def test_messages_in_one_delivery_are_handled_in_the_order_written(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    first = stack.sim.text_envelope(PHONE, "chini 10 kg")
    value = first["entry"][0]["changes"][0]["value"]
    for text in ("musuro 2 kg", "remove 1", "tokla 3 packet", "musuro 5 kg thap"):
        value["messages"].append(
            stack.sim.text_envelope(PHONE, text)["entry"][0]["changes"][0]["value"]["messages"][0])
    assert await stack.sim.post_webhook(first) == 200
    session = await session_of(stack, PHONE)
    assert [(i.sku, i.qty) for i in session.cart] == [("DAL-MUSURO-KG", Decimal(7)),
                                                      ("TEA-TOKLA-500", Decimal(3))]
    assert [h.text for h in session.history if h.who == "in"] == [
        "chini 10 kg", "musuro 2 kg", "remove 1", "tokla 3 packet", "musuro 5 kg thap"]


async def test_a_session_deleted_mid_flow_gets_a_clear_restart(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg, musuro 2 kg"))[-1]
        await stack.runtime.redis.delete(stack.runtime.keys.session(PHONE))
        replies = await chat.tap(choice(review, "rv:confirm"))
        said = texts(replies)
        assert "I lost track of our conversation, so let's start again" in said
        assert "Your placed orders are safe." in said
        # And the conversation simply goes on from there.
        review = (await chat.send("chini 5 kg"))[-1]
        assert "1. Sugar (Loose) — 5 kg" in review.body
        assert "Musuro" not in review.body
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'dead'") == 0


async def test_a_session_deleted_mid_question_restarts_too(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        question = (await chat.send("तेल ३"))[-1]
        assert question.kind == "list"
        await stack.runtime.redis.delete(stack.runtime.keys.session(PHONE))
        replies = await chat.tap(question.choices[0])
        assert "कुराकानी हरायो" in texts(replies)
    finally:
        await chat.close()


async def test_an_image_goes_to_a_person_and_the_retailer_is_told_in_their_language(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, language="ne")
    envelope = stack.sim.text_envelope(PHONE, "x")
    message = envelope["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message["type"] = "image"
    message["image"] = {"id": "123", "mime_type": "image/jpeg"}
    chat = stack.chat(PHONE)
    try:
        await chat.mark_read()
        assert await stack.sim.post_webhook(envelope) == 200
        replies = await chat.replies()
        assert "हाम्रो टोलीका एक जनाले यसबाट तपाईंको अर्डर तयार" in texts(replies)
    finally:
        await chat.close()
