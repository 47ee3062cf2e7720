"""The registry's templates on Meta: create the missing ones, read their statuses back.

`POST {WHATSAPP_API_URL}/{WHATSAPP_BUSINESS_ACCOUNT_ID}/message_templates`
with `{name, language, category, components}` creates one template in one
language (Meta answers `{id, status, category}`, usually `PENDING`); `GET` on
the same path lists them (`data[]` of `{id, name, language, status, category,
rejected_reason?}`, paged by `paging.next`). Sync creates every registry
template in English and Nepali that Meta does not list yet, then reads the
list back and stores each status (bot/store/templates.py). Meta's review then
reports through the `message_template_status_update` webhook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import orjson

from bot.store import templates as template_store
from bot.whatsapp.template_rules import SUBCODE_EXISTS, problems
from flows.templates import LANGUAGES, REGISTRY, TemplateSpec


class TemplateApiError(RuntimeError):
    """Meta refused a template request, or did not answer."""


def create_request(spec: TemplateSpec, language: str) -> dict[str, Any]:
    """The create body for one registry template in one language."""
    body: dict[str, Any] = {"type": "BODY", "text": spec.body[language]}
    if spec.examples[language]:
        body["example"] = {"body_text": [list(spec.examples[language])]}
    components: list[dict[str, Any]] = [body]
    if spec.buttons[language]:
        components.append({"type": "BUTTONS", "buttons": [
            {"type": "QUICK_REPLY", "text": text} for text in spec.buttons[language]]})
    return {"name": spec.name, "language": language, "category": spec.category.value,
            "components": components}


@dataclass(frozen=True, slots=True)
class RemoteTemplate:
    """One template as Meta lists it."""

    name: str
    language: str
    status: str
    category: str | None
    meta_id: str | None
    rejected_reason: str | None


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync did: created (name, language) pairs, those already there, refusals."""

    created: tuple[tuple[str, str], ...]
    existing: tuple[tuple[str, str], ...]
    refused: tuple[tuple[str, str, str], ...]
    stored: int


class TemplatesClient:
    """`{api_url}/{waba_id}/message_templates` with the bearer token."""

    def __init__(self, session: aiohttp.ClientSession, api_url: str, waba_id: str,
                 access_token: str, *, timeout: float = 30.0) -> None:
        if not waba_id:
            raise TemplateApiError("WHATSAPP_BUSINESS_ACCOUNT_ID is not set")
        self._session = session
        self.url = f"{api_url.rstrip('/')}/{waba_id}/message_templates"
        self._headers = {"Authorization": f"Bearer {access_token}",
                         "Content-Type": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def create(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST one template; Meta's answer (`id`, `status`, `category`) or its error."""
        async with self._session.post(self.url, data=orjson.dumps(request),
                                      headers=self._headers, timeout=self._timeout) as resp:
            body = _json(await resp.read())
            if resp.status >= 500:
                raise TemplateApiError(f"Meta answered HTTP {resp.status}")
            return body if isinstance(body, dict) else {}

    async def list_all(self) -> list[RemoteTemplate]:
        """Every template of the account, following `paging.next`."""
        out: list[RemoteTemplate] = []
        url: str | None = self.url
        params: dict[str, str] | None = {"limit": "100",
                                         "fields": "id,name,language,status,category,"
                                                   "rejected_reason"}
        for _ in range(100):  # a runaway paging loop is Meta's bug, not an endless sync
            if url is None:
                break
            async with self._session.get(url, params=params, headers=self._headers,
                                         timeout=self._timeout) as resp:
                body = _json(await resp.read())
                if resp.status != 200 or not isinstance(body, dict):
                    raise TemplateApiError(f"listing templates failed: HTTP {resp.status} "
                                           f"{_error_text(body)}")
            for item in body.get("data") or []:
                if isinstance(item, dict) and item.get("name") and item.get("language"):
                    out.append(RemoteTemplate(
                        str(item["name"]), str(item["language"]),
                        str(item.get("status") or "PENDING"),
                        str(item["category"]) if item.get("category") else None,
                        str(item["id"]) if item.get("id") else None,
                        _reason(item.get("rejected_reason"))))
            paging = body.get("paging")
            url = paging.get("next") if isinstance(paging, dict) else None
            params = None  # `next` carries its own query
        return out


async def refresh(pool: asyncpg.Pool, client: TemplatesClient) -> int:
    """Read every status from Meta and store it; how many rows were stored."""
    remote = await client.list_all()
    async with pool.acquire() as conn, conn.transaction():
        for r in remote:
            await template_store.store_status(conn, r.name, r.language, status=r.status,
                                              category=r.category, meta_id=r.meta_id,
                                              reason=r.rejected_reason)
        await template_store.release_waiting(conn)
    return len(remote)


async def sync(pool: asyncpg.Pool, client: TemplatesClient) -> SyncReport:
    """Create every registry template Meta lacks, in both languages, then store statuses."""
    known = {(r.name, r.language) for r in await client.list_all()}
    created: list[tuple[str, str]] = []
    existing: list[tuple[str, str]] = []
    refused: list[tuple[str, str, str]] = []
    for spec in REGISTRY.values():
        for language in LANGUAGES:
            key = (spec.name, language)
            if key in known:
                existing.append(key)
                continue
            request = create_request(spec, language)
            wrong = problems(request)
            if wrong:  # a registry bug: the test suite checks this never happens
                refused.append((spec.name, language, wrong[0].message))
                continue
            answer = await client.create(request)
            error = answer.get("error")
            if isinstance(error, dict):
                if error.get("error_subcode") == SUBCODE_EXISTS:
                    existing.append(key)
                else:
                    refused.append((spec.name, language, _error_text(answer)))
                continue
            created.append(key)
    stored = await refresh(pool, client)
    return SyncReport(tuple(created), tuple(existing), tuple(refused), stored)


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _reason(value: Any) -> str | None:
    return None if value in (None, "", "NONE") else str(value)[:300]


def _error_text(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "no Graph error"
    text = error.get("error_user_msg") or error.get("message") or "error"
    return f"({error.get('code')}/{error.get('error_subcode')}) {text}"[:300]
