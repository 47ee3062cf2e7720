"""Rules that SQL applies too give the same answers in Postgres as in domain/.

Hypothesis examples run synchronously, so each opens its own connection.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db import connect
from domain.areas import ANY_AREA, normal_area, serves_area
from domain.business_time import ZONE_NAME, business_date
from domain.order_status import OPEN, VOID, Status

SQL_EXAMPLES = settings(max_examples=40, deadline=None)


def fetch_column(database_url: str, query: str, *args: Any) -> list[Any]:
    """The first column of `query`'s rows, on a connection of its own."""
    async def go() -> list[Any]:
        conn = await connect(database_url)
        try:
            return [r[0] for r in await conn.fetch(query, *args)]
        finally:
            await conn.close()
    return asyncio.run(go())


def fetch_each(database_url: str, query: str, cases: list[tuple[Any, ...]]) -> list[Any]:
    """`query`'s one value for each case's parameters, on a connection of its own."""
    async def go() -> list[Any]:
        conn = await connect(database_url)
        try:
            return [await conn.fetchval(query, *case) for case in cases]
        finally:
            await conn.close()
    return asyncio.run(go())


# ---------------------------------------------------------------- business dates

instants = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(UTC))

_SQL_DATES = ("SELECT (t AT TIME ZONE $2)::date FROM unnest($1::timestamptz[]) "
              "WITH ORDINALITY AS u(t, i) ORDER BY i")


@SQL_EXAMPLES
@given(st.lists(instants, min_size=1, max_size=30))
def test_postgres_and_python_give_every_instant_the_same_business_date(
        database_url: str, moments: list[datetime]) -> None:
    assert fetch_column(database_url, _SQL_DATES, moments, ZONE_NAME) == [
        business_date(m) for m in moments]


def test_they_agree_around_midnight_and_before_nepal_moved_to_five_forty_five(
        database_url: str) -> None:
    moments = [datetime(2026, 3, 2, 18, 14, 59, tzinfo=UTC),
               datetime(2026, 3, 2, 18, 15, tzinfo=UTC),
               datetime(1985, 12, 31, 18, 20, tzinfo=UTC)]
    assert fetch_column(database_url, _SQL_DATES, moments, ZONE_NAME) == [
        date(2026, 3, 2), date(2026, 3, 3), date(1985, 12, 31)]


# ---------------------------------------------------------------- serves area

SPACES = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
# Spaces of every kind, both cases of ASCII and of other Latin letters, Devanagari, the marker.
area_text = st.text(alphabet=st.sampled_from(
    [*SPACES, *"KathmanduKATHMANDUpokhara-10", "*", "É", "é", "ß", "İ", "Ω", "ω",
     *"काठमाडौं", "\u200b"]), max_size=12)
served = st.lists(area_text, max_size=4)

_SQL_NORMAL = "SELECT normal_area($1)"
_SQL_SERVES = "SELECT serves_area($1::text[], $2)"
# The form cart pricing filters vendors with (the stored `vendors.areas_normal`, indexed).
_SQL_SERVES_STORED = "SELECT normal_areas($1::text[]) && ARRAY[normal_area($2), '*']"

CASES = [
    (["Kathmandu"], "Kathmandu", True),
    (["Kathmandu"], "kathmandu", True),
    (["KATHMANDU"], "Kathmandu", True),
    (["  Kathmandu\t"], " kathmandu ", True),
    (["Kathmandu\u00a0"], "Kathmandu", True),
    (["Lalitpur", "Kathmandu"], "Kathmandu", True),
    (["Lalitpur"], "Kathmandu", False),
    ([ANY_AREA], "Butwal", True),
    ([" * "], "Butwal", True),
    (["**"], "Butwal", False),
    ([], "Kathmandu", False),
    (["काठमाडौं"], "काठमाडौं", True),
    (["काठमाडौं"], "Kathmandu", False),
    (["Kathmandu-10"], "Kathmandu", False),  # ward numbers are match_area's business
    (["ÉVEREST"], "éverest", False),  # only ASCII letters fold, on every server locale
]


@pytest.mark.parametrize(("areas", "area", "expected"), CASES)
def test_the_domain_check_serves_as_specified(areas: list[str], area: str,
                                              expected: bool) -> None:
    assert serves_area(areas, area) is expected


def test_postgres_serves_exactly_the_same_cases(database_url: str) -> None:
    got = fetch_each(database_url, _SQL_SERVES, [(areas, area) for areas, area, _ in CASES])
    assert got == [expected for _, _, expected in CASES]


def test_the_stored_normal_areas_serve_exactly_the_same_cases(database_url: str) -> None:
    got = fetch_each(database_url, _SQL_SERVES_STORED,
                     [(areas, area) for areas, area, _ in CASES])
    assert got == [expected for _, _, expected in CASES]


def test_postgres_trims_every_space_python_trims(database_url: str) -> None:
    cases = [(f"{space}Pokhara{space}",) for space in SPACES]
    assert fetch_each(database_url, _SQL_NORMAL, cases) == ["pokhara"] * len(SPACES)


@SQL_EXAMPLES
@given(st.lists(area_text, min_size=1, max_size=20))
def test_postgres_and_python_normalise_any_area_alike(database_url: str,
                                                      areas: list[str]) -> None:
    assert fetch_each(database_url, _SQL_NORMAL, [(a,) for a in areas]) == [
        normal_area(a) for a in areas]


@SQL_EXAMPLES
@given(st.lists(st.tuples(served, area_text), min_size=1, max_size=15))
def test_postgres_and_python_agree_on_who_serves_any_area(
        database_url: str, cases: list[tuple[list[str], str]]) -> None:
    assert fetch_each(database_url, _SQL_SERVES, cases) == [
        serves_area(areas, area) for areas, area in cases]


@SQL_EXAMPLES
@given(st.lists(st.tuples(served, area_text), min_size=1, max_size=15))
def test_the_stored_normal_areas_agree_with_python_on_any_area(
        database_url: str, cases: list[tuple[list[str], str]]) -> None:
    assert fetch_each(database_url, _SQL_SERVES_STORED, cases) == [
        serves_area(areas, area) for areas, area in cases]


# ---------------------------------------------------------------- order statuses

_STATUSES = [s.value for s in Status]


def test_postgres_calls_the_same_statuses_open(database_url: str) -> None:
    got = fetch_column(database_url, "SELECT order_is_open(s) FROM unnest($1::text[]) "
                       "WITH ORDINALITY AS u(s, i) ORDER BY i", _STATUSES)
    assert got == [s in OPEN for s in Status]


def test_postgres_calls_the_same_statuses_void(database_url: str) -> None:
    got = fetch_column(database_url, "SELECT order_is_void(s) FROM unnest($1::text[]) "
                       "WITH ORDINALITY AS u(s, i) ORDER BY i", _STATUSES)
    assert got == [s in VOID for s in Status]


def test_an_order_is_open_void_or_delivered_and_never_two_of_them() -> None:
    assert OPEN.isdisjoint(VOID)
    assert set(Status) == OPEN | VOID | {Status.DELIVERED}
