"""A price list uploaded in the console: checked first (a dry run), applied on confirmation.

The checking and writing are the catalogue import's (`bot.store.catalog.import_csv`,
the same `khaacho catalog import` runs): every bad line reported, nothing written
unless the whole file is good, prices moving by more than 30% only with consent.
Between the dry run and the operator's "apply", the uploaded text waits in Redis
under a random token for an hour (losing it only means uploading again), so
what is applied is exactly the file that was checked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import orjson

from bot.catalog_cache import bump_version
from bot.runtime import Runtime
from bot.services.operator_actions import ActionError, audit
from bot.store import catalog as catalog_store
from bot.store.catalog import ImportReport
from domain.catalog import RowError

UPLOAD_TTL_SECONDS = 3600
# Under the web app's 3 MB body limit (bot/web/app.py) with room for the form around it.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Checked:
    """The dry run of an upload: its bad lines, or what applying it would change."""

    token: str | None          # set only when the file can be applied
    filename: str
    vendor_phone: str | None
    errors: tuple[RowError, ...]
    report: ImportReport | None

    @property
    def ok(self) -> bool:
        """No bad line: the file can be applied."""
        return not self.errors and self.report is not None


def _key(rt: Runtime, token: str) -> str:
    return f"{rt.keys.prefix}catalogue-upload:{token}"


async def check(rt: Runtime, text: str, *, filename: str, vendor_phone: str | None) -> Checked:
    """Dry-run the file; keep it for `apply` when it has no bad line. Writes nothing else."""
    try:
        report = await catalog_store.import_csv(rt.pool, text, vendor_phone=vendor_phone,
                                                dry_run=True)
    except catalog_store.CatalogRejected as exc:
        return Checked(None, filename, vendor_phone, exc.errors, None)
    except catalog_store.UnknownVendor as exc:
        raise ActionError(422, f"{exc}; add the vendor first") from None
    token = secrets.token_urlsafe(18)
    await rt.redis.set(_key(rt, token), orjson.dumps(
        {"text": text, "filename": filename, "vendor": vendor_phone}), ex=UPLOAD_TTL_SECONDS)
    return Checked(token, filename, vendor_phone, (), report)


async def apply(rt: Runtime, token: str, *, accept_price_changes: bool, actor: str,
                context: dict[str, Any] | None = None) -> ImportReport:
    """Import the kept upload; 409 when it expired or large price changes were not accepted."""
    raw = await rt.redis.get(_key(rt, token))
    if raw is None:
        raise ActionError(409, "that upload has expired; upload the file again")
    kept = orjson.loads(raw)
    try:
        report = await catalog_store.import_csv(
            rt.pool, kept["text"], vendor_phone=kept["vendor"],
            accept_price_changes=accept_price_changes)
    except catalog_store.PriceChangesNeedConsent as exc:
        raise ActionError(409, f"{exc}; tick the box after checking them") from None
    except catalog_store.CatalogRejected as exc:
        raise ActionError(422, str(exc)) from None
    except catalog_store.UnknownVendor as exc:
        raise ActionError(422, str(exc)) from None
    await rt.redis.delete(_key(rt, token))
    version = await bump_version(rt.redis, rt.keys)
    async with rt.pool.acquire() as conn:
        await audit(conn, actor=actor, action="catalogue.import",
                    target=f"vendor:{kept['vendor']}" if kept["vendor"] else "catalogue",
                    details={"filename": kept["filename"], "new": report.products_created,
                             "changed": report.products_updated, "prices": report.prices,
                             "prices_changed": report.prices_changed,
                             "accepted_large_changes": accept_price_changes,
                             "catalogue_version": version, **(context or {})})
    return report
