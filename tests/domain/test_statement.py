"""Statements: the period's entries between an opening and a closing balance, and ageing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.ageing import AgeBucket
from domain.dues import Credit, Debit
from domain.nepali_calendar import BsMonth
from domain.statement import (
    LedgerLine,
    LineKind,
    kind_of,
    last_days,
    month_period,
    statement,
)

D = Decimal
TODAY = dt.date(2026, 12, 2)


def _order(on: dt.date, amount: str, number: int) -> LedgerLine:
    return LedgerLine(on, True, D(amount), LineKind.ORDER, number)


def _paid(on: dt.date, amount: str) -> LedgerLine:
    return LedgerLine(on, False, D(amount), LineKind.PAYMENT)


def test_entries_before_the_period_make_the_opening_balance() -> None:
    lines = [_order(dt.date(2026, 10, 1), "1000", 1), _paid(dt.date(2026, 10, 5), "400"),
             _order(dt.date(2026, 11, 20), "500", 2), _paid(dt.date(2026, 11, 25), "100")]
    st = statement(lines, [], [], last_days(TODAY))
    assert st.opening == D(600)
    assert [s.balance for s in st.lines] == [D(1100), D(1000)]
    assert st.closing == D(1000) and st.debits == D(500) and st.credits == D(100)


def test_the_last_30_days_include_today() -> None:
    period = last_days(TODAY)
    assert period.last == TODAY and (period.last - period.first).days == 29


def test_a_month_runs_over_its_bs_days_cut_at_today() -> None:
    mangsir = BsMonth(2083, 8)
    period = month_period(mangsir, TODAY)
    assert period.first == mangsir.first_day and period.last == TODAY and period.month == mangsir
    kartik = month_period(BsMonth(2083, 7), TODAY)
    assert kartik.last == BsMonth(2083, 7).last_day


def test_entries_after_the_period_are_left_out() -> None:
    period = month_period(BsMonth(2083, 7), TODAY)  # Kartik, ended before today
    lines = [_order(period.last, "300", 1), _order(period.last + dt.timedelta(days=1), "700", 2)]
    st = statement(lines, [], [], period)
    assert st.closing == D(300) and len(st.lines) == 1


def test_a_statement_ages_with_payments_settling_the_oldest_debit_first() -> None:
    old = Debit(1, D(1000), TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=70), 1)
    new = Debit(2, D(500), TODAY + dt.timedelta(days=20), TODAY - dt.timedelta(days=10), 2)
    st = statement([], [old, new], [Credit(D(600), TODAY - dt.timedelta(days=5))],
                   last_days(TODAY))
    # The old debit (70 days since delivery) keeps 400 unpaid; the new one (10 days) all 500.
    assert st.ageing.amount(AgeBucket.OVER_60) == D(400)
    assert st.ageing.amount(AgeBucket.UP_TO_15) == D(500)


def test_each_ledger_row_is_named_by_what_it_links_to() -> None:
    assert kind_of(is_debit=True, order_id=1, payment_id=None, credit_note_id=None,
                   reverses_entry_id=None) is LineKind.ORDER
    assert kind_of(is_debit=False, order_id=None, payment_id=3, credit_note_id=None,
                   reverses_entry_id=None) is LineKind.PAYMENT
    assert kind_of(is_debit=False, order_id=1, payment_id=None, credit_note_id=4,
                   reverses_entry_id=None) is LineKind.CREDIT_NOTE
    assert kind_of(is_debit=True, order_id=None, payment_id=None, credit_note_id=None,
                   reverses_entry_id=9) is LineKind.PAYMENT_VOIDED
    assert kind_of(is_debit=True, order_id=None, payment_id=None, credit_note_id=None,
                   reverses_entry_id=None) is LineKind.ADJUSTMENT
