"""Products, aliases and vendor price lists in Postgres: import, export, load.

An import is all-or-nothing twice over: the CSV is validated in full first
(`domain.catalog.parse_catalog_csv`, every bad line reported), then written in
one transaction. Bumping the Redis catalogue version afterwards is the
caller's job (`bot.catalog_cache.bump_version`), after the commit, so no
process can rebuild its index from a half-written catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from domain.catalog import (
    Catalog,
    CatalogFile,
    CatalogRow,
    Product,
    RowError,
    parse_catalog_csv,
    write_catalog_csv,
)
from domain.numbers import plain


class CatalogRejected(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} bad row(s); nothing imported")
        self.errors = tuple(errors)


class UnknownVendor(Exception):
    """No vendor has the phone number given."""


#: A vendor's price moving by more than this share needs --accept-price-changes: a
#: misplaced digit in a price list (95 → 950) is caught before retailers see it.
PRICE_CHANGE_LIMIT = Decimal("0.30")


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A vendor price the file changes."""

    sku: str
    old: Decimal
    new: Decimal

    @property
    def share(self) -> Decimal:
        """How far the price moves, as a share of the old one (0.5 = 50%)."""
        return abs(self.new - self.old) / self.old if self.old else Decimal(1)

    @property
    def is_large(self) -> bool:
        """True when the change needs the operator's explicit consent."""
        return self.share > PRICE_CHANGE_LIMIT


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would change, worked out before anything is written."""

    new: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    #: On this vendor's price list but not in the file (kept: a file is not a deletion).
    absent: tuple[str, ...]
    price_changes: tuple[PriceChange, ...]
    #: Vendor rows naming a shared product differently: the shared name is kept.
    kept_names: tuple[str, ...]
    ignored_columns: tuple[str, ...]

    @property
    def large_price_changes(self) -> tuple[PriceChange, ...]:
        """Changes over PRICE_CHANGE_LIMIT."""
        return tuple(c for c in self.price_changes if c.is_large)


class PriceChangesNeedConsent(Exception):
    """Prices move by more than PRICE_CHANGE_LIMIT and the caller did not accept it."""

    def __init__(self, plan: ImportPlan) -> None:
        n = len(plan.large_price_changes)
        super().__init__(f"{n} price(s) change by more than "
                         f"{int(PRICE_CHANGE_LIMIT * 100)}%; nothing imported")
        self.plan = plan


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import changed (or, for a dry run, would change)."""

    products_created: int
    products_updated: int
    products_unchanged: int
    aliases: int
    prices: int
    prices_changed: int
    vendor_id: int | None
    plan: ImportPlan | None = None
    dry_run: bool = False


async def vendor_id_by_phone(conn: asyncpg.Connection, phone: str) -> int | None:
    """The id of the vendor with this WhatsApp number."""
    value = await conn.fetchval("SELECT id FROM vendors WHERE phone = $1", phone)
    return int(value) if value is not None else None


async def import_csv(pool: asyncpg.Pool, text: str, *, vendor_phone: str | None = None,
                     dry_run: bool = False, accept_price_changes: bool = False
                     ) -> ImportReport:
    """Validate and import a catalogue CSV in one transaction.

    CatalogRejected if any row is bad; PriceChangesNeedConsent if a vendor price moves
    by more than PRICE_CHANGE_LIMIT without `accept_price_changes`. A dry run plans and
    writes nothing.
    """
    parsed = parse_catalog_csv(text)
    if not parsed.ok:
        raise CatalogRejected(parsed.errors)
    async with pool.acquire() as conn, conn.transaction():
        vendor_id = None
        if vendor_phone is not None:
            vendor_id = await vendor_id_by_phone(conn, vendor_phone)
            if vendor_id is None:
                raise UnknownVendor(f"no vendor with phone {vendor_phone}")
        plan = await plan_import(conn, parsed, vendor_id=vendor_id)
        if dry_run:
            return ImportReport(len(plan.new), len(plan.updated), len(plan.unchanged),
                                sum(len(r.product.aliases) for r in parsed.rows),
                                sum(1 for r in parsed.rows if r.price is not None),
                                len(plan.price_changes), vendor_id, plan, dry_run=True)
        if plan.large_price_changes and not accept_price_changes:
            raise PriceChangesNeedConsent(plan)
        report = await write_rows(conn, parsed, vendor_id=vendor_id)
        return ImportReport(report.products_created, report.products_updated,
                            report.products_unchanged, report.aliases, report.prices,
                            report.prices_changed, vendor_id, plan)


