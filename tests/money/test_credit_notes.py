"""Credit notes: money back for damaged, wrong or returned items of a delivered order."""

from __future__ import annotations

import json
from decimal import Decimal

import asyncpg
import pytest

from bot.runtime import Runtime
from bot.services import credit_notes, ledger, orders
from bot.services.credit_notes import CreditLineRequest as Line
from domain import ordering
from domain.money_facts import CreditNoteReason
from domain.vendor_commands import VendorAction
from flows import money_notices
from flows.replies import Text
from tests.money.conftest import World
from tests.money.test_cli import run

D = Decimal
DAMAGED = CreditNoteReason.DAMAGED


async def _delivered(world: World, *items: tuple[str, str, str]) -> tuple[int, int, int]:
    """Retailer, vendor and the number of a delivered order of (sku, price, qty) lines."""
    r = await world.retailer()
    v = await world.vendor("Kalanki Traders")
    for sku, price, _ in items:
        await world.price(v, sku, price)
    placed = await orders.place_order(
        world.conn, retailer_id=r, items=[ordering.Item(sku, D(q)) for sku, _, q in items],
        actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
        await orders.vendor_act(world.conn, v, placed.order.number, action, None, world.now)
    return r, v, placed.order.number


async def _issue(world: World, number: int, *lines: Line,
                 reason: CreditNoteReason = DAMAGED) -> credit_notes.CreditNoteResult:
    return await credit_notes.issue_credit_note(world.conn, order_number=number, reason=reason,
                                                lines=lines, actor="t", now=world.now)


async def test_a_credit_note_credits_the_lines_at_their_price_linked_to_the_order(
        conn: asyncpg.Connection, world: World) -> None:
    r, _, number = await _delivered(world, ("oil", "250", "3"), ("sugar", "100", "5"))
    result = await _issue(world, number, Line(1, D(1)))
    assert result.amount == D("250.00")
    assert result.entry.kind == "credit" and result.entry.credit_note_id == result.credit_note_id
    assert result.entry.order_id == await conn.fetchval(
        "SELECT id FROM orders WHERE number = $1", number)
    assert result.balance == D("1000.00") == await ledger.balance(conn, r)
    assert await ledger.check(conn) == []


async def test_a_line_is_never_credited_beyond_what_was_delivered(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    await _issue(world, number, Line(1, D(2)))
    with pytest.raises(ledger.PaymentConflict, match="1 kg left to credit of 3 delivered"):
        await _issue(world, number, Line(1, D(2)))
    await _issue(world, number, Line(1, D(1)), reason=CreditNoteReason.RETURNED)
    assert await conn.fetchval("SELECT sum(amount) FROM credit_notes") == D("750.00")
    assert await ledger.check(conn) == []


async def test_the_last_credit_of_a_line_takes_exactly_what_is_left(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("ghee", "33.33", "3"))
    amounts = [(await _issue(world, number, Line(1, D(1)))).amount for _ in range(3)]
    assert amounts == [D("33.33")] * 3
    assert sum(amounts) == await conn.fetchval("SELECT total FROM orders WHERE number = $1",
                                               number)


async def test_an_order_not_yet_delivered_takes_no_credit_note(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "oil", "250")
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("oil", D(1))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    with pytest.raises(ledger.PaymentConflict, match="is pending"):
        await _issue(world, placed.order.number, Line(1, D(1)))


async def test_unknown_orders_lines_and_other_retailers_orders_are_not_found(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    other = await world.retailer()
    with pytest.raises(ledger.NotFound, match="no line 7"):
        await _issue(world, number, Line(7, D(1)))
    with pytest.raises(ledger.NotFound):
        await _issue(world, 987654, Line(1, D(1)))
    with pytest.raises(ledger.NotFound):
        await credit_notes.issue_credit_note(conn, order_number=number, reason=DAMAGED,
                                             lines=[Line(1, D(1))], actor="t",
                                             now=world.now, retailer_id=other)


@pytest.mark.parametrize("lines", [[], [Line(1, D(1)), Line(1, D(1))], [Line(1, D(0))],
                                   [Line(1, D("0.0001"))], [Line(1, D(-1))]])
async def test_a_credit_note_needs_distinct_lines_with_positive_quantities(
        conn: asyncpg.Connection, world: World, lines: list[Line]) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    with pytest.raises(ledger.LedgerError):
        await _issue(world, number, *lines)
    assert await conn.fetchval("SELECT count(*) FROM credit_notes") == 0


async def test_both_the_retailer_and_the_vendor_are_told(conn: asyncpg.Connection,
                                                         world: World) -> None:
    r, v, number = await _delivered(world, ("oil", "250", "3"))
    result = await _issue(world, number, Line(1, D(1)))
    told = money_notices.outgoing(result.notices)
    assert [o.to for o in told] == [await world.phone_of_retailer(r),
                                    await world.phone_of_vendor(v)]
    bodies = [o.reply.body for o in told if isinstance(o.reply, Text)]
    assert f"order #{number} (damaged): Rs 250 taken off your account" in bodies[0]
    assert "You now owe Rs 500." in bodies[0]
    assert "for Shop 1 (damaged): Rs 250" in bodies[1]


async def test_the_check_finds_a_credit_note_whose_lines_do_not_add_up(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    result = await _issue(world, number, Line(1, D(1)))
    await conn.execute("UPDATE credit_note_lines SET amount = 200 WHERE credit_note_id = $1",
                       result.credit_note_id)
    assert [p.kind for p in await ledger.check(conn)] == ["credit_note_lines"]


async def test_the_check_finds_a_line_credited_beyond_delivery(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    result = await _issue(world, number, Line(1, D(3)))
    await conn.execute("UPDATE credit_note_lines SET qty = 4 WHERE credit_note_id = $1",
                       result.credit_note_id)
    assert [p.kind for p in await ledger.check(conn)] == ["credit_note_over"]


async def test_the_check_finds_a_credit_note_without_its_credit(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, ("oil", "250", "3"))
    await conn.execute(
        "INSERT INTO credit_notes (order_id, retailer_id, reason, amount, created_by) "
        "SELECT id, retailer_id, 'wrong', 250, 'bug' FROM orders WHERE number = $1", number)
    kinds = sorted(p.kind for p in await ledger.check(conn))
    assert kinds == ["credit_note_lines", "credit_note_unposted"]


def test_the_cli_issues_a_credit_note_and_refuses_too_much(
        cli: None, capsys: pytest.CaptureFixture[str], runtime: Runtime) -> None:
    import asyncio

    from bot.db import connect
    from tests.money.conftest import World as Builder

    async def seed() -> int:
        conn = await connect(runtime.settings.database_url)
        try:
            return (await _delivered(Builder(conn), ("oil", "250", "3")))[2]
        finally:
            await conn.close()

    number = asyncio.run(seed())
    code, out, _ = run(capsys, "orders", "credit-note", str(number), "--reason", "damaged",
                       "--line", "1:2", "--note", "2 bottles broken")
    assert code == 0
    assert out.strip().endswith(f"on order #{number}: Rs 500 credited (damaged); retailer "
                                "owes Rs 250; 2 notice(s) queued")
    code, _, err = run(capsys, "orders", "credit-note", str(number), "--reason", "damaged",
                       "--line", "1:2")
    assert code == 1 and "left to credit" in err
    code, out, _ = run(capsys, "ledger", "check", "--json")
    assert code == 0 and json.loads(out)["counts"]["credit_notes"] == 1


@pytest.mark.parametrize("line", ["x", "1", "1:", "1:abc", "1:-2", ":2"])
def test_a_credit_line_argument_must_be_line_colon_quantity(line: str) -> None:
    from bot.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["orders", "credit-note", "1001", "--reason", "damaged", "--line", line])
    assert exc.value.code == 2
