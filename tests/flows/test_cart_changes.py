"""Changing the cart by typing: a quantity replaces, "thap" adds, a name removes, each said."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.ordertext import Intent, QtyNote
from flows.i18n import t
from flows.retailer import LineStatus, Reading, Understood
from tests.flows.conftest import Chat, body, said
from tests.flows.fakes import FakeWorld

D = Decimal


def cart_of(chat: Chat) -> list[tuple[str, Decimal]]:
    assert chat.session is not None
    return [(i.sku, i.qty) for i in chat.session.cart]


# ---------------------------------------------------------------- a quantity replaces


async def test_a_new_quantity_replaces_the_old_one_without_tapping_edit(chat: Chat) -> None:
    await chat.send("mansuli 2 bora")
    await chat.send("मन्सुली ३ बोरा")
    assert cart_of(chat) == [("RICE-MANSULI-25", D(3))]


async def test_the_reply_says_what_the_quantity_was_and_is(chat: Chat) -> None:
    await chat.send("nun 20 packet")
    out = await chat.send("nun 10 packet")
    assert body(out[0]) == t("en", "edit.changed", name="Aayo Iodised Salt 1kg", old="20",
                             new="10", unit="pkt")
    assert "1. Aayo Iodised Salt 1kg — 10 pkt" in body(out[-1])


@pytest.mark.parametrize("before", [(), ("edit",), ("rice 2",)])
async def test_a_quantity_replaces_in_review_in_edit_and_while_a_question_waits(
        chat: Chat, before: tuple[str, ...]) -> None:
    await chat.send("chini 60 kg")
    for text in before:
        await chat.send(text)
    await chat.send("chini 2 kg")
    assert cart_of(chat) == [("SUGAR-KG", D(2))]


async def test_the_same_quantity_again_says_nothing_changed(chat: Chat) -> None:
    await chat.send("chini 5 kg")
    out = await chat.send("chini 5 kg")
    assert body(out[0]) == t("en", "edit.same", name="Sugar (Loose)", qty="5", unit="kg")


async def test_a_new_product_is_added_beside_the_others(chat: Chat) -> None:
    await chat.send("chini 5 kg")
    await chat.send("rara 2 ctn")
    assert cart_of(chat) == [("SUGAR-KG", D(5)), ("NOODLE-RARA-CTN", D(2))]


# ---------------------------------------------------------------- adding more


@pytest.mark.parametrize("text", ["chini 2 kg thap", "add 2 kg chini", "add 2 more chini",
                                  "2 more chini", "चिनी २ केजी थप"])
async def test_thap_and_more_add_to_the_quantity(chat: Chat, text: str) -> None:
    await chat.send("chini 10 kg")
    out = await chat.send(text)
    assert cart_of(chat) == [("SUGAR-KG", D(12))]
    assert said(out).startswith(t(chat.session.language if chat.session else "en",
                                  "edit.increased", name="Sugar (Loose)", added="२"
                                  if "चिनी" in text else "2",
                                  new="१२" if "चिनी" in text else "12",
                                  unit="केजी" if "चिनी" in text else "kg"))


# ---------------------------------------------------------------- removing by name


@pytest.mark.parametrize("text", ["rara hatau", "rara nachahine", "remove rara", "रारा हटाउ"])
async def test_a_product_is_removed_by_its_name(chat: Chat, text: str) -> None:
    await chat.send("chini 5 kg, rara 2 ctn")
    out = await chat.send(text)
    assert cart_of(chat) == [("SUGAR-KG", D(5))]
    lang = chat.session.language if chat.session else "en"
    assert body(out[0]) == t(lang, "edit.removed", name="Rara Noodles Carton (30 pcs)")


async def test_removing_a_product_not_in_the_cart_says_so_and_keeps_the_rest(
        chat: Chat) -> None:
    await chat.send("chini 5 kg")
    out = await chat.send("remove rara")
    assert body(out[0]) == t("en", "edit.not_in_cart", text="rara")
    assert cart_of(chat) == [("SUGAR-KG", D(5))]


async def test_removing_the_last_product_by_name_empties_the_cart(chat: Chat) -> None:
    await chat.send("rara 2 ctn")
    out = await chat.send("rara hatau")
    assert said(out).endswith(t("en", "cart.empty"))
    assert chat.session is not None and chat.session.state == "idle"


# ---------------------------------------------------------------- quantities asked for


async def test_a_bare_number_after_how_many_is_the_quantity(chat: Chat) -> None:
    await chat.send("chini")
    out = await chat.send("7")
    assert cart_of(chat) == [("SUGAR-KG", D(7))]
    assert "1. Sugar (Loose) — 7 kg" in body(out[-1])


async def test_a_count_that_is_not_whole_units_is_asked_again_saying_why(
        chat: Chat, world: FakeWorld) -> None:
    world.readings["rara 45 packet"] = Reading(Intent.ORDER, [Understood(
        "rara 45 packet", LineStatus.RESOLVED, "NOODLE-RARA-CTN", "Rara Noodles Carton (30 pcs)",
        "carton", None, qty_note=QtyNote.NOT_WHOLE)])
    out = await chat.send("rara 45 packet")
    assert said(out) == t("en", "cart.qty_not_whole", name="Rara Noodles Carton (30 pcs)",
                          unit="ctn", example="Rara Noodles Carton (30 pcs) 5 ctn")
    assert cart_of(chat) == []


@pytest.mark.parametrize(("qty", "shown"), [(D(0), "0"), (D(-5), "-5")])
async def test_zero_and_negative_quantities_are_refused_plainly(
        chat: Chat, world: FakeWorld, qty: Decimal, shown: str) -> None:
    world.readings["chini x"] = Reading(Intent.ORDER, [Understood(
        "chini x", LineStatus.RESOLVED, "SUGAR-KG", "Sugar (Loose)", "kg", qty)])
    out = await chat.send("chini x")
    assert said(out) == t("en", "cart.qty_not_positive", name="Sugar (Loose)", qty=shown,
                          example="Sugar (Loose) 5 kg")
    assert cart_of(chat) == []


async def test_a_zero_answer_to_how_many_is_refused_and_asked_again(chat: Chat) -> None:
    await chat.send("chini")
    out = await chat.send("0")
    assert said(out) == t("en", "cart.qty_not_positive", name="Sugar (Loose)", qty="0",
                          example="Sugar (Loose) 5 kg")
    await chat.send("3")
    assert cart_of(chat) == [("SUGAR-KG", D(3))]


async def test_a_zero_quantity_does_not_touch_the_line_already_there(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 5 kg")
    world.readings["chini 0"] = Reading(Intent.ORDER, [Understood(
        "chini 0", LineStatus.RESOLVED, "SUGAR-KG", "Sugar (Loose)", "kg", D(0))])
    await chat.send("chini 0")
    assert cart_of(chat) == [("SUGAR-KG", D(5))]


# ---------------------------------------------------------------- the help stays true


async def test_every_edit_the_help_names_does_what_it_says(chat: Chat) -> None:
    await chat.send("chini 10 kg, rara 2 ctn")
    await chat.send("chini 20 kg")
    assert cart_of(chat)[0] == ("SUGAR-KG", D(20))
    await chat.send("chini 5 kg thap")
    assert cart_of(chat)[0] == ("SUGAR-KG", D(25))
    await chat.send("remove rara")
    assert cart_of(chat) == [("SUGAR-KG", D(25))]
    for line in ("“chini 20 kg”", "“chini 5 kg thap”", "“remove rara”", "“clear”"):
        assert line in t("en", "edit.help")
