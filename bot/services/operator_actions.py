"""Operator writes shared by the CLI and the admin API, each audited in its transaction.

The business rules live in the services they call (orders, ledger, parties,
the outbox store); this module adds what an operator action needs around
them: a clear refusal (`ActionError` with an HTTP-like status) and one
audit_log row naming who did it, committed together with the change.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from bot.jsontext import dumps
from bot.store import outbox as outbox_store


class ActionError(Exception):
    """An operator action refused: 404 nothing there, 409 wrong state, 422 invalid."""

    def __init__(self, status: int, message: str, **details: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


async def audit(conn: asyncpg.Connection, *, actor: str, action: str, target: str | None,
                details: dict[str, Any]) -> None:
    """One audit_log row (inside the caller's transaction)."""


    await conn.execute(
        "INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)",
        actor, action, target, orjson.loads(dumps(details)))


async def retry_outbox(conn: asyncpg.Connection, row_id: int, *, actor: str,
                       context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Re-queue a failed or dead outbox row from scratch."""
    async with conn.transaction():
        status = await conn.fetchval("SELECT status FROM outbox WHERE id = $1 FOR UPDATE",
                                     row_id)
        if status is None:
            raise ActionError(404, f"outbox row {row_id} not found")
        if await outbox_store.retry(conn, [row_id]) == 0:
            raise ActionError(409, f"outbox row {row_id} is {status}; only failed or dead rows "
                                   "can be retried", row_status=status)
        await audit(conn, actor=actor, action="outbox.retry", target=f"outbox:{row_id}",
                    details={"previous_status": status, **(context or {})})
    return {"id": row_id, "status": "pending", "previous_status": status}
