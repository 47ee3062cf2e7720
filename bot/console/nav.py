"""The console's navigation: one entry per page, shown when its route exists and the role allows.

An entry names the route (`name=` in the page's `ConsoleRoutes`), so a page
appears in the menu as soon as its module is registered in `bot.console.site.PAGES`
— no dead links for pages not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.console.accounts import Account, Role


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A menu item: the route it opens, the word key of its label, the least role."""

    route: str
    label: str
    role: Role = "viewer"


NAV: tuple[NavEntry, ...] = (
    NavEntry("console.dashboard", "nav.dashboard"),
    NavEntry("console.orders", "nav.orders"),
    NavEntry("console.retailers", "nav.retailers"),
    NavEntry("console.vendors", "nav.vendors"),
    NavEntry("console.conversations", "nav.conversations"),
    NavEntry("console.inbox", "nav.inbox"),
    NavEntry("console.outbox", "nav.outbox"),
    NavEntry("console.catalogue", "nav.catalogue"),
    NavEntry("console.reports", "nav.reports"),
    NavEntry("console.operators", "nav.operators", role="admin"),
    NavEntry("console.password", "nav.password"),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry ready for the template."""

    href: str
    label: str


def visible_nav(app: web.Application, account: Account) -> tuple[NavLink, ...]:
    """The entries this account may open whose pages exist in this app."""
    named = app.router.named_resources()
    return tuple(NavLink(named[e.route].canonical, e.label) for e in NAV
                 if e.route in named and account.may(e.role))
