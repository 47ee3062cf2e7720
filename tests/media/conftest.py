"""Media tests run over the channel's fixtures: the simulator on loopback and an HTTP session."""

from tests.channel.conftest import http, simulator

__all__ = ["http", "simulator"]
