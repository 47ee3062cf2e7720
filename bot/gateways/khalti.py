"""Khalti ePayment (KPG-2): initiate a payment, send its `payment_url`, look it up by `pidx`.

    POST {KHALTI_API_URL}/epayment/initiate/   Authorization: Key <secret>
      {"return_url", "website_url", "amount" (paisa), "purchase_order_id",
       "purchase_order_name"} → {"pidx", "payment_url", "expires_at", "expires_in"}
    POST {KHALTI_API_URL}/epayment/lookup/     {"pidx"}
      → {"pidx", "total_amount" (paisa), "status", "transaction_id", "fee", "refunded"}

After paying, Khalti sends the customer's browser to `return_url` with `pidx`,
`status`, `total_amount` … in the query; only the lookup is believed.
"""

from __future__ import annotations

import datetime as dt

import aiohttp
from pydantic import SecretStr

from bot.config import Settings
from bot.gateways import TIMEOUT, GatewayError, Started, read_json
from bot.store.payment_intents import Intent
from domain.payments import KHALTI_STATUSES, Gateway, Observation, Seen, paisa, rupees_of_paisa

RETURN_PATH = "/payments/khalti/return"


class KhaltiClient:
    """Khalti's ePayment API with the merchant's live or test secret key."""

    gateway = Gateway.KHALTI

    def __init__(self, settings: Settings) -> None:
        self._api = settings.khalti_api_url
        self._key: SecretStr = settings.khalti_secret_key
        self._public = settings.public_base_url

    async def _post(self, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        headers = {"Authorization": f"Key {self._key.get_secret_value()}"}
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                    session.post(f"{self._api}{path}", json=body, headers=headers) as response:
                return response.status, await read_json(response, "khalti")
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise GatewayError(f"khalti did not answer: {type(exc).__name__}") from None

    async def start(self, intent: Intent, *, description: str) -> Started:
        status, body = await self._post("/epayment/initiate/", {
            "return_url": self._public + RETURN_PATH,
            "website_url": self._public + "/",
            "amount": paisa(intent.amount),
            "purchase_order_id": intent.token,
            "purchase_order_name": description[:100],
        })
        pidx, url = body.get("pidx"), body.get("payment_url")
        if status != 200 or not isinstance(pidx, str) or not isinstance(url, str):
            raise GatewayError(f"khalti refused the payment (HTTP {status}): {_why(body)}")
        return Started(pidx, payment_url=url, expires_at=_instant(body.get("expires_at")))

    async def lookup(self, intent: Intent) -> Observation:
        assert intent.reference is not None
        status, body = await self._post("/epayment/lookup/", {"pidx": intent.reference})
        if status == 404:
            return Observation(Seen.NOT_FOUND, detail=_why(body))
        name = body.get("status")
        # Khalti answers an expired or cancelled pidx with HTTP 400 and its status.
        if status not in (200, 400) or not isinstance(name, str):
            raise GatewayError(f"khalti lookup failed (HTTP {status}): {_why(body)}")
        seen = KHALTI_STATUSES.get(name)
        if seen is None:
            raise GatewayError(f"khalti lookup: unknown status {name[:40]!r}")
        total = body.get("total_amount")
        amount = rupees_of_paisa(total) if isinstance(total, int) and total >= 0 else None
        txn = body.get("transaction_id")
        return Observation(seen, amount, txn if isinstance(txn, str) else None, name)


def _why(body: dict[str, object]) -> str:
    detail = body.get("detail") or body.get("error_key") or body
    return str(detail)[:200]


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
