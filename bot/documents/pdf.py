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

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

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
    selecting the fallback first forces the main font to be written out.
    """
    pdf.set_font(DEVANAGARI, style, size)
    pdf.set_font(FAMILY, style, size)


def _pdf() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_font(FAMILY, "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "NotoSans-Bold.ttf"))
    pdf.add_font(DEVANAGARI, "", str(FONTS / "NotoSansDevanagari-Regular.ttf"))
    pdf.add_font(DEVANAGARI, "B", str(FONTS / "NotoSansDevanagari-Bold.ttf"))
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
            pdf.multi_cell(column - 4, 5, line, new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom)


def _table(pdf: FPDF, page: Page, width: float) -> None:
    table = page.table
    align = tuple("RIGHT" if numeric else "LEFT" for numeric in table.numeric)
    _font(pdf, "", 9)
    with pdf.table(width=width, col_widths=table.widths, text_align=align,
                   headings_style=FontFace(emphasis="BOLD", fill_color=_GREY),
                   line_height=6, first_row_as_headings=True) as grid:
        heading = grid.row()
        for text in table.headings:
            heading.cell(text)
        for cells in table.rows:
            row = grid.row()
            for text in cells:
                row.cell(text)
