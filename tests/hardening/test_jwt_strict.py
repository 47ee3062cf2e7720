"""A JWT segment is exactly the unpadded base64url of its bytes (issue 19).

The base64 decoder skips junk and padding, so a signature with `!!` inside or
`==` appended used to verify.
"""

from __future__ import annotations

import pytest

from bot.auth import AuthError, issue_token, verify_token

SECRET = "s" * 40


def _token() -> str:
    return issue_token(SECRET, "sita", "operator", hours=1)


def test_a_well_formed_token_verifies() -> None:
    assert verify_token(SECRET, _token()).operator == "sita"


@pytest.mark.parametrize("mangle", [
    lambda sig: sig[:5] + "!!" + sig[5:],
    lambda sig: sig + "==",
    lambda sig: sig + "=",
    lambda sig: " " + sig,
    lambda sig: sig[:10] + "\\n" + sig[10:],
])
def test_junk_in_the_signature_is_refused(mangle: object) -> None:
    head, claims, sig = _token().split(".")
    with pytest.raises(AuthError):
        verify_token(SECRET, f"{head}.{claims}.{mangle(sig)}")  # type: ignore[operator]


def test_a_non_canonical_last_character_is_refused() -> None:
    head, claims, sig = _token().split(".")
    # 32 bytes → 43 characters: the last one carries 2 unused bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    twin = alphabet[last ^ 1]
    with pytest.raises(AuthError):
        verify_token(SECRET, f"{head}.{claims}.{sig[:-1]}{twin}")


def test_junk_in_the_claims_segment_is_refused() -> None:
    head, claims, sig = _token().split(".")
    with pytest.raises(AuthError):
        verify_token(SECRET, f"{head}.{claims}==.{sig}")
