"""What is still owed, read back from the balance: the same debits `settle` leaves unpaid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.dues import Credit, Debit, settle, unpaid

TODAY = date(2026, 6, 1)
D = Decimal

amounts = st.decimals(min_value=D("0.01"), max_value=D(50000), places=2)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[Debit], list[Credit]]:
    """Debits with due dates that tie and cross their creation order; credits up to today."""
    debits = []
    for i in range(draw(st.integers(0, 15))):
        made = TODAY - timedelta(days=draw(st.integers(0, 200)))
        due = made + timedelta(days=draw(st.integers(0, 45)))
        debits.append(Debit(i + 1, draw(amounts), due, made))
    credits = [Credit(draw(amounts), TODAY - timedelta(days=draw(st.integers(0, 200))))
               for _ in range(draw(st.integers(0, 15)))]
    return debits, credits


def _latest_first(debits: list[Debit]) -> list[Debit]:
    return sorted(debits, key=lambda d: (d.due_date, d.id), reverse=True)


def _owed(debits: list[Debit], credits: list[Credit]) -> Decimal:
    return sum((d.amount for d in debits), D(0)) - sum((c.amount for c in credits), D(0))


@given(ledgers())
def test_the_balance_owed_finds_exactly_the_debits_settling_leaves_unpaid(
        ledger: tuple[list[Debit], list[Credit]]) -> None:
    debits, credits = ledger
    expected = [s for s in settle(debits, credits, TODAY) if s.outstanding > 0]
    assert unpaid(_latest_first(debits), _owed(debits, credits)) == expected


@given(ledgers(), st.integers(0, 15))
def test_latest_debits_short_of_the_balance_ask_for_more(
        ledger: tuple[list[Debit], list[Credit]], read: int) -> None:
    debits, credits = ledger
    owed = _owed(debits, credits)
    first = _latest_first(debits)[:read]
    found = unpaid(first, owed)
    if owed > 0 and sum((d.amount for d in first), D(0)) < owed:
        assert found is None
    else:
        assert found == [s for s in settle(debits, credits, TODAY) if s.outstanding > 0]


def test_nothing_is_unpaid_when_nothing_is_owed() -> None:
    debit = Debit(1, D(500), TODAY, TODAY)
    assert unpaid([debit], D(0)) == []
    assert unpaid([debit], D(-20)) == []


def test_the_oldest_open_debit_is_owed_only_in_part() -> None:
    old = Debit(1, D(300), date(2026, 5, 1), date(2026, 4, 1))
    new = Debit(2, D(200), date(2026, 5, 20), date(2026, 4, 20))
    states = unpaid([new, old], D(350))
    assert states is not None
    assert [(s.debit.id, s.outstanding) for s in states] == [(1, D(150)), (2, D(200))]
