"""`/console/orders` and `/console/orders/{number}`: find an order, see it whole, move it along.

The actions call the services the admin API and CLI call — cancel
(operator_actions.cancel_order), assign or re-offer to a vendor
(operator_orders.assign_order) and act for the vendor
(operator_orders.act_for_vendor) — so the order rules stay in one place and
every action is audited with who and from where.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.console import forms
from bot.console.guard import ConsoleRoutes, Visit
from bot.services import operator_actions, operator_orders
from bot.store import operator_views, reports
from domain.business_time import day_start
from domain.order_status import Status
from domain.vendor_commands import VendorAction
from flows import money_notices, order_notices

PAGE = ConsoleRoutes()

STATUSES = tuple(s.value for s in Status)
ON_BEHALF = tuple(a.value for a in operator_orders.ON_BEHALF)
# What can still happen to an order in each status, for which forms to show.
_CANCELLABLE = frozenset({"pending", "accepted", "dispatched", "unroutable"})
_ASSIGNABLE = frozenset({"pending", "unroutable"})
_ACTABLE = frozenset({"pending", "accepted", "dispatched"})


@PAGE.get("/console/orders", name="console.orders")
async def orders(visit: Visit) -> web.StreamResponse:
    """Orders newest first, filtered by status, vendor, the shop's area and dates."""
    q = visit.request.query
    problems: list[str] = []
    status = q.get("status") or None
    if status is not None and status not in STATUSES:
        problems.append(visit.t("form.invalid", field=visit.t("field.status"), why=status))
        status = None
    since_day = forms.query_day(q.get("from"))
    until_day = forms.query_day(q.get("to"))
    for name, text, parsed in (("from", q.get("from"), since_day), ("to", q.get("to"), until_day)):
        if text and parsed is None:
            problems.append(visit.t("form.invalid", field=visit.t(f"field.{name}"),
                                    why=visit.t("form.date_rule")))
    since = day_start(since_day) if since_day else None
    until = day_start(until_day + dt.timedelta(days=1)) if until_day else None
    vendor = (q.get("vendor") or "").strip() or None
    area = (q.get("area") or "").strip()[:80] or None
    async with visit.runtime.pool.acquire() as conn:
        rows = await reports.list_orders(conn, status=status, vendor=vendor, area=area,
                                         since=since, until=until, limit=200)
        vendors = await operator_views.vendor_choices(conn)
        areas = await operator_views.areas(conn)
    return await visit.render("orders.html", {
        "rows": rows, "statuses": STATUSES, "vendors": vendors, "areas": areas,
        "problems": problems, "filters": {
            "status": status or "", "vendor": vendor or "", "area": area or "",
            "from": since_day.isoformat() if since_day else "",
            "to": until_day.isoformat() if until_day else ""}})


@PAGE.get("/console/orders/{number}", name="console.order")
async def order(visit: Visit) -> web.StreamResponse:
    """One order: lines, events, offers, and the actions its status allows."""
    number = forms.path_number(visit.request.match_info["number"])
    if number is None:
        return await visit.not_found()
    async with visit.runtime.pool.acquire() as conn:
        row = await reports.order_detail(conn, number)
        vendors = await operator_views.vendor_choices(conn)
    if row is None:
        return await visit.not_found()
    status = row["status"]
    return await visit.render("order.html", {
        "o": row, "vendors": [v for v in vendors if v["active"]],
        "can_cancel": status in _CANCELLABLE, "can_assign": status in _ASSIGNABLE,
        "can_act": status in _ACTABLE and row["vendor_phone"] is not None,
        "on_behalf": ON_BEHALF})


def _number(visit: Visit) -> int:
    number = forms.path_number(visit.request.match_info["number"])
    if number is None:
        raise operator_actions.ActionError(404, visit.t("error.not_found"))
    return number


@PAGE.post("/console/orders/{number}/cancel", name="console.order.cancel")
async def cancel(visit: Visit) -> web.StreamResponse:
    """Cancel an open order (stock released, shop and vendor told)."""
    number = _number(visit)
    reason = visit.field("reason")
    async with visit.runtime.pool.acquire() as conn:
        await operator_actions.cancel_order(conn, number, reason=reason, actor=visit.actor,
                                            word=order_notices.outgoing,
                                            context=visit.audit_context())
    return await visit.done(f"/console/orders/{number}",
                            visit.t("order.cancelled", number=number))


@PAGE.post("/console/orders/{number}/assign", name="console.order.assign")
async def assign(visit: Visit) -> web.StreamResponse:
    """Offer a pending or unroutable order to the vendor the operator picks."""
    number = _number(visit)
    vendor = visit.field("vendor", max_length=64)
    reason = visit.field("reason")
    async with visit.runtime.pool.acquire() as conn:
        result = await operator_orders.assign_order(
            conn, number, vendor_phone=vendor, reason=reason, actor=visit.actor,
            accept_minutes=visit.runtime.settings.vendor_accept_minutes,
            word=order_notices.outgoing, word_money=money_notices.outgoing,
            context=visit.audit_context())
    return await visit.done(f"/console/orders/{number}",
                            visit.t("order.assigned", number=number, vendor=result["vendor"]))


@PAGE.post("/console/orders/{number}/act", name="console.order.act")
async def act(visit: Visit) -> web.StreamResponse:
    """Accept, dispatch or deliver for the order's vendor (they are told)."""
    number = _number(visit)
    action = forms.choice(visit, "action", ON_BEHALF)
    reason = visit.field("reason")
    async with visit.runtime.pool.acquire() as conn:
        result = await operator_orders.act_for_vendor(
            conn, number, VendorAction(action), reason=reason, actor=visit.actor,
            word=order_notices.outgoing, context=visit.audit_context())
    return await visit.done(f"/console/orders/{number}",
                            visit.t("order.acted", number=number,
                                    status=visit.t(f"status.{result['status']}")))
