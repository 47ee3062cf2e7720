"""The operator console: server-rendered pages under /console for the people who run Khaacho.

Layout:
- `site.py` — `setup(app)`: templates (aiohttp-jinja2), static assets served by the
  app itself (no CDN), login, and `PAGES`, the list of page modules.
- `guard.py` — `ConsoleRoutes` and `Visit`: every page behind one guard (session,
  account, role, CSRF on every POST, audit context, refusals shown on the page).
- `accounts.py` — operator accounts (argon2id), `sessions.py` — sessions in Redis,
  `login.py` + `login_limits.py` — log in/out, failed logins limited per account and IP.
- `words.py` — every word in English and Nepali; `formatting.py` — money in lakhs,
  Nepal time with the Bikram Sambat date beside.
- `nav.py` — the menu; `tiles.py` — figures other pages add to the dashboard.
- `pages/` — one module per page; `templates/` — one template per page, all
  extending `base.html`; `static/` — console.css, console.js.

Adding a page (e.g. `/console/inbox`):
1. `bot/console/pages/inbox.py` with `PAGE = ConsoleRoutes()` and handlers
   `@PAGE.get("/console/inbox", name="console.inbox")` taking a `Visit`; forms POST to
   `@PAGE.post("/console/inbox/{id}/cart", name="console.inbox.cart")` (operators by
   default; `role="admin"` for admin-only; `back=` where a refusal returns).
2. `templates/inbox.html` extending `base.html`; every form carries
   `<input type="hidden" name="csrf_token" value="{{ csrf }}">`.
3. Words under `inbox.` in `words.py`, both languages.
4. Add the module to `PAGES` in `site.py`. The `NAV` entry naming `console.inbox`
   already exists, so the menu shows it once the route does. For a dashboard figure,
   give the module `TILES = (source,)` (see tiles.py).
5. Writes call the services the CLI and admin API use with `actor=visit.actor` and
   `context=visit.audit_context()` (who, IP, role, request id) so they are audited.
"""
