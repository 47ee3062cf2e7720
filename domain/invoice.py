"""What an invoice or a credit note says: numbers, VAT, lines and totals (pure).

**Prices are VAT-inclusive.** A catalogue price is what the shop pays, the order
total is what the ledger debits, and the invoice total must be that same
figure. So for a VAT-registered seller the total is split into its taxable
value and 13 % VAT (`split_vat`): taxable = total / 1.13 rounded half-up to
the paisa, VAT = total - taxable, so taxable + VAT is exactly the total. Each
line shows its taxable amount; the paisa of rounding goes to the largest line,
so the lines add up to the subtotal. A seller who is not VAT-registered shows
the lines as ordered and no VAT line (a PAN-only bill).

Invoice numbers run per seller per Nepali fiscal year (from 1 Shrawan) without
gaps; the shell allocates `seq` from a locked counter and `document_number`
writes it as `2081/82-00042`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.amount_words import words_en, words_ne
from domain.digits import to_ascii
from domain.money import to_paisa
from domain.nepali_calendar import FiscalYear

VAT_RATE = Decimal("0.13")
_ONE_PLUS_VAT = 1 + VAT_RATE


class DocumentKind(StrEnum):
    """The numbered series a seller keeps: invoices, and credit notes against them."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True, slots=True)
class Seller:
    """The vendor as the invoice names them (PAN/VAT number, registration, address)."""

    name: str
    address: str | None
    pan: str | None
    vat_registered: bool


@dataclass(frozen=True, slots=True)
class Buyer:
    """The retailer as the invoice names them."""

    name: str
    address: str | None
    phone: str


@dataclass(frozen=True, slots=True)
class SoldLine:
    """One line as ordered: its VAT-inclusive total."""

    name: str
    unit: str
    qty: Decimal
    line_total: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One line as the invoice prints it: rate and amount before VAT when VAT applies."""

    name: str
    unit: str
    qty: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Figures:
    """Lines, subtotal (taxable value), VAT and total; total = subtotal + vat."""

    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    vat_registered: bool


@dataclass(frozen=True, slots=True)
class Document:
    """An issued invoice or credit note, everything it prints (stored as issued)."""

    kind: DocumentKind
    number: str
    issued_on: dt.date
    order_number: int
    seller: Seller
    buyer: Buyer
    figures: Figures
    # A credit note names the invoice it corrects, and why.
    against: str | None = None
    reason: str | None = None

    @property
    def words_en(self) -> str:
        """The total in English words (lakh/crore)."""
        return words_en(self.figures.total)

    @property
    def words_ne(self) -> str:
        """The total in Nepali words."""
        return words_ne(self.figures.total)


class PanError(ValueError):
    """Not a Nepali PAN (nine digits)."""


def read_pan(text: str) -> str:
    """A PAN/VAT number as nine ASCII digits (`६०१ २३४ ५६७` → `601234567`); PanError if not."""
    clean = "".join(to_ascii(text).split()).replace("-", "")
    if len(clean) != 9 or not clean.isascii() or not clean.isdigit():
        raise PanError("a PAN/VAT number is nine digits")
    return clean


def split_vat(total: Decimal) -> tuple[Decimal, Decimal]:
    """(taxable value, VAT) of a VAT-inclusive `total`; they add up to `total` exactly."""
    taxable = to_paisa(total / _ONE_PLUS_VAT)
    return taxable, total - taxable


def figures(lines: Sequence[SoldLine], *, vat_registered: bool) -> Figures:
    """The printed figures for `lines` sold at VAT-inclusive prices."""
    total = sum((ln.line_total for ln in lines), Decimal(0))
    if not vat_registered:
        printed = tuple(InvoiceLine(ln.name, ln.unit, ln.qty, _rate(ln.line_total, ln.qty),
                                    ln.line_total) for ln in lines)
        return Figures(printed, total, Decimal(0), total, False)
    taxable, vat = split_vat(total)
    nets = [to_paisa(ln.line_total / _ONE_PLUS_VAT) for ln in lines]
    if nets:
        largest = max(range(len(nets)), key=lambda i: nets[i])
        nets[largest] += taxable - sum(nets, Decimal(0))
    printed = tuple(InvoiceLine(ln.name, ln.unit, ln.qty, _rate(net, ln.qty), net)
                    for ln, net in zip(lines, nets, strict=True))
    return Figures(printed, taxable, vat, total, True)


def _rate(amount: Decimal, qty: Decimal) -> Decimal:
    return to_paisa(amount / qty) if qty else amount


def document_number(year: FiscalYear, seq: int) -> str:
    """`2081/82-00042`: the fiscal year and the seller's running number in it."""
    if seq < 1:
        raise ValueError("document numbers start at 1")
    return f"{year.label}-{seq:05d}"
