"""The sample conversation `make demo` plays when there is no terminal.

`play(client)` drives a `ChatClient` (the real path: signed webhooks in via the
simulator, the bot's replies read back from it) from an order in one message
to a placed order, then lets the vendor accept it and the retailer ask for
its status. It needs an *active* retailer with credit at `DEMO_RETAILER` and a
vendor serving their area (bot/dev/demo.py seeds both). It returns the transcript
and raises `DemoFailed` when the conversation does not reach a placed order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.dev.chat_client import ChatClient, Message

DEMO_RETAILER = "9779812345678"
ORDER_TEXT = "chini 10 kg, 2 bora sona, 3 ctn wai wai"
_PLACED = re.compile(r"#(\d+)")


class DemoFailed(Exception):
    """The sample conversation did not go as it should."""


@dataclass
class Transcript:
    """Who said what, in order; `order_number` once an order was placed."""

    lines: list[str] = field(default_factory=list)
    order_number: int | None = None

    def user(self, phone: str, text: str) -> None:
        self.lines.append(f"{phone}> {text}")

    def bot(self, phone: str, messages: list[Message]) -> None:
        for message in messages:
            rendered = message.render().replace("\n", "\n    ")
            self.lines.append(f"  [bot → {phone}]\n    {rendered}")

    def __str__(self) -> str:
        return "\n".join(self.lines)


async def _send(client: ChatClient, transcript: Transcript, text: str) -> list[Message]:
    transcript.user(client.phone, text)
    replies = await client.send(text)
    transcript.bot(client.phone, replies)
    return replies


async def tap(client: ChatClient, transcript: Transcript, replies: Sequence[Message],
              prefix: str | None = None) -> list[Message]:
    """Tap the choice whose id starts with `prefix` (any, when None) in the latest of
    `replies` that offers one: a notice that lands after the message with the buttons
    (an invoice after the balance) must not hide them."""
    picked = next((c for m in reversed(replies) for c in m.choices
                   if prefix is None or c.id.startswith(prefix)), None)
    if picked is None:
        offered = [c.id for m in replies for c in m.choices]
        raise DemoFailed(f"expected a choice {prefix!r}, got {offered}")
    transcript.user(client.phone, f"(taps “{picked.title}”)")
    replies = await client.tap(picked)
    transcript.bot(client.phone, replies)
    return replies


async def play(client: ChatClient, *, retailer: str = DEMO_RETAILER,
               vendor: str | None = None) -> Transcript:
    """Order in one message, confirm in one tap; with `vendor`, accept it as the vendor too."""
    transcript = Transcript()
    client.phone = retailer
    replies = await _send(client, transcript, ORDER_TEXT)
    # Answer any question about an ambiguous line with its first candidate.
    for _ in range(10):
        if not replies or replies[-1].kind != "list":
            break
        replies = await tap(client, transcript, replies[-1:], "q:")
    if not replies or not any(c.id.startswith("rv:confirm") for c in replies[-1].choices):
        raise DemoFailed("the order was not summarised with a Confirm button:\n" + str(transcript))
    replies = await tap(client, transcript, replies, "rv:confirm")
    placed = next((m for m in replies if "#" in m.body and m.kind == "text"), None)
    match = _PLACED.search(placed.body) if placed else None
    if match is None:
        raise DemoFailed("the order was not placed:\n" + str(transcript))
    transcript.order_number = int(match.group(1))
    if vendor is not None:
        client.phone = vendor
        offers = [m for m in await client.history() if m.choices]
        if offers:
            transcript.lines.append(f"  (now writing as the vendor {vendor})")
            transcript.bot(vendor, [offers[-1]])
            await client.mark_read()
            await tap(client, transcript, offers[-1:], None)
        client.phone = retailer
        # What the retailer was told meanwhile (the vendor's acceptance).
        transcript.bot(retailer, await client.replies(expect=0))
        await _send(client, transcript, "status")
    return transcript
