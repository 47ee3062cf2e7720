"""Invoices, credit notes and statements worded for the page, as a `Page` (pure).

`invoice_page(document, language, copy=…)` and `statement_page(statement, …)` turn
the figures computed in `domain.invoice` / `domain.statement` into the words and
numbers printed, in the retailer's language and digits; the shell
(bot/documents/pdf.py) lays a `Page` out as a PDF and knows no words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from domain.invoice import Document, DocumentKind
from domain.money import format_amount
from domain.nepali_calendar import (
    BsRangeError,
    fiscal_year_of,
    format_bs,
    format_bs_month,
)
from domain.statement import LineKind, Period, Statement
from flows.i18n import digits, money, qty, t, unit


@dataclass(frozen=True, slots=True)
class Block:
    """A heading and its lines (the seller's or the buyer's particulars)."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """Column headings, rows of cells, and which columns are numbers (right-aligned)."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    widths: tuple[float, ...]  # share of the page width per column


@dataclass(frozen=True, slots=True)
class Page:
    """Everything one document prints, in order, already worded."""

    title: str
    banner: str | None
    blocks: tuple[Block, ...]
    facts: tuple[tuple[str, str], ...]
    table: Table
    totals: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    footer: str


def _lang(language: str) -> str:
    return language if language in ("en", "ne") else "en"


def _words(lang: str) -> Callable[..., str]:
    def tr(key: str, **values: object) -> str:
        return t(lang, key, **values)
    return tr


def _bs(lang: str, on: dt.date) -> str:
    try:
        return format_bs(on, lang)
    except BsRangeError:
        return "-"


def invoice_page(document: Document, language: str, *, copy: bool = False) -> Page:
    """An invoice or credit note as printed; `copy` marks a reprint "COPY"."""
    lang = _lang(language)
    tr = _words(lang)
    seller, buyer, fig = document.seller, document.buyer, document.figures
    tax_id = tr("doc.vat_no") if seller.vat_registered else tr("doc.pan")
    seller_lines = [seller.name]
    if seller.address:
        seller_lines.append(seller.address)
    seller_lines.append(f"{tax_id}: {digits(lang, seller.pan) if seller.pan else '-'}")
    buyer_lines = [buyer.name] + ([buyer.address] if buyer.address else [])
    buyer_lines.append(f"{tr('doc.phone')}: {digits(lang, buyer.phone)}")
    credit = document.kind is DocumentKind.CREDIT_NOTE
    if credit:
        title = tr("doc.credit_note.title")
    else:
        title = tr("doc.invoice.title" if seller.vat_registered else "doc.invoice.title.pan")
    facts = [
        (tr("doc.credit_note.number" if credit else "doc.number"), digits(lang, document.number)),
        (tr("doc.date_bs"), _bs(lang, document.issued_on)),
        (tr("doc.date_ad"), digits(lang, document.issued_on.isoformat())),
        (tr("doc.order"), digits(lang, f"#{document.order_number}")),
    ]
    try:
        year = fiscal_year_of(document.issued_on).label
        facts.append((tr("doc.fiscal_year"), digits(lang, year)))
    except BsRangeError:
        pass
    if credit and document.against:
        facts.append((tr("doc.against"), digits(lang, document.against)))
    if credit and document.reason:
        facts.append((tr("doc.reason"), tr(f"money.credit_note.reason.{document.reason}")))
    rows = tuple(
        (digits(lang, str(i)), ln.name, f"{qty(lang, ln.qty)} {unit(lang, ln.unit, ln.qty)}",
         _amount(lang, ln.rate), _amount(lang, ln.amount))
        for i, ln in enumerate(fig.lines, start=1))
    table = Table((tr("doc.col.no"), tr("doc.col.item"), tr("doc.col.qty"), tr("doc.col.rate"),
                   tr("doc.col.amount")), rows, (True, False, True, True, True),
                  (0.07, 0.43, 0.16, 0.16, 0.18))
    if fig.vat_registered:
        totals = [(tr("doc.taxable"), _amount(lang, fig.subtotal)),
                  (tr("doc.vat"), _amount(lang, fig.vat))]
        notes = [tr("doc.prices_include_vat")]
    else:
        totals = [(tr("doc.subtotal"), _amount(lang, fig.subtotal))]
        notes = [tr("doc.not_vat_registered")]
    totals.append((tr("doc.total"), money(lang, fig.total)))
    words = [document.words_ne, document.words_en] if lang == "ne" else [document.words_en,
                                                                         document.words_ne]
    notes = [f"{tr('doc.in_words')}: {words[0]}", words[1], *notes]
    return Page(title, tr("doc.copy") if copy else None,
                (Block(tr("doc.seller"), tuple(seller_lines)),
                 Block(tr("doc.buyer"), tuple(buyer_lines))),
                tuple(facts), table, tuple(totals), tuple(notes), tr("doc.footer"))


