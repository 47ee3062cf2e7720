"""`khaacho chat` sends a photo, a voice note, a document and a location through the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dev.terminal_chat import converse
from bot.store import operator_inbox
from tests.conversation.conftest import add_retailer
from tests.media.conftest import Fetching

PHONE = "9779812000401"
JPEG = b"\xff\xd8\xff\xe0" + bytes(300)
OGG = b"OggS" + bytes(300)


async def test_the_terminal_chat_sends_files_and_a_location_the_bot_then_downloads(
        fetching: Fetching, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = fetching.stack
    await add_retailer(stack.runtime, PHONE)
    photo, voice = tmp_path / "list.jpg", tmp_path / "note.ogg"
    photo.write_bytes(JPEG)
    voice.write_bytes(OGG)
    chat = stack.chat(PHONE)
    try:
        code = await converse(chat, [f"/image {photo} chini 10 kg", f"/voice {voice}",
                                     "/location 27.7172 85.324 Ram Kirana", "/image",
                                     f"/voice {tmp_path / 'missing.ogg'}", "/quit"])
    finally:
        await chat.close()
    assert code == 0
    out = capsys.readouterr().out
    assert "Sugar (Loose) — 10 kg" in out
    assert "voice message" in out
    assert "Saved as your delivery location: Ram Kirana" in out
    assert "usage: /image PATH [caption]" in out
    assert "cannot read" in out
    await fetching.fetched()
    async with stack.runtime.pool.acquire() as conn:
        items = await operator_inbox.list_items(conn)
        pin = await operator_inbox.pin_of(conn, PHONE)
    assert [(i.kind, i.file_sha256 is not None) for i in items] == [
        ("image", True), ("voice", True)]
    assert pin is not None and pin.name == "Ram Kirana"
