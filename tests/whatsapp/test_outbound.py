"""Reply values render to Cloud API payloads that respect every platform limit.

Each builder's output is validated against the sub-schemas of Meta's OpenAPI
description (`../shared/whatsapp/business-messaging-api_v23.0.yaml`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from bot.dev.simulator import validate_payload
from bot.whatsapp.outbound import (
    OutboundLimitError,
    buttons_object,
    list_object,
    render,
    render_outgoing,
    shorten,
    template_object,
    text_object,
)
from flows.replies import (
    Button,
    Buttons,
    ListMenu,
    ListRow,
    ListSection,
    Outgoing,
    Template,
    Text,
)

SPEC = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / (
    "business-messaging-api_v23.0.yaml")


@pytest.fixture(scope="module")
def schemas() -> dict[str, Draft202012Validator]:
    if not SPEC.is_file():
        pytest.skip("../shared/whatsapp is not beside this checkout")
    doc = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    components = copy.deepcopy(doc["components"])
    # The published pattern `^[2-6, 11-14]$` is a malformed character class that
    # rejects index "0", the first quick-reply button Meta's own examples use.
    for name in ("TemplateComponent", "ButtonComponent"):
        node = components["schemas"][name]
        props = node.get("properties") or node["allOf"][1]["properties"]
        props["index"]["pattern"] = "^[0-9]$"
    out = {}
    for name in ("InteractiveObject", "TemplateObject"):
        out[name] = Draft202012Validator(
            {"$ref": f"#/components/schemas/{name}", "components": components})
    return out


def _valid(validator: Draft202012Validator, obj: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(obj), key=str)
    assert not errors, [e.message for e in errors]


def test_the_spec_schema_itself_rejects_four_buttons(schemas: dict[str, Any]) -> None:
    good = buttons_object(Buttons("Pick", tuple(Button(f"b{i}", f"B{i}") for i in range(3))))
    bad = copy.deepcopy(good)
    bad["action"]["buttons"].append({"type": "reply", "reply": {"id": "b4", "title": "B4"}})
    assert list(schemas["InteractiveObject"].iter_errors(bad))


def test_text_renders_as_a_text_message() -> None:
    payload = render("9779800000001", Text("Namaste"))
    assert payload == {
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": "9779800000001", "type": "text",
        "text": {"preview_url": False, "body": "Namaste"},
    }


def test_text_over_4096_characters_is_shortened_with_an_ellipsis() -> None:
    body = text_object(Text("chini 5 kg " * 600))["body"]
    assert len(body) <= 4096 and body.endswith("…")


def test_empty_text_is_refused() -> None:
    with pytest.raises(OutboundLimitError):
        text_object(Text("   "))


def test_buttons_validate_against_the_interactive_schema(schemas: dict[str, Any]) -> None:
    reply = Buttons("Confirm your order of 2 bags Mansuli rice?",
                    (Button("confirm", "Confirm"), Button("edit", "Edit"),
                     Button("cancel", "Cancel")), header="Order 1042", footer="Khaacho")
    _valid(schemas["InteractiveObject"], buttons_object(reply))


def test_long_button_titles_are_shortened_to_20(schemas: dict[str, Any]) -> None:
    obj = buttons_object(Buttons("x", (Button("a", "Accept this order right now please"),)))
    title = obj["action"]["buttons"][0]["reply"]["title"]
    assert len(title) <= 20 and title.endswith("…")
    _valid(schemas["InteractiveObject"], obj)


@pytest.mark.parametrize("count", [0, 4])
def test_a_wrong_number_of_buttons_is_refused(count: int) -> None:
    with pytest.raises(OutboundLimitError):
        buttons_object(Buttons("x", tuple(Button(f"b{i}", f"B{i}") for i in range(count))))


def test_titles_that_become_equal_when_shortened_are_refused() -> None:
    with pytest.raises(OutboundLimitError):
        buttons_object(Buttons("x", (Button("a", "Mansuli rice 25 kg bag one"),
                                     Button("b", "Mansuli rice 25 kg bag two"))))


def test_a_button_id_over_256_characters_is_refused_not_cut() -> None:
    with pytest.raises(OutboundLimitError):
        buttons_object(Buttons("x", (Button("i" * 257, "Ok"),)))


def test_interactive_body_is_shortened_to_1024(schemas: dict[str, Any]) -> None:
    obj = buttons_object(Buttons("word " * 400, (Button("ok", "OK"),)))
    assert len(obj["body"]["text"]) <= 1024
    _valid(schemas["InteractiveObject"], obj)


def _menu(rows_per_section: tuple[int, ...], **kw: Any) -> ListMenu:
    sections = tuple(
        ListSection(f"Section {s}", tuple(
            ListRow(f"s{s}r{r}", f"Product {s}-{r}", "A description") for r in range(n)))
        for s, n in enumerate(rows_per_section))
    return ListMenu("Which one did you mean?", "Choose", sections, **kw)


def test_a_list_validates_against_the_interactive_schema(schemas: dict[str, Any]) -> None:
    _valid(schemas["InteractiveObject"], list_object(_menu((4, 6), header="Rice")))


def test_more_than_ten_rows_in_total_is_refused_even_across_sections() -> None:
    with pytest.raises(OutboundLimitError):
        list_object(_menu((6, 5)))


def test_long_row_titles_descriptions_and_label_are_shortened(schemas: dict[str, Any]) -> None:
    menu = ListMenu("Pick", "Choose one of these products now", (ListSection("Rice varieties list",
        (ListRow("r1", "Jeera Masino Rice Premium 25 kg", "d" * 100),)),))
    obj = list_object(menu)
    row = obj["action"]["sections"][0]["rows"][0]
    assert len(row["title"]) <= 24 and len(row["description"]) <= 72
    assert len(obj["action"]["button"]) <= 20
    _valid(schemas["InteractiveObject"], obj)


def test_duplicate_row_ids_are_refused() -> None:
    with pytest.raises(OutboundLimitError):
        rows = (ListRow("x", "A"), ListRow("x", "B"))
        list_object(ListMenu("b", "go", (ListSection("s", rows),)))


def test_several_sections_need_titles() -> None:
    with pytest.raises(OutboundLimitError):
        list_object(ListMenu("b", "go", (ListSection("", (ListRow("x", "A"),)),
                                        ListSection("", (ListRow("y", "B"),)))))


def test_a_template_validates_against_the_template_schema(schemas: dict[str, Any]) -> None:
    obj = template_object(Template("payment_reminder", "en", ("Ram Kirana", "NPR 12,500"),
                                   ("PAY_NOW", "LATER")))
    assert obj["language"] == {"policy": "deterministic", "code": "en"}
    _valid(schemas["TemplateObject"], obj)


def test_a_template_without_parameters_validates(schemas: dict[str, Any]) -> None:
    _valid(schemas["TemplateObject"], template_object(Template("hello_world", "en_US")))


def test_outgoing_renders_its_fallback_template_too() -> None:
    payload, fallback = render_outgoing(Outgoing("977", Text("hi"), Template("hello", "en")))
    assert payload["type"] == "text"
    assert fallback is not None and fallback["type"] == "template"


@settings(max_examples=200, deadline=None)
@given(
    body=st.text(min_size=1, max_size=1500).filter(str.strip),
    titles=st.lists(st.text(min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=3,
                    unique_by=lambda t: t.strip()[:10]),
)
def test_any_buttons_message_either_renders_within_limits_or_is_refused(
    body: str, titles: list[str]
) -> None:
    reply = Buttons(body, tuple(Button(f"id{i}", t) for i, t in enumerate(titles)))
    try:
        payload = render("977", reply)
    except OutboundLimitError:
        return
    assert validate_payload(payload) is None


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=200), st.integers(min_value=1, max_value=100))
def test_shorten_never_exceeds_its_limit(text: str, limit: int) -> None:
    out = shorten(text, limit)
    assert len(out) <= limit
    if len(text.strip()) <= limit:
        assert out == text.strip()
