"""`X-Hub-Signature-256`: HMAC-SHA256 of the raw request body with the app secret.

Meta signs the bytes it sends (with escaped unicode), so the signature must be
computed over the raw body, never over re-serialised JSON.
"""

from __future__ import annotations

import enum
import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


class SignatureCheck(enum.Enum):
    """Outcome of checking a request's signature header."""

    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"


def _secret_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def sign(secret: str | bytes, body: bytes) -> str:
    """The header value Meta would send for `body`: `sha256=<hex>`."""
    digest = hmac.new(_secret_bytes(secret), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def check(secret: str | bytes, body: bytes, header: str | None) -> SignatureCheck:
    """Compare `header` with the expected signature in constant time."""
    if header is None or not header.strip():
        return SignatureCheck.MISSING
    expected = sign(secret, body).encode("ascii")
    # Lower-case the hex so a client that upper-cases it is not rejected; a
    # non-ASCII header can never match, and compare_digest needs bytes for it.
    given = header.strip().lower().encode("utf-8", errors="replace")
    if not _secret_bytes(secret):
        # An empty app secret would make every forged body "valid".
        return SignatureCheck.INVALID
    return SignatureCheck.VALID if hmac.compare_digest(expected, given) else SignatureCheck.INVALID
