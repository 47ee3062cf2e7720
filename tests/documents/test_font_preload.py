"""The worker parses the PDF fonts when it starts, so the first invoice does not pay for it."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter: in this one an earlier test may have rendered a PDF already.
_PROGRAM = """
import asyncio
from bot.documents import pdf, typefaces
from jobs.documents import warm_fonts

paths = [path for _family, _style, path in pdf.TYPEFACES]
print(any(typefaces.is_parsed(p) for p in paths))

async def main():
    stop = await warm_fonts(None, None)
    await stop()

asyncio.run(main())
print(all(typefaces.is_parsed(p) for p in paths))
"""


def test_the_worker_component_parses_every_font_before_any_render() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter and a constant program
        [sys.executable, "-c", _PROGRAM], capture_output=True, text=True,
        timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
