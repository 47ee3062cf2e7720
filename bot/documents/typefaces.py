"""The packaged Noto fonts, parsed once per process, lent to each document cheaply.

fpdf2's `add_font` parses a font file from scratch (fontTools tables, width
and glyph maps, later a HarfBuzz face), and its `output` subsets that very
fontTools font in place: a parsed font serves one document only. Parsing four
fonts per document was a quarter of an invoice's CPU, subsetting them half.

So each file is parsed once per process (`_Parsed`). What layout reads — the
width and glyph maps, the descriptor, a fontTools font for glyph names and
advances, the HarfBuzz face — is shared and never written. A document gets
its own fpdf2 font object over them (`lend`): its own subset map, glyph
bookkeeping, HarfBuzz font (shaping sets its size) and descriptor (output
names it).

Before output (`ready_for_output`), each font the pages use gets a fontTools
font of its own for fpdf2 to subset in place: shallow copies of the shared
decompiled tables (the subsetter replaces their attributes, never changes
what they point to) and a glyph table whose glyphs are made from their bytes
when the subsetter first asks for one (it changes glyphs in place, and would
otherwise split all 3,300 of them out of the table for the dozens it keeps).
The layout tables (GSUB, GPOS, GDEF), which fpdf2 drops from the embedded
subset anyway after decompiling and subsetting them, are left out: HarfBuzz
has already shaped from its own face. Fonts no page uses (the Devanagari ones
on an all-English page) are not embedded at all.

This relies on internals of fpdf2 (`FPDF.fonts`, `TTFFont`'s attributes, that
`output` subsets `font.ttfont`) and of fontTools' subsetter: pyproject pins
fpdf2 to the versions checked, and tests/documents/test_typefaces.py fails
loudly if the embedded subset is no longer byte for byte what fpdf2 makes of
a freshly parsed font.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import PDFResourceType, TextEmphasis
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

# Tables fpdf2's output drops from the embedded subset: left out of the font it
# subsets, so they are neither decompiled nor subset first.
_UNEMBEDDED = ("GSUB", "GPOS", "GDEF", "FFTM", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC",
               "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR")


class _Glyphs(dict[str, Glyph]):
    """A glyph table's glyphs, each made from its bytes when first read."""

    def __init__(self, data: dict[str, bytes]) -> None:
        super().__init__()
        self._data = data

    def __missing__(self, name: str) -> Glyph:
        glyph = self[name] = Glyph(self._data[name])
        return glyph

    def __contains__(self, name: object) -> bool:
        return name in self._data


class _LentFont(TTFFont):
    """fpdf2's font object over a shared parse, remembering its shapings.

    fpdf2 shapes a cell's text many times over (the line breaker measures it
    character by character, then each fragment, then it is drawn): dozens of
    HarfBuzz calls per cell. The result depends only on the text, the size and
    the parameters `perform_harfbuzz_shaping` reads, so a document shapes and
    measures each once.
    """

    __slots__ = ("_shapes", "_widths")
    _shapes: dict[tuple[Any, ...], Any]
    _widths: dict[tuple[Any, ...], tuple[int, float]]

    def perform_harfbuzz_shaping(self, text: str, font_size_pt: float,
                                 text_shaping_params: dict[str, Any] | None) -> Any:
        key = _shaping_key(text, font_size_pt, text_shaping_params)
        shaped = self._shapes.get(key)
        if shaped is None:
            shaped = self._shapes[key] = super().perform_harfbuzz_shaping(
                text, font_size_pt, text_shaping_params)
        return shaped

    def shaped_text_width(self, text: str, font_size_pt: float,
                          text_shaping_params: dict[str, Any] | None) -> tuple[int, float]:
        key = _shaping_key(text, font_size_pt, text_shaping_params)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = super().shaped_text_width(
                text, font_size_pt, text_shaping_params)
        return width


def _shaping_key(text: str, size: float, params: dict[str, Any] | None) -> tuple[Any, ...]:
    """What `TTFFont.perform_harfbuzz_shaping` shapes from, as a dictionary key."""
    if params is None:
        return (text, size)
    features = params.get("features")
    return (text, size, params.get("fragment_direction"), params.get("script"),
            params.get("language"), tuple(features.items()) if features else ())


