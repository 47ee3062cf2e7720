"""The transcript's one-line view of messages: what each says, whatever the payload holds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.services.takeover import describe_inbound, describe_outbound

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "text", "body", "interactive", "template", "action", "buttons",
                         "reply", "title", "sections", "rows", "components", "parameters",
                         "name", "image", "caption", "filename"]), inner, max_size=5),
    max_leaves=20)


def test_a_text_an_interactive_and_a_template_read_as_an_operator_expects() -> None:
    assert describe_outbound({"type": "text", "text": {"body": "Namaste"}}) == "Namaste"
    assert describe_outbound({"type": "interactive", "interactive": {
        "type": "button", "body": {"text": "Confirm?"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "a", "title": "Yes"}},
            {"type": "reply", "reply": {"id": "b", "title": "No"}}]}}}) == "Confirm?  [Yes / No]"
    assert describe_outbound({"type": "template", "template": {
        "name": "operator_followup", "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Gita"}, {"type": "text", "text": "Sita"}]}]}}) == (
        "[template operator_followup] Gita | Sita")
    assert describe_outbound({"type": "document", "document": {"filename": "bill.pdf"}}) == (
        "[document] bill.pdf")


@given(JSON)
def test_any_outbox_payload_gives_a_line_and_never_an_error(payload: Any) -> None:
    assert isinstance(describe_outbound(payload), str)


@given(st.binary(max_size=200))
def test_any_stored_inbound_bytes_give_a_line_and_never_an_error(raw: bytes) -> None:
    assert isinstance(describe_inbound(raw, "text"), str)
