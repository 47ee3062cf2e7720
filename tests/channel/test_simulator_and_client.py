"""The Cloud API simulator speaks Meta's wire format; the Graph client reads it."""

from __future__ import annotations

import aiohttp
import orjson

from bot.runtime import Runtime
from bot.whatsapp.client import GraphClient, SendFailed, Sent
from bot.whatsapp.errors import Disposition
from bot.whatsapp.outbound import render
from flows.replies import Button, Buttons, Text
from tests.channel.conftest import Bot, RunningSimulator
from tests.channel.dispatch import graph, wait_until
from tests.conftest import TEST_ACCESS_TOKEN, TEST_PHONE_NUMBER_ID

A = "9779800000001"


async def test_an_accepted_message_is_answered_like_meta(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    url = f"{simulator.api_url}/{TEST_PHONE_NUMBER_ID}/messages"
    async with http.post(url, json=render(A, Text("hi")),
                         headers={"Authorization": f"Bearer {TEST_ACCESS_TOKEN}"}) as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": A, "wa_id": A}]
    assert body["messages"][0]["id"].startswith("wamid.")
    assert simulator.sim.sent[0].text == "hi"


async def test_a_wrong_token_is_refused_with_code_190(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    client = GraphClient(http, simulator.api_url, TEST_PHONE_NUMBER_ID, "stolen")
    result = await client.send(render(A, Text("hi")))
    assert isinstance(result, SendFailed)
    assert (result.http_status, result.code, result.disposition) == (
        401, 190, Disposition.PERMANENT)
    assert simulator.sim.sent == []


async def test_a_payload_over_the_limits_is_refused(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    payload = render(A, Buttons("pick", (Button("a", "A"),)))
    payload["interactive"]["action"]["buttons"] *= 4
    result = await graph(http, simulator.api_url).send(payload)
    assert isinstance(result, SendFailed) and result.code == 131009
    assert result.disposition is Disposition.PERMANENT


async def test_the_client_returns_the_message_id(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    result = await graph(http, simulator.api_url).send(render(A, Text("hi")))
    assert isinstance(result, Sent) and result.message_id == simulator.sim.sent[0].wamid


async def test_told_failures_come_back_classified(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    client = graph(http, simulator.api_url, timeout=0.2)
    simulator.sim.fail("http500", count=1)
    simulator.sim.fail("error", code=130429, count=1)
    simulator.sim.fail("error", code=131047, count=1)
    simulator.sim.fail("slow", delay=0.5, count=1)
    results = [await client.send(render(A, Text("hi"))) for _ in range(4)]
    assert [(r.disposition, r.code) for r in results if isinstance(r, SendFailed)] == [
        (Disposition.RETRY, 1), (Disposition.RETRY, 130429),
        (Disposition.OUTSIDE_WINDOW, 131047), (Disposition.RETRY, None)]


async def test_an_unreachable_api_is_a_retryable_failure(http: aiohttp.ClientSession) -> None:
    result = await graph(http, "http://127.0.0.1:9/v23.0").send(render(A, Text("hi")))
    assert isinstance(result, SendFailed) and result.disposition is Disposition.RETRY


async def test_status_webhooks_are_signed_and_accepted_by_the_bot(
    runtime: Runtime, bot: Bot, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.webhook_url = bot.webhook_url
    await graph(http, simulator.api_url).send(render(A, Text("hi")))
    await wait_until(lambda: simulator.sim.requests == 1)

    async def early_recorded() -> bool:
        async with runtime.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM outbox_early_statuses") == 2

    await wait_until(early_recorded, timeout=5)
    assert simulator.sim.webhook_failures == 0


async def test_the_control_surface_works_over_http(
    simulator: RunningSimulator, bot: Bot, http: aiohttp.ClientSession
) -> None:
    simulator.sim.webhook_url = bot.webhook_url
    base = simulator.base_url
    async with http.post(f"{base}/_sim/inbound", json={"from": A, "text": "chini"}) as resp:
        assert resp.status == 200 and (await resp.json())["wamid"].startswith("wamid.")
    assert [r["body"] for r in await bot.effects()] == ["chini"]
    async with http.post(f"{base}/_sim/fail", json={"mode": "http500", "count": 1}) as resp:
        assert resp.status == 200
    result = await graph(http, simulator.api_url).send(render(A, Text("x")))
    assert isinstance(result, SendFailed)
    await graph(http, simulator.api_url).send(render(A, Text("y")))
    async with http.get(f"{base}/_sim/messages", params={"to": A}) as resp:
        assert [m["text"] for m in orjson.loads(await resp.read())] == ["y"]
    async with http.post(f"{base}/_sim/fail", json={"mode": "nonsense"}) as resp:
        assert resp.status == 400
