"""Asking for a statement of account in chat: the words, the month, the button."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.nepali_calendar import BsMonth
from flows.choices import StatementChoice, parse
from flows.commands import StatementAsk, statement_request
from flows.i18n import t
from flows.replies import Buttons, Text
from tests.flows.conftest import Chat, said
from tests.flows.fakes import FakeWorld

TODAY = dt.date(2026, 3, 2)  # the fake world's clock: 18 Falgun 2082


@pytest.mark.parametrize("text", ["statement", "hisab", "Hisaab", "खाता", "mero hisab",
                                  "हिसाब", "my statement please", "hisab pathaideu"])
def test_statement_words_ask_for_the_last_30_days(text: str) -> None:
    assert statement_request(text) == StatementAsk()


@pytest.mark.parametrize(("text", "month"), [
    ("hisab mangsir", 8), ("statement for Kartik", 7), ("मंसिरको हिसाब", 8),
    ("mangsir ko hisab", 8), ("khata magh", 10), ("HISAB SAUN!", 4),
])
def test_a_named_bs_month_asks_for_that_month(text: str, month: int) -> None:
    assert statement_request(text) == StatementAsk(month)


@pytest.mark.parametrize("text", ["chini 2 kg", "hisab kati cha", "balance", "mangsir",
                                  "statement chini 2 kg"])
def test_other_messages_are_not_statement_requests(text: str) -> None:
    assert statement_request(text) is None


async def test_hisab_asks_for_the_statement_and_says_it_is_coming(chat: Chat,
                                                                  world: FakeWorld) -> None:
    out = await chat.send("hisab")
    (reply,) = [o.reply for o in out]
    assert isinstance(reply, Text) and reply.body.startswith("🧾 Your statement for ")
    assert "on its way" in reply.body and "Falgun 2082" in reply.body
    assert len(world.statements) == 1
    _, period, language = world.statements[-1]
    assert period.last == TODAY and (period.last - period.first).days == 29
    assert language == "en"


async def test_a_month_not_yet_come_this_year_means_last_years(chat: Chat,
                                                                world: FakeWorld) -> None:
    await chat.send("hisab mangsir")  # Falgun 2082 now: Mangsir 2082 is the latest one
    _, period, _ = world.statements[-1]
    assert period.month == BsMonth(2082, 8)
    assert period.first == BsMonth(2082, 8).first_day
    await chat.send("statement for Chaitra")  # Chaitra 2082 has not begun: Chaitra 2081
    assert world.statements[-1][1].month == BsMonth(2081, 12)


async def test_a_word_where_the_month_should_be_is_asked_about(chat: Chat,
                                                                world: FakeWorld) -> None:
    out = await chat.send("hisab mangsirr2")
    assert said(out) == t("en", "statement.unknown_month")
    assert world.statements == []


async def test_the_balance_reply_has_a_statement_button(chat: Chat, world: FakeWorld) -> None:
    out = await chat.send("balance")
    (reply,) = [o.reply for o in out]
    assert isinstance(reply, Buttons)
    assert [b.id for b in reply.buttons] == [StatementChoice().to_id()]
    assert parse("stmt") == StatementChoice()
    tapped = await chat.tap("stmt")
    assert isinstance(tapped[0].reply, Text)
    assert len(world.statements) == 1


async def test_a_nepali_retailer_is_answered_in_nepali(chat: Chat, world: FakeWorld) -> None:
    await chat.send("नेपाली")
    out = await chat.send("खाता")
    reply = out[0].reply
    assert isinstance(reply, Text) and "तपाईंको खाता विवरण" in reply.body
    assert world.statements[-1][2] == "ne"


@given(st.text(max_size=60))
def test_reading_a_statement_request_never_fails_on_any_text(text: str) -> None:
    ask = statement_request(text)
    assert ask is None or ask.month is None or 1 <= ask.month <= 12
