"""The flows in memory: a `FakeWorld` behind both ports, and a chat that drives a retailer."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from flows import retailer
from flows.replies import Buttons, ListMenu, Outgoing, Text
from flows.retailer import Said
from flows.session import Session
from tests.flows.fakes import FakeVendor, FakeWorld

RETAILER = "9779812000001"
VENDOR = "9779801000001"
OTHER_VENDOR = "9779801000002"


@dataclass
class Chat:
    """One retailer talking to the flow; the session goes through JSON between turns, as
    through Redis, and every turn must leave the machine with no refused trigger."""

    world: FakeWorld
    phone: str
    session: Session | None = None
    sent: list[Outgoing] = field(default_factory=list)

    async def send(self, text: str) -> list[Outgoing]:
        return await self._turn(Said(text=text))

    async def tap(self, choice_id: str, title: str = "tap") -> list[Outgoing]:
        return await self._turn(Said(choice=choice_id, choice_title=title))

    async def _turn(self, said: Said) -> list[Outgoing]:
        turned = await retailer.handle(self.world.backend(), self.phone, said, self.session)
        assert turned.refused == (), f"the machine refused {turned.refused}"
        self.session = Session.load(turned.session.dump())
        self.sent.extend(turned.out)
        return turned.out


def to_me(out: list[Outgoing], phone: str = RETAILER) -> list[Outgoing]:
    return [o for o in out if o.to == phone]


def body(o: Outgoing) -> str:
    assert isinstance(o.reply, Text | Buttons | ListMenu), o.reply
    return o.reply.body


def said(out: list[Outgoing], phone: str = RETAILER) -> str:
    """Everything `phone` was told in a turn, as one text."""
    return "\n".join(body(o) for o in to_me(out, phone))


def button_ids(o: Outgoing) -> list[str]:
    if isinstance(o.reply, Buttons):
        return [b.id for b in o.reply.buttons]
    assert isinstance(o.reply, ListMenu), o.reply
    return [r.id for s in o.reply.sections for r in s.rows]


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def vendor(world: FakeWorld) -> FakeVendor:
    return world.vendor("Shrestha Traders", VENDOR)


@pytest.fixture
def chat(world: FakeWorld, vendor: FakeVendor) -> Chat:
    world.retailer(RETAILER)
    return Chat(world, RETAILER)
