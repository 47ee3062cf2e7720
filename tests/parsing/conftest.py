"""Indexes over the demo catalogue and small hand-made catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dev.demo_catalog import DEMO_DIR
from domain.catalog import Catalog, parse_catalog_csv
from domain.resolver import CatalogIndex

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = DEMO_DIR / "catalog.csv"


def index_from_csv(text: str) -> CatalogIndex:
    """An index over a catalogue written inline in a test."""
    parsed = parse_catalog_csv(text)
    assert parsed.ok, parsed.errors
    return CatalogIndex.build(Catalog.from_rows(parsed.rows))


@pytest.fixture(scope="session")
def demo_index() -> CatalogIndex:
    return index_from_csv(DEMO_CATALOG.read_text(encoding="utf-8"))
