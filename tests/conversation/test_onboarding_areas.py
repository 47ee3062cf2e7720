"""Onboarding stores an area vendors serve, so the new shop sees prices."""

from __future__ import annotations

from tests.conversation.conftest import AREA, Stack, texts

PHONE = "9779812000077"


async def _area_of(stack: Stack) -> str:
    async with stack.runtime.pool.acquire() as conn:
        return str(await conn.fetchval("SELECT area FROM retailers WHERE phone = $1", PHONE))


async def test_the_area_question_lists_the_areas_vendors_serve(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        await chat.send("hello")
        question = (await chat.send("Gita Store"))[-1]
    finally:
        await chat.close()
    assert question.kind == "list"
    assert [c.title for c in question.choices] == [AREA]


async def test_tapping_an_area_registers_the_shop_there(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        await chat.send("hello")
        question = (await chat.send("Gita Store"))[-1]
        replies = await chat.tap(question.choices[0])
    finally:
        await chat.close()
    assert f"You're registered: Gita Store, {AREA}." in texts(replies)
    assert await _area_of(stack) == AREA


async def test_a_typed_area_with_a_ward_number_is_stored_as_the_served_area(
        stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        await chat.send("hello")
        await chat.send("Gita Store")
        replies = await chat.send(f"{AREA.lower()}-10")
        review = (await chat.send("chini 2 kg"))[-1]
    finally:
        await chat.close()
    assert "No supplier" not in texts(replies)
    assert await _area_of(stack) == AREA
    assert "Rs 98" in review.body  # a served area: the vendor's prices show


async def test_an_area_no_vendor_serves_is_kept_and_said_plainly(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        await chat.send("hello")
        await chat.send("Gita Store")
        replies = await chat.send("Birgunj")
    finally:
        await chat.close()
    assert "No supplier on Khaacho delivers to Birgunj yet" in texts(replies)
    assert await _area_of(stack) == "Birgunj"