def _amount(lang: str, value: Decimal) -> str:
    """A figure in a table column: `2,300.00` / `२,३००.००` (the column says rupees)."""
    return digits(lang, format_amount(value.quantize(Decimal("0.01"))))


_DETAIL: dict[LineKind, str] = {kind: f"statement.kind.{kind.value}" for kind in LineKind}


def period_text(statement: Statement, language: str) -> str:
    """`Mangsir 2083` for a month, else `2026-11-03 / 17 Kartik 2083 – 2026-12-02 / …`."""
    return period_words(statement.period, language)


def period_words(p: Period, language: str) -> str:
    """A statement period as `period_text` words it."""
    lang = _lang(language)
    if p.month is not None:
        return format_bs_month(p.month, lang)
    return f"{_bs(lang, p.first)} – {_bs(lang, p.last)}"


def statement_page(statement: Statement, language: str, *, shop: str, phone: str,
                   area: str | None) -> Page:
    """A retailer's statement of account as printed, in their language."""
    lang = _lang(language)
    tr = _words(lang)
    p = statement.period
    facts = (
        (tr("statement.period"), period_text(statement, lang)),
        (tr("doc.date_ad"),
         digits(lang, f"{p.first.isoformat()} – {p.last.isoformat()}")),
        (tr("statement.opening"), _balance(lang, statement.opening)),
    )
    rows = []
    for line in statement.lines:
        e = line.entry
        detail = tr(_DETAIL[e.kind],
                    number=digits(lang, str(e.order_number)) if e.order_number else "-")
        if e.reference:
            detail += f" ({e.reference})"
        rows.append((_bs(lang, e.on), detail,
                     _amount(lang, e.amount) if e.is_debit else "",
                     "" if e.is_debit else _amount(lang, e.amount),
                     _balance(lang, line.balance)))
    if not rows:
        rows.append(("", tr("statement.none"), "", "", ""))
    table = Table((tr("statement.col.date"), tr("statement.col.detail"),
                   tr("statement.col.debit"), tr("statement.col.credit"),
                   tr("statement.col.balance")), tuple(rows), (False, False, True, True, True),
                  (0.17, 0.35, 0.15, 0.15, 0.18))
    totals = [(tr("statement.closing"), _balance(lang, statement.closing))]
    notes = [tr("statement.ageing") + ": " + "  |  ".join(
        f"{tr('statement.age.' + bucket.value)} {money(lang, value)}"
        for bucket, value in statement.ageing.amounts)]
    buyer = [shop] + ([area] if area else []) + [f"{tr('doc.phone')}: {digits(lang, phone)}"]
    return Page(tr("statement.title"), None, (Block(tr("doc.buyer"), tuple(buyer)),),
                facts, table, tuple(totals), tuple(notes), tr("doc.footer"))


def _balance(lang: str, value: Decimal) -> str:
    if value < 0:
        return f"{money(lang, -value)} {t(lang, 'statement.advance')}"
    return money(lang, value)


def statement_caption(statement: Statement, language: str) -> str:
    """The message that goes with the statement PDF."""
    lang = _lang(language)
    key = "statement.caption.advance" if statement.closing < 0 else "statement.caption"
    return t(lang, key, period=period_text(statement, lang),
             closing=money(lang, abs(statement.closing)))


def document_caption(document: Document, language: str) -> str:
    """The message that goes with an invoice or credit note PDF."""
    lang = _lang(language)
    key = ("credit_note_doc.caption" if document.kind is DocumentKind.CREDIT_NOTE
           else "invoice.caption")
    return t(lang, key, number=digits(lang, document.number), order=document.order_number,
             total=money(lang, document.figures.total))


def document_filename(document: Document) -> str:
    """`invoice-2081-82-00042.pdf` / `credit-note-2081-82-00003.pdf` (no slash in a name)."""
    stem = "credit-note" if document.kind is DocumentKind.CREDIT_NOTE else "invoice"
    return f"{stem}-{document.number.replace('/', '-')}.pdf"
