"""What operators are alerted to, and the one key that keeps an alert from repeating."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertKind(StrEnum):
    """Conditions a person must look at; the bot cannot settle them alone."""

    UNROUTABLE_ORDER = "unroutable_order"
    DISPUTE = "dispute"
    DEAD_LETTER = "dead_letter"
    STUCK_VENDOR = "stuck_vendor"
    SEND_FAILED = "send_failed"
    ACCOUNT_QUALITY = "account_quality"
    MEDIA_TO_READ = "media_to_read"
    PAYMENT_HELD = "payment_held"
    TEMPLATE_WAITING = "template_waiting"
    MEDIA_FAILED = "media_failed"  # a retailer's file could not be downloaded, for good


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert to raise: its kind, what it is about (`about`, e.g. `order:1042`) and a line."""

    kind: AlertKind
    about: str
    subject: str

    @property
    def dedupe_key(self) -> str:
        """One open alert per kind and thing: raising it again while open changes nothing."""
        return f"{self.kind.value}:{self.about}"
