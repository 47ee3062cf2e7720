"""`khaacho chat [--as PHONE]`: chat with the running service as a WhatsApp user.

Needs the service, the worker (its dispatcher sends the replies) and
`khaacho simulator` running — `make demo` starts all three. Messages travel
the real path: the simulator signs and posts the webhook; the bot's replies
reach the simulator's Graph endpoint and are read back here. Buttons and list
rows are shown numbered: type the number to tap one.

In the chat: `/as PHONE` switches identity (e.g. to a vendor), `/history`
shows everything sent to the current identity, `/quit` leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import aiohttp

from bot.cli.errors import CliError
from bot.dev.chat_client import ChatClient, Message

DEFAULT_SIMULATOR = "http://127.0.0.1:8090"
DEFAULT_PHONE = "9779812345678"


def _print(messages: list[Message], who: str) -> None:
    if not messages:
        print("  (no reply yet — is the worker running? try /history in a moment)")
    for message in messages:
        print(f"\n[bot → {who}]")
        print("  " + message.render().replace("\n", "\n  "))
    print()


async def _line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, lambda: input(prompt))
    except EOFError:
        return None


async def converse(client: ChatClient, lines: list[str] | None = None) -> int:
    """The chat loop; `lines` replaces the keyboard (for scripts and tests)."""
    feed = iter(lines) if lines is not None else None
    print(f"chatting as {client.phone} — type a message, a number to tap a choice, "
          "/as PHONE, /history, /quit")
    while True:
        if feed is not None:
            text = next(feed, None)
            if text is not None:
                print(f"{client.phone}> {text}")
        else:
            text = await _line(f"{client.phone}> ")
        if text is None or text.strip() in ("/quit", "/exit"):
            return 0
        text = text.strip()
        if not text:
            continue
        try:
            if text.startswith("/as"):
                phone = text[3:].strip()
                if not phone:
                    print("usage: /as PHONE")
                    continue
                client.phone = phone
                await client.mark_read()
                print(f"now chatting as {phone}")
                continue
            if text == "/history":
                for message in await client.history():
                    print("  " + message.render().replace("\n", "\n  "))
                continue
            last = client.last.get(client.phone)
            if text.isdigit() and last is not None and 1 <= int(text) <= len(last.choices):
                picked = last.choices[int(text) - 1]
                print(f"  (tapped “{picked.title}”)")
                replies = await client.tap(picked)
            else:
                replies = await client.send(text)
        except (aiohttp.ClientError, RuntimeError) as exc:
            print(f"  ! {exc}")
            continue
        _print(replies, client.phone)


async def _run(args: argparse.Namespace) -> int:
    client = ChatClient(args.simulator.rstrip("/"), args.as_phone, name=args.name)
    try:
        try:
            await client.mark_read()
        except aiohttp.ClientError as exc:
            raise CliError(f"cannot reach the simulator at {args.simulator}: {exc}; "
                           "start it with `khaacho simulator` (or run `make demo`)") from None
        lines = None if sys.stdin.isatty() else [ln.rstrip("\n") for ln in sys.stdin]
        return await converse(client, lines)
    finally:
        await client.close()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `chat`."""
    p = sub.add_parser(
        "chat", help="chat with the running service as a WhatsApp user",
        description="A terminal chat through the real path: signed webhooks in via the "
                    "simulator, the bot's outbound messages read back from it. Buttons and "
                    "lists appear as numbered choices; type the number to pick. In the chat, "
                    "/as PHONE switches identity (e.g. to a vendor), /history shows all "
                    "messages, /quit leaves. Without a terminal, lines are read from stdin.")
    p.add_argument("--as", dest="as_phone",
                   default=os.environ.get("KHAACHO_CHAT_PHONE", DEFAULT_PHONE),
                   help=f"the WhatsApp number to write as (default {DEFAULT_PHONE})")
    p.add_argument("--name", default="Demo Shop", help="the WhatsApp profile name to send")
    p.add_argument("--simulator", default=os.environ.get("KHAACHO_SIMULATOR_URL",
                                                         DEFAULT_SIMULATOR),
                   help=f"the simulator's base URL (default {DEFAULT_SIMULATOR})")
    p.set_defaults(handler=_run)
