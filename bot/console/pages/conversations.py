"""`/console/conversations`: live sessions and taken-over conversations; one person's transcript
with take over, reply (within the 24-hour window, else a template) and hand back.

Reads sessions through bot/conversation/session_admin.py and acts through
bot/services/takeover.py — the same code `khaacho sessions` and
`khaacho conversation` run — with the operator and where they are in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from bot.console.guard import ConsoleRoutes, FormError, Visit
from bot.console.tiles import Tile
from bot.conversation import session_admin
from bot.services import takeover
from bot.services.parties import PartyError, normalize_phone
from flows import templates

PAGE = ConsoleRoutes()
BACK = "/console/conversations/{phone}"


def _phone(visit: Visit) -> str | None:
    try:
        return normalize_phone(visit.request.match_info["phone"])
    except PartyError:
        return None


def _posted_phone(visit: Visit) -> str:
    phone = _phone(visit)
    if phone is None:
        raise FormError(visit.t("conv.bad_phone", phone=visit.request.match_info["phone"]))
    return phone


@PAGE.get("/console/conversations", name="console.conversations")
async def conversations(visit: Visit) -> web.StreamResponse:
    """Conversations operators hold, then the bot's live sessions, most recent first."""
    wanted = visit.request.query.get("phone", "").strip()
    if wanted:
        try:
            found = normalize_phone(wanted)
        except PartyError:
            found = None
        if found is not None:
            return web.Response(status=303, headers={"Location": f"/console/conversations/{found}"})
    sessions = await session_admin.list_sessions(visit.runtime, limit=100)
    async with visit.runtime.pool.acquire() as conn:
        held = await takeover.list_taken_over(conn)
    held_phones = {h.phone for h in held}
    return await visit.render("conversations.html", {
        "held": held, "sessions": sessions, "held_phones": held_phones,
        "bad_phone": wanted or None})


@PAGE.get("/console/conversations/{phone}", name="console.conversation")
async def conversation(visit: Visit) -> web.StreamResponse:
    """One person: who holds the conversation, the window, the session and the transcript."""
    phone = _phone(visit)
    if phone is None:
        return await visit.render("refused.html", {"message": visit.t(
            "conv.bad_phone", phone=visit.request.match_info["phone"])}, status=404)
    async with visit.runtime.pool.acquire() as conn:
        view = await takeover.show(conn, phone, limit=50)
        who = await takeover.person(conn, phone)
    live = await session_admin.show_session(visit.runtime, phone)
    session: dict[str, Any] | None = (live or {}).get("session")
    offered = [{"name": name, "body": templates.BODIES[name]}
               for name in templates.OPERATOR_TEMPLATES]
    return await visit.render("conversation.html", {
        "phone": phone, "view": view, "who": who, "session": session, "offered": offered,
        "mine": view.takeover is not None and view.takeover.taken_by == visit.actor})


@PAGE.post("/console/conversations/{phone}/takeover", name="console.conversation.takeover",
           back=BACK)
async def take(visit: Visit) -> web.StreamResponse:
    """Silence the bot for this person; the visiting operator answers."""
    phone = _posted_phone(visit)
    note = visit.field("note", required=False, max_length=200)
    async with visit.runtime.pool.acquire() as conn:
        await takeover.take_over(conn, phone, actor=visit.actor, note=note or None,
                                 context=visit.audit_context())
    return await visit.done(f"/console/conversations/{phone}",
                            visit.t("conv.taken_ok", phone=phone))


@PAGE.post("/console/conversations/{phone}/reply", name="console.conversation.reply",
           back=BACK)
async def reply(visit: Visit) -> web.StreamResponse:
    """Send the operator's text (refused outside the 24-hour window)."""
    phone = _posted_phone(visit)
    text = visit.field("text", max_length=takeover.MAX_TEXT)
    async with visit.runtime.pool.acquire() as conn:
        await takeover.reply(conn, phone, text, actor=visit.actor,
                             context=visit.audit_context())
    return await visit.done(f"/console/conversations/{phone}", visit.t("conv.sent"))


@PAGE.post("/console/conversations/{phone}/template", name="console.conversation.template",
           back=BACK)
async def template(visit: Visit) -> web.StreamResponse:
    """Send an approved operator template (allowed whatever the window)."""
    phone = _posted_phone(visit)
    name = visit.field("template")
    if name not in templates.OPERATOR_TEMPLATES:
        raise FormError(visit.t("form.invalid", field=visit.t("field.template"), why=name))
    signed = visit.field("signed", required=False, max_length=40) or visit.account.username
    async with visit.runtime.pool.acquire() as conn:
        who = await takeover.person(conn, phone)
        await takeover.send_template(
            conn, phone, templates.operator_followup(who.language, who.name, signed),
            actor=visit.actor, context=visit.audit_context())
    return await visit.done(f"/console/conversations/{phone}", visit.t("conv.sent"))


@PAGE.post("/console/conversations/{phone}/handback", name="console.conversation.handback",
           back=BACK)
async def hand_back(visit: Visit) -> web.StreamResponse:
    """Return the conversation to the bot."""
    phone = _posted_phone(visit)
    async with visit.runtime.pool.acquire() as conn:
        await takeover.hand_back(conn, phone, actor=visit.actor, context=visit.audit_context())
    return await visit.done(f"/console/conversations/{phone}",
                            visit.t("conv.handed_back", phone=phone))


async def _held_tile(visit: Visit, conn: Any) -> Tile | None:
    held = await takeover.list_taken_over(conn)
    if not held:
        return None
    oldest = min(h.taken_at for h in held)
    long_held = dt.datetime.now(dt.UTC) - oldest > dt.timedelta(hours=2)
    return Tile(visit.t("conv.taken"), str(len(held)), "/console/conversations", alert=long_held)


TILES = (_held_tile,)
