"""Every admin/order API endpoint: 401 without a valid token, 403 for a viewer's write."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from bot.auth import issue_token
from bot.runtime import Runtime
from bot.web.endpoints import Endpoint
from bot.web.ops import api_tables
from tests.conftest import TEST_JWT_SECRET
from tests.ops.helpers import bearer, serving

ENDPOINTS: list[Endpoint] = [ep for table in api_tables() for ep in table.endpoints]


def _concrete(path: str) -> str:
    # Path parameters are typed by name (bot.web.endpoints.PATH_SCHEMAS): a phone is a phone.
    return re.sub(r"\{[^}]+\}", "1001", path.replace("{phone}", "9812345123"))


def _ids(ep: Endpoint) -> str:
    return f"{ep.method} {ep.path}"


@pytest.mark.parametrize("ep", ENDPOINTS, ids=_ids)
async def test_no_token_is_401(runtime: Runtime, ep: Endpoint) -> None:
    async with serving(runtime) as client:
        resp = await client.request(ep.method, _concrete(ep.path))
        body = await resp.json()
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["error"] == "missing bearer token"


@pytest.mark.parametrize("token", [
    "not-a-jwt",
    issue_token("some-other-secret-entirely", "sita"),
    issue_token(TEST_JWT_SECRET, "sita", hours=1, now=1_000_000),  # long expired
])
async def test_bad_tokens_are_401(runtime: Runtime, token: str) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/admin/orders", headers={"Authorization": f"Bearer {token}"})
        body = await resp.json()
    assert resp.status == 401
    assert body["error"].startswith("invalid token")


@pytest.mark.parametrize("ep", [e for e in ENDPOINTS if e.write], ids=_ids)
async def test_a_viewer_cannot_write(runtime: Runtime, ep: Endpoint) -> None:
    async with serving(runtime) as client:
        resp = await client.request(ep.method, _concrete(ep.path),
                                    headers=bearer(role="viewer"), json={})
    assert resp.status == 403


@pytest.mark.parametrize("ep", [e for e in ENDPOINTS if not e.write], ids=_ids)
async def test_a_viewer_can_read(runtime: Runtime, ep: Endpoint) -> None:
    async with serving(runtime) as client:
        resp = await client.request(ep.method, _concrete(ep.path), headers=bearer(role="viewer"))
    assert resp.status in (200, 404)


async def test_writes_are_declared_for_every_mutating_method() -> None:
    for ep in ENDPOINTS:
        if ep.method != "GET":
            assert ep.write, _ids(ep)


async def test_without_a_jwt_secret_every_call_is_refused(runtime: Runtime) -> None:
    rt = Runtime(runtime.settings.model_copy(update={"jwt_secret": SecretStr("")}),
                 runtime.pool, runtime.redis, runtime.keys)
    forged = issue_token("x" * 16, "mallory")  # signed with a guessable key
    async with serving(rt) as client:
        resp = await client.get("/api/admin/orders", headers={"Authorization": f"Bearer {forged}"})
        body = await resp.json()
    assert resp.status == 503
    assert "JWT" not in body["error"]
