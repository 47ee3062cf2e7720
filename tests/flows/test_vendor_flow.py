"""The vendor conversation in memory: commands, buttons and lists over a fake world."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.order_status import Status
from flows import vendor as vendor_flow
from flows.i18n import t
from flows.replies import Buttons, ListMenu, Outgoing, Text
from flows.vendor import VendorSaid
from tests.flows.conftest import RETAILER, VENDOR, body, button_ids
from tests.flows.fakes import AREA, FakeOrder, FakeVendor, FakeWorld

D = Decimal


def order(world: FakeWorld, vendor: FakeVendor, number: int = 1001, *,
          status: Status = Status.PENDING, shop: str = "Ram Kirana",
          phone: str = RETAILER) -> FakeOrder:
    account = world.accounts.get(phone) or world.retailer(phone, shop=shop)
    placed = FakeOrder(number, account, vendor.id, (), D(500), None, status)
    world.orders.append(placed)
    return placed


async def answer(world: FakeWorld, vendor: FakeVendor, said: VendorSaid) -> list[Outgoing]:
    return await vendor_flow.handle(world.vendor_backend(vendor), vendor.party, said)


async def test_the_accept_button_accepts_and_the_retailer_is_told(
        world: FakeWorld, vendor: FakeVendor) -> None:
    placed = order(world, vendor)
    out = await answer(world, vendor, VendorSaid(tapped="vendor:accept:1001"))
    assert [o.to for o in out] == [VENDOR, RETAILER]
    assert body(out[0]) == t("en", "vendor.accepted", number=1001, shop="Ram Kirana", area=AREA,
                             phone=RETAILER)
    assert body(out[1]) == t("en", "order.accepted", number=1001, vendor="Shrestha Traders",
                             total="Rs 500")
    assert placed.status is Status.ACCEPTED


async def test_text_commands_walk_the_order_to_delivery(world: FakeWorld,
                                                        vendor: FakeVendor) -> None:
    placed = order(world, vendor)
    for text, status in (("1001 ok", Status.ACCEPTED), ("dispatched 1001", Status.DISPATCHED),
                         ("DELIVERED #1001", Status.DELIVERED)):
        await answer(world, vendor, VendorSaid(text=text))
        assert placed.status is status


async def test_a_reject_keeps_the_reason(world: FakeWorld, vendor: FakeVendor) -> None:
    order(world, vendor)
    out = await answer(world, vendor, VendorSaid(text="REJECT 1001 no stock"))
    assert out[0].reply == Text(t("en", "vendor.rejected", number=1001, reason="no stock"))


async def test_nepali_commands_are_answered_in_nepali(world: FakeWorld) -> None:
    nepali = world.vendor("Sita Traders", VENDOR, language="ne")
    order(world, nepali)
    out = await answer(world, nepali, VendorSaid(text="स्वीकार १००१"))
    assert body(out[0]).startswith("✅ अर्डर #1001 स्वीकार भयो")


async def test_an_order_already_accepted_is_said_to_be(world: FakeWorld,
                                                       vendor: FakeVendor) -> None:
    order(world, vendor, status=Status.ACCEPTED)
    out = await answer(world, vendor, VendorSaid(text="1001 ok"))
    assert out[0].reply == Text(t("en", "vendor.already_accepted", number=1001))


async def test_skipping_a_step_says_which_comes_first(world: FakeWorld,
                                                      vendor: FakeVendor) -> None:
    order(world, vendor)
    out = await answer(world, vendor, VendorSaid(text="delivered 1001"))
    assert out[0].reply == Text(t("en", "vendor.wrong_step", number=1001,
                                  status="waiting for supplier", action="delivered",
                                  hint=t("en", "vendor.hint.pending", number=1001)))


async def test_an_unknown_order_number_is_not_found(world: FakeWorld, vendor: FakeVendor) -> None:
    out = await answer(world, vendor, VendorSaid(text="accept 4242"))
    assert out[0].reply == Text(t("en", "vendor.not_found", number=4242))


async def test_orders_lists_the_open_orders(world: FakeWorld, vendor: FakeVendor) -> None:
    order(world, vendor)
    out = await answer(world, vendor, VendorSaid(text="orders"))
    assert body(out[0]).splitlines() == [
        t("en", "vendor.open.header"), "#1001 — waiting for supplier — Ram Kirana — Rs 500"]


async def test_no_open_orders_is_said(world: FakeWorld, vendor: FakeVendor) -> None:
    out = await answer(world, vendor, VendorSaid(text="orders"))
    assert out[0].reply == Text(t("en", "vendor.open.none"))


async def test_a_bare_ok_offers_the_only_pending_order_as_buttons_and_changes_nothing(
        world: FakeWorld, vendor: FakeVendor) -> None:
    placed = order(world, vendor)
    backend = world.vendor_backend(vendor)
    out = await vendor_flow.handle(backend, vendor.party, VendorSaid(text="OK"))
    reply = out[0].reply
    assert isinstance(reply, Buttons)
    assert reply.body == "Order #1001 — Ram Kirana, Rs 500. Tap to confirm:"
    assert button_ids(out[0]) == ["vendor:accept:1001", "vendor:reject:1001"]
    assert out[0].correlation == "order:1001"
    assert backend.commands == [] and placed.status is Status.PENDING


async def test_a_bare_keyword_with_several_orders_lists_them(world: FakeWorld,
                                                             vendor: FakeVendor) -> None:
    order(world, vendor, 1001, status=Status.ACCEPTED)
    order(world, vendor, 1002, status=Status.ACCEPTED, phone="9779812000002", shop="Sita Pasal")
    out = await answer(world, vendor, VendorSaid(text="पठाइयो"))
    menu = out[0].reply
    assert isinstance(menu, ListMenu)
    assert [(r.id, r.title) for r in menu.sections[0].rows] == [
        ("vendor:dispatch:1001", "#1001 Ram Kirana"), ("vendor:dispatch:1002", "#1002 Sita Pasal")]


async def test_a_bare_keyword_with_no_order_it_could_mean_gets_the_help(
        world: FakeWorld, vendor: FakeVendor) -> None:
    out = await answer(world, vendor, VendorSaid(text="dispatched"))
    assert out[0].reply == Text(t("en", "vendor.help"))


async def test_a_template_quick_reply_acts_by_its_payload(world: FakeWorld,
                                                          vendor: FakeVendor) -> None:
    placed = order(world, vendor)
    await answer(world, vendor, VendorSaid(payload="vendor:accept:1001", button_text="Accept"))
    assert placed.status is Status.ACCEPTED


async def test_a_stale_retailer_button_is_not_an_order_action(world: FakeWorld,
                                                              vendor: FakeVendor) -> None:
    placed = order(world, vendor)
    out = await answer(world, vendor, VendorSaid(tapped="rv:confirm:3"))
    assert out[0].reply == Text(t("en", "vendor.help"))
    assert placed.status is Status.PENDING


async def test_what_the_bot_cannot_read_gets_the_unsupported_note(world: FakeWorld,
                                                                   vendor: FakeVendor) -> None:
    out = await answer(world, vendor, VendorSaid(readable=False))
    assert out[0].reply == Text(t("en", "vendor.unsupported"))


async def test_anything_else_gets_the_help(world: FakeWorld, vendor: FakeVendor) -> None:
    for text in ("namaste", "what is this"):
        out = await answer(world, vendor, VendorSaid(text=text))
        assert out[0].reply == Text(t("en", "vendor.help"))


@pytest.mark.parametrize(("text", "status"), [
    ("acept 1001", Status.ACCEPTED), ("accpet 1001", Status.ACCEPTED),
    ("1001 ok garyo", Status.ACCEPTED),
])
async def test_an_accept_with_a_typo_or_in_nepali_still_accepts(
        world: FakeWorld, vendor: FakeVendor, text: str, status: Status) -> None:
    placed = order(world, vendor)
    await answer(world, vendor, VendorSaid(text=text))
    assert placed.status is status


@pytest.mark.parametrize(("text", "status"), [
    ("dispach 1001", Status.DISPATCHED), ("१००१ पठाइयो", Status.DISPATCHED),
    ("deliverd 1001", Status.DELIVERED)])
async def test_later_steps_with_a_typo_or_in_nepali_still_apply(
        world: FakeWorld, vendor: FakeVendor, text: str, status: Status) -> None:
    placed = order(world, vendor,
                   status=Status.ACCEPTED if status is Status.DISPATCHED else Status.DISPATCHED)
    await answer(world, vendor, VendorSaid(text=text))
    assert placed.status is status


def test_a_word_close_to_no_keyword_is_not_a_command() -> None:
    from domain.vendor_commands import parse
    assert parse("hello 1001") is None
    assert parse("1001 kg") is None


@pytest.mark.parametrize(("text", "lang"), [("नेपाली", "ne"), ("english", "en")])
async def test_a_vendor_switches_language_by_saying_so(
        world: FakeWorld, text: str, lang: str) -> None:
    v = world.vendor("Sita Traders", VENDOR, language="en" if lang == "ne" else "ne")
    out = await answer(world, v, VendorSaid(text=text))
    assert out[0].reply == Text(t(lang, "vendor.language.set"))
    assert v.party.language == lang


@given(st.text(max_size=120))
def test_any_text_reads_as_a_command_or_nothing_never_an_error(text: str) -> None:
    from domain.vendor_commands import VendorCommand, parse
    got = parse(text)
    assert got is None or (isinstance(got, VendorCommand) and 0 <= got.order_number < 10**9)


@pytest.mark.parametrize(("text", "keep", "drop"), [
    ("1009 only mansuli, tokla chaina", ("mansuli",), ("tokla",)),
    ("1009 tokla chaina", (), ("tokla",)),
    ("१००९ टोकला छैन", (), ("टोकला",)),
    ("1009 mansuli matra", ("mansuli",), ()),
    ("1009 only mansuli and dhara", ("mansuli", "dhara"), ()),
])
def test_a_vendor_can_say_which_lines_they_can_send(
        text: str, keep: tuple[str, ...], drop: tuple[str, ...]) -> None:
    from domain.vendor_commands import VendorChange, parse_change
    assert parse_change(text) == VendorChange(1009, keep, drop)


@pytest.mark.parametrize("text", ["1009 ok", "1009 no stock", "reject 1009", "1009 hello",
                                  "1009 only"])
def test_other_vendor_messages_are_not_changes(text: str) -> None:
    from domain.vendor_commands import parse_change
    assert parse_change(text) is None


@given(st.text(max_size=120))
def test_any_text_reads_as_a_change_or_nothing(text: str) -> None:
    from domain.vendor_commands import parse_change
    got = parse_change(text)
    assert got is None or (got.keep or got.drop)


def test_the_lines_a_vendor_names_are_matched_by_alias_and_never_guessed() -> None:
    from domain.ordering import kept_lines, match_lines
    lines = {1: ["Mansuli Rice 25kg", "mansuli"], 2: ["Tokla Tea 500g", "tokla", "टोकला"],
             3: ["Sona Mansuli Rice 25kg", "sona"]}
    found, unmatched = match_lines(["mansuli", "टोकला", "chini"], lines)
    assert found == {"mansuli": 1, "टोकला": 2} and unmatched == ("chini",)
    assert kept_lines([1, 2, 3], {"mansuli": 1}, {}) == (1,)
    assert kept_lines([1, 2, 3], {}, {"tokla": 2}) == (1, 3)
