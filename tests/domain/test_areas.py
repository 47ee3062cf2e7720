"""Typed areas are matched to the areas vendors serve."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.areas import match_area

SERVED = ("Kathmandu", "Lalitpur", "Bhaktapur", "Pokhara", "Lekhnath")


def test_case_and_ward_numbers_do_not_matter() -> None:
    assert match_area("kathmandu-10", SERVED) == "Kathmandu"
    assert match_area("Lalitpur ward 5", SERVED) == "Lalitpur"
    assert match_area("POKHARA 8", SERVED) == "Pokhara"


def test_devanagari_names_match_their_roman_area() -> None:
    assert match_area("पोखरा", SERVED) == "Pokhara"
    assert match_area("काठमाडौं", SERVED) == "Kathmandu"


def test_a_typo_still_matches() -> None:
    assert match_area("Bhaktpur", SERVED) == "Bhaktapur"
    assert match_area("pokhra", SERVED) == "Pokhara"


def test_an_unserved_area_matches_nothing() -> None:
    assert match_area("Birgunj", SERVED) is None
    assert match_area("Baneshwor", SERVED) is None


def test_nothing_but_a_number_matches_nothing() -> None:
    assert match_area("10", SERVED) is None


@given(st.sampled_from(SERVED), st.integers(min_value=1, max_value=35),
       st.sampled_from(["-", " ", " ward ", ", "]))
def test_every_served_area_with_any_ward_suffix_matches_itself(
        area: str, ward: int, sep: str) -> None:
    assert match_area(f"{area}{sep}{ward}", SERVED) == area
