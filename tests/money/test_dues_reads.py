"""What a retailer still owes, read back from the running balance: the rule's answer, bounded reads.

`bot.store.ledger.unpaid_debits` answers the balance reply, the pay-a-due
link, the reminders, the unblock after a payment and the ageing report. It
must give exactly what settling the whole history gives, while reading only
the open debits.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import asyncpg
import pytest

from bot.store import ledger as ledger_store
from bot.store import reports
from domain.business_time import ZONE_NAME
from domain.dues import settle
from tests.money.conftest import World
from tests.plans import rows_read

D = Decimal
T0 = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


async def _debit(world: World, r: int, amount: Decimal, due: dt.date, at: dt.datetime) -> None:
    await ledger_store.insert_manual_debit(world.conn, retailer_id=r, amount=amount, due_date=due,
                                           note="bill", created_by="t", now=at)


async def _credit(world: World, r: int, amount: Decimal, at: dt.datetime) -> None:
    await ledger_store.insert_credit(world.conn, retailer_id=r, amount=amount, payment_id=None,
                                     order_id=None, note="paid", created_by="t", now=at)


async def _settled(conn: asyncpg.Connection, r: int, as_of: dt.date) -> list[tuple[int, Decimal]]:
    debits, credits = await ledger_store.dues_history(conn, r, through=as_of)
    return [(s.debit.id, s.outstanding) for s in settle(debits, credits, as_of)
            if s.outstanding > 0]


async def _unpaid(conn: asyncpg.Connection, r: int,
                  as_of: dt.date = dt.date.max) -> list[tuple[int, Decimal]]:
    return [(s.debit.id, s.outstanding)
            for s in await ledger_store.unpaid_debits(conn, r, as_of=as_of)]


async def _random_history(world: World, r: int, seed: int) -> None:
    """Bills and payments a few hours to days apart, as a shop's months look."""
    rng = random.Random(seed)
    at = T0
    for _ in range(rng.randint(5, 40)):
        at += dt.timedelta(hours=rng.randint(1, 90))
        if rng.random() < 0.6:
            # Due dates that tie, and that run against the order the bills were made in.
            due = at.date() + dt.timedelta(days=rng.choice((0, 7, 7, 15, 30)))
            await _debit(world, r, D(rng.randint(1, 90000)) / 100, due, at)
        else:
            await _credit(world, r, D(rng.randint(1, 60000)) / 100, at)


@pytest.mark.parametrize("seed", range(6))
async def test_the_debits_left_unpaid_are_the_ones_settling_the_whole_history_leaves(
        conn: asyncpg.Connection, world: World, seed: int) -> None:
    r = await world.retailer()
    await _random_history(world, r, seed)
    assert await _unpaid(conn, r) == await _settled(conn, r, dt.date.max)


async def test_more_open_debits_than_one_read_are_all_found(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    for i in range(ledger_store.UNPAID_PAGE * 2 + 7):
        await _debit(world, r, D(10), dt.date(2026, 4, 1) + dt.timedelta(days=i % 5),
                     T0 + dt.timedelta(minutes=i))
    await _credit(world, r, D("35.50"), T0 + dt.timedelta(days=1))
    found = await _unpaid(conn, r)
    assert len(found) == ledger_store.UNPAID_PAGE * 2 + 7 - 3
    assert found == await _settled(conn, r, dt.date.max)


async def test_a_retailer_paid_up_or_in_advance_owes_no_debit(
        conn: asyncpg.Connection, world: World) -> None:
    r, never = await world.retailer(), await world.retailer()
    await _debit(world, r, D(400), dt.date(2026, 4, 1), T0)
    await _credit(world, r, D(450), T0 + dt.timedelta(days=2))
    assert await _unpaid(conn, r) == []
    assert await _unpaid(conn, never) == []


async def test_entries_after_the_day_asked_about_are_left_out_as_settling_leaves_them(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await _debit(world, r, D(300), dt.date(2026, 3, 20), T0)
    await _debit(world, r, D(200), dt.date(2026, 3, 25), T0 + dt.timedelta(days=1))
    # A payment and a bill dated after the day asked about.
    await _credit(world, r, D(250), T0 + dt.timedelta(days=10))
    await _debit(world, r, D(80), dt.date(2026, 4, 30), T0 + dt.timedelta(days=11))
    day = (T0 + dt.timedelta(days=5)).date()
    assert await _unpaid(conn, r, day) == await _settled(conn, r, day) == [
        (await _first_debit_id(conn, r), D(300)), (await _first_debit_id(conn, r) + 1, D(200))]


async def _first_debit_id(conn: asyncpg.Connection, r: int) -> int:
    return await conn.fetchval(
        "SELECT min(id) FROM ledger_entries WHERE retailer_id = $1 AND kind = 'debit'", r)


async def test_the_open_debits_are_read_without_the_settled_history(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await _history(conn, [r, *[await world.retailer() for _ in range(8)]])
    for i in range(3):
        await _debit(world, r, D(250), dt.date(2026, 4, 1) + dt.timedelta(days=i),
                     T0 + dt.timedelta(hours=i))
    await conn.execute("ANALYZE ledger_entries")
    assert [amount for _, amount in await _unpaid(conn, r)] == [D(250)] * 3
    read = await rows_read(conn, "ledger_entries", ledger_store._UNPAID_PAGE, r, ZONE_NAME,
                           dt.date.max, 2**63 - 1, ledger_store.UNPAID_PAGE)
    assert read <= ledger_store.UNPAID_PAGE + 1


async def _history(conn: asyncpg.Connection, retailers: list[int]) -> None:
    """A year of bills for each shop, each one paid: 1,500 settled debits and their credits."""
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by, "
        "created_at) "
        "SELECT s.id, k.kind, 100, "
        "       CASE k.kind WHEN 'debit' THEN $2::date + g / 4 + 15 ELSE NULL END, "
        "       'old', 't', $3::timestamptz + make_interval(hours => g * 6) "
        "FROM unnest($1::bigint[]) s(id), generate_series(1, 1500) g, "
        "     (VALUES ('debit'), ('credit')) k(kind)",
        retailers, dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("seed", range(4))
async def test_the_retailer_summary_names_the_first_unpaid_debit_as_next_due(
        conn: asyncpg.Connection, world: World, seed: int) -> None:
    r = await world.retailer()
    await _random_history(world, r, 100 + seed)
    unpaid = await ledger_store.unpaid_debits(conn, r)
    phone = await world.phone_of_retailer(r)
    summary = await reports.retailer_detail(conn, phone)
    assert summary is not None
    expected = (unpaid[0].debit.due_date, unpaid[0].outstanding) if unpaid else (None, None)
    assert (summary["next_due"], summary["next_due_amount"]) == expected


async def test_the_retailer_summary_reads_the_open_debits_not_the_history(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await _history(conn, [r, *[await world.retailer() for _ in range(4)]])
    for i in range(3):
        await _debit(world, r, D(250), dt.date(2026, 4, 1) + dt.timedelta(days=i),
                     T0 + dt.timedelta(hours=i))
    await conn.execute("ANALYZE ledger_entries")
    phone = await world.phone_of_retailer(r)
    summary = await reports.retailer_detail(conn, phone)
    assert summary is not None
    assert (summary["balance"], summary["next_due"], summary["next_due_amount"]) == (
        D(750), dt.date(2026, 4, 1), D(250))
    read = await rows_read(conn, "ledger_entries",
                           reports._RETAILER_SUMMARY + " WHERE r.phone = $1", phone)
    assert read <= 3 + 1  # the open debits, and the one the window looks at past them
