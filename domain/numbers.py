"""Reading quantities: digits, decimals, fractions, Devanagari digits, Nepali number words."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.normalize import fold_text

_WORDS: dict[Decimal, tuple[str, ...]] = {
    Decimal(1): ("ek", "eak", "yek", "एक"),
    Decimal(2): ("dui", "duee", "dwi", "दुई", "दुइ"),
    Decimal(3): ("tin", "teen", "तीन", "तिन"),
    Decimal(4): ("char", "chaar", "चार"),
    Decimal(5): ("panch", "paanch", "pach", "paach", "पाँच", "पांच", "पाच"),
    Decimal(6): ("chha", "chhah", "छ"),
    Decimal(7): ("saat", "sat", "सात"),
    Decimal(8): ("aath", "ath", "आठ"),
    Decimal(9): ("nau", "nou", "नौ"),
    Decimal(10): ("das", "dash", "dus", "दश", "दस"),
    Decimal(11): ("eghara", "egara", "eghaara", "एघार"),
    Decimal(12): ("bara", "baarha", "barha", "baara", "बाह्र", "बार"),
    Decimal(13): ("tera", "terha", "तेह्र"),
    Decimal(14): ("chaudha", "chauda", "चौध"),
    Decimal(15): ("pandhra", "pandra", "पन्ध्र"),
    Decimal(16): ("sohra", "sora", "सोह्र"),
    Decimal(17): ("satra", "satrah", "सत्र"),
    Decimal(18): ("athara", "athaara", "atharah", "अठार"),
    Decimal(19): ("unnais", "unais", "उन्नाइस"),
    Decimal(20): ("bis", "bees", "बीस"),
    Decimal(25): ("pachchis", "pachis", "पच्चीस"),
    Decimal(30): ("tis", "tees", "तीस"),
    Decimal(40): ("chalis", "chaalis", "चालीस"),
    Decimal(50): ("pachas", "pachaas", "पचास"),
    Decimal(60): ("saathi", "साठी"),
    Decimal(70): ("sattari", "satari", "सत्तरी"),
    Decimal(80): ("asi", "assi", "असी"),
    Decimal(90): ("nabbe", "nabe", "नब्बे"),
    Decimal("0.5"): ("aadha", "adha", "aadhaa", "आधा"),
    Decimal("1.5"): ("dedh", "derh", "dedha", "डेढ", "डेढ़"),
    Decimal("2.5"): ("adhai", "adhaai", "arhai", "अढाई", "अढाइ"),
}
_MULTIPLIERS: dict[str, Decimal] = {
    "saya": Decimal(100), "sae": Decimal(100), "sau": Decimal(100), "सय": Decimal(100),
    "hajar": Decimal(1000), "hazar": Decimal(1000), "हजार": Decimal(1000),
}
_PLUS_HALF = frozenset({"saade", "sade", "sadhe", "saadhe", "साढे"})

WORD_VALUES: dict[str, Decimal] = {w: v for v, ws in _WORDS.items() for w in ws}
#: Words that are numbers in one reading and something else in another: tin = 3 or a tin,
#: chha = 6 or "is" (chini chha? = is there sugar?).
AMBIGUOUS_WORDS: frozenset[str] = frozenset({"tin", "chha"})

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
    """`saade` before a number adds a half (saade tin = 3.5)."""
    return fold_text(token) in _PLUS_HALF


def read_number_words(tokens: list[str], start: int) -> tuple[Decimal, int] | None:
    """Read a number spelled with words from tokens[start:]; returns (value, tokens used).

    Handles `dui saya pachas` (250), `ek hajar` (1000), `saade tin` (3.5), a lone
    `saya` (100), and a single word or numeral.
    """
    i = start
    half = Decimal(0)
    if i < len(tokens) and is_plus_half(tokens[i]):
        half = Decimal("0.5")
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
        if is_multiplier(tok):
            scale = _MULTIPLIERS[fold_text(tok)]
            total += (current if current is not None else Decimal(1)) * scale
            current = None
            used_any = True
            i += 1
            continue
        break
    if not used_any:
        return None
    total += current if current is not None else Decimal(0)
    if half and total == total.to_integral_value():
        total += half
    elif half:
        return None
    return total, i - start


def read_quantity(text: str) -> Decimal | None:
    """Read a whole text as one quantity (`dedh`, `१२`, `dui saya`, `1 1/2`), else None."""
    tokens = fold_text(text).split()
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
