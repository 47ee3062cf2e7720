"""The retailer conversation in memory: each behaviour over a fake world, no Postgres or Redis."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credit import RetailerStatus
from domain.order_status import Status
from domain.ordering import Alternative, ShortLine, StockShort
from flows.i18n import t
from flows.replies import Buttons, ListMenu, Text
from tests.flows.conftest import (
    OTHER_VENDOR,
    RETAILER,
    VENDOR,
    Chat,
    body,
    button_ids,
    said,
    to_me,
)
from tests.flows.fakes import FakeVendor, FakeWorld

D = Decimal
NEW_SHOP = "9779812000099"


# ---------------------------------------------------------------- onboarding


async def test_an_unknown_number_is_welcomed_and_asked_for_the_shop_name(
        world: FakeWorld) -> None:
    out = await Chat(world, NEW_SHOP).send("namaste")
    assert said(out, NEW_SHOP) == t("en", "onboard.welcome")


async def test_the_shop_name_is_followed_by_a_list_of_served_areas(world: FakeWorld) -> None:
    chat = Chat(world, NEW_SHOP)
    await chat.send("hi")
    out = await chat.send("Laxmi   Kirana Pasal")
    menu = out[-1].reply
    assert isinstance(menu, ListMenu)
    assert menu.body.startswith(t("en", "onboard.ask_area", shop="Laxmi Kirana Pasal"))
    assert button_ids(out[-1]) == ["area:Kathmandu", "area:Lalitpur"]


async def test_tapping_an_area_registers_the_shop_pending_approval(world: FakeWorld) -> None:
    chat = Chat(world, NEW_SHOP)
    await chat.send("hi")
    await chat.send("Laxmi Kirana")
    out = await chat.tap("area:Lalitpur", "Lalitpur")
    assert said(out, NEW_SHOP) == t("en", "onboard.done", shop="Laxmi Kirana", area="Lalitpur")
    assert world.accounts[NEW_SHOP].status is RetailerStatus.PENDING
    assert chat.session is not None and chat.session.state == "idle"


async def test_a_typed_area_no_vendor_serves_is_kept_and_said_to_be_unserved(
        world: FakeWorld) -> None:
    chat = Chat(world, NEW_SHOP)
    await chat.send("hi")
    await chat.send("Laxmi Kirana")
    out = await chat.send("Dhangadhi-4")
    assert said(out, NEW_SHOP).endswith(t("en", "onboard.area_unserved", area="Dhangadhi-4"))
    assert world.accounts[NEW_SHOP].shop_name == "Laxmi Kirana"


async def test_a_command_word_is_not_taken_as_a_shop_name(world: FakeWorld) -> None:
    chat = Chat(world, NEW_SHOP)
    await chat.send("hi")
    assert said(await chat.send("status"), NEW_SHOP) == t("en", "onboard.bad_name")


# ---------------------------------------------------------------- the cart


async def test_order_lines_are_shown_priced_with_confirm_edit_cancel(chat: Chat) -> None:
    out = await chat.send("chini 10 kg, dhara 2")
    review = out[-1]
    assert isinstance(review.reply, Buttons)
    assert "1. Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.reply.body
    assert "2. Dhara Mustard Oil 1L — 2 bottles × Rs 330 = Rs 660" in review.reply.body
    assert "Supplier: Shrestha Traders" in review.reply.body
    assert "Total: Rs 1,640" in review.reply.body
    assert button_ids(review) == ["rv:confirm:1", "rv:edit:1", "rv:cancel:1"]


async def test_a_line_without_a_quantity_is_asked_about_not_assumed(chat: Chat) -> None:
    out = await chat.send("chini")
    assert said(out) == t("en", "cart.qty_needed", unit="kg", name="Sugar (Loose)",
                          example="Sugar (Loose) 5 kg")
    assert chat.session is not None and chat.session.cart == []


async def test_a_product_not_in_the_catalogue_is_named(chat: Chat) -> None:
    out = await chat.send("chini 2 kg, ghee 2")
    assert body(out[0]) == t("en", "cart.unknown", text="ghee 2")
    assert chat.session is not None and [i.sku for i in chat.session.cart] == ["SUGAR-KG"]


async def test_the_same_product_again_gets_the_new_quantity(chat: Chat) -> None:
    await chat.send("chini 2 kg")
    out = await chat.send("chini 3 kg")
    assert "1. Sugar (Loose) — 3 kg" in body(out[-1])


async def test_a_message_without_order_lines_about_orders_shows_the_status(chat: Chat) -> None:
    out = await chat.send("mero order kaha pugyo")
    assert said(out) == t("en", "status.none")


async def test_gibberish_gets_the_polite_not_understood(chat: Chat) -> None:
    assert said(await chat.send("xyzzy 2")) == t("en", "cart.nothing_understood")


# ---------------------------------------------------------------- questions


async def test_an_ambiguous_line_is_asked_about_with_a_list(chat: Chat) -> None:
    out = await chat.send("rice 2")
    menu = out[-1].reply
    assert isinstance(menu, ListMenu)
    assert menu.body == t("en", "ask.which", text="rice 2")
    assert button_ids(out[-1]) == ["q:1:RICE-MANSULI-25", "q:1:RICE-SONA-25",
                                   "q:1:RICE-JEERA-25", "q:1:-"]
    assert chat.session is not None and chat.session.state == "resolving"


async def test_tapping_a_row_puts_that_product_in_the_cart(chat: Chat) -> None:
    await chat.send("rice 2")
    out = await chat.tap("q:1:RICE-SONA-25", "Sona Mansuli Rice 25kg")
    assert "1. Sona Mansuli Rice 25kg — 2 bags × Rs 2,250 = Rs 4,500" in body(out[-1])
    assert chat.session is not None and chat.session.state == "reviewing"


async def test_typing_the_rows_number_picks_it_in_either_script(chat: Chat) -> None:
    await chat.send("rice 2")
    out = await chat.send("३")
    assert "1. Jeera Masino Rice 25kg — २ बोरा" in body(out[-1])


async def test_none_of_these_skips_the_line(chat: Chat) -> None:
    await chat.send("rice 2")
    out = await chat.send("4")
    assert body(out[0]) == t("en", "ask.skipped", text="rice 2")
    assert body(out[1]) == t("en", "cart.empty")


async def test_a_number_off_the_list_asks_again(chat: Chat) -> None:
    await chat.send("rice 2")
    out = await chat.send("9")
    assert body(out[0]) == t("en", "ask.pick_from_list")
    assert isinstance(out[1].reply, ListMenu)


async def test_a_row_of_an_older_question_is_stale(chat: Chat) -> None:
    await chat.send("rice 2")
    assert said(await chat.tap("q:7:RICE-SONA-25")) == t("en", "stale_reply")


async def test_lines_found_are_added_while_the_question_waits(chat: Chat) -> None:
    out = await chat.send("chini 2 kg, tel 2")
    assert body(out[0]).splitlines() == [t("en", "cart.added"),
                                         "1. Sugar (Loose) — 2 kg × Rs 98 = Rs 196"]
    assert isinstance(out[1].reply, ListMenu)


# ---------------------------------------------------------------- review buttons


async def test_confirm_places_the_order_and_offers_it_to_the_vendor(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    out = await chat.tap("rv:confirm:1", "Confirm")
    offer = [o for o in out if o.to == VENDOR]
    assert len(offer) == 1 and isinstance(offer[0].reply, Buttons)
    assert button_ids(offer[0]) == ["vendor:accept:1001", "vendor:reject:1001"]
    mine = to_me(out)
    assert body(mine[0]) == t("en", "placed", number=1001, vendor="Shrestha Traders",
                              total="Rs 980")
    assert mine[0].correlation == "order:1001"
    assert chat.session is not None and (chat.session.state, chat.session.cart) == ("placed", [])
    assert [(o.number, o.total) for o in world.orders] == [(1001, D("980.00"))]


async def test_the_word_confirm_places_the_order_too(chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.send("pakka")
    assert len(world.orders) == 1


@pytest.mark.parametrize("word", ["ok", "OK!", "yes", "ho", "thik cha", "👍", "👍🏽", "पक्का",
                                  "हो", "sure"])
async def test_a_typed_agreement_at_review_places_the_order(
        chat: Chat, world: FakeWorld, word: str) -> None:
    await chat.send("chini 10 kg")
    out = await chat.send(word)
    assert [(o.number, o.total) for o in world.orders] == [(1001, D("980.00"))]
    lang = "ne" if word in ("पक्का", "हो") else "en"
    assert said(out) == t(lang, "placed", number=1001, vendor="Shrestha Traders",
                          total="रु ९८०" if lang == "ne" else "Rs 980")


async def test_agreement_with_an_empty_cart_places_nothing(chat: Chat, world: FakeWorld) -> None:
    out = await chat.send("ok")
    assert world.orders == []
    assert said(out) != ""


async def test_agreement_while_a_question_is_open_asks_it_again(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg, rice 2")
    out = await chat.send("ok")
    assert world.orders == []
    assert isinstance(out[-1].reply, ListMenu)


async def test_an_order_line_that_contains_ok_is_not_a_confirmation(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.send("rara 2 ctn ok")
    assert world.orders == []


async def test_a_confirm_under_an_older_summary_shows_the_cart_as_it_is_now(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.send("dhara 2")
    out = await chat.tap("rv:confirm:1", "Confirm")
    assert body(out[0]) == t("en", "confirm.expired")
    assert button_ids(out[-1])[0] == "rv:confirm:2"
    assert world.orders == []


async def test_a_button_from_a_cart_already_placed_is_stale(chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    assert said(await chat.tap("rv:confirm:1")) == t("en", "stale_reply")
    assert len(world.orders) == 1


async def test_edit_explains_how_and_remove_takes_a_line_out(chat: Chat) -> None:
    await chat.send("chini 10 kg, dhara 2")
    assert said(await chat.tap("rv:edit:1", "Edit")) == t("en", "edit.help")
    out = await chat.send("remove 1")
    assert body(out[0]) == t("en", "edit.removed", name="Sugar (Loose)")
    assert "1. Dhara Mustard Oil 1L" in body(out[-1])


async def test_while_editing_a_product_already_there_gets_the_new_quantity(chat: Chat) -> None:
    await chat.send("chini 10 kg")
    await chat.send("edit")
    out = await chat.send("chini 20 kg")
    assert "1. Sugar (Loose) — 20 kg" in body(out[-1])


async def test_clear_empties_the_cart(chat: Chat) -> None:
    await chat.send("chini 10 kg")
    out = await chat.send("clear")
    assert [body(o) for o in out] == [t("en", "cart.cleared"), t("en", "cart.empty")]
    assert chat.session is not None and chat.session.state == "idle"


async def test_cancel_drops_the_cart(chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    assert said(await chat.tap("rv:cancel:1", "Cancel")) == t("en", "cart.cancelled")
    assert chat.session is not None and chat.session.cart == [] and world.orders == []


async def test_a_button_after_the_session_was_lost_starts_over(chat: Chat) -> None:
    out = await chat.tap("rv:confirm:4", "Confirm")
    assert [body(o) for o in out] == [t("en", "restart"), t("en", "cart.empty")]


# ---------------------------------------------------------------- shortfalls


async def test_over_the_credit_a_smaller_cart_is_offered_and_taking_it_places_it(
        world: FakeWorld, vendor: FakeVendor) -> None:
    world.retailer(RETAILER, limit="1000")
    chat = Chat(world, RETAILER)
    await chat.send("chini 20 kg")
    out = await chat.tap("rv:confirm:1")
    offer = out[-1]
    assert body(offer).splitlines()[0] == t("en", "short.credit", total="Rs 1,960",
                                            available="Rs 1,000", short="Rs 960")
    assert "• Sugar (Loose) — 10 kg" in body(offer)
    assert button_ids(offer) == ["of:take:1", "rv:edit:1", "rv:cancel:1"]
    placed = await chat.tap("of:take:1", "Reduce order")
    assert said(placed).startswith("✅ Order #1001 placed")
    assert [o.total for o in world.orders] == [D("980.00")]


async def test_with_no_credit_left_only_edit_and_cancel_are_offered(
        world: FakeWorld, vendor: FakeVendor) -> None:
    world.retailer(RETAILER, limit="0")
    chat = Chat(world, RETAILER)
    await chat.send("chini 2 kg")
    out = await chat.tap("rv:confirm:1")
    assert body(out[-1]).endswith(t("en", "short.credit.none"))
    assert button_ids(out[-1]) == ["rv:edit:1", "rv:cancel:1"]


async def test_a_vendor_short_of_stock_offers_what_they_have_and_who_has_it_all(
        world: FakeWorld) -> None:
    first = world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "4"})
    other = world.vendor("Himal Wholesale", OTHER_VENDOR, markup="1.05")
    world.retailer(RETAILER)
    world.next_place.append(StockShort(
        (ShortLine("SUGAR-KG", "Sugar (Loose)", "kg", D(10), D(4), first.id, "Shrestha Traders"),),
        (Alternative(other.id, "Himal Wholesale", D("1029.00")),)))
    chat = Chat(world, RETAILER)
    await chat.send("chini 10 kg")
    out = await chat.tap("rv:confirm:1")
    assert body(out[-1]).splitlines() == [
        t("en", "short.stock", vendor="Shrestha Traders", available="4", unit="kg",
          name="Sugar (Loose)", asked="10 kg"),
        t("en", "short.stock.offer", available="4", unit="kg", name="Sugar (Loose)"),
        t("en", "short.stock.other", vendor="Himal Wholesale", total="Rs 1,029")]
    assert button_ids(out[-1]) == ["of:take:1", "of:other:1", "rv:cancel:1"]


async def test_taking_the_other_vendor_places_the_order_with_them(world: FakeWorld) -> None:
    first = world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "4"})
    other = world.vendor("Himal Wholesale", OTHER_VENDOR, markup="1.05")
    world.retailer(RETAILER)
    world.next_place.append(StockShort(
        (ShortLine("SUGAR-KG", "Sugar (Loose)", "kg", D(10), D(4), first.id, "Shrestha Traders"),),
        (Alternative(other.id, "Himal Wholesale", D("1029.00")),)))
    chat = Chat(world, RETAILER)
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    out = await chat.tap("of:other:1", "Other vendor")
    assert said(out) == t("en", "placed", number=1001, vendor="Himal Wholesale",
                          total="Rs 1,029")
    assert world.orders[0].vendor_id == other.id


async def test_the_review_prices_a_cart_at_the_vendor_who_has_all_of_it(
        world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "4"})
    world.vendor("Himal Wholesale", OTHER_VENDOR, markup="1.05")
    world.retailer(RETAILER)
    out = await Chat(world, RETAILER).send("chini 10 kg")
    assert "Supplier: Himal Wholesale" in body(out[-1])
    assert "Total: Rs 1,029" in body(out[-1])


async def test_a_stock_shortfall_offers_the_quantity_in_stock(world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "4"})
    world.vendor("Himal Wholesale", OTHER_VENDOR, stock={"SUGAR-KG": "2"})
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    await chat.send("chini 10 kg")
    out = await chat.tap("rv:confirm:1")
    assert body(out[-1]).splitlines() == [
        t("en", "short.stock.anyone", available="4", unit="kg", name="Sugar (Loose)",
          asked="10 kg"),
        t("en", "short.stock.offer", available="4", unit="kg", name="Sugar (Loose)")]
    assert button_ids(out[-1]) == ["of:take:1", "rv:cancel:1"]
    placed = await chat.send("yes")
    assert said(placed).startswith("✅ Order #1001 placed")
    assert world.orders[0].lines[0].qty == D("4.000")


async def test_no_to_the_offer_keeps_the_cart_as_it_was(world: FakeWorld) -> None:
    world.vendor("Shrestha Traders", VENDOR, stock={"SUGAR-KG": "4"})
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    out = await chat.send("no")
    assert "1. Sugar (Loose) — 10 kg" in body(out[-1])
    assert world.orders == []


async def test_a_cart_no_one_vendor_has_is_placed_as_one_order_per_vendor(
        world: FakeWorld) -> None:
    world.vendor("Sugar House", VENDOR, only=("SUGAR-KG",))
    world.vendor("Oil House", OTHER_VENDOR, only=("OIL-DHARA-1",))
    world.retailer(RETAILER)
    chat = Chat(world, RETAILER)
    review = await chat.send("chini 10 kg, dhara 2")
    assert "Supplier: Sugar House + Oil House" in body(review[-1])
    out = await chat.tap("rv:confirm:1")
    assert said(out) == t("en", "placed.many",
                          orders="#1001 (Sugar House), #1002 (Oil House)")
    assert [o.to for o in out if o.to != RETAILER] == [VENDOR, OTHER_VENDOR]


async def test_a_retailer_awaiting_approval_keeps_the_cart(world: FakeWorld,
                                                           vendor: FakeVendor) -> None:
    world.retailer(RETAILER, status=RetailerStatus.PENDING)
    chat = Chat(world, RETAILER)
    await chat.send("chini 2 kg")
    assert said(await chat.tap("rv:confirm:1")) == t("en", "account.pending")
    assert world.orders == [] and chat.session is not None and chat.session.cart


# ---------------------------------------------------------------- the retailer's affairs


async def test_status_lists_the_latest_orders(chat: Chat) -> None:
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    out = await chat.send("status")
    assert said(out).splitlines() == [t("en", "status.header"),
                                      "#1001 — waiting for supplier — Rs 980 "
                                      "(2026-03-02 / 18 Falgun 2082)"]


async def test_balance_shows_credit_and_what_is_on_its_way(chat: Chat) -> None:
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    out = await chat.send("balance")
    assert said(out) == t("en", "balance", outstanding="Rs 0", open="Rs 980",
                          limit="Rs 1,00,000", available="Rs 99,020",
                          due=t("en", "balance.nodue"))


async def test_reorder_loads_the_last_order_into_the_cart(chat: Chat) -> None:
    await chat.send("chini 10 kg, dhara 2")
    await chat.tap("rv:confirm:1")
    out = await chat.send("reorder")
    assert body(out[0]) == t("en", "reorder.loaded", number=1001)
    assert "Total: Rs 1,640" in body(out[-1])


async def test_a_reorder_nudge_tap_loads_the_products_it_named(chat: Chat,
                                                               world: FakeWorld) -> None:
    world.nudges[41] = (world.accounts[RETAILER].id, [("TEA-TOKLA-500", D(3))])
    await chat.send("hi")
    out = await chat.tap("reorder:41", "Reorder")
    assert body(out[0]) == t("en", "cart.added")
    assert "1. Tokla Tea 500g — 3 pkt × Rs 420 = Rs 1,260" in body(out[-1])


async def test_cancel_without_a_cart_cancels_the_pending_order_and_tells_the_vendor(
        chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    out = await chat.send("cancel")
    assert [o.to for o in out] == [VENDOR, RETAILER]
    assert said(out) == t("en", "cancel.order_done", number=1001)
    assert world.orders[0].status is Status.CANCELLED


async def test_an_accepted_order_is_too_late_to_cancel(chat: Chat, world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    await chat.tap("rv:confirm:1")
    world.orders[0].status = Status.ACCEPTED
    assert said(await chat.send("cancel")) == t("en", "cancel.order_too_late", number=1001)


async def test_nepali_switches_the_language_and_shows_the_cart_again(chat: Chat,
                                                                     world: FakeWorld) -> None:
    await chat.send("chini 10 kg")
    out = await chat.send("नेपाली")
    assert body(out[0]) == t("ne", "language.set")
    assert isinstance(out[-1].reply, Buttons)
    assert [b.title for b in out[-1].reply.buttons] == [t("ne", "btn.confirm"),
                                                        t("ne", "btn.edit"),
                                                        t("ne", "btn.cancel")]
    assert world.accounts[RETAILER].language == "ne"


async def test_writing_in_devanagari_answers_in_nepali(chat: Chat) -> None:
    out = await chat.send("चिनी १० केजी")
    review = out[-1].reply
    assert isinstance(review, Buttons) and review.header == t("ne", "review.header")
    assert t("ne", "review.total", total="रु ९८०") in review.body


async def test_help_explains_how_to_order_and_a_greeting_points_to_it(chat: Chat) -> None:
    assert said(await chat.send("help")) == t("en", "help")
    assert said(await chat.send("namaste")) == t("en", "greeting.reply", shop="Ram Kirana")


async def test_every_reply_is_remembered_for_operators(chat: Chat) -> None:
    await chat.send("chini 10 kg")
    assert chat.session is not None
    assert [h.who for h in chat.session.history] == ["in", "out"]
    assert isinstance(chat.sent[-1].reply, Buttons | Text)


async def test_order_dates_are_kathmandu_days_not_utc(chat: Chat, world: FakeWorld) -> None:
    import datetime as dt

    # 20:00 UTC on 2 March is 01:45 on 3 March in Kathmandu.
    world.now = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)
    await chat.send("chini 10 kg")
    await chat.send("pakka")
    out = await chat.send("status")
    assert "(2026-03-03 / 19 Falgun 2082)" in said(out)
