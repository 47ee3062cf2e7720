"""Rupee amounts: parsing operator input, rounding to paisa, and writing them for people.

Amounts are written the South-Asian way, in lakhs and crores: `2,00,000`,
`1,23,45,678.50`. WhatsApp replies (flows.i18n.money), message templates, the
CLI and reports all write them through `format_amount` here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PAISA = Decimal("0.01")
# The largest amount an operator may enter (a payment, a correction, a credit
# limit, a credit note): Rs 10 crore. The ledger's columns are numeric(14, 2)
# (12 integer digits), and reports derive `limit - balance - open orders` in that
# type too; a bound this far below the column's keeps every such sum in range
# (the admin API, the CLI and the schema's CHECKs all use this one figure).
MAX_AMOUNT = Decimal("100000000.00")


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
    check_amount(value, text)
    return to_paisa(value)


def check_amount(value: Decimal, text: str | None = None) -> None:
    """Refuse an amount that is not whole paisa, not positive, or above MAX_AMOUNT.

    More than two decimals is refused, never rounded: `1500.005` is a typo whose
    meaning we cannot know, and a silent rounding would post money nobody entered.
    """
    shown = repr(text) if text is not None else str(value)
    if not value.is_finite():
        raise AmountError(f"not an amount: {shown}")
    if value <= 0:
        raise AmountError(f"amount must be more than zero: {shown}")
    if value > MAX_AMOUNT:
        raise AmountError(f"amount too large (at most {format_amount(MAX_AMOUNT)}): {shown}")
    if value != value.quantize(PAISA, rounding=ROUND_HALF_UP):
        raise AmountError(f"amount has more than 2 decimal places: {shown}")


def group_digits(whole: int) -> str:
    """A non-negative whole number grouped in lakhs and crores: `12,34,567`."""
    if whole < 0:
        raise ValueError(f"group_digits takes a non-negative number, not {whole}")
    text = str(whole)
    head, tail = text[:-3], text[-3:]
    pairs: list[str] = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([*pairs, tail])


def format_amount(value: Decimal, *, always_paisa: bool = False) -> str:
    """`2,00,000`, `2,00,000.50`, `-1,500`: paisa only when there are some, unless asked.

    `always_paisa` keeps the two decimals on whole rupees (`2,00,000.00`), for
    columns of figures that line up, as an operator's ledger does.
    """
    value = to_paisa(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    paisa = int((value - whole) * 100)
    text = group_digits(whole)
    if paisa or always_paisa:
        text += f".{paisa:02d}"
    return sign + text


def format_decimal(value: Decimal) -> str:
    """A figure that is not money (a quantity, a rate) with its integer part in lakhs."""
    if not value.is_finite():
        return str(value)
    sign = "-" if value.is_signed() and value != 0 else ""
    text = format(abs(value), "f")
    whole, dot, fraction = text.partition(".")
    return sign + group_digits(int(whole)) + dot + fraction


def format_npr(value: Decimal) -> str:
    """`Rs 2,00,000`, `Rs 1,234.50`, `-Rs 500` (the sign goes first, as replies write it)."""
    text = format_amount(value)
    return f"-Rs {text[1:]}" if text.startswith("-") else f"Rs {text}"
