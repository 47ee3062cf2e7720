"""Reading PDFs back the way a person and a machine would: poppler's pdftoppm and pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(PDFTOTEXT is None or PDFTOPPM is None,
                                   reason="poppler (pdftotext/pdftoppm) is not installed")


def pdf_text(pdf: bytes) -> str:
    """The text pdftotext extracts, laid out in reading order; a malformed PDF fails."""
    assert PDFTOTEXT is not None
    out = subprocess.run([PDFTOTEXT, "-layout", "-", "-"], input=pdf,  # noqa: S603
                         capture_output=True, check=True)
    assert b"Syntax Error" not in out.stderr, out.stderr
    return out.stdout.decode()


def squeezed(text: str) -> str:
    """`text` without whitespace.

    pdftotext puts a space where a shaped vowel sign is drawn apart from its
    consonant (ि is drawn before the consonant it follows), so Devanagari is
    compared without whitespace: the characters and their order still count.
    """
    return re.sub(r"\s+", "", text)


def png_of(pdf: bytes, *, dpi: int = 50) -> Image.Image:
    """The first page as pdftoppm renders it (greyscale)."""
    assert PDFTOPPM is not None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-singlefile", str(src),  # noqa: S603
                        str(Path(tmp) / "page")], check=True)
        with Image.open(Path(tmp) / "page.png") as img:
            return img.convert("L").copy()
