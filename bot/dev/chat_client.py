"""Talk to the running service as a WhatsApp user would, through the simulator.

Messages go in the real way: the simulator builds the user's webhook envelope,
signs it with the app secret and posts it to the bot (`POST /_sim/inbound`).
Replies come out the real way too: the worker's dispatcher sends them to the
simulator's Graph API endpoint, and we read what it accepted
(`GET /_sim/messages?to=PHONE`). Buttons and list rows become numbered
choices; picking one posts the same interactive reply WhatsApp would.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp


@dataclass(frozen=True, slots=True)
class Choice:
    """A button or list row the user can pick."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message the bot sent, as the user sees it."""

    to: str
    kind: str  # text | buttons | list | template | document | image (…media)
    body: str
    choices: tuple[Choice, ...] = ()
    header: str | None = None
    footer: str | None = None
    button: str | None = None

    def render(self, *, numbered: bool = True) -> str:
        """The message as terminal text, choices numbered from 1."""
        parts = []
        if self.header:
            parts.append(f"*{self.header}*")
        parts.append(self.body)
        if self.footer:
            parts.append(f"_{self.footer}_")
        if self.choices:
            if self.button:
                parts.append(f"[{self.button}]")
            for i, c in enumerate(self.choices, 1):
                label = f"  {i}) {c.title}" if numbered else f"  • {c.title}"
                if c.description:
                    label += f" — {c.description}"
                parts.append(label)
        return "\n".join(parts)


def message_of(payload: dict[str, Any]) -> Message:
    """Read a Cloud API `/messages` payload back into what the user would see."""
    to = str(payload.get("to", ""))
    kind = payload.get("type")
    if kind == "text":
        return Message(to, "text", str(payload.get("text", {}).get("body", "")))
    if kind == "template":
        tpl = payload.get("template", {})
        params = [p.get("text", "") for c in tpl.get("components", []) if c.get("type") == "body"
                  for p in c.get("parameters", [])]
        body = f"[template {tpl.get('name')}] " + " · ".join(str(p) for p in params)
        choices = tuple(
            Choice(str(p.get("payload", "")), str(p.get("payload", "")))
            for c in tpl.get("components", []) if c.get("type") == "button"
            for p in c.get("parameters", []) if p.get("type") == "payload")
        return Message(to, "template", body, choices)
    if kind in ("document", "image", "audio", "video", "sticker"):
        media = payload.get(kind, {})
        label = f"[{kind} {media.get('filename') or media.get('id') or media.get('link', '')}]"
        caption = media.get("caption")
        return Message(to, str(kind), f"{label} {caption}" if caption else label)
    inter = payload.get("interactive", {})
    body = str(inter.get("body", {}).get("text", ""))
    header = inter.get("header", {}).get("text") if inter.get("header") else None
    footer = inter.get("footer", {}).get("text") if inter.get("footer") else None
    action = inter.get("action", {})
    if inter.get("type") == "button":
        choices = tuple(Choice(b["reply"]["id"], b["reply"]["title"])
                        for b in action.get("buttons", []))
        return Message(to, "buttons", body, choices, header, footer)
    rows = tuple(Choice(r["id"], r["title"], r.get("description"))
                 for s in action.get("sections", []) for r in s.get("rows", []))
    return Message(to, "list", body, rows, header, footer, action.get("button"))


