"""Typed values from console form and query fields; FormError (shown on the page) when not.

Amounts go through domain.money (commas, "Rs" allowed; more than two decimals
refused, never rounded), days are ISO dates meant in Kathmandu.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from bot.console.guard import FormError, Visit
from domain.money import MAX_AMOUNT, PAISA, AmountError, parse_amount

_NUMBER = re.compile(r"[0-9]{1,9}")


def amount(visit: Visit, name: str) -> Decimal:
    """A positive rupee amount (a payment)."""
    text = visit.field(name, max_length=40)
    try:
        return parse_amount(text)
    except AmountError as exc:
        raise FormError(visit.t("form.invalid", field=visit.t(f"field.{name}"), why=str(exc))
                        ) from None


def limit_amount(visit: Visit, name: str) -> Decimal:
    """A rupee amount that may be zero (a credit limit)."""
    text = visit.field(name, max_length=40).replace(",", "").removeprefix("Rs").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(PAISA):
        raise FormError(visit.t("form.invalid", field=visit.t(f"field.{name}"),
                                why=visit.t("form.amount_rule")))
    return value.quantize(PAISA)


def whole(visit: Visit, name: str, *, low: int, high: int, required: bool = True
          ) -> int | None:
    """A whole number in [low, high]; None when optional and empty."""
    text = visit.field(name, required=required, max_length=12)
    if not text:
        return None
    if not _NUMBER.fullmatch(text) or not low <= int(text) <= high:
        raise FormError(visit.t("form.invalid", field=visit.t(f"field.{name}"),
                                why=visit.t("form.whole_rule", low=low, high=high)))
    return int(text)


def choice(visit: Visit, name: str, allowed: tuple[str, ...]) -> str:
    """One of `allowed`."""
    value = visit.field(name, max_length=40)
    if value not in allowed:
        raise FormError(visit.t("form.invalid", field=visit.t(f"field.{name}"), why=value))
    return value


def path_number(text: str) -> int | None:
    """An order or row number from the URL, or None when it is not one."""
    return int(text) if _NUMBER.fullmatch(text) else None


def query_day(text: str | None) -> dt.date | None:
    """A `YYYY-MM-DD` filter, or None when empty or not a date (the page says so)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
