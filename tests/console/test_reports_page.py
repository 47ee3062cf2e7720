"""`/console/reports`: the charts are inline SVG and each report downloads as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from bot.services import business_reports as reports
from tests.console.conftest import Client, ConsoleServer, add_operator
from tests.reports.test_business_reports import seed


@pytest.fixture
async def viewer(console: ConsoleServer, client: Client) -> Client:
    await add_operator(console.runtime, "guest", "viewer")
    await client.login("guest")
    return client


async def test_the_reports_page_draws_five_charts(console: ConsoleServer, viewer: Client) -> None:
    await seed(console.runtime)
    status, html, _ = await viewer.get("/console/reports?weeks=12")
    assert status == 200
    assert html.count("<svg ") == 5
    assert "Ram Kirana" in html and "Sita Store" in html


@pytest.mark.parametrize(("name", "columns"), [
    ("gmv", reports.GMV_COLUMNS), ("collections", reports.COLLECTION_COLUMNS),
    ("ageing", reports.AGEING_COLUMNS), ("league", reports.LEAGUE_COLUMNS)])
async def test_each_report_downloads_as_csv_with_its_columns(
        console: ConsoleServer, viewer: Client, name: str, columns: tuple[str, ...]) -> None:
    await seed(console.runtime)
    status, text, response = await viewer.get(f"/console/reports/{name}.csv")
    assert status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert tuple(next(csv.reader(io.StringIO(text)))) == columns


async def test_an_unknown_report_is_a_404(viewer: Client) -> None:
    status, _, _ = await viewer.get("/console/reports/salaries.csv")
    assert status == 404


async def test_reports_need_a_login(client: Client) -> None:
    status, _, response = await client.get("/console/reports/ageing.csv")
    assert status == 303 and response.headers["Location"].startswith("/console/login")
