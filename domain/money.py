"""Rupee amounts: parsing operator input and rounding to paisa."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PAISA = Decimal("0.01")
# numeric(14, 2) holds up to 12 integer digits; refuse anything that would not fit.
MAX_AMOUNT = Decimal("999999999999.99")


class AmountError(ValueError):
    """Text that is not a usable rupee amount."""


def to_paisa(value: Decimal) -> Decimal:
    """Round half-up to whole paisa (two decimal places), as shops and banks do."""
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """A positive amount from operator text such as `1500`, `1,500.50` or `Rs 200`."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    for prefix in ("npr", "rs.", "rs", "रु.", "रु"):
        if cleaned.lower().startswith(prefix):
            cleaned = cleaned[len(prefix):].strip()
            break
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise AmountError(f"not an amount: {text!r}")
    value = to_paisa(value)
    if value <= 0:
        raise AmountError(f"amount must be more than zero: {text!r}")
    if value > MAX_AMOUNT:
        raise AmountError(f"amount too large: {text!r}")
    return value


def format_npr(value: Decimal) -> str:
    """`Rs 1,234.50` (whole rupees without decimals: `Rs 1,200`)."""
    value = to_paisa(value)
    if value == value.to_integral_value():
        return f"Rs {int(value):,}"
    return f"Rs {value:,.2f}"
