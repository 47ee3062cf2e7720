"""Passwords in the console: an admin resets another operator's (on /console/operators),
anyone changes their own (/console/password, the current password required).

Either way the new password is typed twice, hashed with argon2id
(bot/console/accounts.py), audited, and every session the account had open ends
(`sessions_since`, checked by the guard). After changing their own, the operator's
browser gets a fresh session so they stay logged in there.
"""

from __future__ import annotations

from aiohttp import web

from bot.console import accounts, sessions
from bot.console.guard import ConsoleRoutes, FormError, Visit, is_https, see_other

PAGE = ConsoleRoutes()


def _new_password(visit: Visit) -> str:
    """The new password typed twice, the same both times and long enough."""
    new = visit.field("new_password", max_length=accounts.MAX_PASSWORD)
    again = visit.field("new_password_again", max_length=accounts.MAX_PASSWORD)
    if new != again:
        raise FormError(visit.t("password.mismatch"))
    if len(new) < accounts.MIN_PASSWORD:
        raise FormError(visit.t("password.too_short", n=accounts.MIN_PASSWORD))
    return new


@PAGE.get("/console/password", name="console.password")
async def password_page(visit: Visit) -> web.StreamResponse:
    """The form to change one's own password."""
    return await visit.render("password.html", {"min_length": accounts.MIN_PASSWORD})


@PAGE.post("/console/password", name="console.password.change", role="viewer",
           back="/console/password")
async def change_own(visit: Visit) -> web.StreamResponse:
    """Change one's own password (current one required); other sessions end."""
    current = visit.field("current_password", max_length=accounts.MAX_PASSWORD)
    new = _new_password(visit)
    name = visit.account.username
    async with visit.runtime.pool.acquire() as conn:
        if not await accounts.password_matches(conn, name, current):
            raise FormError(visit.t("password.wrong_current"))
        await accounts.set_password(conn, name, new, actor=visit.actor,
                                    action="operator.password_change",
                                    context=visit.audit_context())
    await sessions.end_session(visit.runtime, visit.session)
    token, fresh = await sessions.open_session(visit.runtime, name)
    await sessions.add_flash(visit.runtime, fresh, "ok", visit.t("password.changed"))
    response = see_other("/console/password")
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="Lax",
                        secure=is_https(visit.request), path="/console")
    return response


@PAGE.post("/console/operators/{username}/password", name="console.operators.password",
           role="admin", back="/console/operators")
async def reset(visit: Visit) -> web.StreamResponse:
    """An admin sets another operator's password; that operator's sessions end."""
    name = visit.request.match_info["username"]
    new = _new_password(visit)
    async with visit.runtime.pool.acquire() as conn:
        done = await accounts.set_password(conn, name, new, actor=visit.actor,
                                           context=visit.audit_context())
    return await visit.done("/console/operators",
                            visit.t("password.reset_done", name=done.username))
