"""Reading what vendors write back about an order."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from domain.digits import to_devanagari
from domain.vendor_commands import (
    KEYWORDS,
    VendorAction,
    VendorCommand,
    VendorQuery,
    button_id,
    parse,
    parse_bare,
    parse_button,
    parse_query,
)


def test_the_issue_examples() -> None:
    assert parse("ACCEPT 1042") == VendorCommand(VendorAction.ACCEPT, 1042)
    assert parse("1042 ok") == VendorCommand(VendorAction.ACCEPT, 1042)
    assert parse("REJECT 1042 no stock") == VendorCommand(VendorAction.REJECT, 1042, "no stock")
    assert parse("DISPATCHED 1042") == VendorCommand(VendorAction.DISPATCH, 1042)
    assert parse("DELIVERED 1042") == VendorCommand(VendorAction.DELIVER, 1042)


def test_nepali_and_romanised_nepali() -> None:
    assert parse("1042 swikar") == VendorCommand(VendorAction.ACCEPT, 1042)
    assert parse("स्वीकार १०४२") == VendorCommand(VendorAction.ACCEPT, 1042)
    assert parse("अस्वीकार 1042 स्टक छैन") == VendorCommand(VendorAction.REJECT, 1042, "स्टक छैन")
    assert parse("१०४२ अस्वीकार") == VendorCommand(VendorAction.REJECT, 1042)
    assert parse("पठाइयो 1042") == VendorCommand(VendorAction.DISPATCH, 1042)
    assert parse("1042 पुग्यो") == VendorCommand(VendorAction.DELIVER, 1042)
    assert parse("1042 pathaiyo") == VendorCommand(VendorAction.DISPATCH, 1042)


def test_a_hash_and_punctuation_are_allowed() -> None:
    assert parse("accept #1042.") == VendorCommand(VendorAction.ACCEPT, 1042)
    assert parse("#1042: Delivered!") == VendorCommand(VendorAction.DELIVER, 1042)
    assert parse("  Reject   order 1042 - truck broke  ") == VendorCommand(
        VendorAction.REJECT, 1042, "truck broke")


def test_not_ok_is_a_reject_not_an_accept() -> None:
    assert parse("1042 not ok") == VendorCommand(VendorAction.REJECT, 1042)


def test_a_reason_is_only_kept_for_rejects() -> None:
    assert parse("1042 ok thanks dai") == VendorCommand(VendorAction.ACCEPT, 1042)


def test_text_without_an_order_number_is_not_a_command() -> None:
    assert parse("ok") is None
    assert parse("accept") is None
    assert parse("1042") is None
    assert parse("namaste 1042") is None


def test_a_bare_keyword_is_an_action_without_an_order() -> None:
    assert parse_bare("OK!") is VendorAction.ACCEPT
    assert parse_bare("पठाइयो") is VendorAction.DISPATCH
    assert parse_bare("ok thanks") is None


def test_listing_and_help_queries() -> None:
    assert parse_query("Orders") is VendorQuery.LIST
    assert parse_query("अर्डर") is VendorQuery.LIST
    assert parse_query("help?") is VendorQuery.HELP
    assert parse_query("orders please now") is None


def test_button_ids_round_trip() -> None:
    for action in VendorAction:
        assert parse_button(button_id(action, 1042)) == VendorCommand(action, 1042)
    assert parse_button("cart:confirm:3") is None
    assert parse_button("vendor:accept:") is None


_keyword = st.sampled_from([(a, w) for a, words in KEYWORDS.items() for w in words])
_number = st.integers(min_value=1, max_value=999_999_999)
_case = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])
_space = st.sampled_from([" ", "  ", " : ", " - ", ", ", "\t"])


@given(_keyword, _number, _case, _space, st.booleans(), st.booleans(), st.booleans())
def test_any_keyword_either_side_of_any_number_in_any_case(
        kw: tuple[VendorAction, str], number: int, case, sep: str, before: bool, hashed: bool,
        devanagari_digits: bool) -> None:  # type: ignore[no-untyped-def]
    action, word = kw
    num = to_devanagari(str(number)) if devanagari_digits else str(number)
    num = ("#" if hashed else "") + num
    text = f"{case(word)}{sep}{num}" if before else f"{num}{sep}{case(word)}"
    got = parse(text)
    assert got is not None, text
    assert got.action is action, text
    assert got.order_number == number


@given(_keyword, _number, st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=40))
def test_a_reject_keeps_whatever_follows_as_its_reason(
        kw: tuple[VendorAction, str], number: int, reason: str) -> None:
    action, _ = kw
    if action is not VendorAction.REJECT or not reason.strip():
        return
    got = parse(f"reject {number} {reason}")
    assert got == VendorCommand(VendorAction.REJECT, number, " ".join(reason.split()).casefold())


@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    got = parse(text)
    if got is not None:
        assert got.order_number >= 0
    parse_query(text)
    parse_button(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=100))
def test_text_without_digits_is_never_a_command(text: str) -> None:
    assert parse(text) is None
