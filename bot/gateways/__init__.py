"""The payment gateways' wire formats: Fonepay dynamic QR, Khalti ePayment, eSewa ePay v2.

Each client starts a payment for an intent (`start`) and asks the gateway's status
API what became of it (`lookup`). Neither ever decides alone what counts as paid:
that is `domain.payments.judge`, called by bot/services/payments.py. A gateway that
does not answer, answers 5xx or answers nonsense raises `GatewayError`; the caller
keeps the intent pending and asks again later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from bot.config import Settings
from bot.store.payment_intents import Intent
from domain.payments import Gateway, Observation

TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)


class GatewayError(Exception):
    """The gateway refused, failed or did not answer (one line, safe to log)."""


@dataclass(frozen=True, slots=True)
class Started:
    """What the gateway answered to a start: its reference, a link or a QR, the expiry."""

    reference: str
    payment_url: str | None = None
    qr_message: str | None = None
    expires_at: dt.datetime | None = None


class GatewayClient(Protocol):
    """One gateway, as the payment service uses it."""

    gateway: Gateway

    async def start(self, intent: Intent, *, description: str) -> Started:
        """Ask the gateway to take `intent.amount`; what the customer is sent follows."""
        ...

    async def lookup(self, intent: Intent) -> Observation:
        """What the gateway's status API says of `intent` now."""
        ...


def clients(settings: Settings) -> dict[Gateway, GatewayClient]:
    """Every gateway whose settings are complete, by gateway (none: nothing is offered).

    Khalti and eSewa send the customer's browser back to PUBLIC_BASE_URL, so they
    need it too; Fonepay's QR goes as a WhatsApp image (outbound media).
    """
    from bot.gateways.esewa import EsewaClient
    from bot.gateways.fonepay import FonepayClient
    from bot.gateways.khalti import KhaltiClient

    out: dict[Gateway, GatewayClient] = {}
    public = settings.public_base_url
    if settings.fonepay_merchant_code and settings.fonepay_username and \
            settings.fonepay_secret_key.get_secret_value() and \
            settings.fonepay_password.get_secret_value():
        out[Gateway.FONEPAY] = FonepayClient(settings)
    if public and settings.khalti_secret_key.get_secret_value():
        out[Gateway.KHALTI] = KhaltiClient(settings)
    if public and settings.esewa_product_code and settings.esewa_secret_key.get_secret_value():
        out[Gateway.ESEWA] = EsewaClient(settings)
    return out


async def read_json(response: aiohttp.ClientResponse, gateway: str) -> dict[str, object]:
    """The response body as a JSON object, or GatewayError naming what came instead."""
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        raise GatewayError(f"{gateway} answered HTTP {response.status} that is not JSON") from None
    if not isinstance(body, dict):
        raise GatewayError(f"{gateway} answered HTTP {response.status} with no JSON object")
    return body
