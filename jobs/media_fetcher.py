"""The media fetcher: downloads what retailers sent into `media_files`, promptly and durably.

The conversation worker records an arrival in the operator inbox
(bot/conversation/media_intake.py) and NOTIFYs `media_fetch`; this loop (in the
worker process, beside the outbox dispatcher) then does what Meta documents:
`GET {WHATSAPP_API_URL}/{media-id}` with the bearer token gives `url`,
`mime_type`, `sha256`, `file_size`; `GET url` with the token gives the bytes.
The url expires in minutes, so each try asks for a fresh one.

- Claimed with `FOR UPDATE SKIP LOCKED` under a lease: any number of fetchers;
  one killed mid-download leaves the item to be claimed again.
- A failed try (timeout, 5xx, a sha256 that does not match) is retried with
  backoff; after `max_attempts` the item is `failed` (kept in the inbox for
  operators, bytes never stored as good), the retailer asked to send it again and
  the operators alerted (one alert per item: the order in it may be lost).
- A file over MEDIA_MAX_BYTES (by Meta's `file_size` or by what arrives) is
  `refused`, and the retailer told politely, in their language.
- The bytes are stored and the item marked in one transaction.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg

from bot.db import wake_on_notify
from bot.store import alerts as alert_store
from bot.store import media as media_store
from bot.store import operator_inbox
from bot.store import outbox as outbox_store
from bot.transient import TRANSIENT
from bot.whatsapp.client import GraphClient, MediaInfo, SendFailed
from bot.whatsapp.errors import Disposition
from domain.alerts import Alert, AlertKind
from flows.i18n import digits, t
from flows.replies import Outgoing, Text

log = logging.getLogger(__name__)
_INFRA_ERRORS = (*TRANSIENT, asyncpg.PostgresError)


@dataclass(frozen=True, slots=True)
class FetcherConfig:
    """Tunables; the defaults suit production (a url lives about five minutes)."""

    max_bytes: int = media_store.DEFAULT_MAX_BYTES
    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 120.0
    lease_seconds: float = 300.0  # beyond two 60 s requests: a slow try is not taken twice
    concurrency: int = 4
    idle_poll: float = 5.0


def sha256_matches(expected: str | None, data: bytes) -> bool:
    """Whether `data` has the digest Meta reported: hex (GET /{media-id}) or base64 (webhooks)."""
    if not expected:
        return True  # nothing to check against; the size cap still applies
    digest = hashlib.sha256(data).digest()
    value = expected.strip()
    if len(value) == 64:
        try:
            return bytes.fromhex(value) == digest
        except ValueError:
            pass
    try:
        return base64.b64decode(value, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


class _Refused(Exception):
    """The file will not be kept (too large): final, and the retailer is told."""


class _TryAgain(Exception):
    """This try failed; the item is retried later (or failed after the last try)."""


class MediaFetcher:
    """One fetcher loop; run more (here or in other workers) for more downloads at once."""

    def __init__(self, pool: asyncpg.Pool, graph: GraphClient, dsn: str, *,
                 config: FetcherConfig | None = None) -> None:
        self.config = config or FetcherConfig()
        self._pool = pool
        self._graph = graph
        self._dsn = dsn
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Fetch until `stop()`."""
        listen = asyncio.get_running_loop().create_task(self._listen())
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    done = await self.fetch_due()
                except _INFRA_ERRORS as exc:
                    log.warning("media fetcher cannot claim: %s", exc)
                    done = 0
                    await self._sleep(1.0)
                if done:
                    continue
                await self._sleep(await self._idle_timeout())
        finally:
            listen.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listen

    async def stop(self) -> None:
        """Ask the loop to finish after the downloads it has started."""
        self._stopping.set()
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _idle_timeout(self) -> float:
        try:
            async with self._pool.acquire() as conn:
                due = await operator_inbox.next_due_in(conn)
        except _INFRA_ERRORS:
            return 1.0
        return self.config.idle_poll if due is None else min(self.config.idle_poll, due + 0.01)

    async def _listen(self) -> None:
        await wake_on_notify(self._dsn, operator_inbox.NOTIFY_CHANNEL,
                             lambda _payload: self._wake.set(), "media fetcher")

    async def fetch_due(self) -> int:
        """Claim and fetch the downloads due now; returns how many were tried."""
        async with self._pool.acquire() as conn:
            claimed = await operator_inbox.claim_fetches(conn, self.config.concurrency,
                                                         self.config.lease_seconds)
        if claimed:
            await asyncio.gather(*(self._fetch(item) for item in claimed))
        return len(claimed)

    async def drain(self, max_seconds: float = 30.0) -> None:
        """Fetch until nothing is due (tests and one-shot use); retries wait their backoff."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        while loop.time() < deadline:
            if await self.fetch_due():
                continue
            async with self._pool.acquire() as conn:
                due = await operator_inbox.next_due_in(conn)
            if due is None:
                return
            await asyncio.sleep(min(due + 0.01, 1.0))

    async def _fetch(self, item: operator_inbox.Fetch) -> None:
        try:
            data, info = await self._download(item)
            async with self._pool.acquire() as conn, conn.transaction():
                stored = await media_store.save(
                    conn, data, mime_type=info.mime_type or item.mime_type or
                    "application/octet-stream", filename=item.filename, direction="inbound",
                    wa_media_id=item.wa_media_id, max_bytes=self.config.max_bytes)
                await operator_inbox.fetched(conn, item.id, stored.id)
            log.info("inbound media stored", extra={"inbox_id": item.id,
                                                    "media_file_id": stored.id,
                                                    "bytes": stored.file_size})
        except _Refused as refused:
            await self._final(item, "refused", str(refused))
        except media_store.MediaRefused as refused:
            if refused.reason == "too_large":
                await self._final(item, "refused", str(refused))
            else:
                await self._retry(item, str(refused))
        except _TryAgain as failure:
            await self._retry(item, str(failure))
        except _INFRA_ERRORS as exc:
            # The lease hands the item to a later try; nothing was marked.
            log.warning("media fetcher cannot record item %s: %s", item.id, exc)

    async def _download(self, item: operator_inbox.Fetch) -> tuple[bytes, MediaInfo]:
        info = await self._graph.media_info(item.wa_media_id)
        if isinstance(info, SendFailed):
            raise _TryAgain(f"media lookup: {info.code or info.http_status} {info.title}")
        if info.file_size is not None and info.file_size > self.config.max_bytes:
            raise _Refused(f"file of {info.file_size} bytes is over {self.config.max_bytes}")
        data = await self._graph.download(info.url, self.config.max_bytes)
        if isinstance(data, SendFailed):
            if data.disposition is Disposition.PERMANENT and data.http_status is not None and (
                    200 <= data.http_status < 300):
                raise _Refused(data.title)  # over the cap while streaming
            raise _TryAgain(f"download: {data.code or data.http_status} {data.title}")
        expected = info.sha256 or item.wa_sha256
        if not sha256_matches(expected, data):
            raise _TryAgain("sha256 does not match the bytes received")
        if info.file_size is not None and info.file_size != len(data):
            raise _TryAgain(f"got {len(data)} bytes, Meta said {info.file_size}")
        return data, info

    async def _retry(self, item: operator_inbox.Fetch, error: str) -> None:
        ceiling = min(self.config.max_delay,
                      self.config.base_delay * (2 ** min(item.download_attempts, 20)))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                lost = await operator_inbox.fetch_failed(
                    conn, item.id, error, retry_in=delay, max_attempts=self.config.max_attempts)
                if lost:
                    await self._tell(conn, item, t(item.language, "media.lost"))
                    await alert_store.raise_alert(conn, _lost_alert(item, error), details={
                        "inbox_id": item.id, "sender": item.sender, "kind": item.kind,
                        "error": error[:200]})
        except _INFRA_ERRORS as exc:
            log.warning("media fetcher cannot record a failure of item %s: %s", item.id, exc)
            return
        log.log(logging.ERROR if lost else logging.WARNING, "inbound media download failed",
                extra={"inbox_id": item.id, "error": error, "final": lost})

    async def _final(self, item: operator_inbox.Fetch, outcome: str, reason: str) -> None:
        limit = digits(item.language, str(max(1, self.config.max_bytes // (1024 * 1024))))
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                await operator_inbox.refused(conn, item.id, reason)
                await self._tell(conn, item, t(item.language, "media.too_large", limit=limit))
        except _INFRA_ERRORS as exc:
            log.warning("media fetcher cannot record item %s %s: %s", item.id, outcome, exc)
            return
        log.warning("inbound media refused", extra={"inbox_id": item.id, "reason": reason})

    @staticmethod
    async def _tell(conn: asyncpg.Connection, item: operator_inbox.Fetch, body: str) -> None:
        await outbox_store.enqueue(conn, [Outgoing(item.sender, Text(body),
                                                   correlation=f"inbox:{item.id}")])


def _lost_alert(item: operator_inbox.Fetch, error: str) -> Alert:
    """The operators' alert for a file that could not be downloaded after every try."""
    return Alert(AlertKind.MEDIA_FAILED, f"inbox:{item.id}",
                 f"the {item.kind} {item.sender} sent (inbox {item.id}) could not be "
                 f"downloaded ({error[:80]}); they were asked to send it again: "
                 f"khaacho inbox show {item.id}")


async def start(runtime: Any, scheduler: Any) -> Callable[[], Awaitable[None]]:
    """Worker component: one media fetcher with the runtime's settings."""
    settings = runtime.settings
    session = aiohttp.ClientSession()
    graph = GraphClient(session, settings.whatsapp_api_url, settings.whatsapp_phone_number_id,
                        settings.whatsapp_access_token.get_secret_value(), timeout=60.0)
    fetcher = MediaFetcher(runtime.pool, graph, settings.database_url,
                           config=FetcherConfig(max_bytes=settings.media_max_bytes))
    task = asyncio.get_running_loop().create_task(fetcher.run())

    async def stop() -> None:
        await fetcher.stop()
        try:
            await asyncio.wait_for(task, 30)
        finally:
            await session.close()

    return stop
