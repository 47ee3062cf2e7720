"""Operator tokens: HS256 JSON Web Tokens with the standard library only.

A token names the operator (`sub`), what they may do (`role`: `viewer` reads,
`operator` also writes), when it was issued (`iat`) and when it stops working
(`exp`). Verification is strict: the header must say HS256 (no `none`, no
algorithm confusion), the signature is compared in constant time, and `exp`
is required.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import orjson

Role = Literal["viewer", "operator"]
ROLES: tuple[Role, ...] = ("viewer", "operator")
# A clock a few seconds apart between the issuer and this process is normal.
_LEEWAY_SECONDS = 30
MIN_SECRET_LENGTH = 16


class AuthError(Exception):
    """A token is missing, malformed, forged or expired (answered with 401)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling the admin API, from a verified token."""

    operator: str
    role: Role
    expires_at: int

    @property
    def can_write(self) -> bool:
        """Operators write; viewers only read."""
        return self.role == "operator"


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    # Strict: the base64 decoder skips characters outside the alphabet and
    # ignores padding and unused trailing bits, so `sig!!`, `sig==` and a
    # last character off by a bit would all verify. A JWT segment is exactly
    # the unpadded base64url of its bytes; anything else is refused.
    if not _B64URL.fullmatch(text):
        raise AuthError("token is not base64url")
    padded = text + "=" * (-len(text) % 4)
    try:
        decoded = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise AuthError("token is not base64url") from exc
    if _b64encode(decoded) != text:
        raise AuthError("token is not canonical base64url")
    return decoded


def _check_secret(secret: str) -> bytes:
    if len(secret) < MIN_SECRET_LENGTH:
        raise AuthError("JWT_SECRET is not set or shorter than 16 characters")
    return secret.encode("utf-8")


def _sign(key: bytes, signing_input: bytes) -> bytes:
    return hmac.new(key, signing_input, hashlib.sha256).digest()


def issue_token(
    secret: str, operator: str, role: Role = "operator", *, hours: float = 12.0,
    now: float | None = None,
) -> str:
    """A signed token for `operator` with `role`, valid for `hours`."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not operator.strip():
        raise ValueError("operator name is empty")
    if hours <= 0:
        raise ValueError("hours must be positive")
    key = _check_secret(secret)
    issued = int(now if now is not None else time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"sub": operator.strip(), "role": role, "iat": issued,
              "exp": issued + int(hours * 3600)}
    signing_input = (_b64encode(orjson.dumps(header)) + "." + _b64encode(orjson.dumps(claims)))
    signature = _b64encode(_sign(key, signing_input.encode("ascii")))
    return signing_input + "." + signature


def verify_token(secret: str, token: str, *, now: float | None = None) -> Principal:
    """The principal a token names, or AuthError saying why it is refused."""
    key = _check_secret(secret)
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthError("token is not a JWT")
    header_b64, claims_b64, signature_b64 = parts
    try:
        header: Any = orjson.loads(_b64decode(header_b64))
        claims: Any = orjson.loads(_b64decode(claims_b64))
    except orjson.JSONDecodeError as exc:
        raise AuthError("token is not JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise AuthError("token algorithm must be HS256")
    expected = _sign(key, f"{header_b64}.{claims_b64}".encode("ascii"))
    if not hmac.compare_digest(expected, _b64decode(signature_b64)):
        raise AuthError("token signature is wrong")
    if not isinstance(claims, dict):
        raise AuthError("token claims are not an object")
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise AuthError("token has no expiry")
    current = now if now is not None else time.time()
    if current > exp + _LEEWAY_SECONDS:
        raise AuthError("token has expired")
    sub = claims.get("sub")
    role = claims.get("role")
    if not isinstance(sub, str) or not sub:
        raise AuthError("token names no operator")
    if role not in ROLES:
        raise AuthError("token role is not viewer or operator")
    return Principal(operator=sub, role=role, expires_at=exp)
