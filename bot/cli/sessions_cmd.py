"""`khaacho sessions list | show PHONE | reset PHONE`: conversations as Redis holds them.

For operators looking at a stuck conversation: its state, cart, pending
question, last messages and who holds the sender's lock. `reset` forgets the
session (the retailer starts again at idle; orders are in Postgres and are
not touched) and is written to the audit log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from bot.cli.errors import CliError
from bot.cli.output import cell, operator_name
from bot.cli.settings_arg import settings_for_cli
from bot.conversation import session_admin
from domain.business_time import local_time


def _instant(raw: object) -> dt.datetime | None:
    """A session's ISO timestamp (written in UTC), or None when it is not one."""
    if not isinstance(raw, str):
        return None
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _when(raw: object) -> str:
    """A session's timestamp as every CLI table shows times: Kathmandu, to the minute."""
    at = _instant(raw)
    return cell(at) if at is not None else str(raw or "-")


def _clock(raw: object) -> str:
    """A message's time of day on the Kathmandu clock (HH:MM:SS)."""
    at = _instant(raw)
    return local_time(at).strftime("%H:%M:%S") if at is not None else str(raw or "")[11:19]


async def _open() -> Any:
    from bot.db import DatabaseUnavailable
    from bot.runtime import Runtime

    settings = settings_for_cli()
    try:
        return await Runtime.open(settings)
    except (OSError, DatabaseUnavailable) as exc:
        raise CliError(f"cannot connect: {exc}") from None


async def _list(args: argparse.Namespace) -> int:
    rt = await _open()
    try:
        rows = await session_admin.list_sessions(rt, state=args.state,
                                                 idle_over=args.idle_over, limit=args.limit)
    finally:
        await rt.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no sessions")
        return 0
    print(f"{'PHONE':<16} {'STATE':<16} {'LANG':<4} {'CART':>4} {'ASK':>3} {'IDLE m':>7}"
          "  LAST ACTIVITY")
    for r in rows:
        idle = "-" if r["idle_minutes"] is None else f"{r['idle_minutes']:.0f}"
        print(f"{r['phone']:<16} {r['state'] or '?':<16} {r['language'] or '?':<4} "
              f"{r['cart_lines']:>4} {r['questions']:>3} {idle:>7}  {_when(r['last_activity'])}")
    return 0


async def _show(args: argparse.Namespace) -> int:
    rt = await _open()
    try:
        out = await session_admin.show_session(rt, args.phone)
    finally:
        await rt.close()
    if out is None:
        raise CliError(f"no session for {args.phone}")
    data, lock = out["session"], out["lock"]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"phone      {args.phone}")
    if data is None:
        print("session    (none)")
    else:
        print(f"state      {data.get('state')}   language {data.get('language')}"
              f"   expires in {out['expires_in_s']}s")
        print(f"activity   {_when(data.get('last_activity'))}")
        cart = data.get("cart") or []
        print(f"cart       {len(cart)} line(s) (rev {data.get('rev')})")
        for i, line in enumerate(cart, 1):
            print(f"  {i}. {line.get('name')} — {line.get('qty')} {line.get('unit')}"
                  f"  [{line.get('sku')}]")
        for q in data.get("questions") or []:
            names = ", ".join(c.get("name", "?") for c in q.get("candidates", []))
            print(f"question   “{q.get('text')}” → {names}")
        if data.get("offer"):
            print(f"offer      {len(data['offer'])} line(s) awaiting a yes")
        print("messages")
        for said in data.get("history") or []:
            arrow = "→" if said.get("who") == "in" else "←"
            text = " ".join(str(said.get("text", "")).split())
            print(f"  {_clock(said.get('at'))} {arrow} {text[:110]}")
    if lock is None:
        print("lock       free")
    else:
        print(f"lock       held by {lock['holder'][:8]}…, re-armed {lock['age_s']}s ago "
              f"(expires in {lock['expires_in_s']}s, {lock['waiting']} waiting)")
    return 0


async def _reset(args: argparse.Namespace) -> int:
    rt = await _open()
    try:
        deleted = await session_admin.reset_session(rt, args.phone, actor=operator_name(args))
    finally:
        await rt.close()
    result = {"phone": args.phone, "reset": bool(deleted)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"session of {args.phone} reset" if deleted else f"no session for {args.phone}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sessions list|show|reset`."""
    p = sub.add_parser("sessions", help="inspect or reset conversations held in Redis",
                       description="Inspect or reset retailer conversations (Redis sessions).")
    s = p.add_subparsers(dest="sessions_command", metavar="SUBCOMMAND")
    s.required = True
    lp = s.add_parser("list", help="list live sessions, most recent first",
                      description="List live sessions: phone, state, language, cart size.")
    lp.add_argument("--state", help="only sessions in this state (e.g. reviewing)")
    lp.add_argument("--idle-over", type=float, metavar="MIN",
                    help="only sessions idle for more than MIN minutes")
    lp.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    lp.add_argument("--json", action="store_true", help="JSON output")
    lp.set_defaults(handler=_list)
    sp = s.add_parser("show", help="one session: state, cart, question, messages, lock",
                      description="Show a session's state, cart, pending question, last "
                                  "messages and the sender lock's holder and age.")
    sp.add_argument("phone", help="the sender's WhatsApp number, e.g. 9779812345678")
    sp.add_argument("--json", action="store_true", help="JSON output")
    sp.set_defaults(handler=_show)
    rp = s.add_parser("reset", help="forget a session (orders are not touched)",
                      description="Delete a session from Redis; the retailer starts again. "
                                  "Recorded in the audit log.")
    rp.add_argument("phone", help="the sender's WhatsApp number")
    rp.add_argument("--json", action="store_true", help="JSON output")
    rp.set_defaults(handler=_reset)
