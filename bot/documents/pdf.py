"""Lay a worded `flows.documents.Page` out as an A4 PDF with fpdf2.

Devanagari needs complex-script shaping (conjuncts, vowel signs placed before
their consonant) or it prints as separate, wrongly ordered glyphs: fpdf2's
HarfBuzz shaping (`set_text_shaping`, uharfbuzz) does it, with Noto Sans
Devanagari embedded from the package (bot/documents/fonts, OFL). This build of
Noto Sans Devanagari carries no Latin letters, so Noto Sans (same design, same
licence) is the main font and Devanagari its fallback: each run of text is set
in the font that has its glyphs, and a PDF looks the same on every machine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TextDirection
from fpdf.line_break import Fragment

from bot.documents.typefaces import lend, preload, ready_for_output
from flows.documents import Page

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "NotoSans"
DEVANAGARI = "NotoSansDevanagari"
_MARGIN = 14.0
_GREY = (235, 235, 235)


def _font(pdf: FPDF, style: str, size: float) -> None:
    """Select the main font, always re-emitting it into the page.

    After a line set entirely in the fallback (Devanagari) font, fpdf2 2.8 still
    believes the main font is the page's current one, skips setting it again,
    and the next Latin-only line has no font at all ("No font in show"):
    clearing its "already set on this page" flag makes it write the font out.
    """
    pdf.set_font(FAMILY, style, size)
    pdf.current_font_is_set_on_page = False


# Bidirectional classes that, in a left-to-right paragraph, all resolve to
# left-to-right (no right-to-left letters, Arabic digits, explicit embeddings,
# isolates, invisible format characters or paragraph breaks).
_PLAIN_LTR = frozenset({"L", "EN", "ES", "ET", "CS", "NSM", "S", "WS", "ON"})


class _Document(FPDF):
    """fpdf2's document, without the bidirectional analysis where it cannot matter.

    With text shaping on, fpdf2 runs the Unicode bidirectional algorithm (in
    Python) over every cell's text and every measured string — a fifth of an
    invoice's layout — though Latin and Devanagari text is one left-to-right
    run. Text made only of the classes above is that one run (UAX #9, rules W1
    to N2 on a level-0 paragraph), so it goes straight to fpdf2's font-style
    step with the directions the algorithm would have set; anything else
    takes fpdf2's own path. tests/documents/test_pdf.py holds the two equal.

    It also remembers which fallback font draws a character (fpdf2 asks for
    each character of each run not in the main font, every Devanagari letter):
    the answer depends only on the character, the style and the fonts, and a
    document's fonts are all lent before it sets any text.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fallbacks: dict[tuple[str, str], str | None] = {}

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        key = (char, style)
        if key not in self._fallbacks:
            self._fallbacks[key] = super().get_fallback_font(char, style)
        return self._fallbacks[key]

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        if (not self.text_shaping or self.text_shaping["direction"] or markdown or not text
                or any(unicodedata.bidirectional(c) not in _PLAIN_LTR for c in text)):
            return super()._preload_bidirectional_text(text, markdown)
        self.text_shaping["paragraph_direction"] = TextDirection.LTR
        self.text_shaping["fragment_direction"] = TextDirection.LTR
        emphasis = ("B" in self.font_style, "I" in self.font_style, self.strikethrough,
                    self.underline)
        return tuple(self._preload_font_styles(text, markdown, _initial_emphasis=emphasis))


# (family, style, file) of every font a document may use.
TYPEFACES = ((FAMILY, "", FONTS / "NotoSans-Regular.ttf"),
              (FAMILY, "B", FONTS / "NotoSans-Bold.ttf"),
              (DEVANAGARI, "", FONTS / "NotoSansDevanagari-Regular.ttf"),
              (DEVANAGARI, "B", FONTS / "NotoSansDevanagari-Bold.ttf"))


def preload_fonts() -> None:
    """Parse the fonts now (a few hundred ms, once per process) rather than in the first render."""
    preload(path for _family, _style, path in TYPEFACES)


def _pdf() -> FPDF:
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    for family, style, path in TYPEFACES:
        lend(pdf, family, style, path)
    pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.set_creator("Khaacho")
    pdf.add_page()
    return pdf


def render(page: Page) -> bytes:
    """The PDF bytes of `page`."""
    pdf = _pdf()
    pdf.set_title(page.title)
    width = pdf.epw
    _font(pdf, "B", 16)
    pdf.cell(width, 9, page.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if page.banner:
        _font(pdf, "B", 13)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(width, 7, page.banner, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    _blocks(pdf, page, width)
    pdf.ln(2)
    for label, value in page.facts:
        _font(pdf, "B", 10)
        pdf.cell(45, 6, label)
        _font(pdf, "", 10)
        pdf.cell(width - 45, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, page, width)
    pdf.ln(2)
    for i, (label, value) in enumerate(page.totals):
        last = i == len(page.totals) - 1
        _font(pdf, "B" if last else "", 11 if last else 10)
        pdf.cell(width * 0.64, 7, label, align="R")
        _font(pdf, "B" if last else "", 11 if last else 10)
        pdf.cell(width * 0.36, 7, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for note in page.notes:
        _font(pdf, "", 9)
        pdf.multi_cell(width, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _font(pdf, "", 8)
    pdf.set_text_color(110, 110, 110)
    pdf.cell(width, 5, page.footer, align="C")
    ready_for_output(pdf)
    return bytes(pdf.output())


def _blocks(pdf: FPDF, page: Page, width: float) -> None:
    top = pdf.get_y()
    column = width / max(len(page.blocks), 1)
    bottom = top
    for i, block in enumerate(page.blocks):
        pdf.set_xy(pdf.l_margin + i * column, top)
        _font(pdf, "B", 10)
        pdf.cell(column, 6, block.heading, new_x="LEFT", new_y="NEXT")
        for line in block.lines:
            _font(pdf, "", 10)
            pdf.cell(column - 4, 5, _fit(pdf, line, column - 4), new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with …) to fit `width`: table cells are one line each.

    fpdf2's wrapping table measures every candidate break with a fresh HarfBuzz
    shaping, seconds per page; one measurement per cell is enough here.
    """
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if pdf.get_string_width(text[:mid] + "…") <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def _table(pdf: FPDF, page: Page, width: float) -> None:
    table = page.table
    widths = [width * share / sum(table.widths) for share in table.widths]
    aligns = ["R" if numeric else "L" for numeric in table.numeric]
    pdf.set_fill_color(*_GREY)
    for i, text in enumerate(table.headings):
        _font(pdf, "B", 9)
        pdf.cell(widths[i], 7, _fit(pdf, text, widths[i] - 2), border=1, align=aligns[i],
                 fill=True)
    pdf.ln(7)
    for cells in table.rows:
        if pdf.will_page_break(6):
            pdf.add_page()
        for i, text in enumerate(cells):
            _font(pdf, "", 9)
            pdf.cell(widths[i], 6, _fit(pdf, text, widths[i] - 2), border=1, align=aligns[i])
        pdf.ln(6)
