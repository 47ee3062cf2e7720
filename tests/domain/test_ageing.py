"""Ageing buckets: what is still owed, by days since the debit was raised."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.ageing import BUCKETS, AgeBucket, age, bucket_of, combine
from domain.dues import Credit, Debit, settle

TODAY = date(2026, 12, 1)


def debit(i: int, amount: str, days_ago: int) -> Debit:
    raised = TODAY - timedelta(days=days_ago)
    return Debit(i, Decimal(amount), raised + timedelta(days=15), raised)


def test_the_bucket_edges_are_15_30_and_60_days() -> None:
    assert [bucket_of(d) for d in (0, 15, 16, 30, 31, 60, 61, 400)] == [
        AgeBucket.UP_TO_15, AgeBucket.UP_TO_15, AgeBucket.UP_TO_30, AgeBucket.UP_TO_30,
        AgeBucket.UP_TO_60, AgeBucket.UP_TO_60, AgeBucket.OVER_60, AgeBucket.OVER_60]


def test_a_debit_dated_in_the_future_counts_as_new() -> None:
    assert bucket_of(-3) is AgeBucket.UP_TO_15


def test_payments_clear_the_oldest_debit_first_and_only_the_rest_is_aged() -> None:
    debits = [debit(1, "1000", 70), debit(2, "500", 20), debit(3, "200", 2)]
    states = settle(debits, [Credit(Decimal("1200"), TODAY)], TODAY)
    aged = age(states, TODAY)
    assert [(b.value, aged.amount(b)) for b in BUCKETS] == [
        ("0-15", Decimal("200")), ("16-30", Decimal("300")), ("31-60", Decimal(0)),
        ("60+", Decimal(0))]
    assert aged.total == Decimal("500")


def test_combining_sums_bucket_by_bucket() -> None:
    one = age(settle([debit(1, "100", 5)], [], TODAY), TODAY)
    two = age(settle([debit(2, "40", 5), debit(3, "60", 90)], [], TODAY), TODAY)
    both = combine([one, two])
    assert both.amount(AgeBucket.UP_TO_15) == Decimal("140")
    assert both.amount(AgeBucket.OVER_60) == Decimal("60")


@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 365)), max_size=20),
       st.integers(0, 50_000))
def test_the_buckets_always_add_up_to_what_is_outstanding(
        raw: list[tuple[int, int]], paid: int) -> None:
    debits = [debit(i, str(a), d) for i, (a, d) in enumerate(raw)]
    credits = [Credit(Decimal(paid), TODAY)] if paid else []
    states = settle(debits, credits, TODAY)
    aged = age(states, TODAY)
    assert aged.total == sum((s.outstanding for s in states), Decimal(0))
    assert all(amount >= 0 for _, amount in aged.amounts)
