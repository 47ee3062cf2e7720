"""Fonepay dynamic QR as its docs describe it (Dynamic QR API v1.1): QR request and status.

    POST /thirdPartyDynamicQrDownload {amount, remarks1, remarks2, prn, merchantCode,
                                       dataValidation, username, password}
      → {"message": "successfull", "qrMessage", "status": "CREATED", "statusCode": 201,
         "success": true, "thirdpartyQrWebSocketUrl"}
      or HTTP 400 {"documentation": "Merchant request Exception", "errorCode": 406,
                   "message": "Data Validation Failed" | "Invalid Merchant Code" | …}
    POST /thirdPartyDynamicQrGetStatus {prn, merchantCode, dataValidation, username, password}
      → {"fonepayTraceId", "merchantCode", "paymentStatus": "success" | "failed", "prn"}

The qrMessage is a real EMVCo merchant-presented payload (tags 00-63, CRC-16) carrying
the amount in tag 54, so any QR app can read it and the bot can check the amount.
"""

from __future__ import annotations

import hmac
import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from aiohttp import web

from domain.payments import amount_text, fonepay_qr_validation, fonepay_status_validation

_TRACE = itertools.count(17400)


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE, as EMVCo QR payloads end (tag 63)."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def emv_payload(merchant: str, amount: str, prn: str) -> str:
    """A dynamic merchant QR for `amount` (NPR, currency 524), Fonepay's account template."""
    body = (_tlv("00", "01") + _tlv("01", "12")
            + _tlv("26", _tlv("00", "fonepay.com") + _tlv("01", merchant) + _tlv("02", prn[:25]))
            + _tlv("52", "5411") + _tlv("53", "524") + _tlv("54", amount) + _tlv("58", "NP")
            + _tlv("59", "Khaacho Sim") + _tlv("60", "Kathmandu")
            + _tlv("62", _tlv("07", prn[:25])) + "6304")
    return body + crc16(body)


@dataclass(slots=True)
class FonepayPayment:
    prn: str
    amount: Decimal
    qr_amount: str
    status: str = "failed"  # what Fonepay answers until the QR is paid
    trace: int = field(default_factory=lambda: next(_TRACE))


@dataclass(slots=True)
class FonepaySim:
    merchant: str
    secret: str
    username: str
    password: str
    payments: dict[str, FonepayPayment] = field(default_factory=dict)
    fail_lookups: int = 0
    lookups: int = 0
    # The next QR is issued for this amount instead of the one asked (a wrong amount).
    misprice_next: str | None = None

    def pay(self, prn: str) -> None:
        """The customer scanned the QR and paid what it encodes."""
        self.payments[prn].status = "success"

    def register(self, app: web.Application, prefix: str) -> None:
        app.router.add_post(prefix + "/thirdPartyDynamicQrDownload", self.download)
        app.router.add_post(prefix + "/thirdPartyDynamicQrGetStatus", self.status)

    def _refuse(self, message: str) -> web.Response:
        return web.json_response({"documentation": "Merchant request Exception",
                                  "errorCode": 406, "message": message}, status=400)

    def _who(self, body: dict[str, object]) -> web.Response | None:
        if body.get("username") != self.username or body.get("password") != self.password:
            return self._refuse("Invalid username")
        if body.get("merchantCode") != self.merchant:
            return self._refuse("Invalid Merchant Code")
        return None

    async def download(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self._who(body)
        if refused is not None:
            return refused
        values = {k: str(body.get(k, "")) for k in ("amount", "prn", "remarks1", "remarks2")}
        if not all(values.values()) or any(len(v) > 25 for v in values.values()):
            return self._refuse("Invalid request parameters")
        expected = fonepay_qr_validation(self.secret, amount=values["amount"],
                                         prn=values["prn"], merchant_code=self.merchant,
                                         remarks1=values["remarks1"],
                                         remarks2=values["remarks2"])
        if not hmac.compare_digest(expected, str(body.get("dataValidation", "")).lower()):
            return self._refuse("Data Validation Failed")
        try:
            amount = Decimal(values["amount"])
        except InvalidOperation:
            return self._refuse("Invalid Amount")
        if values["prn"] in self.payments:
            return self._refuse("Duplicate PRN")
        qr_amount = self.misprice_next or amount_text(amount)
        self.misprice_next = None
        self.payments[values["prn"]] = FonepayPayment(values["prn"], amount, qr_amount)
        return web.json_response({
            "message": "successfull",
            "qrMessage": emv_payload(self.merchant, qr_amount, values["prn"]),
            "status": "CREATED", "statusCode": 201, "success": True,
            "thirdpartyQrWebSocketUrl": f"ws://{request.host}/fonepay/ws/{values['prn']}",
        })

    async def status(self, request: web.Request) -> web.Response:
        self.lookups += 1
        if self.fail_lookups > 0:
            self.fail_lookups -= 1
            return web.Response(status=502, text="Bad Gateway", content_type="text/html")
        body = await request.json()
        refused = self._who(body)
        if refused is not None:
            return refused
        prn = str(body.get("prn", ""))
        expected = fonepay_status_validation(self.secret, prn=prn, merchant_code=self.merchant)
        if not hmac.compare_digest(expected, str(body.get("dataValidation", "")).lower()):
            return self._refuse("Data Validation Failed")
        p = self.payments.get(prn)
        if p is None:
            return self._refuse("Invalid PRN")
        return web.json_response({"fonepayTraceId": p.trace, "merchantCode": self.merchant,
                                  "paymentStatus": p.status, "prn": prn})
