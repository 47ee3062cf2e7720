"""Fonts parsed once per process and lent to each document (bot/documents/typefaces.py).

Lending leans on internals of fpdf2 and of fontTools' subsetter, so these
tests hold it to what they do on their own: the subset embedded must be what
fontTools makes of the freshly parsed file, no document may change the fonts
the next one borrows, and fpdf2 must still have what lending reaches into.
(tests/documents/test_pdf.py compares whole pages with fpdf2's own rendering.)
"""

from __future__ import annotations

import inspect
import re
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import fpdf
import pytest
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf.fonts import TTFFont
from fpdf.output import OutputProducer

from bot.documents import pdf as renderer
from bot.documents import typefaces
from tests.documents.pages import ENGLISH, NEPALI, page

FONT_FILES = sorted(renderer.FONTS.glob("*.ttf"))


def _undated(pdf: bytes) -> bytes:
    """`pdf` without its creation date and the file id fpdf2 derives from it."""
    return re.sub(rb"/CreationDate \(D:[^)]*\)|/ID \[<[0-9A-F]*><[0-9A-F]*>\]", b"", pdf)


@pytest.mark.parametrize("path", FONT_FILES, ids=[p.stem for p in FONT_FILES])
def test_the_subset_embedded_is_what_fonttools_makes_of_the_freshly_parsed_file(
        path: Path) -> None:
    parsed = typefaces._parsed(path)
    names = list(parsed.glyph_order[:4]) + list(parsed.glyph_order[30:3000:97])

    def subset(ttfont: TTFont) -> bytes:
        # fpdf2's own options (output.py, _add_fonts)
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
        options.drop_tables += list(typefaces._UNEMBEDDED)
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=names)
        subsetter.subset(ttfont)
        out = BytesIO()
        ttfont.save(out)
        return out.getvalue()

    fresh = TTFont(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    assert subset(typefaces._to_subset(parsed)) == subset(fresh)
    assert subset(typefaces._to_subset(parsed)) == subset(
        TTFont(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True))


def test_rendering_a_document_leaves_the_fonts_the_next_one_borrows_as_they_were() -> None:
    first = renderer.render(NEPALI)
    renderer.render(page("राम किराना पसल", "दाल / Lentils ॐ"))
    assert _undated(renderer.render(NEPALI)) == _undated(first)


def test_documents_rendered_side_by_side_in_threads_are_those_rendered_one_by_one() -> None:
    pages = [NEPALI, ENGLISH, page("राम किराना", "दाल"), page("Hari Stores", "Rice")] * 3
    alone = [_undated(renderer.render(each)) for each in pages]
    with ThreadPoolExecutor(4) as pool:
        together = [_undated(pdf) for pdf in pool.map(renderer.render, pages)]
    assert together == alone


def test_fpdf2_still_has_the_internals_lending_relies_on() -> None:
    """If this fails, fpdf2 changed: check typefaces.py against it before moving the pin."""
    assert fpdf.__version__ == "2.8.9", fpdf.__version__
    slots = set(TTFFont.__slots__)
    assert {"i", "fontkey", "emphasis", "desc", "missing_glyphs", "biggest_size_pt",
            "_hbfont", "subset", "ttfont", "ttffile"} <= slots
    source = inspect.getsource(OutputProducer._add_fonts)
    assert "subsetter.subset(font.ttfont)" in source
    assert "font.ttfont.save(output)" in source
    assert hasattr(fpdf.FPDF(), "_resource_catalog")
