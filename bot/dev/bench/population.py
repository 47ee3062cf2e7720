"""A generated population: retailers, vendors and a catalogue scaled to N products.

The catalogue starts from the demo catalogue (`bot/dev/demo_data/catalog.csv`
when present) or a built-in list of kirana staples, then adds brand variants
("Himal Chini 1kg", "Gaurav Chini 1kg", …) until it holds the requested
number of products, each with its own aliases. Every vendor carries the
popular products (what the generated messages order) plus a random share of
the long tail; ten full-line vendors carry everything. Rows go in with COPY: 10,000 products and
300 vendors load in seconds.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from bot.dev.demo_catalog import DEMO_DIR

AREAS: tuple[str, ...] = (
    "Kalanki", "Baneshwor", "Koteshwor", "Chabahil", "Balaju", "Patan", "Bhaktapur",
    "Kirtipur", "Budhanilkantha", "Thimi",
)

# (name, unit, aliases, category, price NPR) — a kirana shop's staples.
STAPLES: tuple[tuple[str, str, tuple[str, ...], str, int], ...] = (
    ("Jeera Masino Rice 25kg", "bag", ("jeera masino", "jira masino", "जिरा मसिनो"), "rice", 2450),
    ("Mansuli Rice 25kg", "bag", ("mansuli", "mansuli chamal", "मन्सुली"), "rice", 1900),
    ("Basmati Rice 5kg", "bag", ("basmati", "बासमती"), "rice", 1150),
    ("Chini (Sugar)", "kg", ("chini", "sugar", "चिनी"), "grocery", 110),
    ("Nun (Salt) 1kg", "packet", ("nun", "salt", "नुन"), "grocery", 25),
    ("Maida 1kg", "packet", ("maida", "मैदा"), "flour", 75),
    ("Atta 10kg", "bag", ("atta", "aata", "pitho", "आटा"), "flour", 720),
    ("Besan 1kg", "packet", ("besan", "बेसन"), "flour", 190),
    ("Moong Dal", "kg", ("moong", "mung dal", "मुग"), "pulses", 180),
    ("Rahar Dal", "kg", ("rahar", "arhar", "रहर"), "pulses", 230),
    ("Chana Dal", "kg", ("chana dal", "चना दाल"), "pulses", 150),
    ("Kabuli Chana", "kg", ("kabuli", "kabuli chana", "काबुली"), "pulses", 210),
    ("Sunflower Oil 1L", "bottle", ("sunflower", "sunflower tel", "सूर्यमुखी"), "oil", 290),
    ("Mustard Oil 1L", "bottle", ("tori tel", "mustard oil", "तोरीको तेल"), "oil", 330),
    ("Soyabean Oil 15L", "tin", ("soyabean tel", "soya tel", "भटमासको तेल"), "oil", 3900),
    ("Ghee 1L", "tin", ("ghee", "ghiu", "घिउ"), "dairy", 1150),
    ("Instant Noodles", "carton", ("chauchau", "noodles", "चाउचाउ"), "snacks", 600),
    ("Biscuit Family Pack", "packet", ("biscuit", "biskut", "बिस्कुट"), "snacks", 60),
    ("Tea Leaves 500g", "packet", ("chiya patti", "tea", "चिया"), "beverages", 270),
    ("Coffee 100g", "jar", ("coffee", "kafi", "कफी"), "beverages", 430),
    ("Washing Soap", "piece", ("sabun", "lugadhune sabun", "साबुन"), "household", 40),
    ("Detergent Powder 1kg", "packet", ("detergent", "surf", "सर्फ"), "household", 160),
    ("Toothpaste 150g", "piece", ("manjan", "toothpaste", "मन्जन"), "personal", 120),
    ("Shampoo Sachet", "box", ("shampoo", "sampoo", "स्याम्पु"), "personal", 95),
    ("Eggs Tray", "tray", ("anda", "egg", "अण्डा"), "dairy", 450),
    ("Turmeric Powder 200g", "packet", ("besar", "haldi", "बेसार"), "spices", 85),
    ("Cumin 100g", "packet", ("jeera", "jira", "जिरा"), "spices", 90),
    ("Red Chilli Powder 200g", "packet", ("khursani dhulo", "chilli powder", "खुर्सानी"),
     "spices", 110),
    ("Candles", "bundle", ("mainbatti", "candle", "मैनबत्ती"), "household", 50),
    ("Matchbox", "bundle", ("salai", "matches", "सलाई"), "household", 20),
    ("Soft Drink 2.25L", "bottle", ("coke", "cold drink", "कोक"), "beverages", 230),
    ("Mineral Water 1L", "carton", ("pani", "water", "पानी"), "beverages", 300),
)

BRANDS: tuple[str, ...] = tuple(
    f"{a}{b}" for a in ("Him", "Gau", "Sag", "Ann", "Pas", "Sur", "Nav", "Jyo", "Dev", "Ras",
                        "Kan", "Mal", "Tar", "Bis", "Pra", "Shu", "Sam", "Lal", "Gan", "Man")
    for b in ("al", "rav", "ar", "apurna", "upati", "ya", "in", "ti", "ika", "mi", "chan",
              "ika", "ani", "hal", "bhat", "bham", "jhana", "ita", "esh", "asi")
)


@dataclass(frozen=True, slots=True)
class BenchProduct:
    """One generated product and how shopkeepers call it."""

    sku: str
    name: str
    unit: str
    aliases: tuple[str, ...]
    category: str
    price: Decimal
    popular: bool


@dataclass(slots=True)
class Population:
    """Everything generated, with the phone numbers the driver writes from."""

    products: list[BenchProduct] = field(default_factory=list)
    retailers: list[tuple[str, str, str]] = field(default_factory=list)  # phone, shop, area
    vendors: list[tuple[str, str, list[str]]] = field(default_factory=list)  # phone, name, areas

    @property
    def popular(self) -> list[BenchProduct]:
        """The products the generated messages order."""
        return [p for p in self.products if p.popular]

    @property
    def vendor_phones(self) -> set[str]:
        """Every vendor's WhatsApp number."""
        return {v[0] for v in self.vendors}


