"""A text longer than MAX_TEXT_CHARS gets a polite reply and is not parsed (issue 19)."""

from __future__ import annotations

from bot.config import Settings
from tests.conversation.conftest import Stack, add_retailer, texts

PHONE = "9779812000091"


def test_the_default_cap_holds_a_hundred_line_order_list() -> None:
    hundred_lines = "\n".join(f"{i} kg chini mansuli basmati" for i in range(100))
    assert len(hundred_lines) < Settings.model_fields["max_text_chars"].default


async def test_an_over_long_text_is_answered_politely_and_not_parsed(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini 1 kg\n" * 500)  # 5,500 characters
        assert "too long for me to read" in texts(replies)
        async with stack.runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM orders") == 0
        # The next, normal message is read as usual.
        assert "too long" not in texts(await chat.send("chini 10 kg"))
    finally:
        await chat.close()
