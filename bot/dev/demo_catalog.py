"""The demo's catalogue, its three vendors and their price lists (`demo_data/`), and loading them.

Shipped as package data with `bot.dev`, so `khaacho demo` works from an
installed package; the tests and the load bench start from the same files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bot.store.catalog import CatalogRejected, write_rows
from domain.catalog import CatalogFile, parse_catalog_csv

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What loading the demo data wrote."""

    products: int
    vendors: int
    vendor_prices: int


async def load_demo(pool: asyncpg.Pool, demo_dir: Path = DEMO_DIR) -> DemoSummary:
    """Load the demo catalogue, its vendors and their price lists in one transaction.

    `vendors.csv` lists `phone,name,areas,file` (areas separated by `|`, file
    relative to the demo directory). Running it again updates in place.
    """
    catalog = parse_catalog_csv((demo_dir / "catalog.csv").read_text(encoding="utf-8"))
    if not catalog.ok:
        raise CatalogRejected(catalog.errors)
    vendor_rows = list(csv.DictReader(io.StringIO(
        (demo_dir / "vendors.csv").read_text(encoding="utf-8"))))
    price_files: list[tuple[dict[str, str], CatalogFile]] = []
    for v in vendor_rows:
        parsed = parse_catalog_csv((demo_dir / v["file"]).read_text(encoding="utf-8"))
        if not parsed.ok:
            raise CatalogRejected(parsed.errors)
        price_files.append((v, parsed))
    prices = 0
    async with pool.acquire() as conn, conn.transaction():
        report = await write_rows(conn, catalog, vendor_id=None)
        for v, parsed in price_files:
            areas = [a.strip() for a in v["areas"].split("|") if a.strip()]
            vendor_id = await conn.fetchval(
                """INSERT INTO vendors (phone, name, areas) VALUES ($1, $2, $3)
                   ON CONFLICT (phone) DO UPDATE SET name = EXCLUDED.name,
                       areas = EXCLUDED.areas, updated_at = now()
                   RETURNING id""", v["phone"], v["name"], areas)
            prices += (await write_rows(conn, parsed, vendor_id=int(vendor_id))).prices
    return DemoSummary(report.products_created + report.products_updated
                       + report.products_unchanged, len(price_files), prices)
