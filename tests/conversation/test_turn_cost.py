"""What one ordinary text turn costs in round trips, pinned so it cannot silently grow.

Issue 15: the conversation's statements are cheap each but numerous, and on a
small box every round trip (a syscall each way, a wake-up of the event loop)
is most of a turn's CPU. The counts are taken for real (tests/conversation/
turn_cost.py). A change that needs one more has to say so here; one that
saves one lowers the pin.
"""

from __future__ import annotations

from bot.runtime import Runtime
from tests.conversation.conftest import add_retailer, seed_catalog
from tests.conversation.turn_cost import Turns

PHONE = "9779812000001"

# claim with pending, BEGIN, the sender (takeover, vendor, retailer),
# retailer with credit, the market, the outbox rows, the inbox row
# done with the sender released, COMMIT.
STATEMENTS = 8
# The sender lock taken with the session read; the session saved with the lock freed.
REDIS_ROUND_TRIPS = 2


async def _an_ordinary_turn(runtime: Runtime) -> Turns:
    await seed_catalog(runtime)
    await add_retailer(runtime, PHONE)
    turns = Turns(runtime, PHONE)
    await turns.turn("chini 10 kg")  # the first builds the catalogue index and the session
    return turns


async def test_an_item_typed_into_a_cart_takes_eight_postgres_statements(
        runtime: Runtime) -> None:
    turns = await _an_ordinary_turn(runtime)
    tally = await turns.turn("2 bora sona")
    assert len(tally.statements) == STATEMENTS, "\n".join(tally.statements)


async def test_an_item_typed_into_a_cart_takes_two_redis_round_trips(
        runtime: Runtime) -> None:
    turns = await _an_ordinary_turn(runtime)
    tally = await turns.turn("2 bora sona")
    assert len(tally.redis) == REDIS_ROUND_TRIPS, tally.redis
