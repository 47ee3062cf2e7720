"""Quantities against minimums and stock: said plainly, every short line at once, never more."""

from __future__ import annotations

from decimal import Decimal

from domain.credit import RetailerStatus
from flows.i18n import t
from flows.replies import Buttons
from tests.flows.conftest import RETAILER, VENDOR, Chat, body, button_ids, said
from tests.flows.fakes import FakeWorld

D = Decimal


async def test_below_the_minimum_the_review_says_the_minimum_and_offers_no_confirm(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "96"},
                 minimums={"SUGAR-KG": "1"})
    world.retailer(RETAILER)
    out = await Chat(world, RETAILER).send("chini 0.5 kg")
    review = body(out[-1])
    assert "⚠ " + t("en", "short.minimum.anyone", name="Sugar (Loose)", minimum="1",
                    unit="kg", asked="0.5 kg") in review
    assert "1. Sugar (Loose) — 0.5 kg ⚠" in review
    assert "Total" not in review
    assert button_ids(out[-1]) == ["rv:edit:1", "rv:cancel:1"]
    assert isinstance(out[-1].reply, Buttons) and out[-1].reply.footer is None  # no "Tap Confirm"


async def test_confirming_below_the_minimum_never_offers_more_than_was_asked(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "96"},
                 minimums={"SUGAR-KG": "1"})
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    await chat.send("chini 0.5 kg")
    out = await chat.send("pakka")
    assert "96" not in said(out)
    assert "of:take:1" not in button_ids(out[-1])
    assert world.orders == []


async def test_one_short_line_keeps_the_others_priced(world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"RICE-MANSULI-25": "0"})
    world.retailer(RETAILER)
    out = await Chat(world, RETAILER).send("mansuli 3 bora, rara 2 ctn")
    review = body(out[-1])
    assert "2. Rara Noodles Carton (30 pcs) — 2 ctn × Rs 720 = Rs 1,440" in review
    assert t("en", "review.total.rest", total="Rs 1,440") in review
    assert "Rs 0" not in review


async def test_every_short_line_is_reported_at_once_and_the_rest_offered(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR,
                 stock={"RICE-MANSULI-25": "2", "SUGAR-KG": "0"})
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    await chat.send("mansuli 3 bora, chini 5 kg, rara 2 ctn")
    out = await chat.send("pakka")
    text = body(out[-1])
    assert t("en", "short.stock.anyone", available="2", unit="bags",
             name="Mansuli Rice 25kg", asked="3 bags") in text
    assert t("en", "short.stock.anyone", available="0", unit="kg", name="Sugar (Loose)",
             asked="5 kg") in text
    assert t("en", "short.stock.offer_rest") in text
    assert button_ids(out[-1])[0] == "of:take:1"
    await chat.tap("of:take:1", "Take available")
    assert [(ln.sku, ln.qty) for ln in world.orders[0].lines] == [
        ("RICE-MANSULI-25", D("2")), ("NOODLE-RARA-CTN", D("2"))]


async def test_a_retailer_on_hold_is_not_shown_available_credit(world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR)
    world.retailer(RETAILER, status=RetailerStatus.BLOCKED)
    out = await Chat(world, RETAILER).send("chini 5 kg")
    review = body(out[-1])
    assert "Available credit" not in review
    assert t("en", "review.blocked") in review


async def test_a_retailer_on_hold_is_told_no_credit_is_available_in_the_balance(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR)
    world.retailer(RETAILER, status=RetailerStatus.BLOCKED, limit="50000")
    out = await Chat(world, RETAILER).send("balance")
    assert "Available credit: Rs 0" in said(out)
    assert said(out).endswith(t("en", "review.blocked"))


async def test_over_the_credit_what_fits_is_offered_even_when_the_first_line_does_not(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR)
    world.retailer(RETAILER, limit="1000")
    chat = Chat(world, RETAILER)
    await chat.send("sona 1 bora, chini 5 kg")
    out = await chat.send("pakka")
    assert t("en", "short.credit.offer", reduced="Rs 490") in body(out[-1])
    assert button_ids(out[-1])[0] == "of:take:1"
    await chat.tap("of:take:1", "Reduce order")
    assert [(ln.sku, ln.qty) for ln in world.orders[0].lines] == [("SUGAR-KG", D("5"))]
