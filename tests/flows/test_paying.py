"""Paying from the chat, in memory: what `pay` offers, what a tapped gateway sends, and the
amounts that are asked about or refused instead of guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.choices import PayChoice, PayMethodChoice, parse
from flows.i18n import t
from flows.replies import Buttons, Image, Text
from tests.flows.conftest import RETAILER, Chat, button_ids, said, to_me
from tests.flows.fakes import FakeWorld


@pytest.fixture
def owing(chat: Chat, world: FakeWorld) -> Chat:
    world.owed[world.accounts[RETAILER].id] = Decimal("1500")
    world.pay_methods = ("fonepay", "khalti", "esewa")
    return chat


@pytest.mark.parametrize("text", ["pay", "Tirnu", "bhuktani", "भुक्तानी"])
async def test_pay_offers_each_gateway_for_all_that_is_owed(owing: Chat, text: str) -> None:
    [out] = to_me(await owing.send(text))
    assert isinstance(out.reply, Buttons)
    assert button_ids(out) == ["pm:fonepay:150000:-", "pm:khalti:150000:-", "pm:esewa:150000:-"]
    if text.isascii():  # Devanagari is answered in Nepali (see test_paying_in_nepali)
        assert out.reply.body.startswith("You owe Rs 1,500. Pay Rs 1,500 now with:")
        assert [b.title for b in out.reply.buttons] == ["Fonepay QR", "Khalti", "eSewa"]


async def test_pay_with_an_amount_offers_that_amount(owing: Chat) -> None:
    [out] = to_me(await owing.send("pay Rs 500"))
    assert "Pay Rs 500 now" in said([out])
    assert button_ids(out)[1] == PayMethodChoice("khalti", 50000).to_id()


async def test_more_than_is_owed_is_refused_politely(owing: Chat, world: FakeWorld) -> None:
    out = await owing.send("pay 2000")
    assert said(out) == t("en", "pay.over_due", owed="Rs 1,500")
    assert world.payments == []


async def test_an_unclear_amount_is_asked_about(owing: Chat) -> None:
    assert said(await owing.send("pay 500 or 600")) == t("en", "pay.unclear")


async def test_nothing_owed_says_thank_you(chat: Chat, world: FakeWorld) -> None:
    world.pay_methods = ("khalti",)
    assert said(await chat.send("pay")) == t("en", "pay.nothing_due")


async def test_without_a_gateway_set_up_nothing_is_offered(chat: Chat, world: FakeWorld) -> None:
    world.owed[world.accounts[RETAILER].id] = Decimal("1500")
    assert said(await chat.send("tirnu")) == t("en", "pay.not_offered", owed="Rs 1,500")


async def test_a_tapped_link_gateway_sends_the_link(owing: Chat, world: FakeWorld) -> None:
    out = await owing.tap(PayMethodChoice("khalti", 50000).to_id(), "Khalti")
    assert world.payments == [(1, "khalti", Decimal("500.00"), None)]
    text = said(out)
    assert text.startswith("Pay Rs 500 with Khalti: https://pay.test/khalti/1\n")
    assert "The link works until" in text


async def test_a_tapped_qr_gateway_sends_the_qr_image(owing: Chat) -> None:
    [out] = to_me(await owing.tap(PayMethodChoice("fonepay", 150000).to_id(), "Fonepay QR"))
    assert isinstance(out.reply, Image) and out.reply.media_file_id == 1
    assert out.reply.caption is not None and "to pay Rs 1,500 (Fonepay)" in out.reply.caption


async def test_a_button_for_more_than_is_now_owed_is_refused(owing: Chat,
                                                             world: FakeWorld) -> None:
    world.owed[world.accounts[RETAILER].id] = Decimal("400")  # paid cash meanwhile
    out = await owing.tap(PayMethodChoice("esewa", 150000).to_id(), "eSewa")
    assert said(out) == t("en", "pay.over_due", owed="Rs 400")
    assert world.payments == []


async def test_the_balance_reply_has_a_pay_button(owing: Chat) -> None:
    [out] = to_me(await owing.send("balance"))
    # Pay first (other buttons, such as a Statement, may follow it).
    assert isinstance(out.reply, Buttons) and button_ids(out)[0] == PayChoice().to_id()
    [offer] = to_me(await owing.tap("pay", "Pay"))
    assert button_ids(offer)[0] == "pm:fonepay:150000:-"


async def test_the_balance_reply_has_no_pay_button_when_nothing_is_owed(
        chat: Chat, world: FakeWorld) -> None:
    world.pay_methods = ("khalti",)
    [out] = to_me(await chat.send("balance"))
    assert isinstance(out.reply, Text) or PayChoice().to_id() not in button_ids(out)


async def test_paying_in_nepali(world: FakeWorld, chat: Chat) -> None:
    account = world.retailer("9779812000009", language="ne")
    world.owed[account.id] = Decimal("1500")
    world.pay_methods = ("khalti",)
    nepali = Chat(world, "9779812000009")
    [out] = to_me(await nepali.send("भुक्तानी ५००"), "9779812000009")
    assert isinstance(out.reply, Buttons)
    assert out.reply.body.startswith("तपाईंले रु १,५०० तिर्न बाँकी छ। अहिले रु ५०० तिर्नुहोस्:")
    assert [b.title for b in out.reply.buttons] == ["खल्ती"]


async def test_the_reminders_pay_button_works_without_a_session(world: FakeWorld,
                                                                owing: Chat) -> None:
    fresh = Chat(world, RETAILER)  # days later: the session has expired
    [out] = to_me(await fresh.tap(PayChoice().to_id(), "Pay"))
    assert button_ids(out)[0] == "pm:fonepay:150000:-"


def test_payment_reminders_carry_the_pay_button() -> None:
    import datetime as dt

    from flows.templates import payment_reminder

    reminder = payment_reminder("overdue", "en", "Ram Kirana", Decimal("1500"), [1001],
                                dt.date(2026, 12, 1), 3)
    assert reminder.button_payloads == (PayChoice().to_id(),)


@given(st.sampled_from(["fonepay", "khalti", "esewa"]), st.integers(1, 10**10),
       st.none() | st.integers(1, 10**9))
def test_a_method_button_id_reads_back_as_itself(gateway: str, amount: int,
                                                 number: int | None) -> None:
    choice = PayMethodChoice(gateway, amount, number)
    assert parse(choice.to_id()) == choice and len(choice.to_id()) <= 256


@given(st.text(max_size=40))
def test_any_pay_shaped_id_is_read_or_refused_never_crashes(rest: str) -> None:
    for prefix in ("pm:", "pay:"):
        parsed = parse(prefix + rest)
        assert parsed is None or isinstance(parsed, PayMethodChoice | PayChoice)


async def test_a_button_naming_no_gateway_we_know_is_stale(owing: Chat,
                                                           world: FakeWorld) -> None:
    await owing.send("pay")
    out = await owing.tap("pm:paypal:150000:-", "PayPal")
    assert said(out) == t("en", "stale_reply") and world.payments == []
