"""Paying from the chat: the gateways, their signatures, what a retailer asked to pay,
and what a gateway's answer means for a payment intent. Pure: no I/O.

Three gateways take money for Khaacho (bot/gateways/ speaks to them):
- Fonepay dynamic QR: a QR for one amount, named by our PRN; `dataValidation` is a
  hex HMAC-SHA512 over comma-joined fields with the merchant secret.
- Khalti ePayment: a hosted page (`payment_url`) named by Khalti's `pidx`.
- eSewa ePay v2: a signed HTML form (HMAC-SHA256, base64) posted to eSewa; the
  answer comes back as base64 JSON signed the same way.

In every case the gateway's status API decides (a redirect or a socket message only
says when to ask), and only the amount asked counts: any other paid amount is held
for an operator, never guessed at.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain import lexicon
from domain.digits import to_ascii
from domain.money import MAX_AMOUNT, PAISA, AmountError, check_amount, parse_amount, to_paisa


class Gateway(StrEnum):
    """A way to pay from the chat; the value is also the ledger's payment method."""

    FONEPAY = "fonepay"
    KHALTI = "khalti"
    ESEWA = "esewa"


# The order the methods are offered in: the QR most shops already scan first.
GATEWAY_ORDER = (Gateway.FONEPAY, Gateway.KHALTI, Gateway.ESEWA)


class IntentState(StrEnum):
    """Where a payment intent is. Only `pending` may still change; `paid` is final."""

    PENDING = "pending"  # asked the gateway, waiting for the customer
    PAID = "paid"  # confirmed with the amount asked, credited once
    HELD = "held"  # confirmed with another amount: an operator decides
    EXPIRED = "expired"  # never paid in time (the gateway says so, or its link ran out)
    CANCELED = "canceled"  # the customer or the gateway ended it unpaid
    FAILED = "failed"  # the gateway refused to start it


# Khalti refuses less than Rs 10 (1000 paisa); the others take it, so it is the floor.
MIN_ONLINE_AMOUNT = Decimal("10.00")


# ---------------------------------------------------------------- what the retailer asked


@dataclass(frozen=True, slots=True)
class PayRequest:
    """`pay`, `pay 500`, `tirnu rs 1,500`: the amount named (None: what is due).

    `unclear` when the message is a pay word with something we cannot read as one
    amount (`pay some`, `pay 500 or 600`): the bot asks rather than guesses.
    """

    amount: Decimal | None = None
    unclear: bool = False


_PAY_WORDS = "|".join(sorted((re.escape(w) for w in lexicon.PAY_COMMAND), key=len, reverse=True))
_PAY_BEFORE = re.compile(rf"^(?:{_PAY_WORDS})(?:\s+(?P<rest>.+))?$")
_PAY_AFTER = re.compile(rf"^(?P<rest>.+?)\s+(?:{_PAY_WORDS})$")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s.!।?]+$")
# What may stand around the figure: a currency word, "ko" (of), "matra" (only).
_NOISE = re.compile(r"\b(?:rs|npr|rupees?|rupaiya|ko|matra|only)\b\.?|रु\.?|रुपैयाँ|को|मात्र")


def read_pay_request(text: str) -> PayRequest | None:
    """The pay request a whole message is, or None when it is no pay request at all."""
    clean = _PUNCT.sub("", _SPACES.sub(" ", to_ascii(text).strip().casefold()))
    match = _PAY_BEFORE.match(clean) or _PAY_AFTER.match(clean)
    if match is None:
        return None
    rest = (match.group("rest") or "").strip()
    if not rest:
        return PayRequest()
    if rest in lexicon.PAY_QUESTION:
        return None
    figure = _SPACES.sub(" ", _NOISE.sub(" ", rest)).strip()
    if not figure or " " in figure:
        return PayRequest(unclear=True)
    try:
        return PayRequest(parse_amount(figure))
    except AmountError:
        return PayRequest(unclear=True)


class PayProblem(StrEnum):
    """Why an amount cannot be paid online as asked."""

    NOTHING_DUE = "nothing_due"
    OVER_DUE = "over_due"  # more than is owed: the ledger's money rule
    TOO_SMALL = "too_small"  # below what the gateways take


