"""Fixtures shared with the channel and conversation suites (real app on loopback)."""

from tests.channel.conftest import bot, channel_effects_reset
from tests.conversation.conftest import stack

__all__ = ["bot", "channel_effects_reset", "stack"]
