"""Passwords in the console, over HTTP on loopback: an admin resets another operator's
(their sessions end), anyone changes their own (the current one required), CSRF holds."""

from __future__ import annotations

import pytest

from bot.console import accounts
from tests.console.conftest import PASSWORD, Client, ConsoleServer, add_operator, csrf_of

NEW = "a brand new passphrase"


async def _hash_of(console: ConsoleServer, name: str) -> str:
    async with console.runtime.pool.acquire() as conn:
        return str(await conn.fetchval(
            "SELECT password_hash FROM console_operators WHERE username = $1", name))


async def test_an_admin_resets_a_password_and_the_operators_sessions_end(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "asha", "admin")
    await add_operator(console.runtime, "ram", "operator")
    ram = console.client()
    try:
        await ram.login("ram")
        assert (await ram.get("/console"))[0] == 200
        await client.login("asha")
        _, html, _ = await client.form("/console/operators", "/console/operators/ram/password",
                                       {"new_password": NEW, "new_password_again": NEW})
        assert "New password set for ram; their sessions have ended." in html
        status, _, response = await ram.get("/console")
        assert status == 303 and response.headers["Location"].startswith("/console/login")
        assert (await ram.login("ram", PASSWORD))[0] == 401
        assert (await ram.login("ram", NEW))[0] == 303
        assert (await ram.get("/console"))[0] == 200
    finally:
        await ram.close()
    assert (await _hash_of(console, "ram")).startswith("$argon2id$")
    async with console.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT actor, action, details::text AS d FROM audit_log"
                                  " WHERE target = 'operator:ram' AND action LIKE 'operator.%'"
                                  " ORDER BY id DESC LIMIT 1")
    assert (row["actor"], row["action"]) == ("console:asha", "operator.password_reset")
    assert NEW not in row["d"] and "argon2" not in row["d"]


async def test_the_two_new_passwords_must_match(console: ConsoleServer,
                                                client: Client) -> None:
    await add_operator(console.runtime, "asha", "admin")
    await add_operator(console.runtime, "ram", "operator")
    before = await _hash_of(console, "ram")
    await client.login("asha")
    _, html, _ = await client.form("/console/operators", "/console/operators/ram/password",
                                   {"new_password": NEW, "new_password_again": NEW + "x"})
    assert "The two new passwords are not the same." in html
    assert await _hash_of(console, "ram") == before


@pytest.mark.parametrize("role", ["viewer", "operator"])
async def test_only_an_admin_resets_another_operators_password(
        console: ConsoleServer, client: Client, role: str) -> None:
    await add_operator(console.runtime, "vera", role)
    await add_operator(console.runtime, "asha", "admin")
    before = await _hash_of(console, "asha")
    await client.login("vera")
    _, page, _ = await client.get("/console/password")
    status, html, _ = await client.post("/console/operators/asha/password", {
        "csrf_token": csrf_of(page), "new_password": NEW, "new_password_again": NEW})
    assert status == 403 and "needs the admin role" in html
    assert await _hash_of(console, "asha") == before


async def test_an_operator_changes_their_own_password_and_stays_logged_in(
        console: ConsoleServer, client: Client) -> None:
    await add_operator(console.runtime, "vera", "viewer")
    other = console.client()
    try:
        await other.login("vera")
        await client.login("vera")
        _, html, _ = await client.form("/console/password", "/console/password", {
            "current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW})
        assert "Your password is changed; other sessions have ended." in html
        assert (await client.get("/console"))[0] == 200
        assert (await other.get("/console"))[0] == 303
    finally:
        await other.close()
    async with console.runtime.pool.acquire() as conn:
        assert await accounts.authenticate(conn, "vera", NEW) is not None
        assert await conn.fetchval("SELECT action FROM audit_log WHERE target = 'operator:vera'"
                                   " AND action LIKE 'operator.%' ORDER BY id DESC LIMIT 1"
                                   ) == "operator.password_change"


async def test_a_wrong_current_password_is_refused(console: ConsoleServer,
                                                   client: Client) -> None:
    await add_operator(console.runtime, "vera", "viewer")
    before = await _hash_of(console, "vera")
    await client.login("vera")
    _, html, _ = await client.form("/console/password", "/console/password", {
        "current_password": "not my password", "new_password": NEW,
        "new_password_again": NEW})
    assert "The current password is not right." in html
    assert await _hash_of(console, "vera") == before
    assert (await client.get("/console"))[0] == 200


@pytest.mark.parametrize("path", ["/console/password", "/console/operators/ram/password"])
async def test_a_password_form_without_its_csrf_token_is_refused(
        console: ConsoleServer, client: Client, path: str) -> None:
    await add_operator(console.runtime, "asha", "admin")
    await add_operator(console.runtime, "ram", "operator")
    before = (await _hash_of(console, "asha"), await _hash_of(console, "ram"))
    await client.login("asha")
    status, html, _ = await client.post(path, {
        "current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW})
    assert status == 403 and "out of date or was not sent from the console" in html
    assert (await _hash_of(console, "asha"), await _hash_of(console, "ram")) == before


async def test_the_password_page_is_worded_in_nepali_too(console: ConsoleServer,
                                                         client: Client) -> None:
    await add_operator(console.runtime, "vera", "viewer")
    await client.login("vera")
    client.http.cookie_jar.update_cookies({"khaacho_lang": "ne"})
    _, html, _ = await client.get("/console/password")
    assert "हालको पासवर्ड" in html
