"""Properties of the pure job maths (dues allocation, scores) and of the schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.credit_score import ScoreInputs, score
from domain.dues import Credit, Debit, outstanding, settle
from jobs.job import local_now
from jobs.runner import get_job

TODAY = date(2026, 3, 8)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)
days_back = st.integers(min_value=0, max_value=400)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[Debit], list[Credit]]:
    debits = [Debit(i, draw(amounts), TODAY - timedelta(days=draw(days_back)),
                    TODAY - timedelta(days=draw(days_back)))
              for i in range(draw(st.integers(0, 12)))]
    credits = [Credit(draw(amounts), TODAY - timedelta(days=draw(days_back)))
               for _ in range(draw(st.integers(0, 12)))]
    return debits, credits


@given(ledgers())
def test_allocation_never_loses_or_invents_money(ledger: tuple[list[Debit], list[Credit]]) -> None:
    debits, credits = ledger
    states = settle(debits, credits, TODAY)
    owed = sum((d.amount for d in debits), Decimal(0))
    paid = sum((c.amount for c in credits), Decimal(0))
    assert outstanding(states) == max(Decimal(0), owed - paid)
    for s in states:
        assert Decimal(0) <= s.outstanding <= s.debit.amount
        assert (s.paid_on is not None) == (s.outstanding == 0)


@given(ledgers(), amounts, st.integers(0, 800))
def test_the_score_is_always_between_300_and_900(
    ledger: tuple[list[Debit], list[Credit]], limit: Decimal, tenure: int
) -> None:
    debits, credits = ledger
    result = score(ScoreInputs(TODAY, settle(debits, credits, TODAY), limit,
                               TODAY - timedelta(days=tenure)))
    assert 300 <= result.score <= 900
    assert result.suggested_limit >= 0


def _fire_times(job_id: str, days: int = 8) -> list[datetime]:
    trigger = get_job(job_id).trigger()
    t = datetime(2026, 3, 1, tzinfo=UTC)
    end = t + timedelta(days=days)
    times, prev = [], None
    while True:
        nxt = trigger.get_next_fire_time(prev, t)
        if nxt is None or nxt >= end:
            return times
        times.append(nxt)
        prev, t = nxt, nxt + timedelta(seconds=1)


def test_payment_reminders_are_only_scheduled_in_kathmandu_daytime() -> None:
    hours = {local_now(t).hour for t in _fire_times("payment-reminders")}
    assert hours == set(range(8, 20))


def test_weekly_reports_go_out_on_sunday_at_eight_kathmandu_time() -> None:
    times = [local_now(t) for t in _fire_times("weekly-reports", days=15)]
    assert [(t.strftime("%A"), t.hour, t.minute) for t in times] == [("Sunday", 8, 0)] * 3
    assert [t.day for t in times] == [1, 8, 15]
