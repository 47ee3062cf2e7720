"""`/console/outbox`: messages WhatsApp did not take — failed and dead rows with their error
codes and last attempts — and a retry (operator_actions.retry_outbox, audited)."""

from __future__ import annotations

from aiohttp import web

from bot.console import forms
from bot.console.guard import ConsoleRoutes, Visit
from bot.services import operator_actions
from bot.store import reports

PAGE = ConsoleRoutes()


@PAGE.get("/console/outbox", name="console.outbox")
async def outbox(visit: Visit) -> web.StreamResponse:
    """Failed and dead messages, newest first, with the error of each (or all with ?all=1)."""
    show_all = visit.request.query.get("all") == "1"
    async with visit.runtime.pool.acquire() as conn:
        rows = await reports.list_outbox(conn, failed_only=not show_all, limit=200)
        counts = dict(await conn.fetch(
            "SELECT status, count(*) FROM outbox GROUP BY status"))
    return await visit.render("outbox.html", {"rows": rows, "show_all": show_all,
                                              "counts": counts})


@PAGE.get("/console/outbox/{id}", name="console.outbox.row")
async def outbox_row(visit: Visit) -> web.StreamResponse:
    """One message: its body and every send attempt with WhatsApp's answer."""
    row_id = forms.path_number(visit.request.match_info["id"])
    if row_id is None:
        return await visit.not_found()
    async with visit.runtime.pool.acquire() as conn:
        row = await reports.outbox_row(conn, row_id)
    if row is None:
        return await visit.not_found()
    return await visit.render("outbox_row.html", {"m": row})


@PAGE.post("/console/outbox/{id}/retry", name="console.outbox.retry", back="/console/outbox")
async def retry(visit: Visit) -> web.StreamResponse:
    """Send a failed or dead message again from scratch."""
    row_id = forms.path_number(visit.request.match_info["id"])
    if row_id is None:
        raise operator_actions.ActionError(404, visit.t("error.not_found"))
    async with visit.runtime.pool.acquire() as conn:
        await operator_actions.retry_outbox(conn, row_id, actor=visit.actor,
                                            context=visit.audit_context())
    return await visit.done("/console/outbox", visit.t("outbox.retried", id=row_id))