def pay_problem(amount: Decimal, owed: Decimal) -> PayProblem | None:
    """Whether `amount` may be paid online against what is owed (None: it may)."""
    if owed <= 0:
        return PayProblem.NOTHING_DUE
    if amount > owed:
        return PayProblem.OVER_DUE
    if amount < min(MIN_ONLINE_AMOUNT, owed) or amount < PAISA:
        return PayProblem.TOO_SMALL
    return None


def paisa(amount: Decimal) -> int:
    """Rupees as whole paisa (Khalti's unit): Rs 1,234.50 → 123450."""
    check_amount(amount)
    return int(to_paisa(amount) * 100)


def rupees_of_paisa(value: int) -> Decimal:
    """Whole paisa back to rupees."""
    return to_paisa(Decimal(value) / 100)


def amount_text(amount: Decimal) -> str:
    """An amount as the gateways' forms take it: `1500`, `1500.5` → `1500.50`; no grouping."""
    value = to_paisa(amount)
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def read_gateway_amount(value: object) -> Decimal | None:
    """An amount a gateway sent (`"1000.0"`, `1000`, `100.0`), None when it is no amount."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        return None
    return to_paisa(number)


# ---------------------------------------------------------------- signatures


def fonepay_qr_validation(secret: str, *, amount: str, prn: str, merchant_code: str,
                          remarks1: str, remarks2: str) -> str:
    """`dataValidation` of a QR request: HMAC-SHA512 of `AMOUNT,PRN,MERCHANT-CODE,R1,R2`, hex."""
    message = ",".join((amount, prn, merchant_code, remarks1, remarks2))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha512).hexdigest()


def fonepay_status_validation(secret: str, *, prn: str, merchant_code: str) -> str:
    """`dataValidation` of a status request: HMAC-SHA512 of `PRN,MERCHANT-CODE`, hex."""
    message = f"{prn},{merchant_code}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha512).hexdigest()


ESEWA_REQUEST_FIELDS = ("total_amount", "transaction_uuid", "product_code")


def esewa_signature(secret: str, fields: dict[str, str], names: tuple[str, ...]) -> str:
    """eSewa's signature: HMAC-SHA256 over `name=value,…` in `names`' order, base64."""
    message = ",".join(f"{name}={fields[name]}" for name in names)
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def esewa_request_signature(secret: str, *, total_amount: str, transaction_uuid: str,
                            product_code: str) -> str:
    """The form's `signature` over `total_amount=…,transaction_uuid=…,product_code=…`."""
    return esewa_signature(secret, {"total_amount": total_amount,
                                    "transaction_uuid": transaction_uuid,
                                    "product_code": product_code}, ESEWA_REQUEST_FIELDS)


@dataclass(frozen=True, slots=True)
class EsewaResponse:
    """eSewa's signed answer on the success URL, decoded and verified."""

    transaction_code: str
    status: str
    total_amount: Decimal
    transaction_uuid: str
    product_code: str


class SignatureError(ValueError):
    """A gateway's answer that is not what it claims (bad encoding or signature)."""


def esewa_read_response(secret: str, data: str) -> EsewaResponse:
    """Decode the base64 JSON `data` eSewa redirects with, checking its signature.

    The signature covers the fields `signed_field_names` lists, in that order (the
    list names itself); a missing field, a bad signature or bad base64 is refused.
    """
    try:
        # Numbers are kept as written: eSewa signs `total_amount=1000.0` as it sent it.
        raw = json.loads(base64.b64decode(data.encode(), validate=True),
                         parse_float=str, parse_int=str)
    except (binascii.Error, ValueError):
        raise SignatureError("not base64 JSON") from None
    if not isinstance(raw, dict):
        raise SignatureError("not a JSON object")
    names = tuple(str(raw.get("signed_field_names", "")).split(","))
    fields = {str(k): str(v) for k, v in raw.items()}
    if not {"transaction_uuid", "total_amount", "status"} <= set(names) or any(
            n not in fields for n in names):
        raise SignatureError("the signed fields are incomplete")
    expected = esewa_signature(secret, fields, names)
    if not hmac.compare_digest(expected, str(raw.get("signature", ""))):
        raise SignatureError("signature does not match")
    amount = read_gateway_amount(raw.get("total_amount"))
    if amount is None:
        raise SignatureError("total_amount is not an amount")
    return EsewaResponse(fields.get("transaction_code", ""), fields["status"], amount,
                         fields["transaction_uuid"], fields.get("product_code", ""))


