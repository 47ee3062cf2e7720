"""Order-line resolution at catalogue scale, against the plain rapidfuzz baseline.

Generates a deterministic catalogue (default 10,000 products, ~3 aliases each:
romanised, Devanagari, brand + Nepali generic word; pack-size variants) and a
few thousand order lines as retailers write them (typos, Nepali number words,
Devanagari digits, unit synonyms, quantity first or last, polite filler, the
size sometimes left out). Each line is read twice in the same process, on one
core: by `domain.ordertext.parse_message` over a `CatalogIndex`, and by
`rapidfuzz.process.extractOne(line, all_names_and_aliases, scorer=WRatio)`.
Prints per-line p50/p99 time, lines per second and accuracy side by side.

usage: khaacho bench parse [--products 10000] [--lines 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz, process

from domain.catalog import Catalog, Product
from domain.ordertext import parse_message
from domain.resolver import CatalogIndex

_SYLLABLES = [
    ("ka", "का"), ("ki", "कि"), ("ku", "कु"), ("ke", "के"), ("ko", "को"), ("ma", "मा"),
    ("mi", "मि"), ("mu", "मु"), ("me", "मे"), ("ra", "रा"), ("ri", "रि"), ("ru", "रु"),
    ("sa", "सा"), ("si", "सि"), ("su", "सु"), ("na", "ना"), ("ni", "नि"), ("nu", "नु"),
    ("la", "ला"), ("li", "लि"), ("ta", "टा"), ("ti", "टि"), ("da", "दा"), ("di", "दि"),
    ("pa", "पा"), ("pu", "पु"), ("ba", "बा"), ("bi", "बि"), ("ga", "गा"), ("go", "गो"),
    ("ja", "जा"), ("ji", "जि"), ("ha", "हा"), ("hi", "हि"), ("ya", "या"), ("sha", "शा"),
]
_VARIANTS = ["", "", "", "Gold", "Premium", "Classic", "Special", "Fresh", "Super", "Royal"]
# (English type words, Nepali generic words, unit, sizes)
_TYPES: list[tuple[str, str, str, list[str]]] = [
    ("Basmati Rice", "chamal", "bag", ["5kg", "10kg", "25kg"]),
    ("Masino Rice", "masino chamal", "bag", ["25kg"]),
    ("Noodles", "chauchau", "packet", ["70g", "75g"]),
    ("Noodles Carton", "chauchau peti", "carton", ["(30 pcs)"]),
    ("Soap", "sabun", "piece", ["75g", "100g", "125g"]),
    ("Mustard Oil", "tori tel", "bottle", ["500ml", "1L"]),
    ("Mustard Oil Tin", "tori tel", "tin", ["15L"]),
    ("Biscuits", "biskut", "packet", ["80g", "120g", "250g"]),
    ("Mango Juice", "aanp jus", "packet", ["200ml", "1L"]),
    ("Shampoo", "shampoo", "bottle", ["180ml", "340ml"]),
    ("Tea", "chiya", "packet", ["200g", "500g"]),
    ("Masoor Dal", "musuro dal", "kg", [""]),
    ("Chilli Powder", "khursani", "packet", ["100g", "200g"]),
    ("Toothpaste", "manjan", "piece", ["100g", "200g"]),
    ("Detergent Powder", "luga dhune", "packet", ["500g", "1kg"]),
    ("Ghee", "ghiu", "jar", ["500ml", "1L"]),
    ("Milk", "dudh", "packet", ["500ml", "1L"]),
    ("Cola", "cola", "bottle", ["250ml", "500ml", "1.5L"]),
    ("Potato Chips", "chips", "packet", ["30g", "60g"]),
    ("Candles", "mainbatti", "packet", ["(6 pcs)"]),
    ("Atta", "pitho", "bag", ["5kg", "10kg"]),
]
_UNIT_WORDS = {
    "bag": ["bora", "bag", "बोरा", "bori"], "packet": ["pkt", "packet", "प्याकेट", "poka"],
    "carton": ["ctn", "carton", "peti", "कार्टुन"], "piece": ["pcs", "wota", "वटा", "piece"],
    "bottle": ["bottle", "botal", "बोतल"], "tin": ["tin", "टिन"], "kg": ["kg", "kilo", "केजी"],
    "jar": ["jar", "jar"],
}
_NUMBER_WORDS = {1: "ek", 2: "dui", 3: "tin", 4: "char", 5: "panch", 6: "chha", 10: "das",
                 12: "bara", 20: "bis", 50: "pachas"}
_DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
# A generated brand must not be an everyday word (bara = twelve, kina = why, pani = also).
_FUNCTION_WORDS = frozenset({"bara", "kina", "pani", "sata", "das", "nau", "ko", "ki", "ka",
                             "hola", "sabi", "mero", "hami", "kata", "kaha", "kun", "tira"})


@dataclass(frozen=True)
class GenProduct:
    sku: str
    brand: str
    brand_dev: str
    variant: str
    type_en: str
    generic: str
    unit: str
    size: str


@dataclass(frozen=True)
class Line:
    text: str
    sku: str                      # the product meant
    qty: Decimal
    ask: frozenset[str]           # non-empty when the line is ambiguous by construction


def generate_catalog(n: int, rng: random.Random) -> list[GenProduct]:
    """Brands x product types x pack sizes until there are `n` products."""
    products: list[GenProduct] = []
    brands: set[str] = set()
    while len(products) < n:
        parts = [rng.choice(_SYLLABLES) for _ in range(rng.choice([2, 3, 3]))]
        brand = "".join(p[0] for p in parts)
        if brand in brands or brand in _FUNCTION_WORDS:
            continue
        brands.add(brand)
        brand_dev = "".join(p[1] for p in parts)
        for type_en, generic, unit, sizes in rng.sample(_TYPES, rng.randint(2, 4)):
            variant = rng.choice(_VARIANTS)
            for size in sizes:
                sku = f"G{len(products):05d}"
                products.append(GenProduct(sku, brand.capitalize(), brand_dev, variant, type_en,
                                           generic, unit, size))
    return products[:n]


def to_catalog(products: list[GenProduct]) -> Catalog:
    out = []
    for p in products:
        name = " ".join(x for x in (p.brand, p.variant, p.type_en, p.size) if x)
        aliases = (f"{p.brand.lower()} {p.generic}", p.brand_dev,
                   f"{p.brand.lower()} {p.variant.lower()}".strip())
        out.append(Product(p.sku, name, p.unit, p.type_en.lower(), tuple(dict.fromkeys(aliases))))
    return Catalog(tuple(out))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "swap", "double", "vowel"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    vowels = "aeiou"
    return "".join(rng.choice(vowels) if c in vowels and j == i else c for j, c in enumerate(word))


def generate_lines(products: list[GenProduct], count: int, rng: random.Random) -> list[Line]:
    """Order lines for random products, with the answer a careful assistant would give."""
    siblings: dict[tuple[str, str], list[str]] = {}
    for p in products:
        siblings.setdefault((p.brand, p.type_en), []).append(p.sku)
    lines: list[Line] = []
    while len(lines) < count:
        p = rng.choice(products)
        brand = p.brand.lower()
        if rng.random() < 0.2:
            brand = _typo(brand, rng)
        surface = rng.choice([
            f"{brand} {p.type_en.lower()}", f"{brand} {p.generic}", f"{p.brand_dev} {p.generic}",
            f"{brand} {p.variant.lower()} {p.type_en.lower()}".replace("  ", " "),
        ])
        same = siblings[(p.brand, p.type_en)]
        size = p.size if p.size and not p.size.startswith("(") else ""
        with_size = bool(size) and (rng.random() < 0.85 if len(same) > 1 else rng.random() < 0.3)
        qty = rng.choice([1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 50])
        if qty in _NUMBER_WORDS and rng.random() < 0.25:
            qty_text = _NUMBER_WORDS[qty]
        elif rng.random() < 0.2:
            qty_text = str(qty).translate(_DEVANAGARI_DIGITS)
        else:
            qty_text = str(qty)
        unit = rng.choice(_UNIT_WORDS[p.unit]) if rng.random() < 0.85 else ""
        if qty_text in ("tin", "chha") and (not unit or p.unit == "tin"):
            qty_text = str(qty)  # a bare "tin"/"chha" is a tin / "is", not 3 / 6
        amount = f"{qty_text} {unit}".strip()
        product_text = f"{surface} {size}" if with_size else surface
        text = f"{product_text} {amount}" if rng.random() < 0.6 else f"{amount} {product_text}"
        if rng.random() < 0.15:
            text = rng.choice(["dai ", "hajur ", "please send "]) + text
        if rng.random() < 0.1:
            text += rng.choice([" pathaidinu", " chahiyo", " hola"])
        ambiguous = len(same) > 1 and not with_size
        lines.append(Line(text, p.sku, Decimal(qty), frozenset(same) if ambiguous else frozenset()))
    return lines


@dataclass
class Result:
    name: str
    times_ns: list[int]           # CPU time of this thread per line (one core, no preemption)
    wall_ns: list[int] = field(default_factory=list)
    right: int = 0
    asked: int = 0
    wrong: int = 0
    missed: int = 0
    qty_right: int = 0
    qty_of: int = 0

    def row(self) -> str:
        t = sorted(self.times_ns)
        w = sorted(self.wall_ns)
        n = len(t)
        p50, p99 = _pct(t, 0.5), _pct(t, 0.99)
        rate = n / (sum(t) / 1e9)
        return (f"{self.name:<30}{p50:>8.3f}{p99:>8.3f}{_pct(w, 0.99):>10.3f}{rate:>9.0f}"
                f"{self.right / n:>8.1%}{self.asked / n:>8.1%}{self.wrong / n:>8.1%}"
                f"{self.missed / n:>8.1%}")


def _pct(sorted_ns: list[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * q))] / 1e6


def run_ours(index: CatalogIndex, lines: list[Line]) -> Result:
    res = Result("khaacho parse_message", [])
    cpu, wall = time.thread_time_ns, time.perf_counter_ns
    for line in lines:
        c0, w0 = cpu(), wall()
        msg = parse_message(line.text, index)
        res.times_ns.append(cpu() - c0)
        res.wall_ns.append(wall() - w0)
        got = msg.lines[0] if msg.lines else None
        if got is None:
            res.missed += 1
        elif got.sku is not None:
            if got.sku == line.sku and not line.ask:
                res.right += 1
                res.qty_of += 1
                res.qty_right += got.qty == line.qty
            elif got.sku == line.sku:
                res.right += 1  # ambiguous by construction, but the pick is the meant one
            else:
                res.wrong += 1
        elif line.sku in {c.sku for c in got.candidates}:
            res.asked += 1
        else:
            res.missed += 1
    return res


def run_baseline(products: Catalog, lines: list[Line]) -> Result:
    choices: list[str] = []
    owner: list[str] = []
    for p in products:
        for text in (p.name, *p.aliases):
            choices.append(text.lower())
            owner.append(p.sku)
    res = Result("rapidfuzz extractOne(WRatio)", [])
    cpu, wall = time.thread_time_ns, time.perf_counter_ns
    for line in lines:
        c0, w0 = cpu(), wall()
        best = process.extractOne(line.text.lower(), choices, scorer=fuzz.WRatio)
        res.times_ns.append(cpu() - c0)
        res.wall_ns.append(wall() - w0)
        if best is None:
            res.missed += 1
        elif owner[best[2]] == line.sku:
            res.right += 1
        else:
            res.wrong += 1
    return res


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by `khaacho bench parse` and running this module)."""
    ap.add_argument("--products", type=int, default=10_000,
                    help="generated catalogue size (default 10000)")
    ap.add_argument("--lines", type=int, default=2_000,
                    help="generated order lines (default 2000)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--show", type=int, default=0, help="print this many sample lines")


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.dev.parse_bench [--products N] [--lines N] [--seed N] [--show N]`."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap)
    return run(ap.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Generate the catalogue and lines, read each line with both readers, print the table."""
    rng = random.Random(args.seed)
    products = generate_catalog(args.products, rng)
    catalog = to_catalog(products)
    lines = generate_lines(products, args.lines, rng)
    t0 = time.perf_counter()
    index = CatalogIndex.build(catalog)
    build_s = time.perf_counter() - t0
    aliases = sum(len(p.aliases) for p in catalog)
    ambiguous = sum(1 for ln in lines if ln.ask)
    print(f"catalogue: {len(catalog)} products, {aliases} aliases "
          f"({aliases / len(catalog):.1f} per product); index built in {build_s:.2f} s")
    print(f"lines: {len(lines)} ({ambiguous} without the size that tells pack variants apart)")
    for ln in lines[: args.show]:
        print("  ", ln.text, "->", ln.sku, ln.qty, sorted(ln.ask) if ln.ask else "")
    for line in lines[:50]:  # warm caches on both sides before timing
        parse_message(line.text, index)
    ours = run_ours(index, lines)
    base = run_baseline(catalog, lines)
    print(f"{'per line, one core':<30}{'p50 ms':>8}{'p99 ms':>8}{'wall p99':>10}{'lines/s':>9}"
          f"{'right':>8}{'asked':>8}{'wrong':>8}{'missed':>8}")
    print(ours.row())
    print(base.row())
    med = statistics.median
    print(f"speed-up: {med(base.times_ns) / med(ours.times_ns):.0f}x at p50, "
          f"{sum(base.times_ns) / sum(ours.times_ns):.0f}x in lines/s; "
          f"khaacho quantities right on {ours.qty_right} of {ours.qty_of} lines it picked")
    print("ms and lines/s are CPU time of the timing thread (wall p99 includes preemption by "
          "other processes); right = the meant product picked; asked = a question offering it "
          "(the right answer when the size was left out); wrong = another product picked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
