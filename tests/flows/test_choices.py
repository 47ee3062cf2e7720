"""Button and list-row ids are typed values whose wire format never changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.choices import (
    AreaChoice,
    Choice,
    OfferAction,
    OfferChoice,
    QuestionChoice,
    ReorderChoice,
    ReviewAction,
    ReviewChoice,
    parse,
)


@pytest.mark.parametrize(("choice", "wire"), [
    (ReviewChoice(ReviewAction.CONFIRM, 3), "rv:confirm:3"),
    (ReviewChoice(ReviewAction.EDIT, 3), "rv:edit:3"),
    (ReviewChoice(ReviewAction.CANCEL, 12), "rv:cancel:12"),
    (OfferChoice(OfferAction.TAKE, 4), "of:take:4"),
    (OfferChoice(OfferAction.OTHER, 4), "of:other:4"),
    (QuestionChoice(2, "SUGAR-KG"), "q:2:SUGAR-KG"),
    (QuestionChoice(2, None), "q:2:-"),
    (AreaChoice("Kathmandu"), "area:Kathmandu"),
    (ReorderChoice(77), "reorder:77"),
])
def test_ids_are_written_as_the_buttons_in_peoples_chats_were(choice: Choice,
                                                               wire: str) -> None:
    assert choice.to_id() == wire
    assert parse(wire) == choice


@pytest.mark.parametrize("wire", ["vendor:accept:1001", "rv:confirm", "rv:edit:1:extra", "::",
                                  "q::", "q:01:SUGAR-KG", "rv:bogus:1", "hello"])
def test_ids_that_are_not_ours_or_are_mangled_read_as_nothing(wire: str) -> None:
    assert parse(wire) is None


def test_a_mangled_revision_matches_no_cart_but_cancel_still_cancels() -> None:
    assert parse("rv:cancel:x") == ReviewChoice(ReviewAction.CANCEL, None)
    assert parse("rv:confirm:03") == ReviewChoice(ReviewAction.CONFIRM, None)


def test_any_other_answer_under_an_offer_turns_it_down() -> None:
    assert parse("of:no:2") == OfferChoice(OfferAction.DECLINE, 2)


def test_an_area_name_may_hold_a_colon() -> None:
    assert parse("area:Kathmandu: Ward 4") == AreaChoice("Kathmandu: Ward 4")


def test_a_reorder_payload_without_a_readable_nudge_is_the_last_order() -> None:
    assert parse("reorder") == ReorderChoice(None)
    assert parse("reorder:abc") == ReorderChoice(None)


@given(st.text(max_size=60))
def test_any_tapped_id_reads_as_a_choice_or_nothing_never_an_error(wire: str) -> None:
    choice = parse(wire)
    assert choice is None or parse(choice.to_id()) == choice
