"""A page set by bot/documents/pdf.py looks and reads as fpdf2 alone would set it.

The renderer lends each document fonts parsed once per process and skips the
bidirectional analysis of plainly left-to-right text; both reach into fpdf2,
so whole pages are compared, read back by poppler, with the same page set by
fpdf2's own `add_font` and its own bidirectional step.
"""

from __future__ import annotations

from pathlib import Path

import fpdf
import pytest

from bot.documents import pdf as renderer
from flows.documents import Page
from tests.documents.pages import ENGLISH, NEPALI, page
from tests.poppler import needs_poppler, pdf_text, png_of

# Cell texts cut with an ellipsis, numbers, punctuation and Devanagari with
# vowel signs, conjuncts, a danda and Devanagari digits.
CROWDED = page("श्री गणेश किराना तथा जनरल स्टोर्स, बानेश्वर-१०, काठमाडौं",
                "Basmati rice (extra long grain) / बासमती चामल — २५ केजी।")


def _fpdf2_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def add_font(pdf: fpdf.FPDF, family: str, style: str, path: Path) -> None:
        pdf.add_font(family, style, str(path))

    monkeypatch.setattr(renderer, "lend", add_font)
    monkeypatch.setattr(renderer, "ready_for_output", lambda pdf: None)
    monkeypatch.setattr(renderer, "_Document", fpdf.FPDF)


@needs_poppler
@pytest.mark.parametrize("document", [NEPALI, ENGLISH, CROWDED],
                         ids=["nepali", "english", "crowded"])
def test_a_page_looks_and_reads_as_fpdf2_alone_sets_it(
        document: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = renderer.render(document)
    with monkeypatch.context() as m:
        _fpdf2_alone(m)
        alone = renderer.render(document)
    assert pdf_text(ours) == pdf_text(alone)
    assert png_of(ours, dpi=100).tobytes() == png_of(alone, dpi=100).tobytes()


@pytest.mark.parametrize("text", [
    "Sugar 10 kg", "Rs 1,53,228.00", "चिनी / Sugar", "सीता पसल", "क्ष त्र ज्ञ श्री", "२०८३/८४-००४२।",
    "(दाल) — ५ केजी…", "  spaced\ttab ", "50% off: #1, +2 -3 = x*y", "Müller's café",
    "עברית mixed", "عربي ١٢٣", "zero\u200dwidth joiner", "x\u202eoverride",
])
def test_plainly_left_to_right_text_gets_the_fragments_fpdf2s_bidi_step_makes(
        text: str) -> None:
    pdf = renderer._pdf()
    renderer._font(pdf, "B", 10)
    mine = pdf._preload_bidirectional_text(text, markdown=False)
    shaping_after_mine = dict(pdf.text_shaping)
    theirs = fpdf.FPDF._preload_bidirectional_text(pdf, text, markdown=False)
    assert mine == theirs
    assert [f.font.fontkey for f in mine] == [f.font.fontkey for f in theirs]
    assert shaping_after_mine == pdf.text_shaping


def test_an_english_page_embeds_no_devanagari_font() -> None:
    assert b"NotoSansDevanagari" not in renderer.render(ENGLISH)


def test_a_page_with_devanagari_embeds_the_devanagari_font() -> None:
    assert b"NotoSansDevanagari" in renderer.render(NEPALI)
