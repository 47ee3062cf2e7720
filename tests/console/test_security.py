"""The console's locks, over plain HTTP on loopback: login, roles, CSRF, cookies, limits, expiry."""

from __future__ import annotations

import asyncio
import re
import time

import orjson
import pytest
from aiohttp.test_utils import TestServer

from bot.console import accounts, sessions
from bot.console.login_limits import ACCOUNT_SCOPE, IP_SCOPE
from bot.kv import create_redis
from bot.processes import create_app
from bot.runtime import Runtime
from bot.web.app import web_application
from tests.console.conftest import (
    PASSWORD,
    Client,
    ConsoleServer,
    add_operator,
    csrf_of,
    serving_console,
)
from tests.conversation.conftest import add_retailer

SHOP = "9779812000055"
# A value for each path parameter of the console's routes.
SAMPLE = {"number": "1001", "phone": SHOP, "id": "1", "username": "ram"}


def console_routes(method: str) -> list[str]:
    """Every console route of `method` (paths with their parameters filled in)."""
    paths = []
    for resource in web_application().router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter")
        if not path or not path.startswith("/console") or path.startswith(
                ("/console/login", "/console/language", "/console/static")):
            continue
        if any(r.method == method for r in resource):
            paths.append(re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path))
    assert paths
    return paths


async def test_no_console_page_opens_without_login(client: Client) -> None:
    for path in console_routes("GET"):
        status, _, response = await client.get(path)
        assert status == 303, path
        assert response.headers["Location"].startswith("/console/login?next="), path


async def test_no_console_form_is_taken_without_login(console: ConsoleServer,
                                                      client: Client) -> None:
    await add_retailer(console.runtime, SHOP)
    for path in console_routes("POST"):
        status, _, response = await client.post(path, {"amount": "100", "method": "cash",
                                                       "reason": "x", "csrf_token": "x"})
        assert status == 303 and response.headers["Location"].startswith("/console/login"), path
    async with console.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments") == 0


async def test_the_login_page_sends_back_where_you_were_going(console: ConsoleServer,
                                                              client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    await client.get("/console/orders?status=pending")
    _, page, _ = await client.get("/console/login?next=/console/orders%3Fstatus%3Dpending")
    status, _, response = await client.post("/console/login", {
        "csrf_token": csrf_of(page), "username": "sita", "password": PASSWORD,
        "next": "/console/orders?status=pending"})
    assert status == 303 and response.headers["Location"] == "/console/orders?status=pending"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/console",
                                    "/webhook", "/console\\@evil.example"])
