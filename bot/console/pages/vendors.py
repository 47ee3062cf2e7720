"""`/console/vendors` and `/console/vendors/{phone}`: wholesalers, how they perform, what they sell.

Performance is the nightly vendor_performance job's 30-day figures (accept
rate, median response time, fill rate); deactivating calls the same service as
the admin API and CLI (operator_actions.set_vendor_active).
"""

from __future__ import annotations

from aiohttp import web

from bot.console.guard import ConsoleRoutes, Visit
from bot.services import operator_actions, parties
from bot.store import operator_views, reports

PAGE = ConsoleRoutes()


@PAGE.get("/console/vendors", name="console.vendors")
async def vendors(visit: Visit) -> web.StreamResponse:
    """Vendors with catalogue size, open orders and 30-day performance; filter by area."""
    area = (visit.request.query.get("area") or "").strip()[:80] or None
    async with visit.runtime.pool.acquire() as conn:
        rows = await reports.list_vendors(conn, area=area)
        areas = await operator_views.areas(conn)
    return await visit.render("vendors.html", {"rows": rows, "areas": areas,
                                               "filters": {"area": area or ""}})


@PAGE.get("/console/vendors/{phone}", name="console.vendor")
async def vendor(visit: Visit) -> web.StreamResponse:
    """One vendor: performance, areas, price list and recent orders."""
    async with visit.runtime.pool.acquire() as conn:
        try:
            found = await parties.find_vendor(conn, visit.request.match_info["phone"])
        except parties.PartyError:
            return await visit.not_found()
        row = await reports.vendor_detail(conn, found.phone)
        prices = await operator_views.price_list(conn, found.phone)
    if row is None:
        return await visit.not_found()
    return await visit.render("vendor.html", {"v": row, "prices": prices})


@PAGE.post("/console/vendors/{phone}/active", name="console.vendor.active")
async def set_active(visit: Visit) -> web.StreamResponse:
    """Deactivate a vendor (no new orders offered; held orders stay) or reactivate one."""
    active = visit.field("active") == "yes"
    reason = visit.field("reason", required=not active) or None
    async with visit.runtime.pool.acquire() as conn:
        result = await operator_actions.set_vendor_active(
            conn, visit.request.match_info["phone"], active, actor=visit.actor, reason=reason)
    key = "vendor.activated" if active else "vendor.deactivated"
    return await visit.done(f"/console/vendors/{result['phone']}",
                            visit.t(key, name=result["name"], open=result["open_orders"]))
