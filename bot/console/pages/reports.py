"""`/console/reports`: weekly GMV and orders by area, collections against dues, ageing,
the vendor league — each as a chart drawn on the server (SVG) and as CSV.

The figures come from bot/services/business_reports.py; the charts from
bot/svg_chart.py, inlined in the page (no script, no chart service).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiohttp import web
from markupsafe import Markup

from bot.console.guard import ConsoleRoutes, Visit, console_headers
from bot.services import business_reports as reports
from domain.ageing import BUCKETS, combine

PAGE = ConsoleRoutes()
MAX_WEEKS = 26


def _weeks(visit: Visit) -> int:
    raw = visit.request.query.get("weeks", "")
    return min(MAX_WEEKS, max(1, int(raw))) if raw.isdigit() else reports.DEFAULT_WEEKS


def _svg(text: str) -> Markup:
    """A chart for inlining: our own SVG, every user-given name escaped by bot/svg_chart.py."""
    return Markup(text)  # noqa: S704


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the page shows, read once."""

    today: dt.date
    weeks: tuple[dt.date, ...]
    gmv: list[reports.AreaWeek]
    collections: list[reports.CollectionWeek]
    ageing: list[reports.RetailerAgeing]
    league_week: dt.date
    league: list[reports.VendorStanding]


def _league_week(today: dt.date) -> dt.date:
    """The league is of the last complete week, as the vendors' weekly report."""
    return reports.week_start(today) - dt.timedelta(weeks=1)


async def _figures(visit: Visit, count: int) -> Figures:
    today = reports.today_in_nepal()
    weeks = reports.weeks_ending(today, count)
    league_week = _league_week(today)
    async with visit.runtime.pool.acquire() as conn:
        return Figures(today, weeks, await reports.gmv_by_area(conn, weeks),
                       await reports.collections(conn, weeks),
                       await reports.ageing(conn, today), league_week,
                       await reports.vendor_league(conn, league_week))


@PAGE.get("/console/reports", name="console.reports")
async def page(visit: Visit) -> web.StreamResponse:
    """All four reports with their charts."""
    count = _weeks(visit)
    f = await _figures(visit, count)
    charts = {
        "gmv": _svg(reports.gmv_chart(f.gmv, f.weeks)),
        "orders": _svg(reports.orders_chart(f.gmv, f.weeks)),
        "collections": _svg(reports.collections_chart(f.collections)),
        "ageing": _svg(reports.ageing_chart(f.ageing)),
        "league": _svg(reports.league_chart(f.league)),
    }
    return await visit.render("reports.html", {
        "f": f, "count": count, "charts": charts, "buckets": BUCKETS,
        "ageing_total": combine(a.ageing for a in f.ageing)})


async def _download(visit: Visit, name: str) -> web.StreamResponse:
    """One report as a CSV attachment (only that report is computed)."""
    today = reports.today_in_nepal()
    weeks = reports.weeks_ending(today, _weeks(visit))
    async with visit.runtime.pool.acquire() as conn:
        if name == "gmv":
            text = reports.gmv_csv(await reports.gmv_by_area(conn, weeks))
        elif name == "collections":
            text = reports.collections_csv(await reports.collections(conn, weeks))
        elif name == "ageing":
            text = reports.ageing_csv(await reports.ageing(conn, today))
        else:
            text = reports.league_csv(await reports.vendor_league(conn, _league_week(today)))
    response = web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="khaacho-{name}-{today.isoformat()}.csv"'})
    return console_headers(response)


@PAGE.get("/console/reports/gmv.csv", name="console.reports.gmv_csv")
async def gmv_csv(visit: Visit) -> web.StreamResponse:
    """GMV and orders by week and area, as CSV."""
    return await _download(visit, "gmv")


@PAGE.get("/console/reports/collections.csv", name="console.reports.collections_csv")
async def collections_csv(visit: Visit) -> web.StreamResponse:
    """Due and collected per week, as CSV."""
    return await _download(visit, "collections")


@PAGE.get("/console/reports/ageing.csv", name="console.reports.ageing_csv")
async def ageing_csv(visit: Visit) -> web.StreamResponse:
    """Each owing shop's ageing buckets, as CSV."""
    return await _download(visit, "ageing")


@PAGE.get("/console/reports/league.csv", name="console.reports.league_csv")
async def league_csv(visit: Visit) -> web.StreamResponse:
    """The vendor league of the last complete week, as CSV."""
    return await _download(visit, "league")
