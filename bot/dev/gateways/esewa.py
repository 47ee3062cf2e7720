"""eSewa ePay v2 as its docs describe it: the signed form, the signed redirect, the status check.

    POST /api/epay/main/v2/form   (form fields, signature over signed_field_names)
      a bad signature or a missing field: HTTP 400 page; else the (simulated) login page
    success_url?data=<base64 JSON {transaction_code, status, total_amount,
      transaction_uuid, product_code, signed_field_names, signature}>
    GET /api/epay/transaction/status/?product_code=…&total_amount=…&transaction_uuid=…
      → {"product_code", "transaction_uuid", "total_amount", "status", "ref_id"}
      status: PENDING, COMPLETE, FULL_REFUND, PARTIAL_REFUND, AMBIGUOUS, NOT_FOUND, CANCELED
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from aiohttp import web

from domain.payments import esewa_signature

FORM_FIELDS = ("amount", "tax_amount", "total_amount", "transaction_uuid", "product_code",
               "product_service_charge", "product_delivery_charge", "success_url",
               "failure_url", "signed_field_names", "signature")
RESPONSE_SIGNED = ("transaction_code", "status", "total_amount", "transaction_uuid",
                   "product_code", "signed_field_names")


@dataclass(slots=True)
class EsewaPayment:
    uuid: str
    total_amount: Decimal
    product_code: str
    success_url: str
    failure_url: str
    status: str = "PENDING"
    paid: Decimal | None = None
    ref_id: str | None = None


@dataclass(slots=True)
class EsewaSim:
    product_code: str
    secret: str
    payments: dict[str, EsewaPayment] = field(default_factory=dict)
    fail_lookups: int = 0
    lookups: int = 0
    refused_forms: int = 0

    # ------------------------------------------------------------ the customer

    def pay(self, uuid: str, amount: Decimal | None = None) -> str:
        """Pay form `uuid` (its amount, or `amount`); the success redirect with signed data."""
        p = self.payments[uuid]
        p.status, p.paid = "COMPLETE", p.total_amount if amount is None else amount
        p.ref_id = p.ref_id or secrets.token_hex(4).upper()
        return f"{p.success_url}?data={self.signed_data(uuid)}"

    def signed_data(self, uuid: str, *, secret: str | None = None) -> str:
        """The base64 `data` eSewa appends to success_url (signed with `secret`, or ours)."""
        p = self.payments[uuid]
        amount = p.paid if p.paid is not None else p.total_amount
        fields = {"transaction_code": p.ref_id or "", "status": p.status,
                  "total_amount": f"{amount:.1f}", "transaction_uuid": uuid,
                  "product_code": p.product_code,
                  "signed_field_names": ",".join(RESPONSE_SIGNED)}
        fields["signature"] = esewa_signature(secret or self.secret, fields, RESPONSE_SIGNED)
        # eSewa writes total_amount as a JSON number (1000.0), signed as written.
        text = json.dumps(fields).replace(f'"total_amount": "{amount:.1f}"',
                                          f'"total_amount": {amount:.1f}')
        return base64.b64encode(text.encode()).decode()

    def cancel(self, uuid: str) -> str:
        """The customer gave up on eSewa's page; the failure redirect."""
        p = self.payments[uuid]
        p.status = "CANCELED"
        return p.failure_url

    # ------------------------------------------------------------ the API

    def register(self, app: web.Application, prefix: str) -> None:
        app.router.add_post(prefix + "/api/epay/main/v2/form", self.form)
        app.router.add_get(prefix + "/api/epay/transaction/status/", self.status)

    async def form(self, request: web.Request) -> web.Response:
        data = await request.post()
        fields = {k: str(data.get(k, "")) for k in FORM_FIELDS}
        names = tuple(fields["signed_field_names"].split(","))
        missing = [k for k in FORM_FIELDS if not fields[k]]
        if missing or any(n not in fields for n in names):
            self.refused_forms += 1
            return web.Response(status=400, text=f"missing {missing}", content_type="text/plain")
        if esewa_signature(self.secret, fields, names) != fields["signature"] or \
                fields["product_code"] != self.product_code:
            self.refused_forms += 1
            return web.Response(status=400, text="Invalid payload signature.",
                                content_type="text/plain")
        uuid = fields["transaction_uuid"]
        self.payments.setdefault(uuid, EsewaPayment(
            uuid, Decimal(fields["total_amount"]), fields["product_code"],
            fields["success_url"], fields["failure_url"]))
        return web.Response(text=f"eSewa (simulated) login: pay Rs {fields['total_amount']}",
                            content_type="text/html")

    async def status(self, request: web.Request) -> web.Response:
        self.lookups += 1
        if self.fail_lookups > 0:
            self.fail_lookups -= 1
            return web.json_response({"code": 0, "error_message": "Service is currently "
                                                                  "unavailable"}, status=503)
        q = request.query
        uuid, product = q.get("transaction_uuid", ""), q.get("product_code", "")
        p = self.payments.get(uuid)
        if p is None or p.product_code != product:
            return web.json_response({"product_code": product, "transaction_uuid": uuid,
                                      "total_amount": float(q.get("total_amount") or 0),
                                      "status": "NOT_FOUND", "ref_id": None})
        amount = p.paid if p.paid is not None else p.total_amount
        return web.json_response({"product_code": p.product_code, "transaction_uuid": uuid,
                                  "total_amount": float(amount), "status": p.status,
                                  "ref_id": p.ref_id})
