"""Where an operator write came from, for every audit row written while handling it.

The console sets it once per form POST (who, IP, role, request id, user agent)
and both audit writers (bot.services.operator_actions.audit and
bot.store.parties.audit) merge it into the row's details, so a write a service
audits itself (a credit limit, a block) records "from where" too without every
service growing a parameter. Outside such a block it is empty.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

_CONTEXT: ContextVar[Mapping[str, Any] | None] = ContextVar("audit_context", default=None)


def current() -> dict[str, Any]:
    """The context of the write being handled (empty outside one)."""
    return dict(_CONTEXT.get() or {})


@contextlib.contextmanager
def writing_from(context: Mapping[str, Any]) -> Iterator[None]:
    """Audit rows written inside the block carry `context` in their details."""
    token = _CONTEXT.set(dict(context))
    try:
        yield
    finally:
        _CONTEXT.reset(token)
