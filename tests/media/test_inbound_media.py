"""Photos, voice notes, documents and locations from retailers, over the simulator.

The file goes in as WhatsApp sends it (a webhook naming a media id the
simulator hosts); the fetcher downloads it the way Meta documents; an
operator turns it into a cart the retailer confirms.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from pathlib import Path

import aiohttp
import pytest

from bot.dev import sim_media
from bot.services import operator_inbox as inbox_service
from bot.services.operator_actions import ActionError
from bot.store import alerts as alert_store
from bot.store import media as media_store
from bot.store import operator_inbox
from domain.alerts import AlertKind
from tests.conversation.conftest import VENDOR_PHONE, Stack, add_retailer, choice, texts
from tests.conversation.test_cli import run_cli
from tests.media.conftest import FAST_FETCH, Fetching, make_fetcher

PHONE = "9779812000301"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
OGG = b"OggS\x00\x02" + bytes(range(200)) * 5
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
# A cap below the JPEG's size.
SMALL_CAP = dataclasses.replace(FAST_FETCH, max_bytes=1024)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _stored_bytes(stack: Stack, item: operator_inbox.InboxItem) -> bytes | None:
    assert item.media_file_id is not None
    async with stack.runtime.pool.acquire() as conn:
        return await media_store.read_bytes(conn, item.media_file_id)


async def test_a_photo_without_caption_lands_in_the_inbox_with_its_bytes_intact(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("image", JPEG, "image/jpeg")
    finally:
        await chat.close()
    assert "A person from our team will prepare your order" in texts(replies)
    await fetching.fetched()
    (item,) = await fetching.items()
    assert (item.kind, item.caption, item.state, item.download) == (
        "image", None, "open", "done")
    assert item.shop_name == "Ram Kirana" and item.sender == PHONE
    assert item.file_sha256 == _sha(JPEG) and item.file_size == len(JPEG)
    assert await _stored_bytes(stack, item) == JPEG


async def test_a_photos_caption_is_read_as_the_order_and_the_photo_is_kept(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("image", JPEG, "image/jpeg", caption="chini 10 kg")
    finally:
        await chat.close()
    review = replies[-1]
    assert "Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.body
    assert [c.title for c in review.choices] == ["Confirm", "Edit", "Cancel"]
    assert "A person from our team" not in texts(replies)
    await fetching.fetched()
    (item,) = await fetching.items()
    assert item.caption == "chini 10 kg" and item.caption_read
    assert await _stored_bytes(stack, item) == JPEG


async def test_a_photos_caption_that_is_not_an_order_gets_the_person_will_prepare_it_reply(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("image", JPEG, "image/jpeg", caption="see list")
    finally:
        await chat.close()
    assert "A person from our team will prepare your order" in texts(replies)
    assert "didn't understand" not in texts(replies)
    await fetching.fetched()
    (item,) = await fetching.items()
    assert item.caption == "see list" and item.caption_read
    assert await _stored_bytes(stack, item) == JPEG


async def test_a_nepali_photo_caption_that_is_not_an_order_is_answered_in_nepali(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("image", JPEG, "image/jpeg", caption="yo hernus")
    finally:
        await chat.close()
    assert "तपाईंको फोटो पाइयो" in texts(replies)


async def test_the_same_words_typed_without_a_photo_still_get_the_didnt_understand_reply(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("see list")
    finally:
        await chat.close()
    assert "didn't understand" in texts(replies)
    assert "A person from our team" not in texts(replies)


async def test_a_voice_note_lands_in_the_inbox_and_the_retailer_is_told_in_nepali(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE, language="ne")
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("audio", OGG, "audio/ogg; codecs=opus", voice=True)
    finally:
        await chat.close()
    assert "भ्वाइस म्यासेज पाइयो" in texts(replies)
    await fetching.fetched()
    (item,) = await fetching.items()
    assert item.kind == "voice" and item.mime_type == "audio/ogg; codecs=opus"
    assert item.file_sha256 == _sha(OGG)
    assert await _stored_bytes(stack, item) == OGG


async def test_a_document_lands_in_the_inbox_under_its_file_name(fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_media("document", PDF, "application/pdf",
                                        filename="order-list.pdf")
    finally:
        await chat.close()
    assert "I got your file" in texts(replies)
    await fetching.fetched()
    (item,) = await fetching.items()
    assert (item.kind, item.filename) == ("document", "order-list.pdf")
    assert await _stored_bytes(stack, item) == PDF


async def test_a_download_that_fails_once_is_retried_and_then_stored(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    stack.sim.media.fail_downloads(1)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", JPEG, "image/jpeg")
    finally:
        await chat.close()
    await fetching.fetched()
    (item,) = await fetching.items()
    assert item.download == "done" and item.download_attempts == 2
    assert stack.sim.media.downloads == 2
    assert await _stored_bytes(stack, item) == JPEG


async def test_bytes_that_do_not_match_their_sha256_are_never_stored_as_good(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.mark_read()
        env = sim_media.media_envelope(
            stack.sim, PHONE, "image",
            stack.sim.media.files[stack.sim.media.add(JPEG, "image/jpeg")])
        media_id = env["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
        stack.sim.media.corrupt(media_id)
        assert await stack.sim.post_webhook(env) == 200
        await chat.replies()
        await fetching.fetched()
        told = await chat.replies()
    finally:
        await chat.close()
    (item,) = await fetching.items()
    assert item.download == "failed" and item.media_file_id is None
    assert item.download_attempts == FAST_FETCH.max_attempts
    assert "sha256" in (item.download_error or "")
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM media_files") == 0
    assert "could not receive the file" in texts(told)


async def test_a_download_that_fails_for_good_alerts_the_operators_once(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.mark_read()
        env = sim_media.media_envelope(
            stack.sim, PHONE, "image",
            stack.sim.media.files[stack.sim.media.add(JPEG, "image/jpeg")])
        media_id = env["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
        stack.sim.media.corrupt(media_id)
        assert await stack.sim.post_webhook(env) == 200
        await chat.replies()
        await fetching.fetched()
        await fetching.fetched()  # nothing left to try: no second alert
    finally:
        await chat.close()
    (item,) = await fetching.items()
    assert item.download == "failed"
    async with stack.runtime.pool.acquire() as conn:
        alerts = await alert_store.open_alerts(conn)
    (alert,) = [a for a in alerts if a.kind == AlertKind.MEDIA_FAILED]
    assert alert.dedupe_key == f"media_failed:inbox:{item.id}"
    assert PHONE in alert.subject and f"khaacho inbox show {item.id}" in alert.subject
    assert alert.details["inbox_id"] == item.id


async def test_a_download_that_succeeds_raises_no_alert(fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", JPEG, "image/jpeg")
    finally:
        await chat.close()
    await fetching.fetched()
    async with stack.runtime.pool.acquire() as conn:
        alerts = await alert_store.open_alerts(conn)
    assert [a for a in alerts if a.kind == AlertKind.MEDIA_FAILED] == []


async def test_a_file_over_the_cap_is_refused_politely(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    async with aiohttp.ClientSession() as session:
        fetcher = make_fetcher(stack, session, SMALL_CAP)
        try:
            await chat.send_media("image", JPEG, "image/jpeg")
            await fetcher.drain(max_seconds=20)
            told = await chat.replies()
        finally:
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        (item,) = await operator_inbox.list_items(conn)
        assert await conn.fetchval("SELECT count(*) FROM media_files") == 0
    assert item.download == "refused" and item.media_file_id is None
    assert "too large" in texts(told)
    # Refused from Meta's file_size, before any byte was fetched.
    assert stack.sim.media.downloads == 0


async def test_a_redelivered_photo_is_one_inbox_item(fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    hosted = stack.sim.media.files[stack.sim.media.add(JPEG, "image/jpeg")]
    env = sim_media.media_envelope(stack.sim, PHONE, "image", hosted)
    assert await stack.sim.post_webhook(env) == 200
    assert await stack.sim.post_webhook(env) == 200
    await fetching.fetched()
    assert len(await fetching.items()) == 1


async def test_an_operator_turns_a_photo_into_a_cart_the_retailer_confirms(
        fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", JPEG, "image/jpeg")
        await fetching.fetched()
        (item,) = await fetching.items()
        async with stack.runtime.pool.acquire() as conn:
            await inbox_service.cart_from_item(conn, item.id, "chini 10 kg, 2 bora sona",
                                               actor="sita")
        replies = await chat.replies(expect=2)
        assert "Our team prepared this cart from what you sent" in texts(replies)
        review = replies[-1]
        assert "Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.body
        assert "Sona Mansuli Rice 25kg — 2 bags × Rs 2,250 = Rs 4,500" in review.body
        placed = await chat.tap(choice(review, "rv:confirm"))
        assert "Order #1001 placed with Shrestha Traders" in texts(placed)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        order = await conn.fetchrow(
            "SELECT o.total, o.item_count FROM orders o JOIN retailers r "
            "ON r.id = o.retailer_id WHERE r.phone = $1", PHONE)
        carted = await operator_inbox.get(conn, item.id)
        audited = await conn.fetchval(
            "SELECT actor FROM audit_log WHERE action = 'inbox.cart'")
    assert order is not None and order["item_count"] == 2
    assert carted is not None and carted.state == "carted" and carted.handled_by == "sita"
    assert audited == "sita"


async def test_a_cart_for_a_sender_who_is_not_a_retailer_is_refused(
        fetching: Fetching) -> None:
    stack = fetching.stack
    stranger = "9779812000399"
    hosted = stack.sim.media.files[stack.sim.media.add(JPEG, "image/jpeg")]
    assert await stack.sim.post_webhook(
        sim_media.media_envelope(stack.sim, stranger, "image", hosted)) == 200
    (item,) = await fetching.items()
    async with stack.runtime.pool.acquire() as conn:
        with pytest.raises(ActionError) as refused:
            await inbox_service.cart_from_item(conn, item.id, "chini 10 kg", actor="sita")
    assert refused.value.status == 409


async def test_a_shared_location_becomes_the_delivery_pin(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send_location(27.7172, 85.324, name="Ram Kirana",
                                           address="Kalanki, Kathmandu")
    finally:
        await chat.close()
    assert "Saved as your delivery location: Ram Kirana, Kalanki, Kathmandu" in texts(replies)
    async with stack.runtime.pool.acquire() as conn:
        pin = await operator_inbox.pin_of(conn, PHONE)
    assert pin is not None and (pin.latitude, pin.longitude) == (27.7172, 85.324)
    assert pin.retailer_id is not None and pin.address == "Kalanki, Kathmandu"


async def test_a_vendor_sending_a_photo_gets_the_vendor_reply_not_the_inbox(
        stack: Stack) -> None:
    chat = stack.chat(VENDOR_PHONE)
    try:
        replies = await chat.send_media("image", JPEG, "image/jpeg")
    finally:
        await chat.close()
    assert replies and "A person from our team" not in texts(replies)
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM operator_inbox") == 0


@pytest.fixture
def cli_env(fetching: Fetching, monkeypatch: pytest.MonkeyPatch) -> Fetching:
    s = fetching.stack.runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("REDIS_URL", s.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", s.redis_key_prefix)
    return fetching


async def test_the_inbox_commands_list_show_and_close_an_item(
        cli_env: Fetching, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    stack = cli_env.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("document", PDF, "application/pdf", filename="list.pdf")
    finally:
        await chat.close()
    await cli_env.fetched()
    capsys.readouterr()
    assert await run_cli("inbox", "list", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["retailer"], row["kind"], row["state"]) == (
        f"Ram Kirana ({PHONE})", "document", "open")
    out = tmp_path / "got.pdf"
    assert await run_cli("inbox", "show", str(row["id"]), "--out", str(out), "--json") == 0
    assert json.loads(capsys.readouterr().out)["file"] == str(out)
    assert out.read_bytes() == PDF
    assert await run_cli("inbox", "done", str(row["id"])) == 0
    capsys.readouterr()
    assert await run_cli("inbox", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


async def test_the_fetcher_loop_downloads_as_soon_as_it_is_notified(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with aiohttp.ClientSession() as session:
        fetcher = make_fetcher(stack, session)
        task = asyncio.get_running_loop().create_task(fetcher.run())
        try:
            await asyncio.sleep(0.3)
            chat = stack.chat(PHONE)
            try:
                await chat.send_media("image", JPEG, "image/jpeg")
            finally:
                await chat.close()
            for _ in range(100):
                async with stack.runtime.pool.acquire() as conn:
                    if await operator_inbox.pending_downloads(conn) == 0:
                        break
                await asyncio.sleep(0.05)
        finally:
            await fetcher.stop()
            await asyncio.wait_for(task, 10)
    async with stack.runtime.pool.acquire() as conn:
        (item,) = await operator_inbox.list_items(conn)
    assert item.download == "done"


async def test_the_inbox_and_its_downloads_show_in_metrics(
        fetching: Fetching, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import metrics_endpoint

    monkeypatch.setattr(metrics_endpoint, "CACHE_SECONDS", 0.0)
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", JPEG, "image/jpeg")
    finally:
        await chat.close()

    async def figures() -> dict[str, float]:
        async with aiohttp.ClientSession() as http, http.get(
                stack.bot_url.replace("/webhook", "/metrics")) as resp:
            text = await resp.text()
        return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in text.splitlines()
                                         if line.startswith("khaacho_operator_inbox_items"))}

    key = 'khaacho_operator_inbox_items{state="open",download="%s"}'
    assert (await figures())[key % "pending"] == 1
    await fetching.fetched()
    after = await figures()
    assert (after[key % "pending"], after[key % "done"]) == (0, 1)


async def test_a_photo_of_several_megabytes_arrives_intact(fetching: Fetching) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    big = b"\xff\xd8\xff\xe0" + bytes(range(256)) * (3 * 4096) + b"\xff\xd9"
    chat = stack.chat(PHONE)
    try:
        await chat.send_media("image", big, "image/jpeg")
    finally:
        await chat.close()
    await fetching.fetched()
    (item,) = await fetching.items()
    assert item.file_size == len(big) and item.file_sha256 == _sha(big)
    assert await _stored_bytes(stack, item) == big
