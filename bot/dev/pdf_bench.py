"""`python -m bot.dev.pdf_bench [N]`: how long rendering an invoice and a statement PDF takes.

Prints milliseconds per render (wall median and worst of N, default 20; CPU
median, which a busy machine disturbs less) and the PDF size, for an English
and a Nepali invoice of 12 lines and a Nepali statement of 40 entries.
The figures in the README come from here. First, the CPU of the process's
first render on its own: it parses the packaged fonts, which every later
document borrows (bot/documents/typefaces.py), so the medians leave it out.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from bot.documents.pdf import render
from domain.dues import Credit, Debit
from domain.invoice import Buyer, Document, DocumentKind, Seller, SoldLine, figures
from domain.statement import LedgerLine, LineKind, last_days, statement
from flows.documents import Page, invoice_page, statement_page

TODAY = dt.date(2026, 12, 2)


def _invoice() -> Document:
    lines = [SoldLine(f"चिनी / Sugar {i}", "kg", Decimal(10 + i), Decimal(1130 + 13 * i))
             for i in range(12)]
    return Document(DocumentKind.INVOICE, "2083/84-00042", TODAY, 1042,
                    Seller("Shrestha Traders", "Kalimati, Kathmandu", "601234567", True),
                    Buyer("सीता पसल", "Baneshwor", "9779812000001"),
                    figures(lines, vat_registered=True))


def _statement_page() -> Page:
    lines = []
    debits = []
    for i in range(20):
        on = TODAY - dt.timedelta(days=29 - i)
        lines.append(LedgerLine(on, True, Decimal(1500 + i), LineKind.ORDER, 1000 + i))
        lines.append(LedgerLine(on, False, Decimal(700), LineKind.PAYMENT))
        debits.append(Debit(i, Decimal(1500 + i), on + dt.timedelta(days=30), on, i))
    credits = [Credit(Decimal(700), TODAY - dt.timedelta(days=29 - i)) for i in range(20)]
    st = statement(lines, debits, credits, last_days(TODAY))
    return statement_page(st, "ne", shop="सीता पसल", phone="9779812000001", area="Baneshwor")


def _time(name: str, page: Callable[[], Page], n: int) -> None:
    times, cpu, size = [], [], 0
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(render(page()))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"{name:<22} wall median {statistics.median(times):7.1f} ms  worst {max(times):7.1f} ms"
          f"  CPU median {statistics.median(cpu):7.1f} ms  {size / 1024:6.1f} KiB")


def main(argv: list[str]) -> None:
    """Render each document `argv[0]` times (default 20) and print the figures."""
    n = int(argv[0]) if argv else 20
    doc = _invoice()
    started_cpu = time.process_time()
    render(invoice_page(doc, "ne"))
    print(f"{'first render (fonts)':<22} CPU {(time.process_time() - started_cpu) * 1000:7.1f} ms")
    _time("invoice (en, 12 lines)", lambda: invoice_page(doc, "en"), n)
    _time("invoice (ne, 12 lines)", lambda: invoice_page(doc, "ne"), n)
    _time("statement (ne, 40)", _statement_page, n)


if __name__ == "__main__":
    main(sys.argv[1:])
