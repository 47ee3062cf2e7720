"""Every webhook envelope WhatsApp sends parses into typed messages and statuses."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.updates import (
    ButtonMessage,
    EnvelopeError,
    InteractiveMessage,
    TextMessage,
    UnsupportedMessage,
    parse_update,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "sample-updates"


def _samples() -> list[tuple[str, dict[str, Any]]]:
    if not SAMPLES.is_dir():
        return []
    return [(f"{p.stem}:{name}", env) for p in sorted(SAMPLES.glob("*.json"))
            for name, env in json.loads(p.read_text()).items()]


def _text_env(**message: Any) -> dict[str, Any]:
    base = {"from": "9779800000001", "id": "wamid.A", "timestamp": "1", "type": "text",
            "text": {"body": "chini 5 kg"}}
    base.update(message)
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp", "messages": [base]}}]}]}


@pytest.mark.parametrize(("case", "envelope"), _samples(), ids=[c for c, _ in _samples()])
def test_every_sample_update_parses_without_rejections(case: str, envelope: dict[str, Any]) -> None:
    parsed = parse_update(envelope)
    assert parsed.rejected == []
    assert parsed.messages or parsed.statuses or parsed.ignored_fields or parsed.signals


def test_a_text_message_exposes_sender_wamid_and_body() -> None:
    (msg,) = parse_update(_text_env()).messages
    assert isinstance(msg, TextMessage)
    assert (msg.sender, msg.wamid, msg.text.body) == ("9779800000001", "wamid.A", "chini 5 kg")


def test_a_button_reply_exposes_the_id_we_gave_the_button() -> None:
    env = _text_env(type="interactive", interactive={
        "type": "button_reply", "button_reply": {"id": "confirm", "title": "Confirm"}})
    (msg,) = parse_update(env).messages
    assert isinstance(msg, InteractiveMessage) and msg.reply_id == "confirm"


def test_a_template_quick_reply_is_a_button_message() -> None:
    env = _text_env(type="button", button={"payload": "PAY_NOW", "text": "Pay now"})
    (msg,) = parse_update(env).messages
    assert isinstance(msg, ButtonMessage) and msg.button.payload == "PAY_NOW"


def test_an_unknown_future_type_is_kept_as_unsupported_with_its_name() -> None:
    (msg,) = parse_update(_text_env(type="hologram", hologram={"x": 1})).messages
    assert isinstance(msg, UnsupportedMessage) and msg.type == "hologram"


def test_a_known_type_without_its_payload_is_unsupported() -> None:
    (msg,) = parse_update(_text_env(type="image", text=None)).messages
    assert isinstance(msg, UnsupportedMessage)


def test_a_username_user_without_phone_number_is_identified_by_user_id() -> None:
    env = _text_env()
    value = env["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["from"]
    value["messages"][0]["from_user_id"] = "US.1349"
    value["contacts"] = [{"user_id": "US.1349", "profile": {"name": "Sita"}}]
    (msg,) = parse_update(env).messages
    assert msg.sender == "US.1349" and msg.profile_name == "Sita"


def test_one_malformed_message_does_not_cost_the_valid_one_beside_it() -> None:
    env = _text_env()
    messages = env["entry"][0]["changes"][0]["value"]["messages"]
    messages.append({"type": "text", "text": {"body": "no id"}, "from": "1"})
    messages.append(dict(messages[0], id="wamid.B"))
    parsed = parse_update(env)
    assert [m.wamid for m in parsed.messages] == ["wamid.A", "wamid.B"]
    assert len(parsed.rejected) == 1 and "messages[1]" in parsed.rejected[0].where


def test_all_entries_and_changes_are_read_not_just_the_first() -> None:
    env = _text_env()
    second = copy.deepcopy(env["entry"][0])
    second["changes"][0]["value"]["messages"][0]["id"] = "wamid.C"
    env["entry"].append(second)
    env["entry"][0]["changes"].append({"field": "messages", "value": {"statuses": [
        {"id": "wamid.OUT", "status": "read", "recipient_id": "977"}]}})
    parsed = parse_update(env)
    assert [m.wamid for m in parsed.messages] == ["wamid.A", "wamid.C"]
    assert [s.status for s in parsed.statuses] == ["read"]


def test_a_failed_status_carries_its_error_code_and_title() -> None:
    env = _text_env()
    env["entry"][0]["changes"][0]["value"] = {"statuses": [{
        "id": "wamid.OUT", "status": "failed", "recipient_id": "977",
        "errors": [{"code": 131047, "title": "Re-engagement message"}]}]}
    (status,) = parse_update(env).statuses
    assert status.first_error is not None
    assert (status.first_error.code, status.first_error.title) == (131047, "Re-engagement message")


@pytest.mark.parametrize("body", [[], "x", 1, None, {"entry": []}, {"object": "page", "entry": []},
                                  {"object": "whatsapp_business_account", "entry": {}}])
def test_something_that_is_not_an_envelope_is_an_envelope_error(body: Any) -> None:
    with pytest.raises(EnvelopeError):
        parse_update(body)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["type", "id", "from", "text", "body", "messages",
                                       "statuses", "entry", "changes", "value", "field",
                                       "object", "interactive", "errors", "code", "x"]),
                      children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_parsing_any_json_either_succeeds_or_raises_envelope_error(data: Any) -> None:
    with contextlib.suppress(EnvelopeError):
        parse_update(data)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["type", "id", "from", "from_user_id", "text", "image",
                                        "interactive", "button", "context", "errors"]),
                       _json, max_size=6))
def test_any_message_object_is_parsed_or_rejected_never_raised(message: dict[str, Any]) -> None:
    env = _text_env()
    env["entry"][0]["changes"][0]["value"]["messages"] = [message]
    parsed = parse_update(env)
    assert len(parsed.messages) + len(parsed.rejected) == 1
