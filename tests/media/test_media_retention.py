"""Retention of media bytes: old files lose their bytes, files still needed keep them."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Runtime
from bot.store import media as media_store
from jobs import retention
from jobs.job import JobContext

NOW = dt.datetime(2026, 12, 2, 3, 20, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=200)
PDF = b"%PDF-1.4\n" + bytes(100)


async def _file(runtime: Runtime, when: dt.datetime, direction: str = "outbound") -> int:
    async with runtime.pool.acquire() as conn, conn.transaction():
        file = await media_store.save(conn, PDF, mime_type="application/pdf",
                                      filename="x.pdf", direction=direction)
        await conn.execute("UPDATE media_files SET created_at = $2 WHERE id = $1", file.id, when)
        return file.id


async def _bytes(runtime: Runtime, file_id: int) -> bytes | None:
    async with runtime.pool.acquire() as conn:
        return await media_store.read_bytes(conn, file_id)


async def test_old_media_bytes_are_purged_and_the_record_stays(runtime: Runtime) -> None:
    old, recent = await _file(runtime, OLD), await _file(runtime, NOW)
    await retention.run(JobContext(runtime), NOW)
    assert await _bytes(runtime, old) is None and await _bytes(runtime, recent) == PDF
    async with runtime.pool.acquire() as conn:
        kept = await media_store.get(conn, old)
    assert kept is not None and kept.purged and kept.file_size == len(PDF)
    assert kept.sha256 == media_store.sha256_hex(PDF)


async def test_the_bytes_of_a_file_still_to_be_sent_are_kept(runtime: Runtime) -> None:
    file_id = await _file(runtime, OLD)
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, media_file_id) "
            "VALUES ('9779800000001', 'document', '{}'::jsonb, $1)", file_id)
    await retention.run(JobContext(runtime), NOW)
    assert await _bytes(runtime, file_id) == PDF


async def test_the_bytes_of_an_open_inbox_item_are_kept_until_it_is_closed(
        runtime: Runtime) -> None:
    file_id = await _file(runtime, OLD, "inbound")
    async with runtime.pool.acquire() as conn:
        item = await conn.fetchval(
            "INSERT INTO operator_inbox (wamid, sender, kind, wa_media_id, media_file_id, "
            "download, received_at) VALUES ('wamid.x', '9779800000001', 'image', 'm1', $1, "
            "'done', $2) RETURNING id", file_id, OLD)
    await retention.run(JobContext(runtime), NOW)
    assert await _bytes(runtime, file_id) == PDF
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE operator_inbox SET state = 'done' WHERE id = $1", item)
    await retention.run(JobContext(runtime), NOW)
    assert await _bytes(runtime, file_id) is None
