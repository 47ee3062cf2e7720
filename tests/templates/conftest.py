"""The whole stack (web app + Router, simulator with its template desk, dispatcher)."""

from __future__ import annotations

import aiohttp

from bot.dev.sim_templates import DEFAULT_WABA_ID, TemplateDesk, desk
from bot.whatsapp.templates_api import TemplatesClient
from tests.conftest import TEST_ACCESS_TOKEN
from tests.conversation.conftest import Stack, stack  # noqa: F401 (the fixture)


def desk_of(s: Stack) -> TemplateDesk:
    """The simulator's template desk."""
    return desk(s.sim)


def templates_client(s: Stack, session: aiohttp.ClientSession) -> TemplatesClient:
    """A templates client for the simulated business account."""
    return TemplatesClient(session, f"{s.sim_url}/v23.0", DEFAULT_WABA_ID, TEST_ACCESS_TOKEN)
