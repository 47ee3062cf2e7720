"""Products, the catalogue, and validation of the catalogue CSV format.

Format: `sku,name,unit[,aliases,category,price,stock,pack]`, columns in any order;
aliases separated by `|`, price (NPR per unit), stock, and pack (what one unit
holds, when the name does not say: "30 pkt") optional. Validation is
all-or-nothing: callers import nothing when `errors` is non-empty.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.digits import to_ascii
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
    ignored_columns: tuple[str, ...] = ()  # header cells that are no column we read

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


# A number as a spreadsheet writes it: currency before or after (Rs, Rs., NPR, रु, /-),
# thousands grouped the international (1,250,000) or the Nepali way (12,50,000).
_CURRENCY = re.compile(r"^(?:rs\.?|npr|रु\.?|रू\.?)\s*|\s*(?:/-|rs\.?|npr)$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3})(?:\.\d+)?$")


def read_amount(raw: str) -> Decimal | str:
    """A price or stock cell as a number, or why it is not one (`12,50` is refused:
    1250 with a misplaced comma, or 12.50 written the European way, cannot be told)."""
    text = _CURRENCY.sub("", to_ascii(raw.strip())).strip()
    if text.startswith("-"):
        inner = read_amount(text[1:])
        return -inner if isinstance(inner, Decimal) else inner
    if _PLAIN_NUMBER.match(text):
        return Decimal(text)
    if _GROUPED.match(text):
        return Decimal(text.replace(",", ""))
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", text) and "," in text:
        return "is ambiguous (a comma that does not group thousands)"
    return "is not a number"


def _decimal(raw: str, what: str, line: int, errors: list[RowError]) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    value = read_amount(raw)
    if isinstance(value, str):
        errors.append(RowError(line, f"{what} {raw!r} {value}"))
        return None
    if value < 0:
        errors.append(RowError(line, f"{what} {raw} is negative"))
        return None
    return value


#: Column names as spreadsheets write them, folded to the import format's.
_HEADER_NAMES: dict[str, str] = {
    "sku": "sku", "code": "sku", "item code": "sku", "product code": "sku",
    "name": "name", "product": "name", "product name": "name", "item": "name",
    "unit": "unit", "uom": "unit", "units": "unit",
    "aliases": "aliases", "alias": "aliases",
    "category": "category", "categories": "category",
    "price": "price", "rate": "price", "price (npr)": "price", "price npr": "price",
    "stock": "stock", "qty in stock": "stock",
    "pack": "pack", "pack size": "pack", "contents": "pack",
}
REQUIRED_COLUMNS: tuple[str, ...] = ("sku", "name", "unit")


@dataclass(frozen=True, slots=True)
class _Cells:
    record: list[str]
    position: dict[str, int]

    def get(self, column: str) -> str:
        i = self.position.get(column)
        return self.record[i].strip() if i is not None and i < len(self.record) else ""


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("_", " ").split()).lower()


def parse_catalog_csv(text: str) -> CatalogFile:
    """Validate a whole catalogue CSV; line numbers are the file's own (header is line 1).

    UTF-8 with or without BOM, any line ending, header columns in any order, case or
    spacing; unknown columns are ignored and named in `ignored_columns`.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    errors: list[RowError] = []
    try:
        header_cells = next(reader)
    except StopIteration:
        return CatalogFile((), (RowError(1, "file is empty; expected a header row"),))
    position: dict[str, int] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header_cells):
        key = _header_key(cell)
        column = _HEADER_NAMES.get(key)
        if column is None:
            if key:
                ignored.append(cell.strip())
            continue
        if column in position:
            return CatalogFile((), (RowError(1, f"column {column} appears twice"),))
        position[column] = i
    missing = [c for c in REQUIRED_COLUMNS if c not in position]
    if missing:
        msg = (f"header needs {', '.join(missing)} (columns: sku,name,unit[,aliases,category,"
               f"price,stock,pack] in any order), got {','.join(header_cells)}")
        return CatalogFile((), (RowError(1, msg),))
    has_stock = "stock" in position
    width = len(header_cells)
    rows: list[CatalogRow] = []
    first_line: dict[str, int] = {}
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        before = len(errors)
        if len(record) > width and any(c.strip() for c in record[width:]):
            errors.append(RowError(start, f"expected {width} columns, got {len(record)}"))
            continue
        cells = _Cells(record, position)
        sku, name, unit_raw = cells.get("sku"), cells.get("name"), cells.get("unit")
        aliases, category, price_raw = (cells.get("aliases"), cells.get("category"),
                                         cells.get("price"))
        pack = " ".join(cells.get("pack").split())
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
        if len(pack) > 64:
            errors.append(RowError(start, "pack longer than 64 characters"))
        price = _decimal(price_raw, "price", start, errors)
        if price is not None and price == 0:
            errors.append(RowError(start, "price must be more than 0 (leave it empty for none)"))
        stock = _decimal(cells.get("stock"), "stock", start, errors) if has_stock else None
        if len(errors) > before or unit is None:
            continue
        product = Product(sku, " ".join(name.split()), unit, category.strip().lower(),
                          split_aliases(aliases), pack)
        rows.append(CatalogRow(start, product, price, stock))
    if not rows and not errors:
        errors.append(RowError(line, "no products in file"))
    return CatalogFile(tuple(rows), tuple(errors), has_stock, tuple(ignored))


def write_catalog_csv(rows: Iterable[CatalogRow], with_stock: bool = False) -> str:
    """Render rows in the import format (the inverse of `parse_catalog_csv`)."""
    rows = list(rows)
    with_pack = any(r.product.pack for r in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(OPTIONAL_COLUMNS if with_stock else ()),
                     *(("pack",) if with_pack else ())])
    for r in rows:
        p = r.product
        cells = [p.sku, p.name, p.unit, "|".join(p.aliases), p.category,
                 "" if r.price is None else str(r.price)]
        if with_stock:
            cells.append("" if r.stock is None else str(r.stock))
        if with_pack:
            cells.append(p.pack)
        writer.writerow(cells)
    return out.getvalue()
