"""Media tests: the channel's simulator fixtures, and the whole conversation stack with a
media fetcher downloading from the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.store import operator_inbox
from bot.whatsapp.client import GraphClient
from jobs.media_fetcher import FetcherConfig, MediaFetcher
from tests.channel.conftest import http, simulator
from tests.conftest import TEST_ACCESS_TOKEN, TEST_PHONE_NUMBER_ID
from tests.conversation.conftest import Stack, stack

__all__ = ["http", "simulator", "stack"]

FAST_FETCH = FetcherConfig(max_attempts=3, base_delay=0.02, max_delay=0.1, lease_seconds=5,
                           idle_poll=0.2)


@dataclass
class Fetching:
    """The conversation stack and a media fetcher over the same simulator."""

    stack: Stack
    fetcher: MediaFetcher

    async def fetched(self) -> None:
        """Wait until every recorded file is downloaded, refused or failed."""
        await self.fetcher.drain(max_seconds=20)

    async def items(self) -> list[operator_inbox.InboxItem]:
        async with self.stack.runtime.pool.acquire() as conn:
            return await operator_inbox.list_items(conn, operator_inbox.STATES)


def make_fetcher(stack: Stack, session: aiohttp.ClientSession,
                 config: FetcherConfig = FAST_FETCH) -> MediaFetcher:
    graph = GraphClient(session, f"{stack.sim_url}/v23.0", TEST_PHONE_NUMBER_ID,
                        TEST_ACCESS_TOKEN, timeout=5)
    return MediaFetcher(stack.runtime.pool, graph, stack.runtime.settings.database_url,
                        config=config)


@pytest.fixture
async def fetching(stack: Stack) -> AsyncIterator[Fetching]:
    async with aiohttp.ClientSession() as session:
        yield Fetching(stack, make_fetcher(stack, session))