async def plan_import(conn: asyncpg.Connection, parsed: CatalogFile, *, vendor_id: int | None
                      ) -> ImportPlan:
    """What writing `parsed` would change: products new, updated, unchanged, prices moved."""
    rows = parsed.rows
    skus = [r.product.sku for r in rows]
    before = {
        r["sku"]: r for r in await conn.fetch(
            """SELECT p.sku, p.name, p.unit, p.category, p.pack,
                      coalesce(array_agg(a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}')
                          AS aliases
               FROM products p LEFT JOIN product_aliases a ON a.product_id = p.id
               WHERE p.sku = ANY($1::text[]) GROUP BY p.id""", skus)}
    new, updated, unchanged, kept = [], [], [], []
    for r in rows:
        p, old = r.product, before.get(r.product.sku)
        if old is None:
            new.append(p.sku)
            continue
        more_aliases = bool(set(p.aliases) - set(old["aliases"]))
        differs = (p.name, p.unit, p.category, p.pack) != (
            old["name"], old["unit"], old["category"], old["pack"])
        if vendor_id is not None and differs:
            kept.append(p.sku)
        if more_aliases or (differs and vendor_id is None):
            updated.append(p.sku)
        else:
            unchanged.append(p.sku)
    changes: list[PriceChange] = []
    absent: list[str] = []
    if vendor_id is not None:
        current = {r["sku"]: r["price"] for r in await conn.fetch(
            "SELECT p.sku, vp.price FROM vendor_products vp JOIN products p ON p.id = vp.product_id"
            " WHERE vp.vendor_id = $1", vendor_id)}
        in_file = set(skus)
        absent = sorted(s for s in current if s not in in_file)
        for r in rows:
            old_price = current.get(r.product.sku)
            if r.price is not None and old_price is not None and old_price != r.price:
                changes.append(PriceChange(r.product.sku, plain(old_price), r.price))
    return ImportPlan(tuple(new), tuple(updated), tuple(unchanged), tuple(absent),
                      tuple(changes), tuple(kept), parsed.ignored_columns)


_UPSERT = """
    INSERT INTO products AS p (sku, name, unit, category, pack)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    ON CONFLICT (sku) DO UPDATE
       SET name = EXCLUDED.name, unit = EXCLUDED.unit, category = EXCLUDED.category,
           pack = EXCLUDED.pack, updated_at = now()
       WHERE (p.name, p.unit, p.category, p.pack)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.unit, EXCLUDED.category, EXCLUDED.pack)
    RETURNING sku, id"""
# A vendor's list adds products the catalogue lacks and leaves shared ones as they are.
_INSERT_NEW_ONLY = """
    INSERT INTO products (sku, name, unit, category, pack)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    ON CONFLICT (sku) DO NOTHING
    RETURNING sku, id"""


async def write_rows(conn: asyncpg.Connection, parsed: CatalogFile, *, vendor_id: int | None
                     ) -> ImportReport:
    """Upsert validated rows (inside the caller's transaction).

    Aliases are merged: the file's are added, none is removed (another vendor's list or
    an operator may have added them). The catalogue's own import (no vendor) updates a
    product's name, unit, category and pack; a vendor's price list never does, since
    the product is shared by every vendor. With a vendor, rows with a price set that
    vendor's price (and stock, when the file has the column; an empty stock cell means
    not stock-tracked); a changed price is recorded in vendor_price_history.
    """
    rows = parsed.rows
    skus = [r.product.sku for r in rows]
    before = {
        r["sku"]: (r["name"], r["unit"], r["category"])
        for r in await conn.fetch(
            "SELECT sku, name, unit, category FROM products WHERE sku = ANY($1::text[])", skus)
    }
    ids = dict(await conn.fetch(
        _INSERT_NEW_ONLY if vendor_id is not None else _UPSERT,
        skus, [r.product.name for r in rows], [r.product.unit for r in rows],
        [r.product.category for r in rows], [r.product.pack for r in rows],
    ))
    all_ids: dict[str, int] = dict(await conn.fetch(
        "SELECT sku, id FROM products WHERE sku = ANY($1::text[])", skus))
    created = sum(1 for s in skus if s not in before)
    updated = sum(1 for s in ids if s in before)
    product_ids = [all_ids[s] for s in skus]
    alias_pids: list[int] = []
    alias_texts: list[str] = []
    for r in rows:
        for alias in r.product.aliases:
            alias_pids.append(all_ids[r.product.sku])
            alias_texts.append(alias)
    if alias_pids:
        await conn.execute(
            """INSERT INTO product_aliases (product_id, alias)
               SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING""",
            alias_pids, alias_texts)
    prices = changed = 0
    if vendor_id is not None:
        prices, changed = await _write_prices(conn, vendor_id, rows, all_ids,
                                              parsed.has_stock_column)
    # Touch the products whose aliases changed too, so the catalogue's updated_at moves.
    await conn.execute("UPDATE products SET updated_at = now() WHERE id = ANY($1::bigint[])",
                       product_ids)
    return ImportReport(created, updated, len(rows) - created - updated, len(alias_pids),
                        prices, changed, vendor_id)


