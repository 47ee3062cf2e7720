"""eSewa ePay v2: a signed form the customer's browser posts to eSewa; the status-check API.

The form (served by us behind a short link, bot/web/payments.py) carries
`amount, tax_amount, total_amount, transaction_uuid, product_code,
product_service_charge, product_delivery_charge, success_url, failure_url,
signed_field_names, signature`, the signature being HMAC-SHA256 (base64) over
`total_amount=…,transaction_uuid=…,product_code=…`. eSewa redirects to success_url
with `?data=<base64 JSON, signed>`; the payment then counts only when

    GET {ESEWA_STATUS_URL}/api/epay/transaction/status/
        ?product_code=…&total_amount=…&transaction_uuid=…
      → {"product_code", "transaction_uuid", "total_amount", "status", "ref_id"}

says COMPLETE.
"""

from __future__ import annotations

import aiohttp
from pydantic import SecretStr

from bot.config import Settings
from bot.gateways import TIMEOUT, GatewayError, Started, read_json
from bot.store.payment_intents import Intent
from domain.payments import (
    ESEWA_REQUEST_FIELDS,
    ESEWA_STATUSES,
    Gateway,
    Observation,
    amount_text,
    esewa_request_signature,
    read_gateway_amount,
)

LINK_PATH = "/payments/esewa/"
SUCCESS_PATH = "/payments/esewa/success"
FAILURE_PATH = "/payments/esewa/failure"
STATUS_PATH = "/api/epay/transaction/status/"


class EsewaClient:
    """eSewa ePay v2 with the merchant's product code and secret key."""

    gateway = Gateway.ESEWA

    def __init__(self, settings: Settings) -> None:
        self.form_url = settings.esewa_form_url
        self._status = settings.esewa_status_url + STATUS_PATH
        self._product = settings.esewa_product_code
        self._secret: SecretStr = settings.esewa_secret_key
        self._public = settings.public_base_url

    @property
    def secret(self) -> str:
        """The key eSewa's answers are signed with."""
        return self._secret.get_secret_value()

    def form_fields(self, intent: Intent) -> dict[str, str]:
        """The fields of the form that pays `intent`, signed."""
        total = amount_text(intent.amount)
        fields = {
            "amount": total, "tax_amount": "0", "total_amount": total,
            "transaction_uuid": intent.token, "product_code": self._product,
            "product_service_charge": "0", "product_delivery_charge": "0",
            "success_url": self._public + SUCCESS_PATH,
            "failure_url": f"{self._public}{FAILURE_PATH}?t={intent.token}",
            "signed_field_names": ",".join(ESEWA_REQUEST_FIELDS),
        }
        fields["signature"] = esewa_request_signature(
            self.secret, total_amount=total, transaction_uuid=intent.token,
            product_code=self._product)
        return fields

    async def start(self, intent: Intent, *, description: str) -> Started:
        # Nothing to ask eSewa yet: the customer's browser posts the form.
        return Started(intent.token, payment_url=self._public + LINK_PATH + intent.token)

    async def lookup(self, intent: Intent) -> Observation:
        params = {"product_code": self._product, "total_amount": amount_text(intent.amount),
                  "transaction_uuid": intent.token}
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                    session.get(self._status, params=params) as response:
                status, body = response.status, await read_json(response, "esewa")
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise GatewayError(f"esewa did not answer: {type(exc).__name__}") from None
        name = body.get("status")
        if status != 200 or not isinstance(name, str):
            why = body.get("error_message") or body
            raise GatewayError(f"esewa status check failed (HTTP {status}): {str(why)[:200]}")
        seen = ESEWA_STATUSES.get(name)
        if seen is None:
            raise GatewayError(f"esewa status check: unknown status {name[:40]!r}")
        ref = body.get("ref_id")
        return Observation(seen, read_gateway_amount(body.get("total_amount")),
                           ref if isinstance(ref, str) and ref else None, name)
