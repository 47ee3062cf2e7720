"""Products, the catalogue, and validation of the catalogue CSV format.

Format: `sku,name,unit,aliases,category,price[,stock]`; aliases separated by `|`,
price (NPR per unit) and stock optional. Validation is all-or-nothing: callers
import nothing when `errors` is non-empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from domain.units import MAX_LABEL, unit_label

CSV_COLUMNS: tuple[str, ...] = ("sku", "name", "unit", "aliases", "category", "price")
OPTIONAL_COLUMNS: tuple[str, ...] = ("stock",)


@dataclass(frozen=True, slots=True)
class Product:
    """One sellable item as the catalogue names it."""

    sku: str
    name: str
    unit: str
    category: str
    aliases: tuple[str, ...] = ()
    pack: str = ""  # what one unit holds, when the name does not say ("30 pkt", "25 kg")


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """A validated CSV row: the product plus this file's price and stock, if given."""

    line: int
    product: Product
    price: Decimal | None
    stock: Decimal | None


@dataclass(frozen=True, slots=True)
class RowError:
    """A reason a CSV line cannot be imported."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """Result of reading a catalogue CSV: rows if valid, every error otherwise."""

    rows: tuple[CatalogRow, ...]
    errors: tuple[RowError, ...]
    has_stock_column: bool = False

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return not self.errors


@dataclass(frozen=True)
class Catalog:
    """An immutable set of products, looked up by SKU."""

    products: tuple[Product, ...]
    _by_sku: Mapping[str, Product] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_sku", {p.sku: p for p in self.products})

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def get(self, sku: str) -> Product | None:
        """The product with this SKU, or None."""
        return self._by_sku.get(sku)

    @classmethod
    def from_rows(cls, rows: Iterable[CatalogRow]) -> Catalog:
        """A catalogue of the products in validated rows."""
        return cls(tuple(r.product for r in rows))


def split_aliases(raw: str) -> tuple[str, ...]:
    """Aliases from the `a|b|c` column, trimmed, blanks and repeats dropped."""
    seen: dict[str, None] = {}
    for part in raw.split("|"):
        alias = " ".join(part.split())
        if alias and alias.casefold() not in {s.casefold() for s in seen}:
            seen[alias] = None
    return tuple(seen)


def _decimal(raw: str, what: str, line: int, errors: list[RowError]) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        errors.append(RowError(line, f"{what} {raw!r} is not a number"))
        return None
    if not value.is_finite():
        errors.append(RowError(line, f"{what} {raw!r} is not a number"))
        return None
    if value < 0:
        errors.append(RowError(line, f"{what} {raw} is negative"))
        return None
    return value


def parse_catalog_csv(text: str) -> CatalogFile:
    """Validate a whole catalogue CSV; line numbers are the file's own (header is line 1)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    errors: list[RowError] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return CatalogFile((), (RowError(1, "file is empty; expected a header row"),))
    expected = list(CSV_COLUMNS)
    has_stock = header == [*expected, "stock"]
    if header != expected and not has_stock:
        msg = f"header must be {','.join(CSV_COLUMNS)}[,stock], got {','.join(header)}"
        return CatalogFile((), (RowError(1, msg),))
    width = len(header)
    rows: list[CatalogRow] = []
    first_line: dict[str, int] = {}
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        before = len(errors)
        if len(record) > width:
            errors.append(RowError(start, f"expected {width} columns, got {len(record)}"))
            continue
        cells = [c.strip() for c in record] + [""] * (width - len(record))
        sku, name, unit_raw, aliases, category, price_raw = cells[:6]
        if not sku:
            errors.append(RowError(start, "missing sku"))
        elif sku in first_line:
            errors.append(RowError(start, f"duplicate sku {sku} (first on line {first_line[sku]})"))
        elif len(sku) > 64:
            errors.append(RowError(start, "sku longer than 64 characters"))
        else:
            first_line[sku] = start
        if not name:
            errors.append(RowError(start, "missing name"))
        elif len(name) > 200:
            errors.append(RowError(start, "name longer than 200 characters"))
        long_aliases = [a for a in split_aliases(aliases) if len(a) > 120]
        if long_aliases:
            errors.append(RowError(start, f"alias longer than 120 characters: {long_aliases[0]!r}"))
        # Units are open: a known word is stored as its canonical unit, any other as a
        # label the reader matches literally. Only an empty or absurd cell is refused.
        unit: str | None = unit_label(unit_raw)
        if not unit:
            errors.append(RowError(start, "missing unit"))
            unit = None
        elif len(unit) > MAX_LABEL or not any(ch.isalpha() for ch in unit):
            errors.append(RowError(start, f"unit {unit_raw!r} is not a unit word "
                                          f"(letters, at most {MAX_LABEL} characters)"))
            unit = None
        price = _decimal(price_raw, "price", start, errors)
        if price is not None and price == 0:
            errors.append(RowError(start, "price must be more than 0 (leave it empty for none)"))
        stock = _decimal(cells[6], "stock", start, errors) if has_stock else None
        if len(errors) > before or unit is None:
            continue
        product = Product(sku, " ".join(name.split()), unit, category.strip().lower(),
                          split_aliases(aliases))
        rows.append(CatalogRow(start, product, price, stock))
    if not rows and not errors:
        errors.append(RowError(line, "no products in file"))
    return CatalogFile(tuple(rows), tuple(errors), has_stock)


def write_catalog_csv(rows: Iterable[CatalogRow], with_stock: bool = False) -> str:
    """Render rows in the import format (the inverse of `parse_catalog_csv`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(OPTIONAL_COLUMNS if with_stock else ())])
    for r in rows:
        p = r.product
        cells = [p.sku, p.name, p.unit, "|".join(p.aliases), p.category,
                 "" if r.price is None else str(r.price)]
        if with_stock:
            cells.append("" if r.stock is None else str(r.stock))
        writer.writerow(cells)
    return out.getvalue()
