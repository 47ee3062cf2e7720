"""A message as the order parser reads it, in the retailer flow's terms."""

from __future__ import annotations

from domain.ordertext import ParsedMessage
from domain.resolver import CatalogIndex
from flows.retailer.ports import LineStatus, Option, Reading, Understood

HINTS = 3


def reading_of(parsed: ParsedMessage, index: CatalogIndex) -> Reading:
    """Each line resolved to one product, asked about (several close), or unknown (hints)."""
    out = []
    for line in parsed.lines:
        if line.sku is not None:
            p = index.product(line.sku)
            out.append(Understood(line.text, LineStatus.RESOLVED, p.sku, p.name, p.unit,
                                  line.qty, qty_note=line.qty_note))
            continue
        options = [Option(p.sku, p.name, p.unit)
                   for p in (index.product(c.sku) for c in line.candidates)]
        if not options:
            # Nothing close enough to ask about: offer the nearest names as hints.
            options = [Option(p.sku, p.name, p.unit)
                       for p in (index.product(c.sku) for c in index.search(line.text, HINTS))]
            out.append(Understood(line.text, LineStatus.UNKNOWN, qty=line.qty, unit=line.unit,
                                  options=tuple(options), qty_note=line.qty_note))
            continue
        out.append(Understood(line.text, LineStatus.ASK, qty=line.qty, unit=line.unit,
                              options=tuple(options), qty_note=line.qty_note))
    return Reading(parsed.intent, out)
