"""Sending stored files: upload to the simulated Cloud API, then send by media id."""

from __future__ import annotations

import hashlib

import aiohttp
import pytest

from bot.runtime import Runtime
from bot.store import media as media_store
from bot.store import outbox as outbox_store
from bot.whatsapp.outbound import OutboundLimitError, render
from flows.replies import Document, Image
from tests.channel.conftest import RunningSimulator
from tests.channel.dispatch import running, statuses, wait_until

A = "9779800000001"
# A minimal, well-formed one-page PDF (what the invoice work will hand over).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n" + bytes(range(256)))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


async def _store(runtime: Runtime, data: bytes, mime: str, name: str | None) -> int:
    async with runtime.pool.acquire() as conn, conn.transaction():
        return (await media_store.save(conn, data, mime_type=mime, filename=name)).id


async def _enqueue(runtime: Runtime, file_id: int, caption: str | None = None) -> int:
    async with runtime.pool.acquire() as conn, conn.transaction():
        return await outbox_store.enqueue_media(conn, A, file_id, caption=caption)


async def _sent_status(runtime: Runtime, row_id: int) -> str:
    return (await statuses(runtime)).get(row_id, "")


async def test_an_uploaded_pdf_reaches_the_api_as_a_document_with_its_bytes_intact(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    file_id = await _store(runtime, PDF, "application/pdf", "invoice-1042.pdf")
    row_id = await _enqueue(runtime, file_id, "Invoice 1042")
    async with running(runtime, http, simulator.api_url):
        await wait_until(lambda: len(simulator.sim.sent) == 1)
    (sent,) = simulator.sim.sent
    assert sent.type == "document" and sent.to == A
    assert sent.payload["document"]["filename"] == "invoice-1042.pdf"
    assert sent.payload["document"]["caption"] == "Invoice 1042"
    delivered = simulator.sim.media.sent_bytes(sent.payload)
    assert delivered is not None
    assert hashlib.sha256(delivered).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert simulator.sim.media.get(sent.payload["document"]["id"]).mime_type == "application/pdf"
    assert await _sent_status(runtime, row_id) in ("sent", "delivered")


async def test_a_png_is_sent_as_an_image(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    file_id = await _store(runtime, PNG, "image/png", "qr.png")
    await _enqueue(runtime, file_id, "Scan to pay")
    async with running(runtime, http, simulator.api_url):
        await wait_until(lambda: len(simulator.sim.sent) == 1)
    (sent,) = simulator.sim.sent
    assert sent.type == "image" and sent.payload["image"]["caption"] == "Scan to pay"
    assert simulator.sim.media.sent_bytes(sent.payload) == PNG


async def test_a_live_upload_is_reused_instead_of_uploading_again(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    file_id = await _store(runtime, PDF, "application/pdf", "statement.pdf")
    async with running(runtime, http, simulator.api_url):
        await _enqueue(runtime, file_id)
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await _enqueue(runtime, file_id)
        await wait_until(lambda: len(simulator.sim.sent) == 2)
    assert simulator.sim.media.uploads == 1
    ids = {m.payload["document"]["id"] for m in simulator.sim.sent}
    assert len(ids) == 1


async def test_an_upload_older_than_meta_keeps_it_is_uploaded_again(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    file_id = await _store(runtime, PDF, "application/pdf", "statement.pdf")
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE media_files SET wa_media_id = 'gone', "
                           "wa_uploaded_at = now() - interval '30 days' WHERE id = $1", file_id)
    await _enqueue(runtime, file_id)
    async with running(runtime, http, simulator.api_url):
        await wait_until(lambda: len(simulator.sim.sent) == 1)
    assert simulator.sim.media.uploads == 1
    assert simulator.sim.sent[0].payload["document"]["id"] != "gone"


async def test_an_upload_that_fails_with_a_server_error_is_retried(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.media.fail_uploads(1)
    file_id = await _store(runtime, PDF, "application/pdf", "invoice.pdf")
    row_id = await _enqueue(runtime, file_id)
    async with running(runtime, http, simulator.api_url):
        await wait_until(lambda: len(simulator.sim.sent) == 1)
    async with runtime.pool.acquire() as conn:
        outcomes = [r["outcome"] for r in await conn.fetch(
            "SELECT outcome FROM outbox_attempts WHERE outbox_id = $1 ORDER BY id", row_id)]
    assert outcomes == ["retry", "sent"]


async def test_a_media_upload_error_131053_fails_the_row_without_retrying(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.media.fail_uploads(1, code=131053)
    file_id = await _store(runtime, PDF, "application/pdf", "invoice.pdf")
    row_id = await _enqueue(runtime, file_id)
    async with running(runtime, http, simulator.api_url):
        async def failed() -> bool:
            return await _sent_status(runtime, row_id) == "failed"
        await wait_until(failed)
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT attempts, error_code FROM outbox WHERE id = $1",
                                  row_id)
    assert row["error_code"] == 131053 and row["attempts"] == 1
    assert simulator.sim.sent == []


async def test_the_simulator_refuses_an_upload_whose_mime_type_is_wrong(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    form = aiohttp.FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("type", "audio/ogg")
    form.add_field("file", PDF, filename="voice.ogg", content_type="audio/ogg")
    async with http.post(f"{simulator.api_url}/{simulator.sim.phone_number_id}/media",
                         data=form, headers={"Authorization": "Bearer test-access-token"}) as r:
        body = await r.json()
    assert r.status == 400 and body["error"]["code"] == 131053


async def test_the_simulator_refuses_an_unsupported_mime_type(
    simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    form = aiohttp.FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("type", "application/x-msdownload")
    form.add_field("file", b"MZ\x90\x00", filename="x.exe",
                   content_type="application/x-msdownload")
    async with http.post(f"{simulator.api_url}/{simulator.sim.phone_number_id}/media",
                         data=form, headers={"Authorization": "Bearer test-access-token"}) as r:
        body = await r.json()
    assert r.status == 400 and body["error"]["code"] == 131053


async def test_the_store_refuses_a_file_over_the_cap(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        with pytest.raises(media_store.MediaRefused) as refused:
            await media_store.save(conn, PDF, mime_type="application/pdf", max_bytes=100)
    assert refused.value.reason == "too_large"


async def test_the_store_refuses_bytes_that_are_not_their_declared_type(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        with pytest.raises(media_store.MediaRefused) as refused:
            await media_store.save(conn, b"not a pdf", mime_type="application/pdf")
    assert refused.value.reason == "mismatch"


def test_a_document_renders_without_an_id_until_the_dispatcher_uploads_it() -> None:
    payload = render(A, Document(7, "invoice.pdf", "Invoice"))
    assert payload["type"] == "document"
    assert payload["document"] == {"filename": "invoice.pdf", "caption": "Invoice"}


def test_a_reply_naming_no_stored_file_is_refused() -> None:
    with pytest.raises(OutboundLimitError):
        render(A, Image(0))


async def test_a_send_refused_for_good_forgets_the_upload_so_a_retry_uploads_again(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.fail("error", code=131053, count=1)
    file_id = await _store(runtime, PDF, "application/pdf", "invoice.pdf")
    row_id = await _enqueue(runtime, file_id)
    async with running(runtime, http, simulator.api_url):
        async def failed() -> bool:
            return await _sent_status(runtime, row_id) == "failed"
        await wait_until(failed)
        async with runtime.pool.acquire() as conn:
            assert await media_store.live_upload(conn, file_id) is None
            await outbox_store.retry(conn, [row_id])
        await wait_until(lambda: len(simulator.sim.sent) == 1)
    assert simulator.sim.media.uploads == 2
    assert simulator.sim.media.sent_bytes(simulator.sim.sent[0].payload) == PDF
