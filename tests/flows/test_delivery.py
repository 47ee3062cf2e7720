"""After a delivery: "did it all arrive?", and a problem becomes a case for operators."""

from __future__ import annotations

import pytest

from domain.order_status import Status
from flows import vendor as vendor_flow
from flows.i18n import t
from flows.replies import Buttons, Outgoing
from flows.retailer.delivery import is_problem
from flows.vendor import VendorSaid
from tests.flows.conftest import RETAILER, Chat, button_ids, said
from tests.flows.fakes import FakeVendor, FakeWorld


async def delivered(chat: Chat, world: FakeWorld, vendor: FakeVendor) -> list[Outgoing]:
    await chat.send("chini 10 kg")
    await chat.send("pakka")
    world.orders[-1].status = Status.DISPATCHED
    return await vendor_flow.handle(world.vendor_backend(vendor), vendor.party,
                                    VendorSaid(text="delivered 1001"))


async def test_on_delivery_the_retailer_is_asked_whether_it_all_arrived(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    out = await delivered(chat, world, vendor)
    question = [o for o in out if o.to == RETAILER][-1]
    assert isinstance(question.reply, Buttons)
    assert question.reply.footer == t("en", "order.delivered.ask")
    assert button_ids(question) == ["dl:ok:1001", "dl:issue:1001"]


async def test_received_is_thanked_and_opens_nothing(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    await delivered(chat, world, vendor)
    assert said(await chat.tap("dl:ok:1001")) == t("en", "delivery.thanks", number=1001)
    assert world.problems == []


async def test_problem_asks_what_and_the_answer_opens_a_case(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    await delivered(chat, world, vendor)
    assert said(await chat.tap("dl:issue:1001")) == t("en", "delivery.ask_problem",
                                                      number=1001)
    out = await chat.send("2 kg kam aayo")
    assert said(out) == t("en", "delivery.case_opened", number=1001)
    assert world.problems == [(1001, "2 kg kam aayo")]


@pytest.mark.parametrize("text", ["not received", "3 bottle futeko", "saman aayena",
                                  "३ बोतल फुटेको"])
async def test_a_problem_said_about_the_delivered_order_opens_a_case(
        chat: Chat, world: FakeWorld, vendor: FakeVendor, text: str) -> None:
    await delivered(chat, world, vendor)
    out = await chat.send(text)
    lang = chat.session.language if chat.session else "en"
    assert said(out) == t(lang, "delivery.case_opened", number=1001)
    assert [n for n, _ in world.problems] == [1001]


async def test_the_same_problem_twice_keeps_one_case(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    await delivered(chat, world, vendor)
    await chat.send("not received")
    assert said(await chat.send("not received")) == t("en", "delivery.case_open_already",
                                                      number=1001)
    assert len(world.problems) == 1


async def test_not_arrived_before_delivery_is_a_status_question_not_a_case(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.send("pakka")
    out = await chat.send("aayena")
    assert world.problems == []
    assert "#1001" in said(out)


@pytest.mark.parametrize("text", ["chini 10 kg", "status", "thank you"])
def test_ordinary_messages_are_not_problems(text: str) -> None:
    assert not is_problem(text)


async def test_problem_tapped_days_later_without_a_session_still_opens_a_case(
        chat: Chat, world: FakeWorld, vendor: FakeVendor) -> None:
    await delivered(chat, world, vendor)
    chat.session = None  # the idle session expired before the shop answered
    assert said(await chat.tap("dl:issue:1001")) == t("en", "delivery.ask_problem",
                                                      number=1001)
    await chat.send("1 packet missing")
    assert world.problems == [(1001, "1 packet missing")]
