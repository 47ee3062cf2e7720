"""`/console/operators` (admins only): the console's accounts — list, add, disable."""

from __future__ import annotations

from aiohttp import web

from bot.console import accounts
from bot.console.guard import ConsoleRoutes, FormError, Visit

PAGE = ConsoleRoutes()


@PAGE.get("/console/operators", name="console.operators", role="admin")
async def operators(visit: Visit) -> web.StreamResponse:
    """Every account with its role, state and last login."""
    async with visit.runtime.pool.acquire() as conn:
        rows = await accounts.list_accounts(conn)
    return await visit.render("operators.html", {"rows": rows, "roles": accounts.ROLES})


@PAGE.post("/console/operators/add", name="console.operators.add", role="admin")
async def add(visit: Visit) -> web.StreamResponse:
    """A new account (audited)."""
    role = visit.field("role")
    if role not in accounts.ROLES:
        raise FormError(visit.t("form.invalid", field=visit.t("field.role"), why=role))
    async with visit.runtime.pool.acquire() as conn:
        made = await accounts.add_account(
            conn, username=visit.field("username", max_length=32), role=role,
            password=visit.field("password", max_length=accounts.MAX_PASSWORD),
            actor=visit.actor, context=visit.audit_context())
    return await visit.done("/console/operators",
                            visit.t("operators.added", name=made.username))


@PAGE.post("/console/operators/{username}/disable", name="console.operators.disable",
           role="admin", back="/console/operators")
async def disable(visit: Visit) -> web.StreamResponse:
    """Disable an account (audited); its sessions stop at their next request."""
    name = visit.request.match_info["username"]
    if name == visit.account.username:
        raise FormError(visit.t("operators.not_yourself"))
    async with visit.runtime.pool.acquire() as conn:
        done = await accounts.disable_account(conn, name, actor=visit.actor,
                                              context=visit.audit_context())
    return await visit.done("/console/operators",
                            visit.t("operators.disabled", name=done.username))
