"""`cancel 1001` cancels #1001 or says why not — never a different order."""

from __future__ import annotations

import pytest

from domain.order_status import Status
from flows.i18n import t
from tests.flows.conftest import VENDOR, Chat, said
from tests.flows.fakes import FakeWorld

OTHER_SHOP = "9779812000002"


async def place(chat: Chat, text: str = "chini 10 kg") -> int:
    await chat.send(text)
    await chat.send("pakka")
    assert chat.session is not None and chat.session.last_order is not None
    return chat.session.last_order


@pytest.mark.parametrize("text", ["cancel 1001", "Cancel #1001", "1001 cancel",
                                  "रद्द १००१", "cancel order 1001"])
async def test_cancel_with_a_number_cancels_that_order_not_the_latest(
        chat: Chat, world: FakeWorld, text: str) -> None:
    await place(chat)
    await place(chat, "dhara 2")
    out = await chat.send(text)
    assert [(o.number, o.status) for o in world.orders] == [
        (1001, Status.CANCELLED), (1002, Status.PENDING)]
    lang = chat.session.language if chat.session else "en"
    assert said(out) == t(lang, "cancel.order_done", number=1001)
    assert [o.to for o in out if o.to == VENDOR]  # the vendor is told to stop #1001


async def test_cancelling_an_unknown_number_says_so_and_cancels_nothing(
        chat: Chat, world: FakeWorld) -> None:
    await place(chat)
    out = await chat.send("cancel 1999")
    assert said(out) == t("en", "cancel.unknown", number=1999)
    assert world.orders[0].status is Status.PENDING


async def test_cancelling_another_shops_order_is_refused(chat: Chat, world: FakeWorld) -> None:
    world.retailer(OTHER_SHOP, shop="Sita Store")
    await place(Chat(world, OTHER_SHOP))
    out = await chat.send("cancel 1001")
    assert said(out) == t("en", "cancel.not_yours", number=1001)
    assert world.orders[0].status is Status.PENDING


async def test_a_delivered_order_cannot_be_cancelled_and_the_reply_says_why(
        chat: Chat, world: FakeWorld) -> None:
    await place(chat)
    world.orders[0].status = Status.DELIVERED
    out = await chat.send("cancel 1001")
    assert said(out) == t("en", "cancel.delivered", number=1001)


async def test_an_accepted_order_is_too_late_to_cancel(chat: Chat, world: FakeWorld) -> None:
    await place(chat)
    world.orders[0].status = Status.ACCEPTED
    assert said(await chat.send("cancel 1001")) == t("en", "cancel.order_too_late", number=1001)


async def test_cancel_with_a_number_keeps_the_cart(chat: Chat, world: FakeWorld) -> None:
    await place(chat)
    await chat.send("rara 2 ctn")
    await chat.send("cancel 1001")
    assert chat.session is not None and [i.sku for i in chat.session.cart] == ["NOODLE-RARA-CTN"]
    assert world.orders[0].status is Status.CANCELLED


async def test_a_small_number_is_asked_about_as_an_order_not_the_latest(
        chat: Chat, world: FakeWorld) -> None:
    await place(chat)
    assert said(await chat.send("cancel 2")) == t("en", "cancel.unknown", number=2)
    assert world.orders[0].status is Status.PENDING
