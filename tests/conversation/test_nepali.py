"""The same ordering in Nepali: Devanagari in, Devanagari out."""

from __future__ import annotations

from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000041"


async def test_a_nepali_order_is_reviewed_and_placed_in_nepali(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("चिनी ५ केजी, सोना २ बोरा"))[-1]
        assert "Sugar (Loose) — ५ केजी × रु ९८ = रु ४९०" in review.body
        assert "Sona Mansuli Rice 25kg — २ बोरा × रु २,२५० = रु ४,५००" in review.body
        assert "जम्मा: रु ४,९९०" in review.body
        assert [c.title for c in review.choices] == ["पक्का", "बदल्नुहोस्", "रद्द"]
        placed = texts(await chat.tap(choice(review, "rv:confirm")))
        assert "अर्डर #1001 Shrestha Traders लाई पठाइयो" in placed
    finally:
        await chat.close()


async def test_an_ambiguous_nepali_line_is_asked_in_nepali(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        question = (await chat.send("तेल ३"))[-1]
        assert question.kind == "list"
        assert "भन्नाले कुन हो?" in question.body
        assert question.choices[-1].title == "यीमध्ये कुनै होइन"
        review = (await chat.tap(choice(question, "q:1:OIL-FORTUNE-1")))[-1]
        assert "Fortune Soyabean Oil 1L Pouch — ३ प्याकेट" in review.body
    finally:
        await chat.close()


async def test_edits_in_nepali(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("चिनी ५ केजी, टोकला २ प्याकेट"))[-1]
        assert "हटाउ" in texts(await chat.tap(choice(review, "rv:edit")))
        replies = await chat.send("२ हटाउ")
        assert "Tokla Tea 500g हटाइयो।" in texts(replies)
        review = replies[-1]
        assert "Tokla" not in review.body
        review = (await chat.send("चिनी २० केजी"))[-1]
        assert "Sugar (Loose) — २० केजी" in review.body
        assert "कार्ट रद्द गरियो" in texts(await chat.send("रद्द"))
    finally:
        await chat.close()


async def test_a_retailer_can_switch_language_by_command(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        assert "I'll reply in English" in texts(await chat.send("english"))
        # Having chosen, writing in Devanagari no longer switches the replies.
        review = (await chat.send("चिनी ५ केजी"))[-1]
        assert "Please check your order" in review.body
    finally:
        await chat.close()
