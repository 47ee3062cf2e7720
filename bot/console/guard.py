"""The one guard every console page goes through: login, role, CSRF, audit context.

A page module declares its routes on a `ConsoleRoutes` table:

    PAGE = ConsoleRoutes()

    @PAGE.get("/console/orders", name="console.orders")            # viewers read
    async def orders(visit: Visit) -> web.StreamResponse:
        return await visit.render("orders.html", {"rows": ...})

    @PAGE.post("/console/orders/{number}/cancel", name="console.order.cancel")  # operators act
    async def cancel(visit: Visit) -> web.StreamResponse:
        ...                                   # visit.form is parsed and its CSRF token checked
        return await visit.done(f"/console/orders/{n}", visit.t("order.cancelled"))

Before a handler runs, the guard has: found the session the cookie names (else
the login page), loaded its account and refused a disabled one, checked the
role (`viewer` < `operator` < `admin`; GET defaults to viewer, POST to
operator), and for every POST read the form and compared its `csrf_token` with
the session's. A POST that an operator action refuses (`ActionError`,
`FormError`, `AccountError`, `PartyError`) comes back to the page the form is on — the POST's
path without its last segment — with the reason shown, never a 500. Any other
failure is a page too (`as_pages`: outage 503, bad data 400, bug 500 with the
request id), never the API's JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from bot import audit_context
from bot.console import sessions
from bot.console.accounts import Account, AccountError, Role, find_account
from bot.console.nav import visible_nav
from bot.console.words import language_of, translator
from bot.runtime import Runtime
from bot.services.operator_actions import ActionError
from bot.services.parties import PartyError
from bot.transient import TRANSIENT
from bot.web.keys import RUNTIME
from bot.web.middleware import (
    BAD_DATA,
    RETRY_AFTER_SECONDS,
    client_ip,
    request_id,
    unstorable,
)

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
# Pages may load only what the app serves itself: no CDN, no inline script.
CONSOLE_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
               "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class FormError(Exception):
    """A form field is missing or not valid: shown to the operator on the form's page."""


@dataclass(slots=True)
class Visit:
    """One authorised request to a console page: who, from where, in which language."""

    request: web.Request
    runtime: Runtime
    account: Account
    session: sessions.ConsoleSession
    lang: str
    # A POST's fields (a file upload is a FileField); None on GET.
    form: MultiDictProxy[str | bytes | bytearray | FileField] | None = None
    _t: Callable[..., str] = field(default=translator("en"))

    @property
    def actor(self) -> str:
        """Who to name in audit trails and order events: `console:<username>`."""
        return f"console:{self.account.username}"

    def audit_context(self) -> dict[str, Any]:
        """What an audit row of this write records besides the action: from where, how."""
        return {"via": "console", "ip": client_ip(self.request), "role": self.account.role,
                "request_id": request_id(self.request),
                "user_agent": self.request.headers.get("User-Agent", "")[:200]}

    def t(self, key: str, **values: object) -> str:
        """The page's wording for `key` in this visit's language."""
        return self._t(key, **values)

    def field(self, name: str, *, required: bool = True, max_length: int = 200) -> str:
        """A form field, whitespace trimmed; FormError when required and empty or too long."""
        raw = self.form.get(name, "") if self.form is not None else ""
        value = raw.strip() if isinstance(raw, str) else ""
        if required and not value:
            raise FormError(self.t("form.required", field=self.t(f"field.{name}")))
        if len(value) > max_length:
            raise FormError(self.t("form.too_long", field=self.t(f"field.{name}"),
                                   n=max_length))
        return value

    async def render(self, template: str, context: Mapping[str, Any], *,
                     status: int = 200) -> web.Response:
        """The page from `template` inside the base layout, with this visit's helpers."""
        flashes = await sessions.take_flashes(self.runtime, self.session)
        return render_page(self.request, template, {
            **context, "account": self.account, "csrf": self.session.csrf,
            "flashes": flashes, "nav": visible_nav(self.request.app, self.account)},
            lang=self.lang, status=status)

    async def not_found(self) -> web.Response:
        """The 404 page (no such order, shop, vendor or row)."""
        return await self.render("refused.html", {"message": self.t("error.not_found")},
                                 status=404)

    async def done(self, location: str, message: str) -> web.Response:
        """After a write: back to `location` (303) with `message` shown there."""
        await sessions.add_flash(self.runtime, self.session, "ok", message)
        return see_other(location)

    async def refused(self, location: str, message: str) -> web.Response:
        """A write refused: back to `location` (303) with why."""
        await sessions.add_flash(self.runtime, self.session, "error", message)
        return see_other(location)


def see_other(location: str) -> web.Response:
    """A 303 to `location` (after a POST the browser GETs it)."""
    return web.Response(status=303, headers={"Location": location})


def render_page(request: web.Request, template: str, context: Mapping[str, Any], *,
                lang: str, status: int = 200) -> web.Response:
    """Render a console template with the language helpers and the console's headers."""
    response = aiohttp_jinja2.render_template(template, request, {
        **context, "lang": lang, "t": translator(lang), "path": request.path,
        "path_qs": request.path_qs}, status=status)
    return console_headers(response)


