"""On-call can see inside: metrics move with a conversation, log lines follow a
message by request id with masked phones, and one sender's flood waits alone."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterator

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import metrics_endpoint
from bot.logs import JsonFormatter
from bot.metrics import SENDS
from bot.runtime import Runtime
from jobs.health import make_app
from jobs.runner import get_job, run_job
from tests.channel.conftest import RunningSimulator, signed, text_envelope
from tests.channel.dispatch import running, wait_until
from tests.ops.helpers import serving

RETAILER = "9779812345123"
_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)$')


def parse_metrics(text: str) -> dict[str, float]:
    """`name{labels}` → value for every sample line of a scrape."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not exposition format: {line!r}"
        out[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return out


async def scrape(client: TestClient) -> dict[str, float]:
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_metrics(await resp.text())


async def post_text(client: TestClient, sender: str, body: str, wamid: str,
                    request_id: str | None = None) -> int:
    data, headers = signed(text_envelope(sender, body, wamid))
    if request_id:
        headers["X-Request-Id"] = request_id
    resp = await client.post("/webhook", data=data, headers=headers)
    await resp.read()
    return resp.status


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every log line of the process, as the production formatter writes it, at INFO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _delta(after: dict[str, float], before: dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_a_conversation_moves_the_counters(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Postgres figures, fresh per scrape.
    monkeypatch.setattr(metrics_endpoint, "CACHE_SECONDS", 0.0)
    async with serving(runtime) as client:
        before = await scrape(client)
        assert await post_text(client, RETAILER, "namaste", "wamid.m1") == 200
        assert await post_text(client, RETAILER, "Ram Kirana", "wamid.m2") == 200
        after = await scrape(client)
    assert _delta(after, before, 'khaacho_messages_total{type="text"}') == 2
    assert _delta(after, before, 'khaacho_webhook_requests_total{outcome="ok"}') == 2
    assert _delta(after, before, 'khaacho_webhook_latency_seconds_count{outcome="ok"}') == 2
    assert _delta(after, before, 'khaacho_lock_wait_seconds_count{outcome="acquired"}') == 2
    transitions = sum(v for k, v in after.items() if k.startswith("khaacho_flow_transitions"))
    transitions_before = sum(v for k, v in before.items()
                             if k.startswith("khaacho_flow_transitions"))
    assert transitions > transitions_before
    # Scrape-time figures straight from Postgres: the replies wait in the outbox.
    assert after['khaacho_outbox_depth{status="pending"}'] >= 2
    assert after["khaacho_outbox_oldest_pending_age_seconds"] >= 0
    assert after['khaacho_orders{status="pending"}'] == 0


async def test_a_handled_message_logs_its_request_id_and_a_masked_phone(
    runtime: Runtime, json_log: io.StringIO
) -> None:
    async with serving(runtime) as client:
        assert await post_text(client, RETAILER, "namaste dai", "wamid.log1",
                               request_id="req-follow-me") == 200
    lines = [orjson.loads(line) for line in json_log.getvalue().splitlines()]
    handled = [x for x in lines if x["msg"] == "message handled"]
    assert len(handled) == 1
    assert handled[0]["request_id"] == "req-follow-me"
    assert handled[0]["sender"] == "97XXXXXXXX123"
    assert RETAILER not in json_log.getvalue()
    assert "namaste dai" not in json_log.getvalue()  # bodies only at DEBUG
    async with runtime.pool.acquire() as conn:
        ids = await conn.fetch("SELECT request_id FROM outbox")
    assert ids and {r["request_id"] for r in ids} == {"req-follow-me"}


async def test_one_senders_flood_gets_429_while_another_sender_is_served(
    runtime: Runtime,
) -> None:
    rt = Runtime(runtime.settings.model_copy(update={"sender_rate_limit": 3,
                                                     "sender_rate_window_seconds": 60}),
                 runtime.pool, runtime.redis, runtime.keys)
    flooder, other = "9779800000777", "9779800000888"
    async with serving(rt) as one, serving(rt) as two:
        statuses = [await post_text(one if i % 2 else two, flooder, f"spam {i}", f"wamid.f{i}")
                    for i in range(5)]
        data, headers = signed(text_envelope(flooder, "spam again", "wamid.f99"))
        refused = await one.post("/webhook", data=data, headers=headers)
        other_status = await post_text(two, other, "namaste", "wamid.o1")
    assert statuses == [200, 200, 200, 429, 429]
    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert other_status == 200
    async with runtime.pool.acquire() as conn:
        handled = await conn.fetch("SELECT wamid FROM inbound_messages ORDER BY wamid")
    # The refused messages were not claimed: WhatsApp's redelivery will handle them.
    assert [r["wamid"] for r in handled] == ["wamid.f0", "wamid.f1", "wamid.f2", "wamid.o1"]


async def test_the_worker_serves_its_job_and_send_metrics(runtime: Runtime) -> None:
    result = await run_job(runtime, get_job("analytics"),
                           dt.datetime(2026, 3, 8, 4, 35, tzinfo=dt.UTC))
    assert result.outcome == "ok"
    scheduler = AsyncIOScheduler(timezone="Asia/Kathmandu")
    client = TestClient(TestServer(make_app(runtime, scheduler)))
    await client.start_server()
    try:
        scraped = await scrape(client)
    finally:
        await client.close()
    assert scraped['khaacho_job_runs_total{job="analytics",outcome="ok"}'] >= 1
    assert scraped['khaacho_job_duration_seconds_count{job="analytics"}'] >= 1


async def test_one_request_id_follows_a_message_from_webhook_to_outbox_to_send(
    runtime: Runtime, json_log: io.StringIO, simulator: RunningSimulator,
    http: aiohttp.ClientSession,
) -> None:
    sent_before = SENDS.value(result="sent", code="none")
    async with serving(runtime) as client:
        assert await post_text(client, RETAILER, "namaste", "wamid.e2e1",
                               request_id="req-e2e-1") == 200
    async with running(runtime, http, simulator.api_url):
        async def all_sent() -> bool:
            async with runtime.pool.acquire() as conn:
                return bool(await conn.fetchval(
                    "SELECT count(*) > 0 AND bool_and(status = 'sent') FROM outbox"))
        await wait_until(all_sent)
    lines = [orjson.loads(line) for line in json_log.getvalue().splitlines()]
    traced = [x["msg"] for x in lines if x.get("request_id") == "req-e2e-1"]
    assert "request" in traced            # the webhook's access line
    assert "message handled" in traced    # the pipeline
    assert "message sent" in traced       # the dispatcher, from the outbox row's request id
    sent = next(x for x in lines if x["msg"] == "message sent")
    assert sent["recipient"] == "97XXXXXXXX123"
    assert SENDS.value(result="sent", code="none") > sent_before