# ---------------------------------------------------------------- what an answer means


class Seen(StrEnum):
    """A gateway's status, in one vocabulary."""

    PAID = "paid"
    PENDING = "pending"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Observation:
    """What the status API said of one intent: status, the amount paid, its transaction id."""

    seen: Seen
    amount: Decimal | None = None
    transaction: str | None = None
    detail: str = ""


KHALTI_STATUSES: dict[str, Seen] = {
    "Completed": Seen.PAID,
    "Pending": Seen.PENDING,
    "Initiated": Seen.PENDING,
    "Expired": Seen.EXPIRED,
    "User canceled": Seen.CANCELED,
    "Refunded": Seen.REFUNDED,
    "Partially Refunded": Seen.REFUNDED,
}
ESEWA_STATUSES: dict[str, Seen] = {
    "COMPLETE": Seen.PAID,
    "PENDING": Seen.PENDING,
    "AMBIGUOUS": Seen.PENDING,  # eSewa: still being settled; ask again later
    "NOT_FOUND": Seen.NOT_FOUND,
    "CANCELED": Seen.CANCELED,
    "FULL_REFUND": Seen.REFUNDED,
    "PARTIAL_REFUND": Seen.REFUNDED,
}
FONEPAY_STATUSES: dict[str, Seen] = {
    "success": Seen.PAID,
    "pending": Seen.PENDING,
    "failed": Seen.PENDING,  # Fonepay answers "failed" until the QR is paid (its docs)
}


class Verdict(StrEnum):
    """What to do with a pending intent after an observation."""

    CREDIT = "credit"  # paid exactly as asked: record it once
    HOLD = "hold"  # paid, but not the amount asked: an operator decides
    WAIT = "wait"  # not paid yet, still time
    EXPIRE = "expire"  # not paid and out of time (or the gateway says expired)
    CANCEL = "cancel"  # ended unpaid by the customer or the gateway


# Customers finishing on the gateway's page when the link runs out get this long
# before a "not found / pending" counts as never paid.
EXPIRY_GRACE = dt.timedelta(minutes=10)


def judge(asked: Decimal, seen: Observation, *, now: dt.datetime,
          expires_at: dt.datetime) -> Verdict:
    """The one rule for a pending intent: credit only the amount asked, hold any other."""
    if seen.seen is Seen.PAID:
        return Verdict.CREDIT if seen.amount == asked else Verdict.HOLD
    if seen.seen is Seen.REFUNDED:
        # Refunded before we ever credited it: money came and went; a person looks.
        return Verdict.HOLD
    if seen.seen is Seen.EXPIRED:
        return Verdict.EXPIRE
    if seen.seen is Seen.CANCELED:
        return Verdict.CANCEL
    if now >= expires_at + EXPIRY_GRACE:
        return Verdict.EXPIRE
    return Verdict.WAIT


# ---------------------------------------------------------------- EMVCo QR (Fonepay's qrMessage)


def emv_fields(payload: str) -> dict[str, str] | None:
    """The top-level fields of an EMVCo merchant-presented QR payload (`ID LEN VALUE`…).

    Read up to the first field that does not parse (a non-digit id, a length running
    past the end): Fonepay's own published sample is damaged after its amount. None
    when not even the first field parses.
    """
    fields: dict[str, str] = {}
    at = 0
    while at < len(payload):
        head = payload[at:at + 4]
        if len(head) < 4 or not head.isdigit():
            break
        size = int(head[2:])
        value = payload[at + 4:at + 4 + size]
        if len(value) != size:
            break
        fields[head[:2]] = value
        at += 4 + size
    return fields or None


def emv_amount(payload: str) -> Decimal | None:
    """The transaction amount (tag 54) a dynamic QR encodes, None when it has none."""
    fields = emv_fields(payload)
    if fields is None or "54" not in fields:
        return None
    return read_gateway_amount(fields["54"])