def console_headers(response: web.Response) -> web.Response:
    """The console's own CSP (its assets only) and no caching of operators' pages."""
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["Cache-Control"] = "no-store"
    # Same-origin referrers only: nothing leaves for other sites.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def is_https(request: web.Request) -> bool:
    """Served over HTTPS: directly, or behind a proxy whose X-Forwarded-Proto is trusted."""
    if request.secure:
        return True
    settings = request.app[RUNTIME].settings
    return settings.console_trust_forwarded_proto and (
        request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https")




def _to_login(request: web.Request) -> web.Response:
    target = request.path_qs if request.method == "GET" else "/console"
    return see_other(f"/console/login?next={quote(target, safe='/')}")


Handler = Callable[[Visit], Awaitable[web.StreamResponse]]


def _back(route: ConsoleRoute, request: web.Request) -> str:
    """Where a refused POST returns: the route's `back`, else its page (the path's parent)."""
    if route.back:
        return route.back.format_map(request.match_info)
    # An action's URL is its page's URL plus one segment (…/orders/1001/cancel).
    parent = request.path.rstrip("/").rpartition("/")[0]
    return parent if parent.startswith("/console") else "/console"


@dataclass(frozen=True, slots=True)
class ConsoleRoute:
    """A declared console route: its method, path, name and the least role it needs."""

    method: str
    path: str
    name: str
    role: Role
    handler: Handler
    back: str | None = None  # where a refused POST returns: a path with {match_info} names


RequestHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def as_pages(handler: RequestHandler) -> RequestHandler:
    """Errors as pages: what would be the API's JSON error is a page in the operator's
    language, with the request id to quote (outage 503, bad data 400, a bug 500)."""

    async def shielded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except BAD_DATA:  # before TRANSIENT: asyncpg's client-side one is an InterfaceError
            log.warning("bad data reached the database", extra={"path": request.path})
            return _problem_page(request, 400, "error.bad_data")
        except TRANSIENT as exc:
            log.warning("dependency unavailable", extra={"path": request.path,
                                                         "error": type(exc).__name__})
            page = _problem_page(request, 503, "error.unavailable")
            page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return page
        except Exception:
            log.exception("unhandled error", extra={"path": request.path,
                                                     "method": request.method})
            return _problem_page(request, 500, "error.internal")

    shielded.__name__ = handler.__name__
    shielded.__doc__ = handler.__doc__
    return shielded


def guarded(route: ConsoleRoute) -> RequestHandler:
    """The aiohttp handler running `route.handler` only for a logged-in, allowed account."""

    @as_pages
    async def handle(request: web.Request) -> web.StreamResponse:
        runtime = request.app[RUNTIME]
        lang = language_of(request)
        session = await sessions.load_session(runtime, request.cookies.get(sessions.COOKIE))
        if session is None:
            return _to_login(request)
        async with runtime.pool.acquire() as conn:
            account = await find_account(conn, session.username)
        if account is None or not account.active or (
                account.sessions_since is not None
                and session.started_at < account.sessions_since.timestamp()):
            # Disabled, or its password was set after this session began.
            await sessions.end_session(runtime, session)
            return _to_login(request)
        visit = Visit(request, runtime, account, session, lang, _t=translator(lang))
        if request.method == "POST":
            form = await request.post()
            visit.form = form
            sent = form.get(CSRF_FIELD)
            if not session.csrf_matches(sent if isinstance(sent, str) else None):
                log.warning("console form without a valid CSRF token",
                            extra={"path": request.path, "operator": account.username})
                return await _refusal(visit, 403, "error.csrf")
            if any(isinstance(v, str) and unstorable(v) for v in form.values()):
                # NUL or a lone surrogate: no column stores it; say so rather than fail later.
                return await visit.refused(_back(route, request), visit.t("form.unstorable"))
        if not account.may(route.role):
            return await _refusal(visit, 403, "error.role", role=visit.t(f"role.{route.role}"))
        if request.method != "POST":
            return await route.handler(visit)
        try:
            # Every audit row this write produces says who, from where (bot.audit_context).
            with audit_context.writing_from(visit.audit_context()):
                return await route.handler(visit)
        except (ActionError, FormError, AccountError, PartyError) as exc:
            message = exc.message if isinstance(exc, ActionError) else str(exc)
            return await visit.refused(_back(route, request), message)

    handle.__name__ = route.handler.__name__
    handle.__doc__ = route.handler.__doc__
    return handle


def _problem_page(request: web.Request, status: int, key: str) -> web.Response:
    # No session, flashes or account: whatever failed may be what they need.
    lang = language_of(request)
    t = translator(lang)
    return render_page(request, "problem.html", {
        "message": t(key), "request_id": request_id(request)}, lang=lang, status=status)


async def _refusal(visit: Visit, status: int, key: str, **values: object) -> web.Response:
    return await visit.render("refused.html", {"message": visit.t(key, **values)},
                              status=status)


@dataclass(slots=True)
class ConsoleRoutes:
    """The routes of one console page module, each behind the guard."""

    routes: list[ConsoleRoute] = field(default_factory=list)

    def get(self, path: str, *, name: str, role: Role = "viewer") -> Callable[[Handler], Handler]:
        """Declare a page (viewers may read unless `role` says more)."""
        return self._add("GET", path, name, role)

    def post(self, path: str, *, name: str, role: Role = "operator", back: str | None = None
             ) -> Callable[[Handler], Handler]:
        """Declare a form's action (operators may act unless `role` says admin).

        A refusal returns to `back` (e.g. "/console/retailers/{phone}"), by default
        the action's path without its last segment.
        """
        return self._add("POST", path, name, role, back)

    def _add(self, method: str, path: str, name: str, role: Role, back: str | None = None
             ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(ConsoleRoute(method, path, name, role, handler, back))
            return handler
        return register

    def add_to(self, app: web.Application) -> None:
        """Register every route on the app (GET also answers HEAD)."""
        for route in self.routes:
            if route.method == "GET":
                app.router.add_get(route.path, guarded(route), name=route.name)
            else:
                app.router.add_route(route.method, route.path, guarded(route), name=route.name)
