"""Khalti ePayment as its docs describe it: initiate, lookup, and the return redirect.

    POST /api/v2/epayment/initiate/  Authorization: Key <secret>
      400 {"<field>": ["…"], "error_key": "validation_error"} for a missing or bad field
      401 {"detail": "Invalid token.", "status_code": 401} for a wrong key
      200 {"pidx", "payment_url", "expires_at", "expires_in"}
    POST /api/v2/epayment/lookup/    {"pidx"}
      404 {"detail": "Not found.", "error_key": "validation_error"} for an unknown pidx
      200 {"pidx", "total_amount", "status", "transaction_id", "fee", "refunded"}
      (Expired and User canceled come with HTTP 400 and the same body)
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import web

from domain.business_time import ZONE

EXPIRES_IN = 1800


@dataclass(slots=True)
class KhaltiPayment:
    pidx: str
    amount: int  # paisa asked
    purchase_order_id: str
    purchase_order_name: str
    return_url: str
    status: str = "Initiated"
    paid: int | None = None
    transaction_id: str | None = None


@dataclass(slots=True)
class KhaltiSim:
    secret: str
    payments: dict[str, KhaltiPayment] = field(default_factory=dict)
    fail_lookups: int = 0  # answer this many lookups with HTTP 503
    fail_initiates: int = 0
    lookups: int = 0
    base: str = ""

    # ------------------------------------------------------------ the customer

    def pay(self, pidx: str, paisa: int | None = None) -> str:
        """Pay `pidx` (the amount asked, or `paisa`); the return URL the browser is sent to."""
        p = self.payments[pidx]
        p.status, p.paid = "Completed", p.amount if paisa is None else paisa
        p.transaction_id = p.transaction_id or secrets.token_hex(11)
        return self.return_url(pidx)

    def set_status(self, pidx: str, status: str) -> str:
        """Pending, Expired, User canceled, Refunded …; the return URL for it."""
        self.payments[pidx].status = status
        return self.return_url(pidx)

    def return_url(self, pidx: str) -> str:
        """The redirect Khalti sends the customer's browser to, query and all."""
        p = self.payments[pidx]
        amount = p.paid if p.paid is not None else p.amount
        query = {"pidx": pidx, "txnId": p.transaction_id or "", "amount": amount,
                 "total_amount": amount, "status": p.status, "mobile": "98XXXXX904",
                 "tidx": p.transaction_id or "", "purchase_order_id": p.purchase_order_id,
                 "purchase_order_name": p.purchase_order_name,
                 "transaction_id": p.transaction_id or ""}
        return f"{p.return_url}?{urlencode(query)}"

    def by_order(self, purchase_order_id: str) -> KhaltiPayment:
        return next(p for p in self.payments.values()
                    if p.purchase_order_id == purchase_order_id)

    # ------------------------------------------------------------ the API

    def register(self, app: web.Application, prefix: str) -> None:
        app.router.add_post(prefix + "/api/v2/epayment/initiate/", self.initiate)
        app.router.add_post(prefix + "/api/v2/epayment/lookup/", self.lookup)
        app.router.add_get(prefix + "/pay/{pidx}", self.page)
        self.base = prefix

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Key {self.secret}"

    async def initiate(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"detail": "Invalid token.", "status_code": 401}, status=401)
        if self.fail_initiates > 0:
            self.fail_initiates -= 1
            return web.json_response({"detail": "Service unavailable"}, status=503)
        body = await request.json()
        errors: dict[str, object] = {}
        for name in ("return_url", "website_url", "amount", "purchase_order_id",
                     "purchase_order_name"):
            if body.get(name) in (None, ""):
                errors[name] = ["This field is required."]
        amount = body.get("amount")
        if "amount" not in errors and (not isinstance(amount, int) or amount < 1000):
            errors["amount"] = ["Amount should be greater than Rs. 10, that is 1000 paisa."]
        if errors:
            return web.json_response({**errors, "error_key": "validation_error"}, status=400)
        pidx = secrets.token_urlsafe(16)[:22]
        self.payments[pidx] = KhaltiPayment(pidx, amount, str(body["purchase_order_id"]),
                                            str(body["purchase_order_name"]),
                                            str(body["return_url"]))
        expires = dt.datetime.now(ZONE) + dt.timedelta(seconds=EXPIRES_IN)
        url = f"{request.scheme}://{request.host}{self.base}/pay/{pidx}"
        return web.json_response({"pidx": pidx, "payment_url": url,
                                  "expires_at": expires.isoformat(), "expires_in": EXPIRES_IN})

    async def lookup(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"detail": "Invalid token.", "status_code": 401}, status=401)
        self.lookups += 1
        if self.fail_lookups > 0:
            self.fail_lookups -= 1
            return web.Response(status=503, text="<html>503 Service Unavailable</html>",
                                content_type="text/html")
        body = await request.json()
        p = self.payments.get(str(body.get("pidx")))
        if p is None:
            return web.json_response({"detail": "Not found.", "error_key": "validation_error"},
                                     status=404)
        answer = {"pidx": p.pidx, "total_amount": p.paid if p.paid is not None else p.amount,
                  "status": p.status, "transaction_id": p.transaction_id, "fee": 0,
                  "refunded": p.status in ("Refunded", "Partially Refunded")}
        status = 400 if p.status in ("Expired", "User canceled") else 200
        return web.json_response(answer, status=status)

    async def page(self, request: web.Request) -> web.Response:
        """The hosted page the payment_url opens (for a person trying the demo)."""
        p = self.payments.get(request.match_info["pidx"])
        if p is None:
            return web.Response(status=404, text="unknown pidx")
        return web.Response(text=f"Khalti (simulated): pay Rs {p.amount / 100:.2f} "
                                 f"for {p.purchase_order_name}", content_type="text/plain")
