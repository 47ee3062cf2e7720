"""The overdue rule (`BLOCK_AFTER_DAYS_OVERDUE`), in its one home: domain/dues.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.dues import Credit, Debit, blocks_credit, max_days_past_due, overdue_beyond, settle

TODAY = date(2026, 11, 30)


def _debit(i: int, days_overdue: int, amount: str = "100") -> Debit:
    due = TODAY - timedelta(days=days_overdue)
    return Debit(i, Decimal(amount), due, due - timedelta(days=30))


def test_a_debit_exactly_at_the_limit_does_not_block() -> None:
    states = settle([_debit(1, 7)], [], TODAY)
    assert not blocks_credit(states, TODAY, 7)


def test_a_debit_one_day_beyond_the_limit_blocks() -> None:
    states = settle([_debit(1, 8)], [], TODAY)
    assert blocks_credit(states, TODAY, 7)
    assert [s.debit.id for s in overdue_beyond(states, TODAY, 7)] == [1]


def test_paying_the_oldest_debit_lifts_the_block_though_newer_ones_are_owed() -> None:
    debits = [_debit(1, 20), _debit(2, 2)]
    assert blocks_credit(settle(debits, [], TODAY), TODAY, 7)
    paid = settle(debits, [Credit(Decimal(100), TODAY)], TODAY)
    assert not blocks_credit(paid, TODAY, 7)
    assert sum(s.outstanding for s in paid) == Decimal(100)


@given(st.lists(st.integers(-30, 60), max_size=6), st.integers(0, 30))
def test_the_rule_is_the_oldest_overdue_age_against_the_limit(ages: list[int], limit: int) -> None:
    states = settle([_debit(i, a) for i, a in enumerate(ages)], [], TODAY)
    assert blocks_credit(states, TODAY, limit) == (max_days_past_due(states, TODAY) > limit)
