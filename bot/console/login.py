"""Logging in and out of the console, and switching its language.

The login form carries a CSRF token too (a random value in a short-lived
cookie, echoed by the form), so no other site can log a browser in under
someone else's account. Failed logins are counted per account and per IP
(bot.console.login_limits). The session cookie is HttpOnly (no script reads it),
SameSite=Lax, scoped to /console, and Secure when the page came over HTTPS.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from bot.console import sessions
from bot.console.accounts import authenticate
from bot.console.guard import (
    CSRF_FIELD,
    ConsoleRoutes,
    Visit,
    as_pages,
    is_https,
    render_page,
    see_other,
)
from bot.console.login_limits import LoginLimits
from bot.console.words import LANG_COOKIE, LANGUAGES, language_of, translator
from bot.services.operator_actions import audit
from bot.web.keys import RUNTIME
from bot.web.middleware import client_ip, request_id

log = logging.getLogger(__name__)

LOGIN_CSRF_COOKIE = "khaacho_login_csrf"
_YEAR = 365 * 24 * 3600

PAGE = ConsoleRoutes()


def safe_next(target: str | None) -> str:
    """Where to go after login: a console path on this site, never another site."""
    if not target:
        return "/console"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/console") or "\\" in target \
            or target.startswith("//"):
        return "/console"
    return target


async def _login_form(request: web.Request, *, error: str | None = None,
                      status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(24)
    lang = language_of(request)
    response = render_page(request, "login.html", {
        "error": error, "login_csrf": token, "next": safe_next(request.query.get("next")),
        "username": ""}, lang=lang, status=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict",
                        secure=is_https(request), path="/console/login", max_age=3600)
    return response


@as_pages
async def login_page(request: web.Request) -> web.StreamResponse:
    """GET /console/login: the form (or straight on, when already logged in)."""
    runtime = request.app[RUNTIME]
    if await sessions.load_session(runtime, request.cookies.get(sessions.COOKIE)) is not None:
        return see_other(safe_next(request.query.get("next")))
    return await _login_form(request)


@as_pages
async def login_submit(request: web.Request) -> web.StreamResponse:
    """POST /console/login: check the password (within the limits) and open a session."""
    runtime = request.app[RUNTIME]
    t = translator(language_of(request))
    form = await request.post()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        return await _login_form(request, error=t("login.expired_form"), status=403)
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:1024]
    ip = client_ip(request)
    limits = LoginLimits(runtime)
    wait = await limits.refused_for(username, ip)
    if wait is not None:
        log.warning("console login refused: too many failures", extra={"ip": ip})
        response = await _login_form(request, error=t("login.limited",
                                                      minutes=max(1, -(-wait // 60))),
                                     status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    async with runtime.pool.acquire() as conn:
        account = await authenticate(conn, username, password) if username and password \
            else None
        if account is None:
            await limits.failed(username, ip)
            log.warning("console login failed", extra={"ip": ip})
            return await _login_form(request, error=t("login.failed"), status=401)
        await audit(conn, actor=f"console:{account.username}", action="console.login",
                    target=f"operator:{account.username}",
                    details={"via": "console", "ip": ip, "request_id": request_id(request),
                             "user_agent": request.headers.get("User-Agent", "")[:200]})
    await limits.succeeded(username)
    token, _ = await sessions.open_session(runtime, account.username)
    response = see_other(safe_next(str(form.get("next", "")) or None))
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="Lax",
                        secure=is_https(request), path="/console")
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@PAGE.post("/console/logout", name="console.logout", role="viewer")
async def logout(visit: Visit) -> web.StreamResponse:
    """POST /console/logout: the session ends here and in Redis."""
    await sessions.end_session(visit.runtime, visit.session)
    response = see_other("/console/login")
    response.del_cookie(sessions.COOKIE, path="/console")
    return response


async def switch_language(request: web.Request) -> web.StreamResponse:
    """GET /console/language/{lang}?next=…: show the console in English or Nepali."""
    lang = request.match_info["lang"]
    if lang not in LANGUAGES:
        raise web.HTTPNotFound()
    response = see_other(safe_next(request.query.get("next")))
    response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="Lax",
                        secure=is_https(request), path="/console", max_age=_YEAR)
    return response


def setup(app: web.Application) -> None:
    """The login, logout and language routes."""
    app.router.add_get("/console/login", login_page, name="console.login")
    app.router.add_post("/console/login", login_submit, name="console.login.submit")
    app.router.add_get("/console/language/{lang}", switch_language, name="console.language")
    PAGE.add_to(app)
