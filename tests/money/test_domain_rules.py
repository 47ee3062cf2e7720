"""Pure rules: order statuses, credit, routing and money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import routing
from domain.credit import CreditPosition, RetailerStatus, decide, may_order
from domain.money import AmountError, parse_amount, to_paisa
from domain.order_status import (
    RULES,
    Action,
    Role,
    Status,
    TransitionError,
    allowed_actions,
    mermaid,
    transition,
)

D = Decimal


# ---------------------------------------------------------------- order status


def test_the_happy_path_is_pending_accepted_dispatched_delivered() -> None:
    s = Status.PENDING
    for action in (Action.ACCEPT, Action.DISPATCH, Action.DELIVER):
        s = transition(s, action, Role.VENDOR)
    assert s is Status.DELIVERED


def test_a_vendor_cannot_skip_dispatch() -> None:
    with pytest.raises(TransitionError) as err:
        transition(Status.ACCEPTED, Action.DELIVER, Role.VENDOR)
    assert err.value.code == "wrong_status"


def test_finished_orders_accept_nothing() -> None:
    for status in (Status.DELIVERED, Status.CANCELLED):
        for action in Action:
            with pytest.raises(TransitionError) as err:
                transition(status, action, Role.OPERATOR)
            assert err.value.code == "final"


def test_a_retailer_may_cancel_only_before_the_vendor_accepts() -> None:
    assert transition(Status.PENDING, Action.CANCEL, Role.RETAILER) is Status.CANCELLED
    with pytest.raises(TransitionError) as err:
        transition(Status.ACCEPTED, Action.CANCEL, Role.RETAILER)
    assert err.value.code == "not_allowed"
    assert transition(Status.ACCEPTED, Action.CANCEL, Role.OPERATOR) is Status.CANCELLED


def test_rerouting_keeps_an_order_pending_and_giving_up_marks_it_for_operators() -> None:
    assert transition(Status.PENDING, Action.REROUTE, Role.SYSTEM) is Status.PENDING
    assert transition(Status.PENDING, Action.GIVE_UP, Role.SYSTEM) is Status.UNROUTABLE
    with pytest.raises(TransitionError):
        transition(Status.PENDING, Action.GIVE_UP, Role.VENDOR)


def test_retailers_never_move_an_order_forward() -> None:
    for status in Status:
        assert set(allowed_actions(status, Role.RETAILER)) <= {Action.CANCEL}


def test_the_machine_draws_itself() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    assert text.count("-->") == len(RULES) + 3


# ---------------------------------------------------------------- credit


def test_available_credit_subtracts_outstanding_and_open_orders() -> None:
    pos = CreditPosition(D(10000), D(2500), D(1500))
    assert pos.available == D("6000.00")
    assert decide(pos, D(6000)).allowed
    refused = decide(pos, D("6000.01"))
    assert not refused.allowed
    assert refused.shortfall == D("0.01")


def test_the_shortfall_of_an_overdrawn_retailer_is_the_whole_order() -> None:
    pos = CreditPosition(D(1000), D(1500), D(0))
    assert pos.available == D("-500.00")
    assert decide(pos, D(200)).shortfall == D("200.00")


def test_an_advance_payment_adds_to_available_credit() -> None:
    assert CreditPosition(D(1000), D(-300), D(0)).available == D("1300.00")


def test_only_active_retailers_may_order() -> None:
    assert may_order(RetailerStatus.ACTIVE) is None
    assert may_order(RetailerStatus.PENDING) == "account not approved yet"
    assert may_order(RetailerStatus.BLOCKED) == "account blocked"


@given(st.decimals(min_value=0, max_value=10**9, places=2),
       st.decimals(min_value=-(10**6), max_value=10**9, places=2),
       st.decimals(min_value=0, max_value=10**9, places=2),
       st.decimals(min_value=0, max_value=10**9, places=2))
def test_an_allowed_order_never_takes_a_retailer_past_the_limit(
        limit: Decimal, outstanding: Decimal, open_orders: Decimal, amount: Decimal) -> None:
    decision = decide(CreditPosition(limit, outstanding, open_orders), amount)
    if decision.allowed:
        assert amount == 0 or outstanding + open_orders + amount <= limit
        assert decision.shortfall == 0
    else:
        assert decision.shortfall > 0


# ---------------------------------------------------------------- money


def test_amounts_round_half_up_to_paisa() -> None:
    assert to_paisa(D("10.005")) == D("10.01")
    assert parse_amount("1,500.50") == D("1500.50")
    assert parse_amount("Rs 200") == D("200.00")
    for bad in ("0", "-5", "abc", "NaN", "Infinity", "1e20"):
        with pytest.raises(AmountError):
            parse_amount(bad)


# ---------------------------------------------------------------- routing


def _cand(vid: int, prices: dict[str, str], *, areas: tuple[str, ...] = ("Kalanki",),
          stock: dict[str, str] | None = None,
          perf: routing.Performance | None = None) -> routing.Candidate:
    stock = stock or {}
    offers = {sku: routing.Offer(sku, D(p), D(stock[sku]) if sku in stock else None)
              for sku, p in prices.items()}
    return routing.Candidate(vid, f"V{vid}", areas, offers, perf or routing.Performance())


CART = [routing.CartLine("rice", D(2)), routing.CartLine("sugar", D(10))]


def test_the_cheaper_vendor_wins_when_neither_has_history() -> None:
    a = _cand(1, {"rice": "2000", "sugar": "100"})
    b = _cand(2, {"rice": "1900", "sugar": "95"})
    chosen = routing.choose("kalanki", CART, [a, b])
    assert isinstance(chosen, routing.Chosen)
    assert chosen.vendor_id == 2
    assert "cheapest" in chosen.explanation and "next V1" in chosen.explanation


def test_a_vendor_who_never_answers_loses_to_a_slightly_dearer_reliable_one() -> None:
    flaky = _cand(1, {"rice": "1950", "sugar": "98"},
                  perf=routing.Performance(offered=40, accepted=8, answered=10,
                                           mean_response_seconds=800, delivered=6, settled=8))
    solid = _cand(2, {"rice": "2000", "sugar": "100"},
                  perf=routing.Performance(offered=40, accepted=39, answered=40,
                                           mean_response_seconds=60, delivered=39, settled=39))
    chosen = routing.choose("Kalanki", CART, [flaky, solid])
    assert isinstance(chosen, routing.Chosen) and chosen.vendor_id == 2


def test_a_newcomer_scores_the_neutral_prior() -> None:
    fresh = routing.Performance()
    assert fresh.acceptance() == routing.PRIOR_RATE
    assert fresh.fulfilment() == routing.PRIOR_RATE
    assert fresh.speed(900) == 0.5


def test_vendors_outside_the_area_or_short_of_stock_are_not_candidates() -> None:
    far = _cand(1, {"rice": "1000", "sugar": "50"}, areas=("Pokhara",))
    short = _cand(2, {"rice": "1000", "sugar": "50"}, stock={"sugar": "5"})
    ok = _cand(3, {"rice": "3000", "sugar": "150"})
    chosen = routing.choose("Kalanki", CART, [far, short, ok])
    assert isinstance(chosen, routing.Chosen) and chosen.vendor_id == 3


def test_a_vendor_serving_everywhere_uses_a_star() -> None:
    assert _cand(1, {}, areas=("*",)).serves("Butwal")


def test_no_single_vendor_means_a_split() -> None:
    rice_only = _cand(1, {"rice": "2000"})
    sugar_only = _cand(2, {"sugar": "100"})
    got = routing.choose("Kalanki", CART, [rice_only, sugar_only])
    assert isinstance(got, routing.Split)
    assert {(p.vendor_id, tuple(ln.sku for ln in p.lines)) for p in got.parts} == {
        (1, ("rice",)), (2, ("sugar",))}
    assert sum(p.total for p in got.parts) == D("5000.00")


def test_a_line_nobody_has_is_a_shortage_with_the_most_anyone_has() -> None:
    a = _cand(1, {"rice": "2000", "sugar": "100"}, stock={"sugar": "4"})
    b = _cand(2, {"rice": "2000", "sugar": "100"}, stock={"sugar": "7"})
    got = routing.choose("Kalanki", CART, [a, b])
    assert got == routing.Uncovered((routing.Shortage("sugar", D(10), D(7)),))


@given(st.lists(st.tuples(st.sets(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1),
                          st.integers(min_value=1, max_value=100)), min_size=1, max_size=6))
def test_a_split_covers_every_line_exactly_once(vendors: list[tuple[set[str], int]]) -> None:
    cands = [_cand(i, {sku: str(price) for sku in skus}) for i, (skus, price) in
             enumerate(vendors, start=1)]
    offered = set().union(*(skus for skus, _ in vendors))
    lines = [routing.CartLine(sku, D(1)) for sku in sorted(offered)]
    got = routing.choose("Kalanki", lines, cands)
    if isinstance(got, routing.Chosen):
        assert all(cands[got.vendor_id - 1].covers(ln) for ln in lines)
        return
    assert isinstance(got, routing.Split)
    covered = [ln.sku for p in got.parts for ln in p.lines]
    assert sorted(covered) == sorted(ln.sku for ln in lines)
    assert len({p.vendor_id for p in got.parts}) == len(got.parts)
