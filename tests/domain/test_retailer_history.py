"""A retailer's History: a row per order day and the latest baskets, not every order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.retailer_value import History, OrderDay, PastOrder, basket_trend, history_of

D = Decimal


def test_orders_on_one_day_become_one_day_with_their_count_and_total() -> None:
    history = history_of([PastOrder(date(2026, 3, 1), D(100)), PastOrder(date(2026, 3, 1), D(50)),
                          PastOrder(date(2026, 3, 4), D(70))])
    assert history.days == (OrderDay(date(2026, 3, 1), 2, D(150)),
                            OrderDay(date(2026, 3, 4), 1, D(70)))


def test_only_the_latest_six_baskets_are_kept_oldest_first() -> None:
    orders = [PastOrder(date(2026, 3, day), D(day)) for day in range(1, 10)]
    assert history_of(orders).last_baskets == tuple(D(d) for d in range(4, 10))


def test_halved_baskets_trend_to_one_half() -> None:
    assert basket_trend((D(200), D(200), D(200), D(100), D(100), D(100))) == 0.5


def test_fewer_than_four_baskets_have_no_trend() -> None:
    assert basket_trend((D(1), D(2), D(3))) is None
    assert History().last_baskets == ()
