"""`khaacho conversation list | show | takeover | reply | template | handback`: operators answering.

Taking a conversation over silences the bot for that person (their messages
are still stored and shown here); `reply` sends the operator's text through
the outbox within WhatsApp's 24-hour window; outside it only the approved
template (`template`) can go; `handback` returns the person to the bot.
Every action is in the audit log. The console's conversation pages do the
same through bot/services/takeover.py.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cell,
    cli_runtime,
    operator_name,
    show_json,
    show_table,
)
from bot.services import takeover
from bot.services.parties import PartyError, normalize_phone
from bot.store.takeovers import Takeover
from flows import templates


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `conversation` and its subcommands."""
    p = sub.add_parser("conversation", help="take a conversation over from the bot, reply, "
                                            "hand it back",
                       description="Operators answering a person themselves. While taken "
                                   "over, the bot stores their messages but does not answer.")
    inner = p.add_subparsers(dest="conversation_command", metavar="ACTION")
    inner.required = True

    lst = inner.add_parser("list", help="conversations taken over now",
                           description="Every conversation an operator holds, longest first.")
    add_json_flag(lst)
    lst.set_defaults(handler=_list)

    show = inner.add_parser("show", help="take-over state, 24-hour window and transcript",
                            description="Who holds the conversation, whether free text can be "
                                        "sent, and the last messages in and out.")
    show.add_argument("phone", metavar="PHONE")
    show.add_argument("--limit", type=int, default=30, help="messages shown (default 30)")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    take = inner.add_parser("takeover", help="silence the bot for PHONE; you answer",
                            description="Take the conversation over: the bot stops answering "
                                        "PHONE until `handback`.")
    take.add_argument("phone", metavar="PHONE")
    take.add_argument("--note", help="why (kept with the take-over)")
    add_operator_flag(take)
    take.set_defaults(handler=_takeover)

    rep = inner.add_parser("reply", help="send TEXT to PHONE (within the 24-hour window)",
                           description="Send a text through the outbox. Refused outside the "
                                       "24-hour window: send `template` instead.")
    rep.add_argument("phone", metavar="PHONE")
    rep.add_argument("text", metavar="TEXT")
    add_operator_flag(rep)
    rep.set_defaults(handler=_reply)

    tpl = inner.add_parser("template", help="send the approved follow-up template to PHONE",
                           description="Send an approved template (allowed outside the 24-hour "
                                       "window); their answer reopens the window. Templates: "
                                       + ", ".join(templates.OPERATOR_TEMPLATES))
    tpl.add_argument("phone", metavar="PHONE")
    tpl.add_argument("--name", default=templates.OPERATOR_FOLLOWUP,
                     choices=templates.OPERATOR_TEMPLATES, help="which template")
    tpl.add_argument("--signed", metavar="NAME", help="the operator name the message gives "
                                                      "(default: 'the team')")
    add_operator_flag(tpl)
    tpl.set_defaults(handler=_template)

    back = inner.add_parser("handback", help="return PHONE to the bot",
                            description="End the take-over: the bot answers PHONE again.")
    back.add_argument("phone", metavar="PHONE")
    add_operator_flag(back)
    back.set_defaults(handler=_handback)


def _phone(text: str) -> str:
    try:
        return normalize_phone(text)
    except PartyError as exc:
        raise CliError(str(exc)) from None


def _row(t: Takeover) -> dict[str, Any]:
    return dataclasses.asdict(t)


async def _list(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        held = await takeover.list_taken_over(conn)
    show_table([_row(t) for t in held],
               [Column("phone", "Phone"), Column("taken_by", "Taken by"),
                Column("taken_at", "Since"), Column("note", "Note")],
               as_json=args.json, title="Taken over")
    return 0


async def _show(args: argparse.Namespace) -> int:
    phone = _phone(args.phone)
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        view = await takeover.show(conn, phone, limit=max(1, args.limit))
    if args.json:
        show_json({"phone": view.phone, "takeover": view.takeover,
                   "window_open": view.window.is_open, "window_closes_at": view.window.closes_at,
                   "transcript": view.transcript, "history": view.history})
        return 0
    held = view.takeover
    print(f"{phone}: " + (f"taken over by {held.taken_by} since {cell(held.taken_at)}"
                          if held else "the bot is answering"))
    closes = view.window.closes_at
    print("24-hour window: " + ("open until " + cell(closes) if view.window.is_open and closes
                                else "closed (templates only)"))
    for e in view.transcript:
        arrow = "<-" if e.direction == "in" else "->"
        status = f" [{e.status}{f' {e.error_code}' if e.error_code else ''}]"
        print(f"{cell(e.at)} {arrow} {e.by:<8} {e.text}{status}")
    return 0


async def _takeover(args: argparse.Namespace) -> int:
    phone = _phone(args.phone)
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        held = await takeover.take_over(conn, phone, actor=operator_name(args), note=args.note)
    print(f"{phone} taken over by {held.taken_by}; the bot is silent until `khaacho conversation "
          f"handback {phone}`")
    return 0


async def _reply(args: argparse.Namespace) -> int:
    phone = _phone(args.phone)
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        try:
            sent = await takeover.reply(conn, phone, args.text, actor=operator_name(args))
        except takeover.OutsideWindow as exc:
            raise CliError(f"{exc.message}: `khaacho conversation template {phone}` "
                           f"(templates: {', '.join(templates.OPERATOR_TEMPLATES)})") from None
    print(f"queued as outbox row {sent.outbox_id}")
    return 0


async def _template(args: argparse.Namespace) -> int:
    phone = _phone(args.phone)
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        who = await takeover.person(conn, phone)
        message = templates.operator_followup(who.language, who.name, args.signed or "")
        sent = await takeover.send_template(conn, phone, message, actor=operator_name(args))
    print(f"template {message.name} queued as outbox row {sent.outbox_id}")
    return 0


async def _handback(args: argparse.Namespace) -> int:
    phone = _phone(args.phone)
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        await takeover.hand_back(conn, phone, actor=operator_name(args))
    print(f"{phone} handed back to the bot")
    return 0
