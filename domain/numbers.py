"""Reading quantities: digits, decimals, fractions, Devanagari digits, Nepali number words."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.normalize import fold_text

_WORDS: dict[Decimal, tuple[str, ...]] = {
    Decimal(1): ("ek", "eak", "yek", "एक", "one", "euta", "eutaa", "एउटा"),
    Decimal(2): ("dui", "duee", "dwi", "दुई", "दुइ", "two", "duita", "दुईटा"),
    Decimal(3): ("tin", "teen", "तीन", "तिन", "three"),
    Decimal(4): ("char", "chaar", "चार", "four"),
    Decimal(5): ("panch", "paanch", "pach", "paach", "पाँच", "पांच", "पाच", "five"),
    Decimal(6): ("chha", "chhah", "छ", "six"),
    Decimal(7): ("saat", "sat", "सात", "seven"),
    Decimal(8): ("aath", "ath", "आठ", "eight"),
    Decimal(9): ("nau", "nou", "नौ", "nine"),
    Decimal(10): ("das", "dash", "dus", "दश", "दस", "ten"),
    Decimal(11): ("eghara", "egara", "eghaara", "एघार", "eleven"),
    Decimal(12): ("bara", "baarha", "barha", "baara", "बाह्र", "बार", "twelve"),
    Decimal(13): ("tera", "terha", "तेह्र", "thirteen"),
    Decimal(14): ("chaudha", "chauda", "चौध", "fourteen"),
    Decimal(15): ("pandhra", "pandra", "पन्ध्र", "fifteen"),
    Decimal(16): ("sohra", "sora", "सोह्र", "sixteen"),
    Decimal(17): ("satra", "satrah", "सत्र", "seventeen"),
    Decimal(18): ("athara", "athaara", "atharah", "अठार", "eighteen"),
    Decimal(19): ("unnais", "unais", "उन्नाइस", "nineteen"),
    Decimal(20): ("bis", "bees", "बीस", "twenty"),
    Decimal(21): ("ekkais", "ekais", "एक्काइस"),
    Decimal(22): ("bais", "baais", "बाइस"),
    Decimal(23): ("teis", "teis", "तेइस"),
    Decimal(24): ("chaubis", "chobis", "चौबीस"),
    Decimal(25): ("pachchis", "pachis", "पच्चीस", "twentyfive"),
    Decimal(26): ("chhabbis", "chhabis", "छब्बीस"),
    Decimal(27): ("sattais", "sataais", "सत्ताइस"),
    Decimal(28): ("atthais", "athais", "अट्ठाइस"),
    Decimal(29): ("unantis", "unatis", "उनन्तीस"),
    Decimal(30): ("tis", "tees", "तीस", "thirty"),
    Decimal(35): ("paitis", "पैंतीस"),
    Decimal(40): ("chalis", "chaalis", "चालीस", "forty", "fourty"),
    Decimal(45): ("paintalis", "पैंतालीस"),
    Decimal(50): ("pachas", "pachaas", "पचास", "fifty"),
    Decimal(60): ("saathi", "साठी", "sixty"),
    Decimal(70): ("sattari", "satari", "सत्तरी", "seventy"),
    Decimal(75): ("pachahattar", "पचहत्तर"),
    Decimal(80): ("asi", "assi", "असी", "eighty"),
    Decimal(90): ("nabbe", "nabe", "नब्बे", "ninety"),
    Decimal("0.5"): ("aadha", "adha", "aadhaa", "आधा", "half"),
    Decimal("1.5"): ("dedh", "derh", "dedha", "डेढ", "डेढ़"),
    Decimal("2.5"): ("adhai", "adhaai", "arhai", "अढाई", "अढाइ"),
}
_MULTIPLIERS: dict[str, Decimal] = {
    "saya": Decimal(100), "sae": Decimal(100), "sau": Decimal(100), "सय": Decimal(100),
    "hundred": Decimal(100),
    "hajar": Decimal(1000), "hazar": Decimal(1000), "हजार": Decimal(1000),
    "thousand": Decimal(1000),
}
#: Words before a number that move it by a fraction: saade tin = 3.5, sawa tin = 3.25,
#: paune tin = 2.75. Alone, sawa is 1¼ and paune ¾ (sawa kilo, paune kg).
_MODIFIERS: dict[str, Decimal] = {
    "saade": Decimal("0.5"), "sade": Decimal("0.5"), "sadhe": Decimal("0.5"),
    "saadhe": Decimal("0.5"), "साढे": Decimal("0.5"), "साढे़": Decimal("0.5"),
    "sawa": Decimal("0.25"), "sawaa": Decimal("0.25"), "sava": Decimal("0.25"),
    "सवा": Decimal("0.25"),
    "paune": Decimal("-0.25"), "pauney": Decimal("-0.25"), "pone": Decimal("-0.25"),
    "पौने": Decimal("-0.25"),
}
_ALONE: dict[str, Decimal] = {"sawa": Decimal("1.25"), "sawaa": Decimal("1.25"),
                              "sava": Decimal("1.25"), "सवा": Decimal("1.25"),
                              "paune": Decimal("0.75"), "pauney": Decimal("0.75"),
                              "पौने": Decimal("0.75")}
#: "one and a half" is written as one token by `spell_fractions`, read after a number.
AND_A_HALF = "andahalf"

WORD_VALUES: dict[str, Decimal] = {w: v for v, ws in _WORDS.items() for w in ws}
#: Words that are numbers in one reading and something else in another: tin = 3 or a tin,
#: chha = 6 or "is" (chini chha? = is there sugar?).
AMBIGUOUS_WORDS: frozenset[str] = frozenset({"tin", "chha", "छ"})

_VULGAR: dict[str, str] = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3",
                           "⅛": "1/8", "⅕": "1/5"}
_VULGAR_RE = re.compile("(\\d?)([" + "".join(_VULGAR) + "])")
_AND_HALF_RE = re.compile(r"\s+and\s+(?:a\s+)?half\b")


def spell_fractions(text: str) -> str:
    """`1½` → `1 1/2`, `½` → `1/2`, `one and a half` → `one andahalf`: forms the
    tokenizer reads (it splits items on "and")."""
    text = _VULGAR_RE.sub(lambda m: (m.group(1) + " " if m.group(1) else " ")
                          + _VULGAR[m.group(2)] + " ", text)
    return _AND_HALF_RE.sub(" " + AND_A_HALF, text)


_NUMERAL_RE = re.compile(r"^(\d+(?:\.\d+)?)(?:/(\d+))?$")


def plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros or an exponent: 10.000 → 10, 2.50 → 2.5."""
    normal = value.normalize()
    if normal != normal.to_integral_value():
        return normal
    # Written out rather than quantized: quantize refuses more than 28 digits (1E+30 kg).
    return Decimal(format(normal, "f"))


