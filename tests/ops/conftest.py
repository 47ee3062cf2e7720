"""The channel's simulator and HTTP session fixtures, for the end-to-end ops tests."""

from tests.channel.conftest import http, simulator

__all__ = ["http", "simulator"]
