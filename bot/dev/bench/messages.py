"""Order messages the way kirana owners type them, generated from the catalogue.

Styles (mixed at random, deterministic per seed): a romanised-Nepali sentence
joined with `ra`/`ani` and a polite ending, an English request, a numbered or
bulleted list, a comma list with the quantity after the name, Devanagari
digits and unit words, and the odd typo. Products are named by their aliases,
quantities and units match each product's unit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.dev.bench.population import BenchProduct

_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "bag": ("bora", "bag", "bori", "बोरा"),
    "kg": ("kg", "kilo", "kg", "केजी"),
    "carton": ("ctn", "carton", "peti", "कार्टुन"),
    "packet": ("pkt", "packet", "poka", "प्याकेट"),
    "piece": ("wota", "pcs", "ota", "वटा"),
    "bottle": ("bottle", "botal", "btl", "बोतल"),
    "tin": ("tin", "tin", "tin", "टिन"),
    "jar": ("jar", "jar", "jar", "जार"),
    "tray": ("tray", "tray", "kret", "ट्रे"),
    "bundle": ("bundle", "muttha", "bundle", "मुठा"),
    "box": ("box", "dabba", "box", "बट्टा"),
    "dozen": ("dozen", "darjan", "dozen", "दर्जन"),
    "litre": ("litre", "liter", "ltr", "लिटर"),
    "unit": ("wota", "pcs", "ota", "वटा"),
}
_DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
_OPENINGS = ("dai", "sathi", "namaste", "hajur", "bhai", "")
_ENDINGS = ("pathaidinu", "pathaunu hola", "chahiyo", "pathau na", "dinu", "")
_EN_OPENINGS = ("please send", "send", "need", "order:", "pls send")


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5 or not word.isascii():
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


class MessageGenerator:
    """Deterministic order texts over a list of products."""

    def __init__(self, products: Sequence[BenchProduct], seed: int = 7) -> None:
        if not products:
            raise ValueError("no products to order")
        self.products = list(products)
        self.rng = random.Random(seed)

    def _line(self, p: BenchProduct, *, devanagari: bool, qty_first: bool) -> str:
        rng = self.rng
        qty = rng.choice((1, 2, 2, 3, 5, 10)) if p.unit in ("kg", "packet", "piece") else \
            rng.choice((1, 1, 2, 3))
        words = _UNIT_WORDS.get(p.unit, ("wota",))
        name = rng.choice(p.aliases) if p.aliases else p.name.lower()
        if devanagari:
            unit = words[3]
            deva_names = [a for a in p.aliases if not a.isascii()]
            name = deva_names[0] if deva_names else name
            q = str(qty).translate(_DEVANAGARI)
        else:
            unit = rng.choice(words[:3])
            q = str(qty)
            if rng.random() < 0.1:
                name = " ".join(_typo(rng, w) for w in name.split())
        return f"{q} {unit} {name}" if qty_first else f"{name} {q} {unit}"

    def order(self, lines: int | None = None) -> str:
        """One order message of 1–4 lines in a random style."""
        rng = self.rng
        n = lines or rng.choice((1, 1, 2, 2, 3, 4))
        picks = rng.sample(self.products, min(n, len(self.products)))
        style = rng.random()
        if style < 0.35:  # romanised sentence
            parts = [self._line(p, devanagari=False, qty_first=rng.random() < 0.6) for p in picks]
            joined = parts[0]
            for part in parts[1:]:
                joined += f" {rng.choice(('ra', 'ani', ','))} {part}"
            return " ".join(w for w in (rng.choice(_OPENINGS), joined,
                                        rng.choice(_ENDINGS)) if w)
        if style < 0.55:  # English request
            parts = [self._line(p, devanagari=False, qty_first=True) for p in picks]
            return f"{rng.choice(_EN_OPENINGS)} " + " and ".join(parts)
        if style < 0.75:  # list
            bullet = rng.choice(("{i}. ", "{i}) ", "- ", "* "))
            return "\n".join(bullet.format(i=i + 1) + self._line(p, devanagari=False,
                                                                 qty_first=rng.random() < 0.5)
                             for i, p in enumerate(picks))
        if style < 0.9:  # comma list, name first
            return ", ".join(self._line(p, devanagari=False, qty_first=False) for p in picks)
        return " र ".join(self._line(p, devanagari=True, qty_first=False) for p in picks)
