"""The webhook over real HTTP, Postgres and Redis: verification, signatures,
bad input, every sample update, exactly-once handling."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from bot.runtime import Runtime
from bot.whatsapp.signature import HEADER
from tests.channel.conftest import Bot, EchoConversation, signed, start_bot, text_envelope
from tests.conftest import TEST_PHONE_NUMBER_ID, TEST_VERIFY_TOKEN

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "sample-updates"
RETAILER = "9779800000001"


# ------------------------------------------------------------------ verification


async def test_verify_handshake_echoes_the_challenge_as_plain_text(bot: Bot) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": TEST_VERIFY_TOKEN,
              "hub.challenge": "1158201444"}
    async with bot.client.get("/webhook", params=params) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/plain"
        assert await resp.text() == "1158201444"


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": TEST_VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
async def test_verify_handshake_is_refused_with_403(bot: Bot, params: dict[str, str]) -> None:
    async with bot.client.get("/webhook", params=params) as resp:
        assert resp.status == 403


# ------------------------------------------------------------------ signatures and bad input


async def test_the_readme_signature_vector_is_accepted(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"whatsapp_app_secret": SecretStr("app_secret")})
    b = await start_bot(Runtime(settings, runtime.pool, runtime.redis, runtime.keys))
    try:
        body = b'{"object":"whatsapp_business_account","entry":[]}'
        sig = "sha256=c236c758c9b2bd40b388a550eeca09eaca72384dd0aa5e7c31d19cddac5bba46"
        async with b.client.post("/webhook", data=body, headers={HEADER: sig}) as resp:
            assert resp.status == 200
    finally:
        await b.client.close()


async def test_a_post_without_signature_is_401(bot: Bot) -> None:
    async with bot.client.post("/webhook", data=orjson.dumps(
            text_envelope(RETAILER, "hi", "wamid.nosig"))) as resp:
        assert resp.status == 401
    assert await bot.effects() == []


async def test_a_post_with_a_wrong_signature_is_403(bot: Bot) -> None:
    body, _ = signed(text_envelope(RETAILER, "hi", "wamid.badsig"))
    _, headers = signed(b"something else")
    async with bot.client.post("/webhook", data=body, headers=headers) as resp:
        assert resp.status == 403
    assert await bot.effects() == []


async def test_a_body_over_3_mb_is_413(bot: Bot) -> None:
    body, headers = signed(b"{" + b" " * (3 * 1024 * 1024) + b"}")
    async with bot.client.post("/webhook", data=body, headers=headers) as resp:
        assert resp.status == 413


async def test_a_signed_body_that_is_not_json_is_set_aside_and_acknowledged(bot: Bot) -> None:
    # Not 400: WhatsApp would redeliver the same bytes for days (tests/hardening/
    # test_webhook_unreadable.py has the dead-letter record).
    body, headers = signed(b"object=whatsapp")
    async with bot.client.post("/webhook", data=body, headers=headers) as resp:
        assert resp.status == 200
        assert (await resp.json())["unreadable"] == "not_json"


async def test_json_of_the_wrong_shape_is_set_aside_with_a_reason(bot: Bot) -> None:
    status, body = await bot.post({"object": "whatsapp_business_account", "entry": "nope"})
    assert status == 200 and body["unreadable"] == "not_envelope"
    assert "entry" in body["error"]


async def test_one_malformed_message_never_costs_the_valid_one_beside_it(bot: Bot) -> None:
    env = text_envelope(RETAILER, "chini 5 kg", "wamid.good")
    messages = env["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {"from": RETAILER, "type": "text", "text": {"body": 5}, "id": "wamid.bad"})
    status, body = await bot.post(env)
    assert status == 200
    assert body["handled"] == 1 and len(body["rejected"]) == 1
    assert [r["wamid"] for r in await bot.effects()] == ["wamid.good"]


# ------------------------------------------------------------------ the sample updates


def _sample_cases() -> list[tuple[str, dict[str, Any]]]:
    if not SAMPLES.is_dir():
        return []
    return [(f"{p.stem}:{name}", env) for p in sorted(SAMPLES.glob("*.json"))
            for name, env in json.loads(p.read_text()).items()]


def _unique_ids(case: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """The samples reuse `wamid.xyzxyz`; give each case its own ids.

    They are addressed to pywa's example number: address them to ours, since a
    message for another phone_number_id is set aside unanswered (issue 19).
    """
    env = copy.deepcopy(envelope)
    for entry in env.get("entry", []):
        for change in entry.get("changes", []):
            meta = change.get("value", {}).get("metadata")
            if isinstance(meta, dict) and "phone_number_id" in meta:
                meta["phone_number_id"] = TEST_PHONE_NUMBER_ID
            for message in change.get("value", {}).get("messages", []) or []:
                message["id"] = f"{message.get('id')}:{case}"
    return env


async def test_every_sample_update_is_accepted_and_routed_or_ignored_by_type(bot: Bot) -> None:
    cases = _sample_cases()
    if not cases:
        pytest.skip("../shared/whatsapp/sample-updates is not beside this checkout")
    routes: dict[str, tuple[int, int]] = {}
    for case, envelope in cases:
        before_effects, before_out = len(await bot.effects()), len(await bot.outbox())
        status, body = await bot.post(_unique_ids(case, envelope))
        assert status == 200, (case, body)
        assert body["rejected"] == [], case
        routes[case] = (len(await bot.effects()) - before_effects,
                        len(await bot.outbox()) - before_out)
    # Readable: handed to the conversation, which replied.
    for case in ("message:text", "message:reply", "message:referral", "callback_button:button",
                 "callback_button:quick_reply", "callback_selection:callback",
                 "flow_completion:completion"):
        assert routes[case] == (1, 1), case
    # Unreadable: no business effect, one polite reply.
    for case in ("message:image", "message:audio", "message:voice", "message:video",
                 "message:document", "message:static_sticker", "message:current_location",
                 "message:contacts", "message:order", "message:unsupported",
                 "message:interactive_message_with_err"):
        assert routes[case] == (0, 1), case
    # Silent: recorded, nothing said.
    for case in ("message:reaction", "system:phone_number_change", "deleted_message:revoke",
                 "edited_message:image", "call_permission_update:accept"):
        assert routes[case] == (0, 0), case
    # Not messages at all: ignored without error.
    for case in ("account_update:account_deleted", "template_status_update:approved",
                 "call_status:call_status", "message_status:failed",
                 "user_marketing_preferences:signup", "outgoing_message:text"):
        assert routes[case] == (0, 0), case


async def test_a_username_user_without_wa_id_is_answered_by_user_id(bot: Bot) -> None:
    env = text_envelope(RETAILER, "hello", "wamid.bsuid")
    value = env["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["from"]
    value["messages"][0]["from_user_id"] = "US.13491208655302741918"
    value["contacts"] = [{"user_id": "US.13491208655302741918", "profile": {"name": "Sita"}}]
    status, _ = await bot.post(env)
    assert status == 200
    (row,) = await bot.outbox()
    assert row["recipient"] == "US.13491208655302741918"


async def test_every_message_of_every_entry_and_change_is_handled(bot: Bot) -> None:
    env = text_envelope(RETAILER, "one", "wamid.m1")
    value = env["entry"][0]["changes"][0]["value"]
    value["messages"].append(dict(value["messages"][0], id="wamid.m2", text={"body": "two"}))
    second = copy.deepcopy(env["entry"][0])
    second["changes"][0]["value"]["messages"] = [
        dict(value["messages"][0], id="wamid.m3", **{"from": "9779800000002"})]
    env["entry"].append(second)
    status, body = await bot.post(env)
    assert status == 200 and body["handled"] == 3
    assert sorted(r["wamid"] for r in await bot.effects()) == ["wamid.m1", "wamid.m2", "wamid.m3"]


async def test_messages_of_one_sender_are_handled_in_the_order_written(bot: Bot) -> None:
    env = text_envelope(RETAILER, "m0", "wamid.o0")
    value = env["entry"][0]["changes"][0]["value"]
    value["messages"] += [dict(value["messages"][0], id=f"wamid.o{i}", text={"body": f"m{i}"})
                          for i in range(1, 6)]
    status, _ = await bot.post(env)
    assert status == 200
    assert [r["payload"]["text"]["body"] for r in await bot.outbox()] == [
        f"echo: m{i}" for i in range(6)]


# ------------------------------------------------------------------ exactly once


async def test_the_same_message_delivered_5_times_concurrently_has_its_effects_once(
    bot: Bot,
) -> None:
    env = text_envelope(RETAILER, "2 bora chamal", "wamid.dup")
    results = await asyncio.gather(*(bot.post(env) for _ in range(5)))
    assert [status for status, _ in results] == [200] * 5
    assert sum(body["handled"] for _, body in results) == 1
    assert sum(body["duplicates"] for _, body in results) == 4
    assert len(await bot.effects()) == 1
    assert len(await bot.outbox()) == 1
    assert bot.conversation.committed == ["wamid.dup"]


async def test_a_redelivery_after_a_redis_flush_is_still_skipped_by_postgres(bot: Bot) -> None:
    env = text_envelope(RETAILER, "hi", "wamid.flush")
    assert (await bot.post(env))[0] == 200
    await bot.runtime.redis.delete(bot.runtime.keys.seen("wamid.flush"))
    status, body = await bot.post(env)
    assert status == 200 and body["duplicates"] == 1
    assert len(await bot.effects()) == 1 and len(await bot.outbox()) == 1


async def test_a_failing_flow_is_acknowledged_and_commits_none_of_its_effects(bot: Bot) -> None:
    # The acknowledgement only persists (issue 15): a bug in a flow no longer
    # turns into a 503; the worker rolls the message back (and, failing again,
    # parks it: tests/channel/test_inbox.py).
    status, body = await bot.post(text_envelope(RETAILER, "boom", "wamid.boom"))
    assert status == 200 and body["handled"] == 1
    assert await bot.effects() == []
    assert bot.conversation.committed == []  # after-commit hooks did not run
    async with bot.runtime.pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM inbound_messages WHERE status = 'done'") == 0


async def test_after_commit_hooks_run_once_the_message_is_committed(bot: Bot) -> None:
    await bot.post(text_envelope(RETAILER, "hi", "wamid.hook"))
    assert bot.conversation.committed == ["wamid.hook"]


async def test_an_unreadable_message_gets_the_conversations_polite_reply(bot: Bot) -> None:
    env = text_envelope(RETAILER, "x", "wamid.sticker")
    message = env["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(type="sticker", sticker={"id": "1", "mime_type": "image/webp"})
    del message["text"]
    assert (await bot.post(env))[0] == 200
    (row,) = await bot.outbox()
    assert "only read text" in row["payload"]["text"]["body"]


async def test_a_second_bot_instance_shares_the_exactly_once_guarantee(runtime: Runtime,
                                                                       bot: Bot) -> None:
    other = await start_bot(runtime, EchoConversation())
    try:
        env = text_envelope(RETAILER, "hi", "wamid.two-instances")
        results = await asyncio.gather(bot.post(env), other.post(env), bot.post(env),
                                       other.post(env))
        assert all(status == 200 for status, _ in results)
        assert len(await bot.effects()) == 1
    finally:
        await other.client.close()


async def test_300_posts_20_at_a_time_are_all_acknowledged_and_each_takes_effect(
        bot: Bot) -> None:
    # The latency is printed, not asserted: it measures the machine as much as the
    # code (p50 0.26-0.69 s on the shared 2-core box at load 4-5, far less idle).
    # `khaacho bench` reports the ack percentiles (issue 15: p99 < 50 ms).
    import statistics
    import time

    latencies: list[float] = []
    gate = asyncio.Semaphore(20)

    async def one(i: int) -> None:
        env = text_envelope(f"97798{i % 50:08d}", f"item {i}", f"wamid.lat{i}")
        async with gate:
            started = time.perf_counter()
            status, _ = await bot.post(env)
            latencies.append(time.perf_counter() - started)
            assert status == 200

    await asyncio.gather(*(one(i) for i in range(300)))
    latencies.sort()
    p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
    print(f"webhook latency over 300 posts, 20 concurrent: p50 {p50 * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms")
    assert len(latencies) == 300
    assert len(await bot.effects()) == 300
