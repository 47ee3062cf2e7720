"""The template registry passes Meta's rules, in both languages, and matches what is sent."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.whatsapp.template_rules import (
    SUBCODE_BAD_NAME,
    SUBCODE_INVALID_FORMAT,
    SUBCODE_MISSING_EXAMPLE,
    parameters,
    problems,
)
from bot.whatsapp.templates_api import create_request
from flows import order_notices, templates
from flows.replies import Template
from flows.templates import LANGUAGES, REGISTRY, Category

SPECS = list(REGISTRY.values())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_template_is_a_valid_create_request(spec: templates.TemplateSpec,
                                                  language: str) -> None:
    assert problems(create_request(spec, language)) == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_both_languages_take_the_same_parameters_and_buttons(
        spec: templates.TemplateSpec) -> None:
    en, ne = (sorted(set(parameters(spec.body[lang]))) for lang in LANGUAGES)
    assert en == ne
    assert len(spec.examples["en"]) == len(spec.examples["ne"]) == len(en)
    assert len(spec.buttons["en"]) == len(spec.buttons["ne"])


def test_nudges_are_marketing_and_notices_are_utility() -> None:
    assert {s.name for s in SPECS if s.category is Category.MARKETING} == {
        templates.REORDER_NUDGE}


def test_the_registry_holds_every_template_the_product_sends() -> None:
    assert {templates.PAYMENT_REMINDER_DUE_SOON, templates.PAYMENT_REMINDER_DUE_TODAY,
            templates.PAYMENT_REMINDER_OVERDUE, templates.CREDIT_BLOCKED,
            templates.CREDIT_UNBLOCKED, templates.REORDER_NUDGE, templates.VENDOR_WEEKLY_REPORT,
            templates.OPERATOR_FOLLOWUP, templates.PAYMENT_VOIDED, templates.PAYMENT_HELD,
            templates.PAYMENT_RETURNED, templates.PAYMENT_EXPIRED, order_notices.VENDOR_NEW_ORDER,
            order_notices.ORDER_UPDATE,
            order_notices.PAYMENT_RECEIVED} == set(REGISTRY)


def _sent() -> list[Template]:
    """One message of each template, as the jobs and notices build them."""
    due = date(2026, 12, 5)
    out: list[Template] = [
        templates.payment_reminder("due_soon", "ne", "Ram", Decimal(5), [1001], due),
        templates.payment_reminder("due_today", "en", "Ram", Decimal(5), [1001], due),
        templates.payment_reminder("overdue", "en", "Ram", Decimal(5), [1001], due, 3),
        templates.credit_blocked("en", "Ram", Decimal(5), 16, 1001),
        templates.credit_unblocked("ne", "Ram"),
        templates.reorder_nudge("en", "Ram", "chini 10 kg", 7),
        templates.vendor_weekly_report("Himal", "2026-W48", 4, Decimal(9), "90%", "4 min", 1),
        templates.Template(templates.PAYMENT_RECEIVED, "en", ("Rs 5", "Rs 0")),
        templates.operator_followup("ne", "Ram", "Sita"),
        templates.payment_voided("en", "Ram", 42, Decimal(5), "cheque bounced", "You owe Rs 5"),
        templates.payment_held("ne", "Ram", "खल्ती", Decimal(4), Decimal(5)),
        templates.payment_returned("en", "Ram", "Khalti", Decimal(5)),
        templates.payment_expired("ne", "Ram", "इसेवा", Decimal(5)),
    ]
    offer = order_notices.text(to="977", language="en", number=1001, key="order.dispatched",
                               vendor="Himal")
    assert offer.fallback is not None
    out.append(offer.fallback)
    return out


@pytest.mark.parametrize("sent", _sent(), ids=lambda t: t.name)
def test_what_is_sent_fills_every_parameter_and_button_of_its_template(sent: Template) -> None:
    spec = REGISTRY[sent.name]
    assert len(sent.body_params) == len(set(parameters(spec.body[sent.language])))
    assert len(sent.button_payloads) in (0, len(spec.buttons[sent.language]))


def _request(**changes: object) -> dict[str, object]:
    request = create_request(REGISTRY[templates.PAYMENT_RECEIVED], "en")
    request.update(changes)
    return request


@given(st.text(min_size=1, max_size=40).filter(lambda s: not re.fullmatch(r"[a-z0-9_]+", s)))
def test_a_name_other_than_lowercase_digits_and_underscores_is_refused(name: str) -> None:
    assert SUBCODE_BAD_NAME in {p.subcode for p in problems(_request(name=name))}


def test_a_name_over_512_characters_is_refused() -> None:
    assert SUBCODE_BAD_NAME in {p.subcode for p in problems(_request(name="a" * 513))}


def test_a_body_without_example_values_is_refused() -> None:
    body = {"type": "BODY", "text": "Paid {{1}}, thank you."}
    assert [p.subcode for p in problems(_request(components=[body]))] == [
        SUBCODE_MISSING_EXAMPLE]


def test_too_few_example_values_are_refused() -> None:
    body = {"type": "BODY", "text": "Paid {{1}} of {{2}}, thank you.",
            "example": {"body_text": [["Rs 5"]]}}
    assert [p.subcode for p in problems(_request(components=[body]))] == [
        SUBCODE_MISSING_EXAMPLE]


@pytest.mark.parametrize("text", [
    "Paid {{2}} and {{1}} now.",  # out of order
    "Paid {{1}} and {{3}} now.",  # a gap
    "{{1}} paid, thank you.",  # starts with a parameter
    "Thank you, {{1}}",  # ends with one
    "Paid {{1}}{{2}} now.",  # side by side
    "x" * 1025,
])
def test_malformed_bodies_are_refused(text: str) -> None:
    n = len(set(parameters(text)))
    body = {"type": "BODY", "text": text, "example": {"body_text": [["a"] * n]}}
    assert SUBCODE_INVALID_FORMAT in {p.subcode for p in problems(_request(components=[body]))}


def test_more_than_ten_quick_replies_or_a_long_button_are_refused() -> None:
    body = {"type": "BODY", "text": "Hello there."}
    many = {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": f"b{i}"}
                                           for i in range(11)]}
    long = {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x" * 26}]}
    assert problems(_request(components=[body, many]))
    assert problems(_request(components=[body, long]))
    assert problems(_request(components=[body, {"type": "BUTTONS", "buttons": [
        {"type": "QUICK_REPLY", "text": "x" * 25}]}])) == []


def test_an_unknown_category_is_refused() -> None:
    assert problems(_request(category="PROMOTION"))