def numeral_value(token: str) -> Decimal | None:
    """Value of a numeral token: `12`, `2.5`, `1/2`, `१०` (already digit-folded or not)."""
    m = _NUMERAL_RE.match(fold_text(token))
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
        if m.group(2) is not None:
            den = Decimal(m.group(2))
            if den == 0:
                return None
            value = value / den
    except InvalidOperation:
        return None
    return value


def word_value(token: str) -> Decimal | None:
    """Value of a single Nepali number word (romanised or Devanagari), if it is one."""
    return WORD_VALUES.get(fold_text(token))


def is_multiplier(token: str) -> bool:
    """`saya` (hundred) and `hajar` (thousand) scale the number before them."""
    return fold_text(token) in _MULTIPLIERS


def is_plus_half(token: str) -> bool:
    """`saade`, `sawa`, `paune` before a number move it by a fraction (saade tin = 3.5)."""
    return fold_text(token) in _MODIFIERS or fold_text(token) == AND_A_HALF


def read_number_words(tokens: list[str], start: int) -> tuple[Decimal, int] | None:
    """Read a number spelled with words from tokens[start:]; returns (value, tokens used).

    Handles `dui saya pachas` (250), `ek hajar` (1000), `saade tin` (3.5), `sawa tin`
    (3.25), `paune dui` (1.75), `sawa` alone (1.25), `one andahalf` (1.5), a lone
    `saya` (100), and a single word or numeral.
    """
    i = start
    shift = Decimal(0)
    first = fold_text(tokens[i]) if i < len(tokens) else ""
    if first in _MODIFIERS:
        shift = _MODIFIERS[first]
        i += 1
    total = Decimal(0)
    current: Decimal | None = None
    used_any = False
    while i < len(tokens):
        tok = tokens[i]
        value = word_value(tok)
        if value is None:
            value = numeral_value(tok)
        if value is not None and current is None:
            current = value
            used_any = True
            i += 1
            continue
        if value is not None and current is not None and total == 0 and current >= 20 \
                and current % 10 == 0 and 0 < value < 10 and value == int(value):
            current += value  # "twenty five"
            i += 1
            continue
        if is_multiplier(tok):
            scale = _MULTIPLIERS[fold_text(tok)]
            total += (current if current is not None else Decimal(1)) * scale
            current = None
            used_any = True
            i += 1
            continue
        break
    if not used_any:
        if shift and first in _ALONE:
            return _ALONE[first], i - start
        return None
    total += current if current is not None else Decimal(0)
    if i < len(tokens) and fold_text(tokens[i]) == AND_A_HALF and not shift:
        shift = Decimal("0.5")
        i += 1
    if shift:
        if total != total.to_integral_value() or total + shift <= 0:
            return None
        total += shift
    return total, i - start


def read_quantity(text: str) -> Decimal | None:
    """Read a whole text as one quantity (`dedh`, `१२`, `dui saya`, `1 1/2`, `1½`), else None."""
    tokens = spell_fractions(fold_text(text)).split()
    if not tokens:
        return None
    if len(tokens) == 2:
        whole, frac = numeral_value(tokens[0]), numeral_value(tokens[1])
        if (whole is not None and frac is not None and "/" in tokens[1]
                and whole == whole.to_integral_value() and 0 < frac < 1):
            return whole + frac
    got = read_number_words(tokens, 0)
    if got is None or got[1] != len(tokens):
        return None
    return got[0]
