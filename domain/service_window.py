"""WhatsApp's customer-service window: free-form messages only within 24 hours of the user's last.

Outside the window the Cloud API refuses anything but an approved template
(error 131047). The worker's reminders (jobs/messaging.py) and the operator's
replies in a taken-over conversation (bot/services/takeover.py) both read the
window here, so the rule lives once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """Whether free-form messages may be sent to someone now, and until when."""

    last_inbound: datetime | None
    now: datetime

    @property
    def is_open(self) -> bool:
        """The user wrote to us less than 24 hours ago."""
        return window_open(self.last_inbound, self.now)

    @property
    def closes_at(self) -> datetime | None:
        """When the window closes (or closed); None if the user never wrote."""
        return self.last_inbound + WINDOW if self.last_inbound is not None else None


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    """True when the user's last message is less than 24 hours old."""
    return last_inbound is not None and now - last_inbound < WINDOW
