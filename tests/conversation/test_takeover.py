"""Operators taking a conversation over: the bot goes quiet, the operator answers, then hands back.

Over the whole path: signed webhooks from the simulator, the conversation
workers, the outbox and a real dispatcher to the simulator's Graph endpoint.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import pytest

from bot.dev.simulator import SentMessage
from bot.services import takeover
from bot.services.operator_actions import ActionError
from flows import templates
from tests.conversation.conftest import Stack, add_retailer

PHONE = "9779812000071"
OPERATOR = "console:sita"


async def arrived(stack: Stack, phone: str, pred: Callable[[SentMessage], bool],
                  within: float = 10.0) -> SentMessage:
    """The first message the simulator accepted for `phone` that matches, waiting for it."""
    async with asyncio.timeout(within):
        while True:
            for m in stack.sim.sent_to(phone):
                if pred(m):
                    return m
            await asyncio.sleep(0.05)


async def take(stack: Stack, phone: str = PHONE) -> takeover.Takeover:
    async with stack.runtime.pool.acquire() as conn:
        return await takeover.take_over(conn, phone, actor=OPERATOR, note="asked for a person")


async def test_a_taken_over_conversation_gets_no_bot_reply_and_keeps_its_session(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await stack.sim.inbound_text(PHONE, "chini 2 kg")
    await arrived(stack, PHONE, lambda m: "Sugar" in (m.text or ""))
    before = await stack.runtime.redis.get(stack.runtime.keys.session(PHONE))
    replies_before = len(stack.sim.sent_to(PHONE))
    await take(stack)

    await stack.sim.inbound_text(PHONE, "musuro 5 kg")
    await asyncio.sleep(0.5)  # the dispatcher would have sent a reply by now

    assert len(stack.sim.sent_to(PHONE)) == replies_before
    assert await stack.runtime.redis.get(stack.runtime.keys.session(PHONE)) == before
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = $1",
                                   PHONE) == replies_before
        view = await takeover.show(conn, PHONE)
    # The message is in the transcript, handled (not left pending).
    assert [(e.text, e.status) for e in view.transcript if e.direction == "in"][-1] == (
        "musuro 5 kg", "done")


async def test_an_operator_reply_reaches_the_person_through_the_outbox(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await stack.sim.inbound_text(PHONE, "I need to talk to someone")
    await take(stack)
    async with stack.runtime.pool.acquire() as conn:
        sent = await takeover.reply(conn, PHONE, "Namaste, Sita here. How can I help?",
                                    actor=OPERATOR)
    got = await arrived(stack, PHONE, lambda m: m.text == "Namaste, Sita here. How can I help?")
    assert got.type == "text"
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT correlation FROM outbox WHERE id = $1",
                                  sent.outbox_id)
        view = await takeover.show(conn, PHONE)
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'conversation.reply' AND actor = $1",
            OPERATOR)
    assert row["correlation"] == f"operator:{sent.takeover_id}"
    assert view.transcript[-1].by == "operator"
    assert audited == 1


async def test_outside_the_24_hour_window_a_text_reply_is_refused_and_a_template_goes(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, shop="Gita Pasal")
    await stack.sim.inbound_text(PHONE, "hello")
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE inbound_messages SET received_at = now() - interval '25 hours'"
                           " WHERE sender = $1", PHONE)
    stack.sim.close_window(PHONE)
    await take(stack)
    async with stack.runtime.pool.acquire() as conn:
        queued = await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = $1", PHONE)
        with pytest.raises(takeover.OutsideWindow) as refused:
            await takeover.reply(conn, PHONE, "are you there?", actor=OPERATOR)
        assert refused.value.status == 409
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = $1",
                                   PHONE) == queued
        who = await takeover.person(conn, PHONE)
        assert templates.OPERATOR_FOLLOWUP in templates.OPERATOR_TEMPLATES
        await takeover.send_template(
            conn, PHONE, templates.operator_followup(who.language, who.name, "Sita"),
            actor=OPERATOR)
    got = await arrived(stack, PHONE, lambda m: m.type == "template")
    assert got.payload["template"]["name"] == templates.OPERATOR_FOLLOWUP
    params = [p["text"] for p in got.payload["template"]["components"][0]["parameters"]]
    assert params == ["Gita Pasal", "Sita"]


async def test_handing_back_lets_the_bot_answer_again(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await take(stack)
    await stack.sim.inbound_text(PHONE, "chini 2 kg")
    await asyncio.sleep(0.3)
    assert stack.sim.sent_to(PHONE) == []
    async with stack.runtime.pool.acquire() as conn:
        done = await takeover.hand_back(conn, PHONE, actor="console:ram")
        assert not await takeover.is_taken_over(conn, PHONE)
        actions = [r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE target = $1 ORDER BY id", f"phone:{PHONE}")]
    assert done.handed_back_by == "console:ram" and done.taken_by == OPERATOR
    assert actions == ["conversation.takeover", "conversation.handback"]

    await stack.sim.inbound_text(PHONE, "musuro 1 kg")
    await arrived(stack, PHONE, lambda m: "Musuro" in (m.text or "") or "musuro" in (m.text or ""))


async def test_a_second_operator_cannot_take_over_a_held_conversation(stack: Stack) -> None:
    await take(stack)
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(ActionError) as refused:
            await takeover.take_over(conn, PHONE, actor="console:ram")
    assert refused.value.status == 409
    assert OPERATOR in refused.value.message


async def test_replying_without_taking_over_is_refused(stack: Stack) -> None:
    await stack.sim.inbound_text(PHONE, "hello")
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(ActionError) as refused:
            await takeover.reply(conn, PHONE, "hi", actor=OPERATOR)
    assert refused.value.status == 409


@pytest.mark.parametrize("text", ["", "   ", "x" * 4097])
async def test_an_empty_or_overlong_reply_is_refused(stack: Stack, text: str) -> None:
    await take(stack)
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(ActionError) as refused:
            await takeover.reply(conn, PHONE, text, actor=OPERATOR)
    assert refused.value.status == 422


async def test_hand_back_of_a_conversation_nobody_holds_is_refused(stack: Stack) -> None:
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(ActionError) as refused:
            await takeover.hand_back(conn, PHONE, actor=OPERATOR)
    assert refused.value.status == 409


async def test_the_transcript_interleaves_messages_in_and_out_oldest_first(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await stack.sim.inbound_text(PHONE, "chini 2 kg")
    await arrived(stack, PHONE, lambda m: "Sugar" in (m.text or ""))
    async with stack.runtime.pool.acquire() as conn:
        entries = await takeover.transcript(conn, PHONE)
        window = await takeover.window(conn, PHONE)
    assert entries[0].direction == "in" and entries[0].text == "chini 2 kg"
    assert entries[1].direction == "out" and entries[1].by == "bot"
    assert "Sugar" in entries[1].text
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert window.is_open
    assert window.closes_at is not None and window.closes_at > dt.datetime.now(dt.UTC)


async def test_the_cli_takes_over_replies_shows_and_hands_back(
        stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import build_parser

    s = stack.runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("REDIS_URL", s.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", s.redis_key_prefix)
    monkeypatch.setenv("KHAACHO_OPERATOR", "sita")

    async def run(*argv: str) -> int:
        args = build_parser().parse_args(list(argv))
        return int(await args.handler(args) or 0)

    await add_retailer(stack.runtime, PHONE)
    await stack.sim.inbound_text(PHONE, "hello")
    assert await run("conversation", "takeover", PHONE, "--note", "wants a person") == 0
    assert await run("conversation", "reply", PHONE, "Sita here, one moment") == 0
    await arrived(stack, PHONE, lambda m: m.text == "Sita here, one moment")
    capsys.readouterr()
    assert await run("conversation", "show", PHONE) == 0
    shown = capsys.readouterr().out
    assert "taken over by cli:sita" in shown and "Sita here, one moment" in shown
    assert await run("conversation", "handback", PHONE) == 0
    async with stack.runtime.pool.acquire() as conn:
        assert not await takeover.is_taken_over(conn, PHONE)


async def test_a_photo_sent_while_taken_over_reaches_the_operator_inbox_unanswered(
        stack: Stack) -> None:
    from bot.store import operator_inbox

    await add_retailer(stack.runtime, PHONE)
    await take(stack)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("image", b"\xff\xd8\xff\xe0photo\xff\xd9", "image/jpeg",
                                        caption="chini 10 kg")
    finally:
        await chat.close()
    assert replies == []
    async with stack.runtime.pool.acquire() as conn:
        (item,) = await operator_inbox.list_items(conn)
        view = await takeover.show(conn, PHONE)
    assert (item.sender, item.kind, item.caption) == (PHONE, "image", "chini 10 kg")
    assert view.transcript[-1].text == "[photo] chini 10 kg"
    # The caption was not read as an order: no session was started.
    assert await stack.runtime.redis.get(stack.runtime.keys.session(PHONE)) is None


async def test_a_cart_the_operator_makes_from_the_inbox_goes_through_while_taken_over(
        stack: Stack) -> None:
    from bot.conversation.workers import drained
    from bot.services import operator_inbox as inbox_service
    from bot.store import operator_inbox

    await add_retailer(stack.runtime, PHONE)
    await take(stack)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", b"\xff\xd8\xff\xe0list\xff\xd9", "image/jpeg")
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        (item,) = await operator_inbox.list_items(conn)
        await inbox_service.cart_from_item(conn, item.id, "chini 10 kg", actor=OPERATOR)
    await drained(stack.runtime.pool)
    await arrived(stack, PHONE, lambda m: "Sugar" in (m.text or ""))