async def test_after_login_only_console_paths_are_followed(console: ConsoleServer,
                                                           client: Client, target: str) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    _, page, _ = await client.get("/console/login")
    _, _, response = await client.post("/console/login", {
        "csrf_token": csrf_of(page), "username": "sita", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/console"


async def test_a_viewer_reads_but_cannot_post(console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "vera", "viewer")
    await add_retailer(console.runtime, SHOP)
    await client.login("vera")
    status, page, _ = await client.get(f"/console/retailers/{SHOP}")
    assert status == 200 and 'id="payment-form"' not in page  # no form offered
    status, html, _ = await client.post(f"/console/retailers/{SHOP}/payment", {
        "csrf_token": csrf_of(page), "amount": "100", "method": "cash"})
    assert status == 403 and "needs the operator role" in html
    async with console.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments") == 0


async def test_only_admins_manage_operators(console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await client.login("sita")
    status, html, _ = await client.get("/console/operators")
    assert status == 403 and "needs the admin role" in html
    _, page, _ = await client.get("/console")
    assert "/console/operators" not in page  # not in the menu either
    status, _, _ = await client.post("/console/operators/add", {
        "csrf_token": csrf_of(page), "username": "mallory", "role": "admin",
        "password": "0123456789abc"})
    assert status == 403
    async with console.runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM console_operators WHERE username = 'mallory'") == 0


async def test_an_admin_adds_and_disables_an_operator_and_it_is_audited(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "asha", "admin")
    await client.login("asha")
    _, html, _ = await client.form("/console/operators", "/console/operators/add", {
        "username": "ram", "role": "viewer", "password": "a long enough one"})
    assert "Account ram added." in html
    _, html, _ = await client.form("/console/operators", "/console/operators/ram/disable", {})
    assert "Account ram disabled." in html
    async with console.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT actor, action, details FROM audit_log "
                                "WHERE target = 'operator:ram' ORDER BY id")
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("console:asha", "operator.add"), ("console:asha", "operator.disable")]
    assert rows[0]["details"]["ip"] == "127.0.0.1"


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
async def test_a_form_without_its_csrf_token_is_refused(console: ConsoleServer, client: Client,
                                                        token: str | None) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await add_retailer(console.runtime, SHOP)
    await client.login("sita")
    data = {"amount": "100", "method": "cash"}
    if token is not None:
        data["csrf_token"] = token
    status, html, _ = await client.post(f"/console/retailers/{SHOP}/payment", data)
    assert status == 403 and "out of date or was not sent from the console" in html
    async with console.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments") == 0


async def test_another_sessions_csrf_token_is_refused(console: ConsoleServer,
                                                      client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    await add_retailer(console.runtime, SHOP)
    other = console.client()
    try:
        await other.login("sita")
        _, page, _ = await other.get("/console")
        theirs = csrf_of(page)
    finally:
        await other.close()
    await client.login("sita")
    status, _, _ = await client.post(f"/console/retailers/{SHOP}/payment", {
        "csrf_token": theirs, "amount": "100", "method": "cash"})
    assert status == 403


async def test_the_login_form_needs_its_own_csrf_token(console: ConsoleServer,
                                                       client: Client) -> None:
    await add_operator(console.runtime, "sita", "operator")
    status, _, response = await client.post("/console/login", {
        "username": "sita", "password": PASSWORD, "csrf_token": "guess"})
    assert status == 403 and sessions.COOKIE not in response.cookies


async def test_the_session_cookie_is_httponly_lax_and_scoped_to_the_console(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    _, _, response = await client.login("sita")
    cookie = response.cookies[sessions.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/console"
    assert not cookie["secure"]  # plain HTTP on loopback: a Secure cookie would never return


@pytest.mark.parametrize(("trusted", "secure"), [(True, True), (False, False)])
async def test_the_cookie_is_secure_behind_a_trusted_https_proxy_only(
        runtime: Runtime, trusted: bool, secure: bool) -> None:
    async with serving_console(runtime, console_trust_forwarded_proto=trusted) as served:
        await add_operator(served.runtime, "sita", "viewer")
        c = served.client()
        try:
            _, page, _ = await c.get("/console/login")
            async with c.http.post(served.url + "/console/login", allow_redirects=False,
                                   headers={"X-Forwarded-Proto": "https"}, data={
                                       "csrf_token": csrf_of(page), "username": "sita",
                                       "password": PASSWORD}) as r:
                assert r.status == 303
                assert bool(r.cookies[sessions.COOKIE]["secure"]) is secure
        finally:
            await c.close()


async def test_console_pages_load_nothing_from_other_sites(console: ConsoleServer,
                                                           client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    await client.login("sita")
    status, html, response = await client.get("/console")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for asset in re.findall(r'(?:src|href)="(/console/static/[^"]+)"', html):
        status, body, _ = await client.get(asset.replace("&amp;", "&"))
        assert status == 200 and body, asset


async def test_wrong_password_and_unknown_user_get_the_same_answer(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    s1, wrong, _ = await client.login("sita", "not the password")
    s2, unknown, _ = await client.login("nobody", "not the password")
    assert s1 == s2 == 401
    assert "Wrong username or password." in wrong and "Wrong username or password." in unknown


async def test_failed_logins_are_limited_per_account_even_with_the_right_password(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    limit = console.runtime.settings.console_login_failures
    for _ in range(limit):
        status, _, _ = await client.login("sita", "guess-guess")
        assert status == 401
    status, html, response = await client.login("sita")
    assert status == 429 and "Too many failed logins" in html
    assert int(response.headers["Retry-After"]) > 0
    await console.runtime.redis.delete(console.runtime.keys.ratelimit(ACCOUNT_SCOPE, "sita"))
    status, _, _ = await client.login("sita")
    assert status == 303  # the window over, the right password works again


async def test_failed_logins_are_limited_per_ip_across_accounts(runtime: Runtime) -> None:
    async with serving_console(runtime, console_login_ip_failures=3,
                               console_login_failures=100) as served:
        await add_operator(served.runtime, "sita", "viewer")
        c = served.client()
        try:
            for name in ("a1", "a2", "a3"):
                status, _, _ = await c.login(name, "guess-guess")
                assert status == 401
            status, _, _ = await c.login("sita")
            assert status == 429
        finally:
            await c.close()
            await runtime.redis.delete(runtime.keys.ratelimit(IP_SCOPE, "127.0.0.1"))


async def test_a_right_login_clears_the_accounts_failures(console: ConsoleServer,
                                                          client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    limit = console.runtime.settings.console_login_failures
    for _ in range(limit - 1):
        await client.login("sita", "guess-guess")
    assert (await client.login("sita"))[0] == 303
    assert await console.runtime.redis.get(
        console.runtime.keys.ratelimit(ACCOUNT_SCOPE, "sita")) is None


async def test_logout_ends_the_session_for_that_cookie(console: ConsoleServer,
                                                       client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    _, _, response = await client.login("sita")
    token = response.cookies[sessions.COOKIE].value
    _, page, _ = await client.get("/console")
    status, _, _ = await client.post("/console/logout", {"csrf_token": csrf_of(page)})
    assert status == 303
    thief = console.client()
    try:
        thief.http.cookie_jar.update_cookies({sessions.COOKIE: token})
        status, _, _ = await thief.get("/console")
        assert status == 303  # the old cookie names nothing
    finally:
        await thief.close()


async def test_a_session_ends_after_the_idle_time(runtime: Runtime) -> None:
    async with serving_console(runtime, console_idle_minutes=1 / 60) as served:
        await add_operator(served.runtime, "sita", "viewer")
        c = served.client()
        try:
            await c.login("sita")
            assert (await c.get("/console"))[0] == 200
            await asyncio.sleep(2.2)
            assert (await c.get("/console"))[0] == 303
        finally:
            await c.close()


async def test_a_session_ends_at_its_absolute_limit_even_when_used(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    _, _, response = await client.login("sita")
    key = sessions._key(console.runtime, response.cookies[sessions.COOKIE].value)
    data = orjson.loads(await console.runtime.redis.get(key))
    hours = console.runtime.settings.console_session_hours
    data["started_at"] = time.time() - hours * 3600 - 1
    await console.runtime.redis.set(key, orjson.dumps(data), keepttl=True)
    assert (await client.get("/console"))[0] == 303
    assert await console.runtime.redis.get(key) is None


async def test_a_disabled_account_is_logged_out_at_its_next_request(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "sita", "viewer")
    await client.login("sita")
    async with console.runtime.pool.acquire() as conn:
        await accounts.disable_account(conn, "sita", actor="test")
    assert (await client.get("/console"))[0] == 303
    assert (await client.login("sita"))[0] == 401


async def test_an_outage_is_a_page_asking_to_retry_not_json(runtime: Runtime) -> None:
    down = create_redis("redis://127.0.0.1:9/0")  # nothing listens: Redis is "down"
    try:
        broken = Runtime(runtime.settings.model_copy(update={"conversation_workers": 0}),
                         runtime.pool, down, runtime.keys)
        server = TestServer(create_app(broken), host="127.0.0.1", port=0)
        await server.start_server()
        try:
            c = ConsoleServer(str(server.make_url("")).rstrip("/"), broken).client()
            c.http.cookie_jar.update_cookies({sessions.COOKIE: "some-session"})
            status, html, response = await c.get("/console/orders")
            login_status, _, _ = await c.get("/console/login")
            await c.close()
        finally:
            await server.close()
    finally:
        await down.aclose()
    assert status == 503 and response.headers["Retry-After"]
    assert response.content_type == "text/html"
    assert "is not answering just now" in html and "Request id" in html
    assert login_status == 503  # the login page too
