"""Operator accounts of the console: who may log in, with which role, and their password hash.

Passwords are hashed with argon2id (argon2-cffi's defaults: memory-hard, salted,
parameters in the hash so they can be raised later; `needs_rehash` upgrades an
old hash at the next login). An account is disabled, never deleted, so the names
in the audit log keep pointing at someone. Adding, disabling and setting a password
are audited; a new password ends the account's sessions (`sessions_since`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, cast

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.services.operator_actions import audit

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")
# What each role may do, lowest first: a role may do everything the ones before it may.
_RANK: dict[Role, int] = {"viewer": 0, "operator": 1, "admin": 2}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 10
MAX_PASSWORD = 256

_HASHER = PasswordHasher()
# Verified against when the username is unknown, so a wrong name takes as long as a
# wrong password (no telling which accounts exist from the timing).
_DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")


class AccountError(Exception):
    """An account cannot be added or changed as asked (one clear line)."""


@dataclass(frozen=True, slots=True)
class Account:
    """An operator account as the console needs it (never the hash)."""

    id: int
    username: str
    role: Role
    active: bool
    created_at: dt.datetime
    created_by: str
    disabled_at: dt.datetime | None
    last_login_at: dt.datetime | None
    # Sessions started before this are no longer valid (a password was set then).
    sessions_since: dt.datetime | None = None

    def may(self, role: Role) -> bool:
        """Whether this account holds `role` or a higher one."""
        return self.active and _RANK[self.role] >= _RANK[role]


def _account(row: asyncpg.Record) -> Account:
    return Account(row["id"], row["username"], cast(Role, row["role"]), row["active"],
                   row["created_at"], row["created_by"], row["disabled_at"],
                   row["last_login_at"], row["sessions_since"])


_COLS = ("id, username, role, active, created_at, created_by, disabled_at, last_login_at, "
         "sessions_since")


def check_username(username: str) -> str:
    """The username normalised (lower case), or AccountError saying what is allowed."""
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError("a username is 2 to 32 characters: a-z, 0-9, '.', '_' or '-', "
                           "starting with a letter or digit")
    return name


def check_password(password: str) -> None:
    """AccountError unless the password is long enough to keep an account safe."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")


async def add_account(conn: asyncpg.Connection, *, username: str, role: str, password: str,
                      actor: str, context: dict[str, object] | None = None) -> Account:
    """Create an account (audited); AccountError when the name is taken or a value is bad."""
    name = check_username(username)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    digest = _HASHER.hash(password)
    async with conn.transaction():
        row = await conn.fetchrow(
            f"INSERT INTO console_operators (username, role, password_hash, created_by) "  # noqa: S608
            f"VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING {_COLS}",
            name, role, digest, actor)
        if row is None:
            raise AccountError(f"an account named {name} already exists")
        await audit(conn, actor=actor, action="operator.add", target=f"operator:{name}",
                    details={"role": role, **(context or {})})
    return _account(row)


async def list_accounts(conn: asyncpg.Connection) -> list[Account]:
    """Every account, active ones first, by name."""
    rows = await conn.fetch(
        f"SELECT {_COLS} FROM console_operators ORDER BY active DESC, username")  # noqa: S608
    return [_account(r) for r in rows]


async def find_account(conn: asyncpg.Connection, username: str) -> Account | None:
    """The account of that name (active or not), or None."""
    row = await conn.fetchrow(
        f"SELECT {_COLS} FROM console_operators WHERE username = $1",  # noqa: S608
        username.strip().lower())
    return _account(row) if row else None


async def disable_account(conn: asyncpg.Connection, username: str, *, actor: str,
                          context: dict[str, object] | None = None) -> Account:
    """Disable an account (audited): it cannot log in and its open sessions stop working."""
    name = username.strip().lower()
    async with conn.transaction():
        row = await conn.fetchrow(
            f"UPDATE console_operators SET active = false, "  # noqa: S608
            f"disabled_at = COALESCE(disabled_at, now()) WHERE username = $1 "
            f"RETURNING {_COLS}", name)
        if row is None:
            raise AccountError(f"no account named {name}")
        await audit(conn, actor=actor, action="operator.disable", target=f"operator:{name}",
                    details=dict(context or {}))
    return _account(row)


async def authenticate(conn: asyncpg.Connection, username: str, password: str
                       ) -> Account | None:
    """The active account when the password is right, else None (same work either way)."""
    name = username.strip().lower()
    row = await conn.fetchrow(
        f"SELECT {_COLS}, password_hash FROM console_operators WHERE username = $1",  # noqa: S608
        name)
    digest = row["password_hash"] if row is not None else _DUMMY_HASH
    try:
        _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    if _HASHER.check_needs_rehash(digest):
        await conn.execute("UPDATE console_operators SET password_hash = $2 WHERE id = $1",
                           row["id"], _HASHER.hash(password))
    await conn.execute("UPDATE console_operators SET last_login_at = now() WHERE id = $1",
                       row["id"])
    return _account(row)


async def set_password(conn: asyncpg.Connection, username: str, password: str, *,
                       actor: str, action: str = "operator.password_reset",
                       context: dict[str, object] | None = None) -> Account:
    """Give an account a new password (argon2id, audited as `action`); every session
    it has open ends at its next request. AccountError for a bad password or name."""
    check_password(password)
    name = username.strip().lower()
    digest = _HASHER.hash(password)
    async with conn.transaction():
        row = await conn.fetchrow(
            f"UPDATE console_operators SET password_hash = $2, sessions_since = now() "  # noqa: S608
            f"WHERE username = $1 RETURNING {_COLS}", name, digest)
        if row is None:
            raise AccountError(f"no account named {name}")
        # The audit row never holds the password or its hash.
        await audit(conn, actor=actor, action=action, target=f"operator:{name}",
                    details=dict(context or {}))
    return _account(row)


async def password_matches(conn: asyncpg.Connection, username: str, password: str) -> bool:
    """Whether `password` is the account's current one (no login recorded)."""
    digest = await conn.fetchval(
        "SELECT password_hash FROM console_operators WHERE username = $1",
        username.strip().lower())
    try:
        return bool(_HASHER.verify(digest or _DUMMY_HASH, password)) and digest is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
