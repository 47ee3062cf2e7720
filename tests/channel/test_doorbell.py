"""The conversation loops' doorbell: one ring wakes one idle loop, and no ring is lost."""

from __future__ import annotations

import asyncio

import pytest

from bot.conversation.doorbell import Doorbell


async def _took(bell: Doorbell, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await bell.wait()
    except TimeoutError:
        return False
    return True


async def _woken(bell: Doorbell, waiters: int, seconds: float) -> int:
    """How many of `waiters` loops took a ring within `seconds`."""
    return sum(await asyncio.gather(*(_took(bell, seconds) for _ in range(waiters))))


async def test_one_ring_wakes_one_of_several_idle_loops() -> None:
    bell = Doorbell(4)
    waiting = asyncio.ensure_future(_woken(bell, 4, 0.2))
    await asyncio.sleep(0.01)
    bell.ring()
    assert await waiting == 1


async def test_a_ring_while_no_loop_waits_is_kept_for_the_next_to_look() -> None:
    bell = Doorbell(2)
    bell.ring()
    assert await _took(bell, 0.05) is True
    assert await _took(bell, 0.05) is False


async def test_rings_are_saved_up_to_the_number_of_loops() -> None:
    bell = Doorbell(3)
    bell.ring(10)
    assert bell.rings == 3
    assert await _woken(bell, 5, 0.05) == 3


async def test_ring_all_wakes_every_loop() -> None:
    bell = Doorbell(3)
    waiting = asyncio.ensure_future(_woken(bell, 3, 0.5))
    await asyncio.sleep(0.01)
    bell.ring_all()
    assert await waiting == 3


async def test_a_wait_cut_short_takes_no_ring() -> None:
    bell = Doorbell(2)
    assert await _took(bell, 0.02) is False
    bell.ring()
    assert bell.rings == 1


async def test_no_ring_at_all_rings_nothing() -> None:
    bell = Doorbell(2)
    bell.ring(0)
    assert bell.rings == 0


def test_a_doorbell_needs_a_loop() -> None:
    with pytest.raises(ValueError):
        Doorbell(0)
