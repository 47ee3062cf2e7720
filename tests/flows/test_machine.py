"""The retailer machine answers every trigger: each step and each refusal is recorded."""

from __future__ import annotations

from decimal import Decimal

from flows import machine as m
from flows.session import CartItem, Session


def test_a_trigger_the_state_allows_is_a_recorded_step() -> None:
    session = Session(phone="1", cart=[CartItem(sku="S", name="Sugar", unit="kg",
                                                qty=Decimal(1))])
    with m.attached(session) as model:
        assert m.fire(model, "add_items")
    assert model.steps == [m.Step("add_items", "idle", "collecting")]
    assert model.refused == [] and session.state == "collecting"


def test_a_trigger_the_state_does_not_allow_is_refused_and_changes_nothing() -> None:
    session = Session(phone="1")
    with m.attached(session) as model:
        assert not m.fire(model, "answer")
    assert model.refused == [m.Refusal("answer", "idle")]
    assert model.steps == [] and session.state == "idle"


def test_a_trigger_whose_conditions_fail_is_refused_too() -> None:
    with m.attached(Session(phone="1")) as model:
        assert not m.may(model, "review")
        assert not m.fire(model, "review")  # nothing in the cart to review
    assert model.refused == [m.Refusal("review", "idle")]


def test_models_leave_the_one_machine_when_the_message_is_done() -> None:
    with m.attached(Session(phone="1", state="reviewing")) as model:
        assert model in m.MACHINE.models
    assert m.MACHINE.models == []


def test_a_saved_state_the_machine_does_not_know_restarts_at_idle() -> None:
    session = Session(phone="1", state="gone")
    with m.attached(session) as model:
        assert model.state == "idle"
