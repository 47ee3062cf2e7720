"""A counting wake-up for a pool of identical loops: one ring wakes one idle loop.

An `asyncio.Event` wakes every waiter at once; with several conversation loops
per process, each NOTIFY for one new message sent all of them to claim a sender,
and all but one found nothing — a wasted statement per loop per POST. A ring
here is kept until a loop takes it, so one that lands while every loop is busy
is not lost: the next loop to finish its step takes it and looks again.
"""

from __future__ import annotations

import asyncio


class Doorbell:
    """Rings saved up to `limit` (the number of loops); `wait` takes one."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a doorbell needs at least one loop to ring for")
        self.limit = limit
        self._rings = 0
        self._rung = asyncio.Event()

    @property
    def rings(self) -> int:
        """Rings not yet taken by a loop."""
        return self._rings

    def ring(self, times: int = 1) -> None:
        """Wake up to `times` idle loops (or the next ones to look, if none is idle)."""
        if times <= 0:
            return
        self._rings = min(self.limit, self._rings + times)
        self._rung.set()

    def ring_all(self) -> None:
        """Wake every loop (a reconnect, a stop, a notice that does not say how much)."""
        self.ring(self.limit)

    async def wait(self) -> None:
        """Take a ring, waiting for one; cancelled (a timeout), it takes none."""
        while self._rings == 0:
            self._rung.clear()
            await self._rung.wait()
        self._rings -= 1
