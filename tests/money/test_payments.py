"""Payment rules: advances are explicit, a reference is one payment, amounts are whole paisa."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services import ledger
from domain.money import MAX_AMOUNT, AmountError, check_amount, parse_amount
from tests.money.conftest import World

D = Decimal


async def _owing(world: World, amount: str) -> int:
    r = await world.retailer()
    await ledger.post_correction(world.conn, retailer_id=r, kind="debit", amount=D(amount),
                                 note="opening balance", actor="t", now=world.now)
    return r


async def test_a_payment_larger_than_the_balance_is_refused_without_advance(
        conn: asyncpg.Connection, world: World) -> None:
    r = await _owing(world, "2710")
    with pytest.raises(ledger.NeedsAdvance, match=r"Rs 99,999 is more than the Rs 2,710 owed"):
        await ledger.record_payment(conn, retailer_id=r, amount=D(99999), method="cash",
                                    reference=None, actor="t", now=world.now)
    assert await ledger.balance(conn, r) == D("2710.00")
    assert await conn.fetchval("SELECT count(*) FROM payments") == 0


async def test_an_advance_keeps_the_rest_on_account(conn: asyncpg.Connection,
                                                    world: World) -> None:
    r = await _owing(world, "2710")
    paid = await ledger.record_payment(conn, retailer_id=r, amount=D(5000), method="cash",
                                       reference=None, advance=True, actor="t", now=world.now)
    assert paid.balance == D("-2290.00")
    assert await ledger.check(conn) == []


async def test_paying_exactly_the_balance_needs_no_advance(conn: asyncpg.Connection,
                                                           world: World) -> None:
    r = await _owing(world, "2710.50")
    paid = await ledger.record_payment(conn, retailer_id=r, amount=D("2710.50"), method="esewa",
                                       reference="E-1", actor="t", now=world.now)
    assert paid.balance == D("0.00")


async def test_with_nothing_owed_any_payment_is_an_advance(conn: asyncpg.Connection,
                                                           world: World) -> None:
    r = await world.retailer()
    with pytest.raises(ledger.NeedsAdvance):
        await ledger.record_payment(conn, retailer_id=r, amount=D(1), method="cash",
                                    reference=None, actor="t", now=world.now)


async def test_a_reference_reused_for_another_amount_is_a_conflict(
        conn: asyncpg.Connection, world: World) -> None:
    r = await _owing(world, "5000")
    await ledger.record_payment(conn, retailer_id=r, amount=D(1000), method="khalti",
                                reference="KH-1", actor="t", now=world.now)
    with pytest.raises(ledger.PaymentConflict, match=r"already payment .* of Rs 1,000, not "
                                                     r"Rs 1,200"):
        await ledger.record_payment(conn, retailer_id=r, amount=D(1200), method="khalti",
                                    reference="KH-1", actor="t", now=world.now)
    assert await ledger.balance(conn, r) == D("4000.00")


async def test_references_compare_without_case_or_surrounding_space(
        conn: asyncpg.Connection, world: World) -> None:
    r = await _owing(world, "5000")
    first = await ledger.record_payment(conn, retailer_id=r, amount=D(1000), method="esewa",
                                        reference="ES-77", actor="t", now=world.now)
    again = await ledger.record_payment(conn, retailer_id=r, amount=D(1000), method="esewa",
                                        reference=" es-77 ", actor="t", now=world.now)
    assert again.duplicate and again.payment.id == first.payment.id
    assert await conn.fetchval("SELECT count(*) FROM payments") == 1


async def test_the_database_refuses_two_references_differing_only_in_case(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await conn.execute("INSERT INTO payments (retailer_id, amount, method, reference, "
                       "recorded_by) VALUES ($1, 1, 'cash', 'AB-1', 't')", r)
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute("INSERT INTO payments (retailer_id, amount, method, reference, "
                           "recorded_by) VALUES ($1, 1, 'cash', 'ab-1', 't')", r)


async def test_more_than_two_decimals_is_refused_not_rounded(conn: asyncpg.Connection,
                                                             world: World) -> None:
    r = await _owing(world, "5000")
    with pytest.raises(ledger.LedgerError, match="more than 2 decimal places"):
        await ledger.record_payment(conn, retailer_id=r, amount=D("100.005"), method="cash",
                                    reference=None, actor="t", now=world.now)


async def test_an_amount_above_the_ledger_bound_is_refused(conn: asyncpg.Connection,
                                                           world: World) -> None:
    r = await world.retailer()
    with pytest.raises(ledger.LedgerError, match="too large"):
        await ledger.record_payment(conn, retailer_id=r, amount=D("1e12"), method="cash",
                                    reference=None, advance=True, actor="t", now=world.now)


async def test_the_schema_refuses_a_payment_above_the_bound(conn: asyncpg.Connection,
                                                            world: World) -> None:
    r = await world.retailer()
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("INSERT INTO payments (retailer_id, amount, method, recorded_by) "
                           "VALUES ($1, $2, 'cash', 't')", r, MAX_AMOUNT + D("0.01"))


@given(st.decimals(min_value=D("0.001"), max_value=MAX_AMOUNT, allow_nan=False,
                   allow_infinity=False, places=3))
def test_any_amount_with_a_third_decimal_is_refused(value: Decimal) -> None:
    if value == value.quantize(D("0.01")):
        return  # a trailing zero: really two decimals
    with pytest.raises(AmountError, match="decimal places"):
        parse_amount(str(value))


@given(st.decimals(min_value=D("0.01"), max_value=MAX_AMOUNT, places=2))
def test_every_whole_paisa_amount_up_to_the_bound_is_accepted(value: Decimal) -> None:
    assert parse_amount(str(value)) == value
    check_amount(value)


@given(st.decimals(min_value=MAX_AMOUNT + D("0.01"), max_value=D("1e30"), places=2))
def test_every_amount_above_the_bound_is_refused(value: Decimal) -> None:
    with pytest.raises(AmountError, match="too large"):
        parse_amount(str(value))
