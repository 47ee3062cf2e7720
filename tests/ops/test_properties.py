"""Properties of what callers feed the ops layer: tokens, request ids, phone numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.auth import AuthError, issue_token, verify_token
from bot.logs import clean_request_id, mask_phone

SECRET = "a-secret-of-sufficient-length"


@given(st.text(max_size=300))
def test_any_text_as_a_token_is_refused_with_auth_error_only(token: str) -> None:
    with pytest.raises(AuthError):
        verify_token(SECRET, token)


@given(st.text(min_size=1, max_size=40).filter(str.strip),
       st.sampled_from(["viewer", "operator"]),
       st.floats(min_value=0.01, max_value=2000))
def test_every_issued_token_verifies_to_what_was_issued(operator: str, role: str,
                                                        hours: float) -> None:
    p = verify_token(SECRET, issue_token(SECRET, operator, role, hours=hours))  # type: ignore[arg-type]
    assert (p.operator, p.role) == (operator.strip(), role)


@given(st.text(max_size=400))
def test_a_request_id_is_always_safe_to_log_and_echo(value: str) -> None:
    rid = clean_request_id(value)
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", rid)
    if re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", value):
        assert rid == value


@given(st.text(alphabet="0123456789", min_size=6, max_size=15))
def test_a_masked_phone_shows_at_most_five_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert sum(c.isdigit() for c in masked) == 5
    assert masked[:2] == phone[:2] and masked[-3:] == phone[-3:]
