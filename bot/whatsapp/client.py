"""The Graph API client: POST a message payload, get a typed result back.

It never raises for a failed send: timeouts, refused connections, HTTP errors
and Graph error bodies all come back as `SendFailed` with the disposition the
dispatcher acts on (retry, permanent, outside the 24-hour window).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from bot.whatsapp.errors import Disposition, classify


@dataclass(frozen=True, slots=True)
class Sent:
    """WhatsApp accepted the message."""

    message_id: str
    wa_id: str | None
    http_status: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class SendFailed:
    """WhatsApp refused the message, or did not answer."""

    disposition: Disposition
    http_status: int | None
    code: int | None
    title: str
    duration_ms: int
    retry_after: float | None = None


SendResult = Sent | SendFailed


@dataclass(frozen=True, slots=True)
class Uploaded:
    """WhatsApp accepted an upload and named it `media_id` (valid 30 days)."""

    media_id: str
    duration_ms: int


UploadResult = Uploaded | SendFailed


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """`GET /{media-id}`: where to fetch the bytes (the url expires in minutes), what to expect."""

    media_id: str
    url: str
    mime_type: str
    sha256: str | None
    file_size: int | None


class GraphClient:
    """Sends to `{api_url}/{phone_number_id}/messages` with the bearer token."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        phone_number_id: str,
        access_token: str,
        *,
        timeout: float = 15.0,
    ) -> None:
        self._session = session
        self._api_url = api_url.rstrip("/")
        self._phone_number_id = phone_number_id
        self._url = f"{self._api_url}/{phone_number_id}/messages"
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._headers = {**self._auth, "Content-Type": "application/json"}
        # Marketing templates go through Meta's marketing route (MM API for WhatsApp).
        self._marketing_url = f"{self._api_url}/{phone_number_id}/marketing_messages"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def url(self) -> str:
        """Where messages are posted."""
        return self._url

    async def send(self, payload: dict[str, Any], *, marketing: bool = False) -> SendResult:
        """POST one message (a marketing template to `/marketing_messages`); classify the answer.

        The marketing route's body allows only the message fields (its schema has
        `additionalProperties: false`), so the callback data is left off there.
        """
        started = time.monotonic()
        url = self._url
        if marketing:
            url = self._marketing_url
            payload = {k: v for k, v in payload.items() if k != "biz_opaque_callback_data"}

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            async with self._session.post(
                url, data=orjson.dumps(payload), headers=self._headers,
                timeout=self._timeout,
            ) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = _retry_after(resp.headers.get("Retry-After"))
        except TimeoutError:
            return SendFailed(Disposition.RETRY, None, None, "timed out", elapsed())
        except aiohttp.ClientError as exc:
            return SendFailed(Disposition.RETRY, None, None, f"connection: {exc}"[:300], elapsed())
        except asyncio.CancelledError:
            raise
        body = _json(raw)
        if 200 <= status < 300:
            messages = body.get("messages") if isinstance(body, dict) else None
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                mid = messages[0].get("id")
                contacts = body.get("contacts") or [{}]
                wa_id = contacts[0].get("wa_id") if isinstance(contacts[0], dict) else None
                if isinstance(mid, str) and mid:
                    return Sent(mid, wa_id, status, elapsed())
            # A 2xx without a message id is not a send we can track: retrying
            # may duplicate, but losing the reply silently is worse.
            return SendFailed(Disposition.RETRY, status, None, "2xx without message id", elapsed())
        code, title = _graph_error(body)
        return SendFailed(classify(code, status), status, code, title or f"HTTP {status}",
                          elapsed(), retry_after)


    async def upload(self, data: bytes, mime_type: str, filename: str) -> UploadResult:
        """`POST /{phone_number_id}/media` (multipart: file, type, messaging_product).

        Failures are classified like sends: 131053 (media upload error: the
        file or its MIME type is wrong) is permanent, throttling and 5xx retry.
        """
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", data, filename=filename, content_type=mime_type)
        try:
            async with self._session.post(
                f"{self._api_url}/{self._phone_number_id}/media", data=form,
                headers=self._auth, timeout=self._timeout,
            ) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = _retry_after(resp.headers.get("Retry-After"))
        except TimeoutError:
            return SendFailed(Disposition.RETRY, None, None, "upload timed out", elapsed())
        except aiohttp.ClientError as exc:
            return SendFailed(Disposition.RETRY, None, None, f"connection: {exc}"[:300], elapsed())
        body = _json(raw)
        if 200 <= status < 300:
            media_id = body.get("id") if isinstance(body, dict) else None
            if isinstance(media_id, str) and media_id:
                return Uploaded(media_id, elapsed())
            return SendFailed(Disposition.RETRY, status, None, "2xx upload without id", elapsed())
        code, title = _graph_error(body)
        return SendFailed(classify(code, status), status, code, title or f"HTTP {status}",
                          elapsed(), retry_after)

    async def media_info(self, media_id: str) -> MediaInfo | SendFailed:
        """`GET /{media-id}` with the bearer token: the download url and the file's facts."""
        started = time.monotonic()
        try:
            async with self._session.get(
                f"{self._api_url}/{media_id}",
                params={"phone_number_id": self._phone_number_id} if self._phone_number_id
                else None, headers=self._auth, timeout=self._timeout,
            ) as resp:
                raw = await resp.read()
                status = resp.status
        except TimeoutError:
            return SendFailed(Disposition.RETRY, None, None, "media lookup timed out",
                              int((time.monotonic() - started) * 1000))
        except aiohttp.ClientError as exc:
            return SendFailed(Disposition.RETRY, None, None, f"connection: {exc}"[:300],
                              int((time.monotonic() - started) * 1000))
        body = _json(raw)
        ms = int((time.monotonic() - started) * 1000)
        if 200 <= status < 300 and isinstance(body, dict) and isinstance(body.get("url"), str):
            size = body.get("file_size")
            try:
                file_size = int(size) if size is not None else None
            except (TypeError, ValueError):
                file_size = None
            sha = body.get("sha256")
            return MediaInfo(str(body.get("id") or media_id), str(body["url"]),
                             str(body.get("mime_type") or "application/octet-stream"),
                             sha if isinstance(sha, str) and sha else None, file_size)
        if 200 <= status < 300:
            return SendFailed(Disposition.RETRY, status, None, "media lookup without url", ms)
        code, title = _graph_error(body)
        return SendFailed(classify(code, status), status, code, title or f"HTTP {status}", ms)

    async def download(self, url: str, max_bytes: int) -> bytes | SendFailed:
        """GET a media url with the bearer token; refuses (permanently) more than `max_bytes`."""
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            async with self._session.get(url, headers=self._auth,
                                         timeout=self._timeout) as resp:
                status = resp.status
                if not 200 <= status < 300:
                    body = _json(await resp.content.read(65536))
                    code, title = _graph_error(body)
                    return SendFailed(classify(code, status), status, code,
                                      title or f"HTTP {status}", elapsed())
                declared = resp.content_length
                if declared is not None and declared > max_bytes:
                    return SendFailed(Disposition.PERMANENT, status, None,
                                      f"file of {declared} bytes is over {max_bytes}", elapsed())
                chunks: list[bytes] = []
                total = 0
                async for chunk in resp.content.iter_chunked(65536):
                    total += len(chunk)
                    if total > max_bytes:
                        return SendFailed(Disposition.PERMANENT, status, None,
                                          f"file is over {max_bytes} bytes", elapsed())
                    chunks.append(chunk)
                return b"".join(chunks)
        except TimeoutError:
            return SendFailed(Disposition.RETRY, None, None, "download timed out", elapsed())
        except aiohttp.ClientError as exc:
            return SendFailed(Disposition.RETRY, None, None, f"connection: {exc}"[:300], elapsed())


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _graph_error(body: Any) -> tuple[int | None, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None, None
    err = body["error"]
    code = err.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    title = err.get("error_user_title") or err.get("message")
    details = err.get("error_data", {}).get("details") if isinstance(
        err.get("error_data"), dict) else None
    text = str(title) if title else None
    if details:
        text = f"{text}: {details}" if text else str(details)
    return code, (text[:500] if text else None)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None
