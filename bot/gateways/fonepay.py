"""Fonepay dynamic QR: ask for a QR for one amount (named by our PRN), then its status.

    POST {FONEPAY_API_URL}/thirdPartyDynamicQrDownload
      {"amount", "remarks1", "remarks2", "prn", "merchantCode", "dataValidation",
       "username", "password"}
      → {"message", "qrMessage", "status": "CREATED", "statusCode": 201, "success": true,
         "thirdpartyQrWebSocketUrl"}
      or {"documentation", "errorCode": 406, "message": "Data Validation Failed"}
    POST {FONEPAY_API_URL}/thirdPartyDynamicQrGetStatus
      {"prn", "merchantCode", "dataValidation", "username", "password"}
      → {"fonepayTraceId", "merchantCode", "paymentStatus": "success|failed|pending", "prn"}

`dataValidation` is the hex HMAC-SHA512 of `AMOUNT,PRN,MERCHANT-CODE,REMARKS1,REMARKS2`
(QR) or `PRN,MERCHANT-CODE` (status) with the merchant secret. The status answer
carries no amount: the amount paid is the one the QR encodes (EMVCo tag 54), which
`domain.payments.emv_amount` reads, so a QR Fonepay issued for another amount is held.
The web socket Fonepay offers only tells sooner; the status API decides.
"""

from __future__ import annotations

import re

import aiohttp
from pydantic import SecretStr

from bot.config import Settings
from bot.gateways import TIMEOUT, GatewayError, Started, read_json
from bot.store.payment_intents import Intent
from domain.payments import (
    FONEPAY_STATUSES,
    Gateway,
    Observation,
    Seen,
    amount_text,
    emv_amount,
    fonepay_qr_validation,
    fonepay_status_validation,
    read_gateway_amount,
)

QR_PATH = "/thirdPartyDynamicQrDownload"
STATUS_PATH = "/thirdPartyDynamicQrGetStatus"
# remarks are AN 1-25 in Fonepay's table: letters, digits and spaces only.
_NOT_AN = re.compile(r"[^A-Za-z0-9 ]+")


def remark(text: str) -> str:
    """Text as a Fonepay remark: letters, digits and spaces, 1 to 25 of them."""
    return (_NOT_AN.sub("", text).strip() or "Khaacho")[:25]


class FonepayClient:
    """Fonepay's merchant API with the merchant code, secret, username and password."""

    gateway = Gateway.FONEPAY

    def __init__(self, settings: Settings) -> None:
        self._api = settings.fonepay_api_url
        self._merchant = settings.fonepay_merchant_code
        self._secret: SecretStr = settings.fonepay_secret_key
        self._username = settings.fonepay_username
        self._password: SecretStr = settings.fonepay_password

    async def _post(self, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        body = {**body, "username": self._username,
                "password": self._password.get_secret_value()}
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                    session.post(self._api + path, json=body) as response:
                return response.status, await read_json(response, "fonepay")
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise GatewayError(f"fonepay did not answer: {type(exc).__name__}") from None

    async def start(self, intent: Intent, *, description: str) -> Started:
        amount = amount_text(intent.amount)
        remarks1, remarks2 = remark(description), remark(f"Khaacho {intent.token}")
        status, body = await self._post(QR_PATH, {
            "amount": amount, "remarks1": remarks1, "remarks2": remarks2, "prn": intent.token,
            "merchantCode": self._merchant,
            "dataValidation": fonepay_qr_validation(
                self._secret.get_secret_value(), amount=amount, prn=intent.token,
                merchant_code=self._merchant, remarks1=remarks1, remarks2=remarks2),
        })
        qr = body.get("qrMessage")
        if status not in (200, 201) or body.get("success") is not True or not isinstance(qr, str):
            raise GatewayError(f"fonepay refused the QR (HTTP {status}): "
                               f"{str(body.get('message') or body)[:200]}")
        return Started(intent.token, qr_message=qr)

    async def lookup(self, intent: Intent) -> Observation:
        status, body = await self._post(STATUS_PATH, {
            "prn": intent.token, "merchantCode": self._merchant,
            "dataValidation": fonepay_status_validation(
                self._secret.get_secret_value(), prn=intent.token,
                merchant_code=self._merchant),
        })
        name = body.get("paymentStatus")
        if status != 200 or not isinstance(name, str):
            raise GatewayError(f"fonepay status failed (HTTP {status}): "
                               f"{str(body.get('message') or body)[:200]}")
        seen = FONEPAY_STATUSES.get(name.lower())
        if seen is None:
            raise GatewayError(f"fonepay status: unknown paymentStatus {name[:40]!r}")
        trace = body.get("fonepayTraceId")
        amount = None
        if seen is Seen.PAID:
            # An amount in the answer wins (not in the documented fields); else the QR's.
            amount = read_gateway_amount(body.get("amount")) if "amount" in body else (
                emv_amount(intent.qr_message or ""))
        return Observation(seen, amount, None if trace is None else str(trace)[:100], name)
