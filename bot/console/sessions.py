"""Console sessions, held in Redis: a random cookie value names one, its SHA-256 is the key.

A session remembers who logged in, its CSRF token, when it started and the
one-shot messages ("Payment recorded") shown on the next page. It ends after
`CONSOLE_IDLE_MINUTES` without a request (the key's TTL, renewed by each
request) and in any case `CONSOLE_SESSION_HOURS` after login. Only the hash of
the cookie is stored, so a copy of Redis does not log anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field, replace

import orjson

from bot.runtime import Runtime

COOKIE = "khaacho_console"


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-shot message for the next page: `ok` or `error`."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """One logged-in browser."""

    key: str
    username: str
    csrf: str
    started_at: float
    flashes: tuple[Flash, ...] = field(default=())

    def csrf_matches(self, sent: str | None) -> bool:
        """Whether a form's token is this session's (compared in constant time)."""
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), (sent or "").encode())


def _key(runtime: Runtime, token: str) -> str:
    return runtime.keys.console_session(hashlib.sha256(token.encode()).hexdigest())


def _dump(s: ConsoleSession) -> bytes:
    return orjson.dumps({"username": s.username, "csrf": s.csrf, "started_at": s.started_at,
                         "flashes": [[f.kind, f.text] for f in s.flashes]})


def _idle_seconds(runtime: Runtime) -> int:
    return max(1, int(runtime.settings.console_idle_minutes * 60))


async def open_session(runtime: Runtime, username: str) -> tuple[str, ConsoleSession]:
    """A new session for `username`: the cookie value to set, and the session."""
    token = secrets.token_urlsafe(32)
    session = ConsoleSession(_key(runtime, token), username, secrets.token_urlsafe(32),
                             time.time())
    await runtime.redis.set(session.key, _dump(session), ex=_idle_seconds(runtime))
    return token, session


async def load_session(runtime: Runtime, token: str | None) -> ConsoleSession | None:
    """The live session the cookie names (its idle timer restarted), or None."""
    if not token or len(token) > 100:
        return None
    key = _key(runtime, token)
    raw = await runtime.redis.get(key)
    if raw is None:
        return None
    try:
        data = orjson.loads(raw)
        session = ConsoleSession(key, str(data["username"]), str(data["csrf"]),
                                 float(data["started_at"]),
                                 tuple(Flash(str(k), str(t)) for k, t in data["flashes"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        await runtime.redis.delete(key)
        return None
    if time.time() - session.started_at > runtime.settings.console_session_hours * 3600:
        await runtime.redis.delete(key)
        return None
    await runtime.redis.expire(key, _idle_seconds(runtime))
    return session


async def end_session(runtime: Runtime, session: ConsoleSession) -> None:
    """Log out: the session is gone, the cookie names nothing."""
    await runtime.redis.delete(session.key)


async def add_flash(runtime: Runtime, session: ConsoleSession, kind: str, text: str) -> None:
    """Keep a message for the next page this session shows."""
    updated = replace(session, flashes=(*session.flashes, Flash(kind, text))[-5:])
    await runtime.redis.set(session.key, _dump(updated), keepttl=True, xx=True)


async def take_flashes(runtime: Runtime, session: ConsoleSession) -> tuple[Flash, ...]:
    """The messages waiting for this page, removed from the session."""
    if not session.flashes:
        return ()
    await runtime.redis.set(session.key, _dump(replace(session, flashes=())), keepttl=True,
                            xx=True)
    return session.flashes