@dataclass(frozen=True)
class _Parsed:
    """One font file parsed once: what every document reads and none changes."""

    font: TTFFont
    face: hb.Face
    glyph_order: tuple[str, ...]
    sfnt_version: Any
    tables: dict[str, Any]
    glyph_data: dict[str, bytes]


_lock = threading.Lock()
_parsed_fonts: dict[Path, _Parsed] = {}


def _parsed(path: Path) -> _Parsed:
    with _lock:  # renders run in threads: a file is parsed once, by one of them
        if path not in _parsed_fonts:
            _parsed_fonts[path] = _parse(path)
        return _parsed_fonts[path]


def preload(paths: Iterable[Path]) -> None:
    """Parse each font file now, so no document pays for it later."""
    for path in paths:
        _parsed(path)


def is_parsed(path: Path) -> bool:
    """Whether `path` has been parsed in this process."""
    with _lock:
        return path in _parsed_fonts


def _parse(path: Path) -> _Parsed:
    pdf = FPDF()
    pdf.add_font("f", "", str(path))
    font = pdf.fonts["f"]
    assert isinstance(font, TTFFont)
    if font.color_font is not None or font.is_cff or font.is_compressed:
        raise ValueError(f"{path.name}: only plain TrueType fonts are lent")
    data = path.read_bytes()
    master = TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
    for tag in _UNEMBEDDED:
        if tag in master:
            del master[tag]
    tags = master.keys()
    tables = {tag: master[tag] for tag in tags if tag != "GlyphOrder"}
    for subtable in tables["cmap"].tables:
        # Else each document's copy would decompile its own, every time.
        subtable.ensureDecompiled()
    glyph_data = {name: getattr(glyph, "data", b"")
                  for name, glyph in tables["glyf"].glyphs.items()}
    # Layout reads glyph names and advances from it, from several threads: every
    # table it reads is decompiled above, none is left to load lazily.
    font.ttfont.close()
    font.ttfont = master
    return _Parsed(font, hb.Face(hb.Blob(data)), tuple(master.getGlyphOrder()),
                   master.sfntVersion, tables, glyph_data)


def lend(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """Make `path` available to `pdf` as `family`/`style`, as `add_font` would."""
    parsed = _parsed(path)
    fontkey = f"{family.lower()}{style}"
    font = _LentFont.__new__(_LentFont)
    for name in TTFFont.__slots__:
        if hasattr(parsed.font, name):
            setattr(font, name, getattr(parsed.font, name))
    font._shapes = {}
    font._widths = {}
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.emphasis = TextEmphasis.coerce(style)
    font.desc = copy.copy(parsed.font.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = HarfBuzzFont(parsed.face)
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font


def ready_for_output(pdf: FPDF) -> None:
    """Drop the fonts no page of `pdf` uses; give the others a font to be subset."""
    used = {str(i) for i in pdf._resource_catalog.get_used_resources(PDFResourceType.FONT)}
    for fontkey, font in list(pdf.fonts.items()):
        if str(font.i) not in used:
            del pdf.fonts[fontkey]
        elif isinstance(font, TTFFont):
            font.ttfont = _to_subset(_parsed(font.ttffile))


def _to_subset(parsed: _Parsed) -> TTFont:
    ttfont = TTFont(recalcTimestamp=False, recalcBBoxes=False)
    ttfont.sfntVersion = parsed.sfnt_version
    ttfont.setGlyphOrder(list(parsed.glyph_order))
    for tag, table in parsed.tables.items():
        mine = copy.copy(table)
        if tag == "cmap":
            mine.tables = [copy.copy(subtable) for subtable in table.tables]
        elif tag == "glyf":
            mine.glyphs = _Glyphs(parsed.glyph_data)
            mine.glyphOrder = list(parsed.glyph_order)
            mine._reverseGlyphOrder = {}
        ttfont[tag] = mine
    return ttfont
