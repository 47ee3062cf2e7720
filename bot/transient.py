"""The failures that mean "try again later", not "this input broke us".

Postgres or Redis unreachable, a dropped connection, a timeout, a
serialisation failure or a deadlock: nothing is wrong with the message or
the row being worked on, and the same work succeeds when retried. Code that
answers a bug differently from an outage (the conversation router apologises
for a bug but lets an outage become a 503 so WhatsApp redelivers) catches
`TRANSIENT` first and re-raises it.

A loop that must outlive any one bad statement (the outbox dispatcher) adds
`asyncpg.PostgresError` to this at its own site; that is a choice about the
loop, not about what is transient.
"""

from __future__ import annotations

import asyncpg
import redis.asyncio as redis

TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    redis.RedisError,
)