@dataclass(slots=True)
class ChatClient:
    """A WhatsApp user (or several, by phone) talking to the bot via the simulator."""

    simulator_url: str
    phone: str
    name: str = "Demo Shop"
    quiet: float = 0.8
    timeout: float = 15.0
    _seen: dict[str, int] = field(default_factory=dict)
    _http: aiohttp.ClientSession | None = None
    last: dict[str, Message] = field(default_factory=dict)

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def _post(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        http = await self._session()
        async with http.post(f"{self.simulator_url}/_sim/{action}", json=body) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200 or "error" in data:
                raise RuntimeError(f"simulator: {data.get('error', resp.status)}")
            if data.get("webhook_status", 200) != 200:
                raise RuntimeError(f"the bot answered the webhook with {data['webhook_status']}")
            return data

    async def history(self, phone: str | None = None) -> list[Message]:
        """Everything the bot has sent to `phone` (default: the current identity)."""
        who = phone or self.phone
        http = await self._session()
        async with http.get(f"{self.simulator_url}/_sim/messages", params={"to": who}) as resp:
            items = await resp.json()
        return [message_of(item["payload"]) for item in items]

    async def mark_read(self) -> None:
        """Skip what was already sent, so the next wait only returns new messages."""
        self._seen[self.phone] = len(await self.history())

    async def send(self, text: str) -> list[Message]:
        """Write `text`; return the bot's replies."""
        await self._ensure_mark()
        await self._post("inbound", {"from": self.phone, "text": text, "name": self.name})
        return await self.replies()

    async def send_media(self, kind: str, data: bytes, mime_type: str, *,
                         caption: str | None = None, filename: str | None = None,
                         voice: bool = False) -> list[Message]:
        """Send a file as WhatsApp would (the simulator hosts it under a media id the bot
        then downloads); return the bot's replies."""
        await self._ensure_mark()
        await self._post("inbound_media", {
            "from": self.phone, "kind": kind, "mime_type": mime_type,
            "data_b64": base64.b64encode(data).decode(), "caption": caption,
            "filename": filename, "voice": voice})
        return await self.replies()

    async def send_image(self, path: str | Path, caption: str | None = None) -> list[Message]:
        """Send a JPEG or PNG photo, with an optional caption."""
        file = Path(path)
        mime = mimetypes.guess_type(file.name)[0] or "image/jpeg"
        return await self.send_media("image", await asyncio.to_thread(file.read_bytes), mime,
                                     caption=caption)

    async def send_voice(self, path: str | Path) -> list[Message]:
        """Send a voice note (an .ogg/opus recording, as WhatsApp records them)."""
        file = Path(path)
        guessed = mimetypes.guess_type(file.name)[0]
        mime = "audio/ogg; codecs=opus" if guessed in (None, "audio/ogg") else guessed
        return await self.send_media("audio", await asyncio.to_thread(file.read_bytes), mime,
                                     voice=True)

    async def send_document(self, path: str | Path, caption: str | None = None) -> list[Message]:
        """Send a document (PDF, spreadsheet …) under its file name."""
        file = Path(path)
        mime = mimetypes.guess_type(file.name)[0] or "application/pdf"
        return await self.send_media("document", await asyncio.to_thread(file.read_bytes), mime,
                                     caption=caption, filename=file.name)

    async def send_location(self, latitude: float, longitude: float, *, name: str | None = None,
                            address: str | None = None) -> list[Message]:
        """Share a location (e.g. the shop's, for deliveries)."""
        await self._ensure_mark()
        await self._post("inbound_location", {"from": self.phone, "latitude": latitude,
                                               "longitude": longitude, "name": name,
                                               "address": address})
        return await self.replies()

    async def tap(self, choice: Choice) -> list[Message]:
        """Tap a button or list row; return the bot's replies."""
        await self._ensure_mark()
        await self._post("inbound", {"from": self.phone, "reply_id": choice.id,
                                     "title": choice.title})
        return await self.replies()

    async def pick(self, number: int) -> list[Message]:
        """Tap choice `number` (1-based) of the last message that offered choices."""
        last = self.last.get(self.phone)
        if last is None or not 1 <= number <= len(last.choices):
            raise ValueError("no such choice")
        return await self.tap(last.choices[number - 1])

    async def _ensure_mark(self) -> None:
        if self.phone not in self._seen:
            await self.mark_read()

    async def replies(self, *, expect: int = 1) -> list[Message]:
        """New messages to the current identity, once they stop arriving for `quiet` s."""
        loop_start = time.monotonic()
        seen = self._seen.get(self.phone, 0)
        got: list[Message] = []
        last_change = time.monotonic()
        while True:
            history = await self.history()
            if len(history) > seen + len(got):
                got = history[seen:]
                last_change = time.monotonic()
            now = time.monotonic()
            if len(got) >= expect and now - last_change >= self.quiet:
                break
            if now - loop_start > self.timeout:
                break
            await asyncio.sleep(0.1)
        self._seen[self.phone] = seen + len(got)
        for message in got:
            if message.choices:
                self.last[self.phone] = message
        return got
