"""A vendor who can send only part of an order: the shop is asked; the debit follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.services import ledger
from bot.services.credit_notes import CreditLineRequest, issue_credit_note
from bot.services.ledger import NotFound, PaymentConflict
from domain.money_facts import CreditNoteReason
from tests.conversation.conftest import (
    OTHER_VENDOR_PHONE,
    VENDOR_PHONE,
    Stack,
    add_retailer,
    add_second_vendor,
    choice,
    texts,
)

PHONE = "9779812000061"


async def _ordered(stack: Stack, retailer, vendor) -> None:  # type: ignore[no-untyped-def]
    await vendor.mark_read()
    review = (await retailer.send("mansuli 2 bora, tokla 3 packet"))[-1]
    await retailer.tap(choice(review, "rv:confirm"))
    await vendor.replies()


async def test_only_some_lines_the_shop_agrees_and_the_debit_is_what_was_delivered(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _ordered(stack, retailer, vendor)
        told = texts(await vendor.send("1001 only mansuli, tokla chaina"))
        assert "I've asked Ram Kirana whether they want order #1001" in told
        question = (await retailer.replies())[-1]
        assert "Not available: Tokla" in question.body
        assert "New total: Rs 3,900" in question.body
        accepted = texts(await retailer.tap(choice(question, "oc:yes")))
        assert "accepted your order #1001 (Rs 3,900)" in accepted
        assert "✅ Order #1001 accepted" in texts(await vendor.replies())
        for step in ("dispatched 1001", "delivered 1001"):
            await vendor.send(step)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        order = await conn.fetchrow("SELECT id, status, total, item_count FROM orders")
        items = await conn.fetch("SELECT sku FROM order_items WHERE order_id = $1", order["id"])
        debit = await conn.fetchval("SELECT amount FROM ledger_entries WHERE kind = 'debit'")
        problems = await ledger.check(conn)
    assert (order["status"], order["total"], order["item_count"]) == (
        "delivered", Decimal("3900.00"), 1)
    assert [r["sku"] for r in items] == ["RICE-MANSULI-25"]
    assert debit == Decimal("3900.00")
    assert problems == []


async def test_the_shop_says_no_and_the_whole_order_goes_to_another_vendor(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, vendor, other = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await other.mark_read()
        await _ordered(stack, retailer, vendor)
        await vendor.send("१००१ टोकला छैन")
        question = (await retailer.replies())[-1]
        assert "Himal Wholesale" in texts(await retailer.tap(choice(question, "oc:no")))
        assert "taken off your list" in texts(await vendor.replies())
        assert "New order #1001" in texts(await other.replies())
    finally:
        for chat in (retailer, vendor, other):
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM order_items") == 2


async def test_a_name_matching_no_line_changes_nothing_and_says_so(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _ordered(stack, retailer, vendor)
        told = texts(await vendor.send("1001 chini chaina"))
        assert "I couldn't match “chini” to a line of order #1001" in told
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM order_changes") == 0
        assert await conn.fetchval("SELECT status FROM orders") == "pending"


async def test_a_second_answer_to_the_question_is_stale(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _ordered(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        question = (await retailer.replies())[-1]
        await retailer.tap(choice(question, "oc:yes"))
        assert "earlier message" in texts(await retailer.tap(choice(question, "oc:no")))
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders") == "accepted"
        assert await conn.fetchval("SELECT count(*) FROM order_items") == 1


async def _accepted(stack: Stack, retailer, vendor) -> None:  # type: ignore[no-untyped-def]
    await _ordered(stack, retailer, vendor)
    assert "accepted" in texts(await vendor.send("accept 1001"))
    await retailer.replies()


async def test_after_accepting_the_vendor_sends_less_and_the_debit_is_what_was_delivered(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        told = texts(await vendor.send("1001 only mansuli, tokla chaina"))
        assert "I've asked Ram Kirana whether they want order #1001" in told
        question = (await retailer.replies())[-1]
        assert "Not available: Tokla" in question.body
        agreed = texts(await retailer.tap(choice(question, "oc:yes")))
        assert "order #1001 from" in agreed and "is now Rs 3,900" in agreed
        assert "Ram Kirana agreed: send order #1001" in texts(await vendor.replies())
        for step in ("dispatched 1001", "delivered 1001"):
            await vendor.send(step)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        order = await conn.fetchrow("SELECT id, status, total, item_count FROM orders")
        items = await conn.fetch("SELECT sku FROM order_items WHERE order_id = $1", order["id"])
        debit = await conn.fetchval("SELECT amount FROM ledger_entries WHERE kind = 'debit'")
        problems = await ledger.check(conn)
    assert (order["status"], order["total"], order["item_count"]) == (
        "delivered", Decimal("3900.00"), 1)
    assert [r["sku"] for r in items] == ["RICE-MANSULI-25"]
    assert debit == Decimal("3900.00")
    assert problems == []


async def test_a_dropped_line_cannot_be_credited_after_delivery(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        await retailer.tap(choice((await retailer.replies())[-1], "oc:yes"))
        for step in ("dispatched 1001", "delivered 1001"):
            await vendor.send(step)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        lines = {r["sku"]: r["line_no"] for r in await conn.fetch(
            "SELECT sku, line_no FROM order_items")}
        async with conn.transaction():
            with pytest.raises(NotFound):
                await issue_credit_note(conn, order_number=1001,
                                        reason=CreditNoteReason.DAMAGED,
                                        lines=[CreditLineRequest(2, Decimal(1))],
                                        actor="test", now=dt.datetime.now(dt.UTC))
            with pytest.raises(PaymentConflict):
                await issue_credit_note(conn, order_number=1001,
                                        reason=CreditNoteReason.DAMAGED,
                                        lines=[CreditLineRequest(lines["RICE-MANSULI-25"],
                                                                 Decimal(3))],
                                        actor="test", now=dt.datetime.now(dt.UTC))
    assert list(lines) == ["RICE-MANSULI-25"]


async def test_after_accepting_the_shop_says_no_and_the_order_goes_to_another_vendor(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, vendor, other = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await other.mark_read()
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        question = (await retailer.replies())[-1]
        assert "Himal Wholesale" in texts(await retailer.tap(choice(question, "oc:no")))
        assert "taken off your list" in texts(await vendor.replies())
        assert "New order #1001" in texts(await other.replies())
    finally:
        for chat in (retailer, vendor, other):
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders") == "pending"
        assert await conn.fetchval("SELECT count(*) FROM order_items") == 2
        assert await conn.fetchval("SELECT accepted_at FROM orders") is None


async def test_an_accepted_order_is_not_dispatched_while_the_shop_has_not_answered(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        told = texts(await vendor.send("dispatched 1001"))
        assert "can't be marked dispatched yet" in told
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders") == "accepted"


async def test_after_dispatch_lines_are_not_changed(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        await vendor.send("dispatched 1001")
        told = texts(await vendor.send("1001 tokla chaina"))
        assert "can be changed only before it is dispatched" in told
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM order_changes") == 0
        assert await conn.fetchval("SELECT count(*) FROM order_items") == 2


async def test_the_shop_types_ho_to_take_the_smaller_order(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        await retailer.replies()
        assert "is now Rs 3,900" in texts(await retailer.send("ho"))
        assert "Ram Kirana agreed" in texts(await vendor.replies())
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT total FROM orders") == Decimal("3900.00")
        assert await conn.fetchval(
            "SELECT outcome FROM order_changes WHERE answered_at IS NOT NULL") == "accepted"


async def test_the_shop_types_nai_to_send_the_order_elsewhere(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, vendor, other = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await other.mark_read()
        await _ordered(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        await retailer.replies()
        assert "Himal Wholesale" in texts(await retailer.send("nai"))
        assert "New order #1001" in texts(await other.replies())
    finally:
        for chat in (retailer, vendor, other):
            await chat.close()


async def test_less_of_a_line_after_accepting_debits_and_credits_only_what_was_sent(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE vendor_products SET stock = 50")
    try:
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla 1")
        question = (await retailer.replies())[-1]
        assert "can send less of order #1001" in question.body
        assert "New total: Rs 4,320" in question.body
        await retailer.tap(choice(question, "oc:yes"))
        for step in ("dispatched 1001", "delivered 1001"):
            await vendor.send(step)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        tokla = await conn.fetchrow("SELECT line_no, qty, line_total, reserved_qty "
                                    "FROM order_items WHERE sku = 'TEA-TOKLA-500'")
        stock = await conn.fetchval(
            "SELECT stock FROM vendor_products vp JOIN products p ON p.id = vp.product_id "
            "JOIN vendors v ON v.id = vp.vendor_id "
            "WHERE p.sku = 'TEA-TOKLA-500' AND v.phone = $1", VENDOR_PHONE)
        debit = await conn.fetchval("SELECT amount FROM ledger_entries WHERE kind = 'debit'")
        async with conn.transaction():
            with pytest.raises(PaymentConflict):  # 3 were ordered, 1 was sent
                await issue_credit_note(conn, order_number=1001,
                                        reason=CreditNoteReason.DAMAGED,
                                        lines=[CreditLineRequest(tokla["line_no"], Decimal(2))],
                                        actor="test", now=dt.datetime.now(dt.UTC))
            note = await issue_credit_note(
                conn, order_number=1001, reason=CreditNoteReason.DAMAGED,
                lines=[CreditLineRequest(tokla["line_no"], Decimal(1))], actor="test",
                now=dt.datetime.now(dt.UTC))
        problems = await ledger.check(conn)
    assert (tokla["qty"], tokla["line_total"], tokla["reserved_qty"]) == (
        Decimal("1.000"), Decimal("420.00"), Decimal("1.000"))
    assert stock == Decimal(49)  # the two packets not sent are back on the vendor's shelf
    assert debit == Decimal("4320.00")
    assert note.amount == Decimal("420.00")
    assert problems == []


async def test_a_quantity_not_less_than_ordered_changes_nothing(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _ordered(stack, retailer, vendor)
        told = texts(await vendor.send("1001 tokla 3"))
        assert "less than order #1001 has" in told
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM order_changes") == 0


async def test_the_vendor_picks_a_line_from_the_list_and_sends_less_of_it(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        listed = (await vendor.send("change 1001"))[-1]
        asked = texts(await vendor.tap(choice(listed, "vendor:line:1001:2")))
        assert "How many Tokla Tea 500g can you send for order #1001?" in asked
        await vendor.send("1001 tokla tea 500g 2")
        question = (await retailer.replies())[-1]
        assert "New total: Rs 4,740" in question.body
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT less_lines, less_qtys FROM order_changes")
    assert (list(row["less_lines"]), list(row["less_qtys"])) == ([2], [Decimal("2.000")])


async def test_after_picking_a_line_a_bare_number_is_the_answer(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _accepted(stack, retailer, vendor)
        listed = (await vendor.send("change 1001"))[-1]
        await vendor.tap(choice(listed, "vendor:line:1001:1"))
        told = texts(await vendor.send("1.5"))
        assert "whole" in told  # a bag is sent whole; the pick stays for another try
        await vendor.send("25 kg")
        question = (await retailer.replies())[-1]
        assert "Mansuli Rice 25kg — 1 bag" in question.body
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT less_lines, less_qtys FROM order_changes")
        picks = await conn.fetchval("SELECT count(*) FROM vendor_line_picks")
    assert (list(row["less_lines"]), list(row["less_qtys"])) == ([1], [Decimal("1.000")])
    assert picks == 0


async def test_a_reject_withdraws_the_vendor_s_smaller_order(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, vendor, other = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await other.mark_read()
        await _accepted(stack, retailer, vendor)
        await vendor.send("1001 tokla chaina")
        question = (await retailer.replies())[-1]
        await vendor.send("reject 1001 truck broke down")
        assert "New order #1001" in texts(await other.replies())
        await retailer.replies()
        assert "earlier message" in texts(await retailer.tap(choice(question, "oc:yes")))
        assert "accepted" in texts(await other.send("accept 1001"))
        assert "can't be marked dispatched" not in texts(await other.send("dispatched 1001"))
    finally:
        for chat in (retailer, vendor, other):
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT outcome FROM order_changes") == "withdrawn"
        assert await conn.fetchval("SELECT status FROM orders") == "dispatched"
        assert await conn.fetchval("SELECT count(*) FROM order_items") == 2
