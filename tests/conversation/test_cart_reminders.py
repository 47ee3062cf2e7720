"""One reminder for an idle cart, inside the 24-hour window, whose Confirm still works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.session import Session
from jobs import cart_reminders
from jobs.job import JobContext
from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000051"
# 11:45 in Kathmandu: outside quiet hours.
NOW = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)


async def age_session(stack: Stack, idle: timedelta) -> None:
    key = stack.runtime.keys.session(PHONE)
    session = Session.load(await stack.runtime.redis.get(key))
    session.last_activity = NOW - idle
    session.last_inbound = NOW - idle
    await stack.runtime.redis.set(key, session.dump())


async def test_an_idle_cart_gets_one_reminder_that_can_be_confirmed(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("chini 10 kg")
        await age_session(stack, timedelta(minutes=61))
        ctx = JobContext(stack.runtime)
        await cart_reminders.run(ctx, NOW)
        assert ctx.counts["reminded"] == 1
        reminder = (await chat.replies())[-1]
        assert "You have 1 item(s) in your cart (Rs 980) waiting." in reminder.body

        again = JobContext(stack.runtime)
        await cart_reminders.run(again, NOW + timedelta(minutes=30))
        assert again.counts["reminded"] == 0

        placed = await chat.tap(choice(reminder, "rv:confirm"))
        assert "Order #1001 placed" in texts(placed)
    finally:
        await chat.close()


async def test_a_cart_idle_for_less_than_the_setting_is_left_alone(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("chini 10 kg")
        await age_session(stack, timedelta(minutes=30))
        assert await cart_reminders.idle_carts(stack.runtime, NOW, 60) == []
    finally:
        await chat.close()


async def test_no_reminder_outside_the_24_hour_window(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("chini 10 kg")
        await age_session(stack, timedelta(hours=25))
        assert await cart_reminders.idle_carts(stack.runtime, NOW, 60) == []
    finally:
        await chat.close()


async def test_no_reminder_while_an_operator_holds_the_conversation(stack: Stack) -> None:
    from bot.services import takeover

    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("chini 10 kg")
        await age_session(stack, timedelta(minutes=61))
        async with stack.runtime.pool.acquire() as conn:
            await takeover.take_over(conn, PHONE, actor="console:sita")
        ctx = JobContext(stack.runtime)
        await cart_reminders.run(ctx, NOW)
        assert ctx.counts["taken_over"] == 1 and ctx.counts["reminded"] == 0
    finally:
        await chat.close()
