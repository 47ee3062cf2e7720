"""The typed media and location models, the MIME rules, and the sha256 check (pure)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.media_intake import caption_text, kind_of
from bot.dev.sim_media import validate_media_object
from bot.whatsapp.media_types import base_mime, content_matches, media_type, sendable_kind
from bot.whatsapp.updates import (
    AudioMessage,
    DocumentMessage,
    ImageMessage,
    LocationMessage,
    media_of,
    parse_update,
)
from jobs.media_fetcher import sha256_matches

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "sample-updates"


def _sample(case: str) -> Any:
    if not SAMPLES.is_dir():
        pytest.skip("../shared is not beside this checkout")
    (message,) = parse_update(json.loads((SAMPLES / "message.json").read_text())[case]).messages
    return message


def test_an_image_sample_is_an_image_with_its_media_id_and_digest() -> None:
    message = _sample("image")
    assert isinstance(message, ImageMessage)
    media = media_of(message)
    assert media is not None and (media.id, media.mime_type, media.sha256) == (
        "65463453", "image/jpeg", "4654+8g=")


def test_a_voice_note_is_told_apart_from_an_audio_file() -> None:
    voice, audio = _sample("voice"), _sample("audio")
    assert isinstance(voice, AudioMessage) and isinstance(audio, AudioMessage)
    assert (kind_of(voice), kind_of(audio)) == ("voice", "audio")


def test_a_document_sample_keeps_its_filename_and_caption() -> None:
    message = _sample("document")
    assert isinstance(message, DocumentMessage)
    assert (message.document.filename, message.document.caption) == ("filename.pdf", "caption")


def test_a_chosen_location_has_coordinates_name_and_address() -> None:
    message = _sample("chosen_location")
    assert isinstance(message, LocationMessage)
    assert (message.location.latitude, message.location.name) == (37.4611978, "Facebook HQ")


def test_an_images_caption_becomes_a_text_message_with_the_same_id() -> None:
    message = _sample("image").model_copy(deep=True)
    assert caption_text(message) is None
    message.image.caption = "chini 10 kg"
    text = caption_text(message)
    assert text is not None and text.text.body == "chini 10 kg"
    assert (text.wamid, text.sender) == (message.wamid, message.sender)


def test_a_caption_is_cleaned_like_any_text() -> None:
    env = json.loads(json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{
        "field": "messages", "value": {"messages": [{
            "from": "9779800000001", "id": "wamid.c", "type": "image",
            "image": {"id": "1", "caption": "chi\u200bni\x00 10 kg"}}]}}]}]}))
    (message,) = parse_update(env).messages
    assert isinstance(message, ImageMessage) and message.image.caption == "chini 10 kg"


def test_mime_parameters_do_not_change_the_type() -> None:
    assert base_mime("Audio/OGG; codecs=opus") == "audio/ogg"
    found = media_type("audio/ogg; codecs=opus")
    assert found is not None and found.kind == "audio"
    assert media_type("application/x-msdownload") is None
    assert (sendable_kind("image/png"), sendable_kind("application/pdf")) == (
        "image", "document")


def test_declared_types_are_checked_against_the_bytes() -> None:
    assert content_matches("application/pdf", b"%PDF-1.7 ...")
    assert not content_matches("audio/ogg", b"%PDF-1.7 ...")
    assert content_matches("text/plain", b"anything")  # no signature to check


@given(st.binary(max_size=2048))
def test_a_digest_matches_in_hex_and_base64_and_nothing_else(data: bytes) -> None:
    digest = hashlib.sha256(data).digest()
    assert sha256_matches(digest.hex(), data)
    assert sha256_matches(base64.b64encode(digest).decode(), data)
    assert not sha256_matches(hashlib.sha256(data + b"x").hexdigest(), data)
    assert not sha256_matches("not a digest", data)


@given(st.dictionaries(st.sampled_from(["id", "link", "caption", "filename"]),
                       st.none() | st.text(max_size=1100) | st.integers()),
       st.sampled_from(["image", "audio", "video", "document", "sticker"]))
def test_the_simulator_judges_any_media_object_without_raising(
        obj: dict[str, Any], kind: str) -> None:
    verdict = validate_media_object(kind, obj)
    assert verdict is None or isinstance(verdict, str)
    if verdict is None:
        assert isinstance(obj.get("id"), str) or isinstance(obj.get("link"), str)


def test_a_caption_longer_than_whatsapp_allows_is_answered_not_parsed() -> None:
    message = _sample("image").model_copy(deep=True)
    message.image.caption = "chini 10 kg\n" * 200
    text = caption_text(message)
    assert text is not None and text.too_long and len(text.text.body) == 1024
