"""A generic Redis session store: one pydantic model per phone, with an idle TTL."""

from __future__ import annotations

from typing import Generic, TypeVar

import orjson
import redis.asyncio as redis
from pydantic import BaseModel, ValidationError

from bot.kv import Keys

M = TypeVar("M", bound=BaseModel)


class SessionStore(Generic[M]):
    """Load, save and delete `model_type` sessions keyed by phone (JSON via orjson)."""

    def __init__(self, client: redis.Redis, keys: Keys, model_type: type[M], ttl: float) -> None:
        self._redis = client
        self._keys = keys
        self._model = model_type
        self._ttl_ms = int(ttl * 1000)

    async def load(self, phone: str) -> M | None:
        """The saved session, or None if there is none (or it no longer fits the model)."""
        raw = await self._redis.get(self._keys.session(phone))
        if raw is None:
            return None
        try:
            return self._model.model_validate(orjson.loads(raw))
        except (orjson.JSONDecodeError, ValidationError):
            # A session written by an older release is dropped, not a crash:
            # the conversation starts over, nothing of value is in Redis.
            return None

    async def save(self, phone: str, model: M) -> None:
        """Store the session and restart its idle TTL."""
        data = orjson.dumps(model.model_dump(mode="json"))
        await self._redis.set(self._keys.session(phone), data, px=self._ttl_ms)

    async def delete(self, phone: str) -> None:
        """Forget the session."""
        await self._redis.delete(self._keys.session(phone))
