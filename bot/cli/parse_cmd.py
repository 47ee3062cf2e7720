"""`khaacho parse`: read order messages against a catalogue file, print JSON.

Works without a database: the catalogue comes from the CSV given.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError
from domain.catalog import Catalog, parse_catalog_csv
from domain.ordertext import ParsedMessage, parse_message
from domain.resolver import CatalogIndex


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `parse` subcommand."""
    p = sub.add_parser(
        "parse",
        help="read order messages into intent and cart lines (JSON)",
        description="Parse a retailer message (or JSON lines {id,text} on stdin with "
                    "--batch) against a catalogue CSV and print JSON.",
    )
    p.add_argument("--catalog", required=True, type=Path, metavar="FILE.csv",
                   help="catalogue in the import format (sku,name,unit,aliases,category,price)")
    p.add_argument("--batch", action="store_true",
                   help="read JSON lines {\"id\",\"text\"} on stdin, write one JSON line each")
    p.add_argument("text", nargs="?", help="the message to parse (without --batch)")
    p.set_defaults(handler=run)


def load_index(path: Path) -> CatalogIndex:
    """Build an index from a catalogue CSV, or fail with every bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    parsed = parse_catalog_csv(text)
    if not parsed.ok:
        raise CliError(f"{path}: " + "; ".join(str(e) for e in parsed.errors))
    return CatalogIndex.build(Catalog.from_rows(parsed.rows))


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def to_json(message_id: Any, parsed: ParsedMessage) -> dict[str, Any]:
    """The wire shape documented in the issue and read by score_parse.py."""
    return {
        "id": message_id,
        "intent": parsed.intent.value,
        "lines": [
            {
                "text": ln.text,
                "sku": ln.sku,
                "qty": _number(ln.qty),
                "unit": ln.unit,
                "status": ln.status.value,
                "qty_note": ln.qty_note.value if ln.qty_note is not None else None,
                "candidates": [{"sku": c.sku, "name": c.name, "score": c.score}
                               for c in ln.candidates],
            }
            for ln in parsed.lines
        ],
    }


def run(args: argparse.Namespace) -> int:
    """Parse one message or a batch."""
    index = load_index(args.catalog)
    if not args.batch:
        if args.text is None:
            raise CliError("give the message text, or --batch to read JSON lines on stdin")
        print(json.dumps(to_json(None, parse_message(args.text, index)), ensure_ascii=False))
        return 0
    for n, raw in enumerate(sys.stdin, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            out = {"id": None, "error": f"stdin line {n}: {exc}"}
            print(json.dumps(out, ensure_ascii=False), flush=True)
            continue
        result = to_json(record.get("id"), parse_message(text, index))
        print(json.dumps(result, ensure_ascii=False))
    return 0
