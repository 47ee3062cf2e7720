"""`khaacho templates list | sync | status`: the registry's templates and Meta's word on them."""

from __future__ import annotations

import argparse
from typing import Any

import aiohttp

from bot.cli.errors import CliError
from bot.cli.output import Column, add_json_flag, cli_runtime, show_json, show_table
from bot.runtime import Runtime
from bot.store import templates as template_store
from bot.whatsapp.templates_api import TemplateApiError, TemplatesClient, refresh, sync
from flows.templates import LANGUAGES, REGISTRY

COLUMNS = (
    Column("name", "name"), Column("language", "lang"), Column("category", "category"),
    Column("status", "status"), Column("quality", "quality"),
    Column("rejected_reason", "rejected because"), Column("waiting", "held", numeric=True),
    Column("updated_at", "reported"),
)


async def rows(rt: Runtime) -> list[dict[str, Any]]:
    """Every registry template in every language, with its stored status (or NOT SYNCED)."""
    async with rt.pool.acquire() as conn:
        stored = {(s.name, s.language): s for s in await template_store.all_statuses(conn)}
        held = await template_store.held_count(conn)
    out: list[dict[str, Any]] = []
    for spec in REGISTRY.values():
        for language in LANGUAGES:
            s = stored.get((spec.name, language))
            out.append({
                "name": spec.name, "language": language,
                "category": (s.category if s and s.category else spec.category.value),
                "status": s.status if s else "NOT SYNCED",
                "quality": s.quality if s else None,
                "rejected_reason": s.rejected_reason if s else None,
                "meta_id": s.meta_id if s else None,
                "waiting": held.get(spec.name, 0),
                "updated_at": s.updated_at if s else None,
            })
    return out


def _client(rt: Runtime, session: aiohttp.ClientSession) -> TemplatesClient:
    settings = rt.settings
    try:
        return TemplatesClient(session, settings.whatsapp_api_url,
                               settings.whatsapp_business_account_id,
                               settings.whatsapp_access_token.get_secret_value())
    except TemplateApiError as exc:
        raise CliError(str(exc)) from None


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt:
        show_table(await rows(rt), COLUMNS, as_json=args.json, title="message templates")
    return 0


async def _sync(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, aiohttp.ClientSession() as session:
        try:
            report = await sync(rt.pool, _client(rt, session))
        except (TemplateApiError, aiohttp.ClientError, TimeoutError) as exc:
            raise CliError(f"template sync failed: {exc}") from None
        data: dict[str, Any] = {"created": [f"{n}/{lang}" for n, lang in report.created],
                "already_there": len(report.existing),
                "refused": [f"{n}/{lang}: {why}" for n, lang, why in report.refused],
                "statuses_stored": report.stored}
        if args.json:
            show_json(data)
        else:
            print(f"created {len(report.created)}, already there {len(report.existing)}, "
                  f"refused {len(report.refused)}; {report.stored} statuses stored")
            for line in data["refused"]:
                print(f"  refused {line}")
            show_table(await rows(rt), COLUMNS, as_json=False, title="message templates")
    return 1 if report.refused else 0


async def _status(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, aiohttp.ClientSession() as session:
        try:
            await refresh(rt.pool, _client(rt, session))
        except (TemplateApiError, aiohttp.ClientError, TimeoutError) as exc:
            raise CliError(f"reading template statuses failed: {exc}") from None
        show_table(await rows(rt), COLUMNS, as_json=args.json, title="message templates")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `templates list|sync|status`."""
    p = sub.add_parser("templates", help="WhatsApp message templates: list, sync to Meta, status",
                       description="The templates the product sends (flows/templates.py), in "
                                   "English and Nepali, and their status as Meta last reported "
                                   "it. Needs WHATSAPP_BUSINESS_ACCOUNT_ID for sync and status.")
    s = p.add_subparsers(dest="templates_command", required=True)
    ls = s.add_parser("list", help="each template and language with its stored status",
                      description="Every registry template in both languages: category, the "
                                  "status Meta last reported, quality, held messages.")
    add_json_flag(ls)
    ls.set_defaults(handler=_list)
    sy = s.add_parser("sync", help="create the missing templates at Meta, store statuses",
                      description="POST each registry template Meta does not list yet, in "
                                  "English and Nepali, then GET the list and store statuses.")
    add_json_flag(sy)
    sy.set_defaults(handler=_sync)
    st = s.add_parser("status", help="read statuses back from Meta and store them",
                      description="GET the account's templates, store each status and put "
                                  "back held messages whose template is now approved.")
    add_json_flag(st)
    st.set_defaults(handler=_status)