async def _write_prices(conn: asyncpg.Connection, vendor_id: int, rows: Sequence[CatalogRow],
                        ids: dict[str, int], with_stock: bool) -> tuple[int, int]:
    priced = [r for r in rows if r.price is not None]
    if not priced:
        return 0, 0
    pids = [ids[r.product.sku] for r in priced]
    current = dict(await conn.fetch(
        "SELECT product_id, price FROM vendor_products "
        "WHERE vendor_id = $1 AND product_id = ANY($2::bigint[])", vendor_id, pids))
    prices = [r.price for r in priced]
    stocks = [r.stock for r in priced]
    if with_stock:
        await conn.execute(
            """INSERT INTO vendor_products (vendor_id, product_id, price, stock)
               SELECT $1, * FROM unnest($2::bigint[], $3::numeric[], $4::numeric[])
               ON CONFLICT (vendor_id, product_id) DO UPDATE
                  SET price = EXCLUDED.price, stock = EXCLUDED.stock, updated_at = now()""",
            vendor_id, pids, prices, stocks)
    else:
        await conn.execute(
            """INSERT INTO vendor_products (vendor_id, product_id, price)
               SELECT $1, * FROM unnest($2::bigint[], $3::numeric[])
               ON CONFLICT (vendor_id, product_id) DO UPDATE
                  SET price = EXCLUDED.price, updated_at = now()""",
            vendor_id, pids, prices)
    moved = [(pid, price) for pid, price in zip(pids, prices, strict=True)
             if current.get(pid) != price]
    if moved:
        await conn.execute(
            """INSERT INTO vendor_price_history (vendor_id, product_id, price)
               SELECT $1, * FROM unnest($2::bigint[], $3::numeric[])""",
            vendor_id, [m[0] for m in moved], [m[1] for m in moved])
    return len(priced), len(moved)


async def export_rows(conn: asyncpg.Connection, *, vendor_id: int | None = None
                      ) -> list[CatalogRow]:
    """Every product (or, with a vendor, that vendor's price list) as CSV rows."""
    if vendor_id is None:
        records = await conn.fetch(
            """SELECT p.sku, p.name, p.unit, p.category, p.pack, NULL::numeric AS price,
                      NULL::numeric AS stock,
                      coalesce(array_agg(a.alias ORDER BY a.alias)
                               FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
               FROM products p LEFT JOIN product_aliases a ON a.product_id = p.id
               GROUP BY p.id ORDER BY p.sku""")
    else:
        records = await conn.fetch(
            """SELECT p.sku, p.name, p.unit, p.category, p.pack, vp.price, vp.stock,
                      coalesce(array_agg(a.alias ORDER BY a.alias)
                               FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
               FROM vendor_products vp JOIN products p ON p.id = vp.product_id
               LEFT JOIN product_aliases a ON a.product_id = p.id
               WHERE vp.vendor_id = $1
               GROUP BY p.id, vp.price, vp.stock ORDER BY p.sku""", vendor_id)
    return [
        CatalogRow(i + 2, Product(r["sku"], r["name"], r["unit"], r["category"],
                                  tuple(r["aliases"]), r["pack"]),
                   _plain(r["price"]), _plain(r["stock"]))
        for i, r in enumerate(records)
    ]


def _plain(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain(value)


async def export_csv(conn: asyncpg.Connection, *, vendor_id: int | None = None) -> str:
    """The catalogue (or one vendor's list, with stock) in the import format."""
    rows = await export_rows(conn, vendor_id=vendor_id)
    return write_catalog_csv(rows, with_stock=vendor_id is not None)


async def load_catalog(conn: asyncpg.Connection) -> Catalog:
    """All products with their aliases, for building the resolver's index."""
    rows = await conn.fetch(
        """SELECT p.sku, p.name, p.unit, p.category, p.pack,
                  coalesce(array_agg(a.alias ORDER BY a.alias)
                           FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
           FROM products p LEFT JOIN product_aliases a ON a.product_id = p.id
           GROUP BY p.id ORDER BY p.id""")
    return Catalog(tuple(
        Product(r["sku"], r["name"], r["unit"], r["category"], tuple(r["aliases"]), r["pack"])
        for r in rows))
