"""Questions instead of orders: prices from the area's vendors, the catalogue, small talk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.commands import cancel_number
from flows.i18n import t
from flows.replies import ListMenu, Text
from flows.retailer.asking import asks_catalogue, price_subject, small_talk
from flows.retailer.delivery import is_problem
from tests.flows.conftest import OTHER_VENDOR, RETAILER, VENDOR, Chat, button_ids, said
from tests.flows.fakes import FakeWorld


@pytest.mark.parametrize(("text", "subject"), [
    ("chini ko bhau kati ho?", "chini"),
    ("price of sugar?", "sugar"),
    ("चिनीको भाउ कति हो?", "चिनी"),
    ("rara ko rate?", "rara"),
])
def test_a_price_question_names_its_product(text: str, subject: str) -> None:
    assert price_subject(text) == subject


@pytest.mark.parametrize("text", ["chini 10 kg", "2 bora sona", "kati baki cha"])
def test_an_order_or_another_question_is_not_a_price_question(text: str) -> None:
    assert price_subject(text) is None


@pytest.mark.parametrize("text", ["what do you have?", "k k xa?", "के के छ?", "K K XA"])
def test_what_do_you_have_asks_for_the_catalogue(text: str) -> None:
    assert asks_catalogue(text)


@pytest.mark.parametrize(("text", "kind"), [
    ("dhanyabad 🙏", "thanks"), ("thank you", "thanks"), ("🙏", "thanks"),
    ("धन्यवाद दाइ", "thanks"), ("good morning", "greeting"), ("namaste hajur", "greeting"),
    ("chini 10 kg", None), ("thank you, send chini 10 kg", None),
])
def test_small_talk_is_only_a_whole_message_of_it(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize("text", ["chini ko bhau kati ho?", "price of sugar?",
                                  "चिनीको भाउ कति हो?"])
async def test_a_price_question_is_answered_from_the_areas_vendors_cheapest_first(
        world: FakeWorld, text: str) -> None:
    world.vendor("Shrestha Traders", VENDOR)
    world.vendor("Himal Wholesale", OTHER_VENDOR, markup="1.05")
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    out = await chat.send(text)
    lang = chat.session.language if chat.session else "en"
    first = t(lang, "ask.price.at", price="रु ९८" if lang == "ne" else "Rs 98",
              unit="केजी" if lang == "ne" else "kg", vendor="Shrestha Traders")
    assert said(out).startswith(f"Sugar (Loose): {first}, ")
    assert "Himal Wholesale" in said(out)
    assert chat.session is not None and chat.session.cart == []


async def test_a_price_asked_of_a_product_no_one_in_the_area_sells_says_so(
        world: FakeWorld) -> None:
    world.vendor("Oil House", VENDOR, only=("OIL-DHARA-1",))
    world.retailer(RETAILER)
    out = await Chat(world, RETAILER).send("price of sugar?")
    assert said(out).startswith(t("en", "ask.price.none", name="Sugar (Loose)"))


async def test_what_do_you_have_shows_categories_then_a_categorys_products(
        chat: Chat) -> None:
    out = await chat.send("k k xa?")
    menu = out[-1]
    assert isinstance(menu.reply, ListMenu)
    assert "cat:rice" in button_ids(menu)
    out = await chat.tap("cat:rice", "Rice")
    assert isinstance(out[-1].reply, Text)
    assert "• Mansuli Rice 25kg — Rs 1,950/bag" in said(out)


@pytest.mark.parametrize("text", ["dhanyabad 🙏", "thank you"])
async def test_thanks_gets_a_short_answer_not_the_help(chat: Chat, text: str) -> None:
    out = await chat.send(text)
    lang = chat.session.language if chat.session else "en"
    assert said(out) == t(lang, "thanks.reply")


async def test_a_greeting_gets_a_short_hello_not_the_help(chat: Chat) -> None:
    out = await chat.send("good morning")
    assert said(out) == t("en", "greeting.reply", shop="Ram Kirana")
    assert t("en", "help") not in said(out)


@given(st.text(max_size=200))
def test_any_text_is_read_by_the_question_readers_without_error(text: str) -> None:
    subject = price_subject(text)
    assert subject is None or (subject.strip() == subject and subject)
    assert isinstance(asks_catalogue(text), bool)
    assert small_talk(text) in (None, "thanks", "greeting")
    assert isinstance(is_problem(text), bool)
    number = cancel_number(text)
    assert number is None or 0 <= number < 10**9
