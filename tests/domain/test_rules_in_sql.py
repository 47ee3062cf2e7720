"""Rules that SQL applies too give the same answers in Postgres as in domain/.

Hypothesis examples run synchronously, so each opens its own connection.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db import connect
from domain.business_time import ZONE_NAME, business_date

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
