"""HS256 tokens: issued, verified, and refused when anything is off."""

from __future__ import annotations

import base64

import orjson
import pytest

from bot.auth import AuthError, issue_token, verify_token

SECRET = "a-secret-of-sufficient-length"


def test_a_token_round_trips_operator_and_role() -> None:
    p = verify_token(SECRET, issue_token(SECRET, "sita", "viewer", hours=1))
    assert (p.operator, p.role, p.can_write) == ("sita", "viewer", False)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(SECRET, "sita", hours=1, now=1_000_000)
    with pytest.raises(AuthError, match="expired"):
        verify_token(SECRET, token, now=1_000_000 + 3600 + 31)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token("another-secret-of-good-length", "sita")
    with pytest.raises(AuthError, match="signature"):
        verify_token(SECRET, token)


def test_a_tampered_role_is_refused() -> None:
    header, claims, sig = issue_token(SECRET, "sita", "viewer").split(".")
    data = orjson.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    data["role"] = "operator"
    forged = base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()
    with pytest.raises(AuthError):
        verify_token(SECRET, f"{header}.{forged}.{sig}")


def test_alg_none_is_refused() -> None:
    def enc(obj: object) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).rstrip(b"=").decode()

    token = enc({"alg": "none"}) + "." + enc({"sub": "x", "role": "operator", "exp": 2**40}) + "."
    with pytest.raises(AuthError, match="HS256"):
        verify_token(SECRET, token)


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "!!.??.**", "e30.e30.e30"])
def test_garbage_is_an_auth_error_not_a_crash(junk: str) -> None:
    with pytest.raises(AuthError):
        verify_token(SECRET, junk)


def test_a_short_secret_is_refused_outright() -> None:
    with pytest.raises(AuthError, match="JWT_SECRET"):
        issue_token("short", "sita")
