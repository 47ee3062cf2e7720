"""A vendor who can send only part of an order, and the shop's answer, in memory.

The vendor's proposal and the shop's answer (buttons, or typed yes / no while the
question is open) over the fake world; the money side is proven over Postgres in
tests/conversation/test_partial_fulfilment.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.order_status import Status
from domain.ordering import PricedLine
from domain.vendor_commands import VendorChange, parse_change
from flows import vendor as vendor_flow
from flows.choices import ChangeChoice
from flows.i18n import t, unit
from flows.replies import ListMenu, Outgoing
from flows.vendor import VendorSaid
from tests.flows.conftest import RETAILER, VENDOR, Chat, button_ids, said
from tests.flows.fakes import FakeOrder, FakeVendor, FakeWorld

D = Decimal


def _line(world: FakeWorld, line_no: int, sku: str, qty: str) -> PricedLine:
    product, price = world.products[sku], world.list_prices[sku]
    return PricedLine(line_no, product.id, sku, product.name, product.unit, D(qty), price,
                      price * D(qty))


def _order(world: FakeWorld, vendor: FakeVendor, number: int = 1001, *,
           status: Status = Status.PENDING) -> FakeOrder:
    lines = (_line(world, 1, "RICE-MANSULI-25", "2"), _line(world, 2, "TEA-TOKLA-500", "3"))
    placed = FakeOrder(number, world.accounts[RETAILER], vendor.id, lines,
                       sum((ln.line_total for ln in lines), D(0)), None, status)
    world.orders.append(placed)
    return placed


async def _vendor_says(world: FakeWorld, vendor: FakeVendor, text: str) -> list[Outgoing]:
    return await vendor_flow.handle(world.vendor_backend(vendor), vendor.party,
                                    VendorSaid(text=text))


async def test_the_vendor_s_proposal_asks_the_shop_and_changes_nothing_yet(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    out = await _vendor_says(world, vendor, "1001 tokla chaina")
    assert "I've asked Ram Kirana" in said(out, VENDOR)
    question = [o for o in out if o.to == RETAILER][-1]
    assert button_ids(question) == ["oc:yes:1001", "oc:no:1001"]
    assert "Not available: Tokla Tea 500g" in said(out)
    assert (placed.status, len(placed.lines)) == (Status.PENDING, 2)


async def test_typing_yes_takes_the_smaller_order(chat: Chat, world: FakeWorld,
                                                  vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    await _vendor_says(world, vendor, "1001 tokla chaina")
    out = await chat.send("ho")
    assert "accepted your order #1001 (Rs 3,900)" in said(out)
    assert (placed.status, placed.total, len(placed.lines)) == (
        Status.ACCEPTED, D("3900"), 1)


async def test_every_yes_word_answers_an_open_question(world: FakeWorld,
                                                       vendor: FakeVendor) -> None:
    for number, word in enumerate(("yes", "ho", "hunchha", "ok", "हो"), start=1001):
        world.retailer(RETAILER)
        placed = _order(world, vendor, number)
        await _vendor_says(world, vendor, f"{number} only mansuli")
        await Chat(world, RETAILER).send(word)
        assert placed.status is Status.ACCEPTED, word


async def test_every_no_word_declines_an_open_question(world: FakeWorld,
                                                       vendor: FakeVendor) -> None:
    for number, word in enumerate(("no", "hoina", "nai", "pardaina", "होइन"), start=1001):
        world.retailer(RETAILER)
        placed = _order(world, vendor, number)
        await _vendor_says(world, vendor, f"{number} only mansuli")
        out = await Chat(world, RETAILER).send(word)
        assert placed.status is Status.UNROUTABLE, word
        assert len(placed.lines) == 2
        assert t("en", "vendor.change.declined", number=number) in said(out, VENDOR)


async def test_a_yes_with_no_question_open_is_not_an_answer(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    out = await chat.send("ho")
    assert "accepted your order" not in said(out)
    assert placed.status is Status.PENDING


async def test_a_yes_after_the_question_was_answered_does_nothing_more(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    await _vendor_says(world, vendor, "1001 tokla chaina")
    await chat.tap(ChangeChoice(True, 1001).to_id())
    out = await chat.send("no")
    assert "Other supplier" not in said(out) and not said(out, VENDOR)
    assert placed.status is Status.ACCEPTED


async def test_two_orders_asking_make_the_bot_ask_which(chat: Chat, world: FakeWorld,
                                                        vendor: FakeVendor) -> None:
    first, second = _order(world, vendor, 1001), _order(world, vendor, 1002)
    await _vendor_says(world, vendor, "1001 tokla chaina")
    await _vendor_says(world, vendor, "1002 tokla chaina")
    out = await chat.send("yes")
    assert said(out) == t("en", "change.which_order", numbers="#1001, #1002")
    assert (first.status, second.status) == (Status.PENDING, Status.PENDING)


async def test_a_yes_with_a_cart_under_review_asks_which(chat: Chat, world: FakeWorld,
                                                         vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    await chat.send("chini 2 kg")
    await _vendor_says(world, vendor, "1001 tokla chaina")
    out = await chat.send("ok")
    assert said(out) == t("en", "change.which", numbers="#1001")
    assert placed.status is Status.PENDING
    assert len(world.orders) == 1  # the cart was not placed either


async def test_after_accepting_the_vendor_can_still_send_less(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor, status=Status.ACCEPTED)
    await _vendor_says(world, vendor, "1001 only mansuli")
    out = await chat.tap(ChangeChoice(True, 1001).to_id())
    assert said(out) == t("en", "order.change.agreed", number=1001,
                          vendor="Shrestha Traders", total="Rs 3,900")
    assert "agreed: send order #1001" in said(out, VENDOR)
    assert (placed.status, placed.total) == (Status.ACCEPTED, D("3900"))


async def test_no_dispatch_while_the_shop_has_not_answered(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor, status=Status.ACCEPTED)
    await _vendor_says(world, vendor, "1001 tokla chaina")
    out = await _vendor_says(world, vendor, "dispatched 1001")
    assert said(out, VENDOR) == t("en", "vendor.change.dispatch_waiting", number=1001)
    assert placed.status is Status.ACCEPTED


async def test_a_dispatched_order_is_not_changed(chat: Chat, world: FakeWorld,
                                                 vendor: FakeVendor) -> None:
    placed = _order(world, vendor, status=Status.DISPATCHED)
    out = await _vendor_says(world, vendor, "1001 tokla chaina")
    assert said(out, VENDOR) == t("en", "vendor.change.wrong_step", number=1001)
    assert not world.changes and len(placed.lines) == 2


async def test_cancelling_withdraws_the_question(chat: Chat, world: FakeWorld,
                                                 vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    await _vendor_says(world, vendor, "1001 tokla chaina")
    await chat.send("cancel 1001")
    assert placed.status is Status.CANCELLED
    assert not world.changes
    assert await world.backend().waiting_changes(world.accounts[RETAILER]) == []


@pytest.mark.parametrize(("text", "change"), [
    ("1001 tokla 1", VendorChange(1001, (), (), (("tokla", D(1)),))),
    ("1001 tokla 1, mansuli chaina", VendorChange(1001, (), ("mansuli",), (("tokla", D(1)),))),
    ("1001 only mansuli 1", VendorChange(1001, ("mansuli",), (), (("mansuli", D(1)),))),
    ("१००१ टोकला २", VendorChange(1001, (), (), (("टोकला", D(2)),))),
])
def test_a_name_and_a_bare_quantity_is_sending_less(text: str, change: VendorChange) -> None:
    assert parse_change(text) == change


@pytest.mark.parametrize("text", ["1001 ok", "1001 2", "accept 1001", "1001 tokla 1 tokla"])
def test_what_is_not_a_name_and_a_quantity_is_no_change(text: str) -> None:
    assert parse_change(text) is None


@given(st.text(max_size=40))
def test_any_text_parses_to_a_change_or_nothing(text: str) -> None:
    found = parse_change(text)
    assert found is None or all(q >= 0 for _, q in found.less)


async def test_the_vendor_sends_less_of_a_line_and_the_shop_takes_it(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor, status=Status.ACCEPTED)
    out = await _vendor_says(world, vendor, "1001 tokla 1")
    question = said(out)
    assert "can send less of order #1001" in question and "Not available" not in question
    assert "Tokla Tea 500g — 1 pkt = Rs 420" in question
    await chat.send("yes")
    assert [(ln.sku, ln.qty, ln.line_total) for ln in placed.lines] == [
        ("RICE-MANSULI-25", D(2), D("3900")), ("TEA-TOKLA-500", D(1), D("420"))]
    assert placed.total == D("4320")


@pytest.mark.parametrize("text", ["1001 tokla 3", "1001 tokla 5", "1001 tokla 0"])
async def test_a_quantity_not_less_than_ordered_is_refused(
        chat: Chat, world: FakeWorld, vendor: FakeVendor, text: str) -> None:
    placed = _order(world, vendor)
    out = await _vendor_says(world, vendor, text)
    assert said(out, VENDOR) == t("en", "vendor.change.not_less", number=1001, names="tokla")
    assert not world.changes and placed.lines[1].qty == D(3)


async def _vendor_taps(world: FakeWorld, vendor: FakeVendor, row: str) -> list[Outgoing]:
    return await vendor_flow.handle(world.vendor_backend(vendor), vendor.party,
                                    VendorSaid(tapped=row))


async def test_change_and_a_number_lists_the_order_s_lines(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor, status=Status.ACCEPTED)
    out = await _vendor_says(world, vendor, "change 1001")
    assert isinstance(out[0].reply, ListMenu)
    assert button_ids(out[0]) == ["vendor:line:1001:1", "vendor:line:1001:2"]
    assert [r.title for r in out[0].reply.sections[0].rows] == [
        "Mansuli Rice 25kg", "Tokla Tea 500g"]


async def test_picking_a_line_asks_how_many_and_the_answer_proposes_it(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    asked = said(await _vendor_taps(world, vendor, "vendor:line:1001:2"), VENDOR)
    assert "How many Tokla Tea 500g can you send for order #1001? 3 pkt" in asked
    assert "“1001 tokla tea 500g 1”" in asked
    out = await _vendor_says(world, vendor, "1001 tokla tea 500g 1")
    assert "can send less of order #1001" in said(out)
    assert world.less == {1001: {2: D(1)}} and placed.lines[1].qty == D(3)


async def test_the_lines_of_someone_else_s_or_a_dispatched_order_are_not_listed(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    other = world.vendor("Himal Wholesale", "9779801000009")
    _order(world, other, 1001)
    _order(world, vendor, 1002, status=Status.DISPATCHED)
    for text in ("change 1001", "1002 badal"):
        number = int(text.split()[0] if text[0].isdigit() else text.split()[1])
        out = await _vendor_says(world, vendor, text)
        assert said(out, VENDOR) == t("en", "vendor.lines.none", number=number)
    out = await _vendor_taps(world, vendor, "vendor:line:1001:1")
    assert said(out, VENDOR) == t("en", "vendor.lines.none", number=1001)


# ---------------------------------------------------------------- units and bare answers


@pytest.mark.parametrize(("text", "change"), [
    ("1001 tokla 1 packet", VendorChange(1001, (), (), (("tokla", D(1)),),
                                         (("tokla", "packet"),))),
    ("1001 mansuli 25 kg", VendorChange(1001, (), (), (("mansuli", D(25)),),
                                        (("mansuli", "kg"),))),
    ("१००१ मन्सुली १ बोरा", VendorChange(1001, (), (), (("मन्सुली", D(1)),),
                                          (("मन्सुली", "बोरा"),))),
])
def test_a_quantity_with_a_unit_word_is_read_with_its_unit(text: str,
                                                          change: VendorChange) -> None:
    assert parse_change(text) == change


def test_after_only_a_size_in_a_name_is_not_a_quantity() -> None:
    assert parse_change("1001 only tokla tea 500g") == VendorChange(
        1001, ("tokla tea 500g",), (), ())


async def test_kilos_of_a_bagged_line_are_converted_to_bags(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    out = await _vendor_says(world, vendor, "1001 mansuli 25 kg")
    assert "can send less of order #1001" in said(out)
    assert world.less == {1001: {1: D(1)}}


async def test_kilos_that_are_not_whole_bags_are_refused_with_the_line_s_unit(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    out = await _vendor_says(world, vendor, "1001 mansuli 30 kg")
    reply = said(out, VENDOR)
    assert reply == t("en", "vendor.change.not_whole", number=1001, names="mansuli",
                      unit=unit("en", "bag", D(2)))
    assert not world.changes


async def test_a_fraction_of_a_packet_is_refused(chat: Chat, world: FakeWorld,
                                                 vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    out = await _vendor_says(world, vendor, "1001 tokla 1.5")
    assert "whole" in said(out, VENDOR) and "1.5" not in said(out, VENDOR)
    assert not world.changes and placed.lines[1].qty == D(3)


async def test_a_unit_that_does_not_convert_asks_for_the_line_s_unit(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    out = await _vendor_says(world, vendor, "1001 tokla 2 litre")
    assert said(out, VENDOR) == t("en", "vendor.change.other_unit", number=1001,
                                  names="tokla", unit=unit("en", "packet", D(2)))
    assert not world.changes


async def test_a_bare_number_answers_the_picked_line(chat: Chat, world: FakeWorld,
                                                     vendor: FakeVendor) -> None:
    placed = _order(world, vendor)
    await _vendor_taps(world, vendor, "vendor:line:1001:2")
    out = await _vendor_says(world, vendor, "1")
    assert "can send less of order #1001" in said(out)
    assert world.less == {1001: {2: D(1)}} and placed.lines[1].qty == D(3)
    assert world.picks == {}


async def test_a_bare_quantity_with_a_unit_answers_the_picked_line(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    await _vendor_taps(world, vendor, "vendor:line:1001:1")
    out = await _vendor_says(world, vendor, "25 kg")
    assert "can send less of order #1001" in said(out)
    assert world.less == {1001: {1: D(1)}}


async def test_a_refused_bare_answer_keeps_the_pick_for_another_number(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    await _vendor_taps(world, vendor, "vendor:line:1001:2")
    out = await _vendor_says(world, vendor, "0.5")
    assert "whole" in said(out, VENDOR)
    out = await _vendor_says(world, vendor, "2")
    assert "can send less of order #1001" in said(out)
    assert world.less == {1001: {2: D(2)}}


async def test_a_bare_number_without_a_recent_pick_changes_nothing(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    _order(world, vendor)
    out = await _vendor_says(world, vendor, "1")
    assert said(out, VENDOR) == t("en", "vendor.help")
    await _vendor_taps(world, vendor, "vendor:line:1001:2")
    world.now += dt.timedelta(minutes=vendor_flow.PICK_MINUTES + 1)
    out = await _vendor_says(world, vendor, "1")
    assert said(out, VENDOR) == t("en", "vendor.help")
    assert not world.changes
