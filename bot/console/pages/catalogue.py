"""`/console/catalogue`: upload a price list CSV, see its dry run, apply it.

The check and the import are `khaacho catalog import`'s (bot/store/catalog.py via
bot/services/catalogue_upload.py): bad lines listed by line number and nothing
written; otherwise the new, changed and absent products and the price moves,
large ones flagged, and an Apply button for exactly the file that was checked.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_request import FileField

from bot.console.guard import ConsoleRoutes, FormError, Visit
from bot.services import catalogue_upload
from bot.services.parties import PartyError, normalize_phone

PAGE = ConsoleRoutes()


async def _vendors(visit: Visit) -> list[dict[str, str]]:
    async with visit.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT phone, name FROM vendors WHERE active ORDER BY name")
    return [{"phone": r["phone"], "name": r["name"]} for r in rows]


@PAGE.get("/console/catalogue", name="console.catalogue")
async def catalogue(visit: Visit) -> web.StreamResponse:
    """The upload form."""
    return await visit.render("catalogue.html", {"vendors": await _vendors(visit),
                                                 "checked": None})


@PAGE.post("/console/catalogue/check", name="console.catalogue.check", back="/console/catalogue")
async def check(visit: Visit) -> web.StreamResponse:
    """Dry-run the uploaded file and show what it would do (nothing is written)."""
    assert visit.form is not None
    upload = visit.form.get("file")
    if not isinstance(upload, FileField):
        raise FormError(visit.t("cat.no_file"))
    data = upload.file.read(catalogue_upload.MAX_UPLOAD_BYTES + 1)
    if not data:
        raise FormError(visit.t("cat.no_file"))
    if len(data) > catalogue_upload.MAX_UPLOAD_BYTES:
        raise FormError(visit.t("cat.too_big", mb=catalogue_upload.MAX_UPLOAD_BYTES // 2**20))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError(visit.t("cat.unreadable")) from None
    vendor = visit.field("vendor", required=False, max_length=32) or None
    if vendor is not None:
        try:
            vendor = normalize_phone(vendor)
        except PartyError as exc:
            raise FormError(str(exc)) from None
    checked = await catalogue_upload.check(visit.runtime, text,
                                           filename=(upload.filename or "upload.csv")[:120],
                                           vendor_phone=vendor)
    status = 200 if checked.ok else 422
    return await visit.render("catalogue.html", {"vendors": await _vendors(visit),
                                                 "checked": checked}, status=status)


@PAGE.post("/console/catalogue/apply", name="console.catalogue.apply", back="/console/catalogue")
async def apply(visit: Visit) -> web.StreamResponse:
    """Import the checked file (large price moves only with the box ticked)."""
    token = visit.field("token", max_length=64)
    report = await catalogue_upload.apply(
        visit.runtime, token, accept_price_changes=visit.field(
            "accept", required=False) == "yes",
        actor=visit.actor, context=visit.audit_context())
    return await visit.done("/console/catalogue", visit.t(
        "cat.applied", new=report.products_created, changed=report.products_updated,
        prices=report.prices))
