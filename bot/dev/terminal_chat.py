"""The terminal chat: typed lines go to the simulator as a WhatsApp user's messages, replies print.

Buttons and list rows are shown numbered: typing the number taps one.
`/as PHONE` switches identity (e.g. to a vendor), `/history` shows everything
sent to the current identity, `/quit` leaves. `/image PATH [caption]`,
`/voice PATH`, `/document PATH` send a file (the simulator hosts it and the bot
downloads it, as from Meta); `/location LAT LON [name]` shares a location. `khaacho chat` and the
interactive `khaacho demo` both run it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from bot.dev.chat_client import ChatClient, Message


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


_USAGE = {"/image": "/image PATH [caption]", "/voice": "/voice PATH",
          "/document": "/document PATH", "/location": "/location LAT LON [name]"}


def _user_path(text: str) -> Path:
    return Path(text).expanduser()


async def _media_command(client: ChatClient, text: str) -> list[Message] | None:
    """Run `/image`, `/voice`, `/document` or `/location`; None when `text` is none of them."""
    command, _, rest = text.partition(" ")
    if command not in _USAGE:
        return None
    parts = rest.split(maxsplit=1 if command in ("/image", "/document") else 2)
    try:
        if command == "/location":
            lat, lon = float(parts[0]), float(parts[1])
            return await client.send_location(lat, lon, name=parts[2] if len(parts) > 2 else None)
        path = _user_path(parts[0])
        caption = parts[1] if len(parts) > 1 else None
        if command == "/image":
            return await client.send_image(path, caption)
        if command == "/voice":
            return await client.send_voice(path)
        return await client.send_document(path, caption)
    except (IndexError, ValueError):
        print(f"usage: {_USAGE[command]}")
    except OSError as exc:
        print(f"  ! cannot read {parts[0] if parts else ''}: {exc.strerror}")
    return []


async def converse(client: ChatClient, lines: list[str] | None = None) -> int:
    """The chat loop; `lines` replaces the keyboard (for scripts and tests)."""
    feed = iter(lines) if lines is not None else None
    print(f"chatting as {client.phone} — type a message, a number to tap a choice, "
          "/as PHONE, /image PATH [caption], /voice PATH, /document PATH, "
          "/location LAT LON, /history, /quit")
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
            media = await _media_command(client, text)
            if media is not None:
                _print(media, client.phone)
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