def _demo_catalog() -> list[tuple[str, str, str, tuple[str, ...], str, Decimal]]:
    path = DEMO_DIR / "catalog.csv"
    rows: list[tuple[str, str, str, tuple[str, ...], str, Decimal]] = []
    if path.is_file():
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            try:
                price = Decimal(row.get("price") or "100")
            except ArithmeticError:
                price = Decimal(100)
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            rows.append((row["sku"], row["name"], row["unit"], aliases,
                         row.get("category") or "", price))
    return rows


def area_names(count: int) -> tuple[str, ...]:
    """`count` delivery areas: Kathmandu valley names, then numbered wards."""
    return tuple(AREAS[i] if i < len(AREAS) else f"{AREAS[i % len(AREAS)]}-{i // len(AREAS)}"
                 for i in range(count))


def generate(*, products: int = 10_000, retailers: int = 2_000, vendors: int = 300,
             popular: int = 200, areas: int | None = None, seed: int = 42) -> Population:
    """A deterministic population of the given size.

    By default there is one area per two vendors, so every vendor is some
    area's best choice: WhatsApp paces messages to one user (about one per 6 s
    after a burst), and a population where ten vendors took every order
    would measure that pacing, not the system.
    """
    rng = random.Random(seed)
    names = area_names(areas or max(1, vendors // 2))
    pop = Population()
    base = _demo_catalog()
    seen_skus: set[str] = set()
    for sku, name, unit, aliases, category, price in base:
        if sku in seen_skus:
            continue
        seen_skus.add(sku)
        pop.products.append(BenchProduct(sku, name, unit, aliases, category, price, True))
    demo_names = {p.name.casefold() for p in pop.products}
    for i, (name, unit, aliases, category, price) in enumerate(STAPLES):
        if name.casefold() in demo_names:
            continue  # one product per name, as an operator's catalogue would have
        sku = f"BENCH-STAPLE-{i:03d}"
        pop.products.append(BenchProduct(sku, name, unit, aliases, category, Decimal(price), True))
    # Brand variants of every staple until the catalogue is the requested size.
    n = 0
    while len(pop.products) < products:
        brand = BRANDS[n // len(STAPLES) % len(BRANDS)]
        round_ = n // (len(STAPLES) * len(BRANDS))
        name, unit, aliases, category, price = STAPLES[n % len(STAPLES)]
        suffix = f" {round_ + 1}" if round_ else ""
        label = f"{brand}{suffix}"
        pop.products.append(BenchProduct(
            f"BENCH-{n:05d}", f"{label} {name}", unit,
            (f"{label.lower()} {aliases[0]}", f"{label.lower()} {aliases[1]}"),
            category, Decimal(price) + rng.randint(-5, 25), False))
        n += 1
    del pop.products[products:]
    # Popular: the base products and brand variants spread over the catalogue
    # (what shops really order); the rest is the long tail.
    variants = [i for i, p in enumerate(pop.products) if not p.popular]
    wanted = max(0, popular - (len(pop.products) - len(variants)))
    step = max(1, len(variants) // wanted) if wanted else 0
    for i in variants[::step][:wanted] if step else ():
        p = pop.products[i]
        pop.products[i] = BenchProduct(p.sku, p.name, p.unit, p.aliases, p.category, p.price,
                                       True)
    for i in range(retailers):
        pop.retailers.append((f"97798{10_000_000 + i:08d}", f"Bench Kirana {i}",
                              names[i % len(names)]))
    for i in range(vendors):
        served = list(dict.fromkeys((names[i % len(names)], names[(i + 1) % len(names)])))
        pop.vendors.append((f"97798{50_000_000 + i:08d}", f"Bench Wholesale {i}", served))
    return pop


async def insert(conn: asyncpg.Connection, pop: Population, *, seed: int = 42,
                 tail_share: float = 0.05) -> dict[str, int]:
    """Write the population into empty tables with COPY; returns row counts."""
    rng = random.Random(seed)
    async with conn.transaction():
        await conn.copy_records_to_table(
            "products", columns=["sku", "name", "unit", "category"],
            records=[(p.sku, p.name, p.unit, p.category) for p in pop.products])
        ids = {r["sku"]: r["id"] for r in await conn.fetch("SELECT id, sku FROM products")}
        alias_rows = {(ids[p.sku], a[:120]) for p in pop.products for a in p.aliases}
        await conn.copy_records_to_table("product_aliases", columns=["product_id", "alias"],
                                         records=sorted(alias_rows))
        await conn.copy_records_to_table(
            "vendors", columns=["phone", "name", "areas"],
            records=[(phone, name, areas) for phone, name, areas in pop.vendors])
        vids = [r["id"] for r in await conn.fetch("SELECT id FROM vendors ORDER BY id")]
        popular_ids = [ids[p.sku] for p in pop.products if p.popular]
        tail = [(ids[p.sku], p.price) for p in pop.products if not p.popular]
        price_of = {ids[p.sku]: p.price for p in pop.products}
        # Every vendor carries the popular products (all the generated messages
        # order), so every order is routable in its area; ten full-line vendors
        # carry the whole catalogue, the rest a random share of the long tail.
        full_line = set(vids[:10])
        vp: list[tuple[int, int, Decimal]] = []
        for vid in vids:
            carried = set(popular_ids)
            if vid in full_line:
                carried.update(pid for pid, _ in tail)
            else:
                carried.update(pid for pid, _ in rng.sample(tail, int(len(tail) * tail_share)))
            for pid in carried:
                # Vendors differ a little on price, so routing has something to choose.
                vp.append((vid, pid, price_of[pid] + rng.randint(0, 10)))
        await conn.copy_records_to_table("vendor_products",
                                         columns=["vendor_id", "product_id", "price"], records=vp)
        await conn.copy_records_to_table(
            "retailers",
            columns=["phone", "shop_name", "area", "status", "credit_limit", "language",
                     "approved_at"],
            records=[(phone, shop, area, "active", Decimal("100000000"),
                      "ne" if i % 4 == 3 else "en", None)
                     for i, (phone, shop, area) in enumerate(pop.retailers)])
        await conn.execute("UPDATE retailers SET approved_at = now()")
    for table in ("products", "vendors", "vendor_products", "retailers"):
        await conn.execute(f"ANALYZE {table}")
    return {"products": len(pop.products), "aliases": len(alias_rows), "vendors": len(vids),
            "vendor_products": len(vp), "retailers": len(pop.retailers)}
