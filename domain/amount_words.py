"""An amount of rupees in words, in English and in Nepali, counted the Nepali way.

Invoices carry the total in words so it cannot be altered by adding a digit.
Both languages group by the South Asian system — thousand, lakh (1,00,000),
crore (1,00,00,000) — as a Nepali shopkeeper reads money, never "million".
Paisa, when there are any, follow the rupees.

    words_en(Decimal("123456.50")) == "Rupees One Lakh Twenty-Three Thousand Four Hundred
                                      Fifty-Six and Fifty Paisa Only"
    words_ne(Decimal("123456.50")) == "एक लाख तेइस हजार चार सय छपन्न रुपैयाँ पचास पैसा मात्र"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: The largest amount written in words: 999 crore and change (the ledger stops at 10 crore).
MAX_WORDS_AMOUNT = Decimal("9999999999.99")

_EN_ONES = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
            "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
            "Eighteen", "Nineteen")
_EN_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")

# Nepali numbers below a hundred are each their own word (not tens + ones).
NE_BELOW_HUNDRED: tuple[str, ...] = (
    "शून्य", "एक", "दुई", "तीन", "चार", "पाँच", "छ", "सात", "आठ", "नौ",
    "दस", "एघार", "बाह्र", "तेह्र", "चौध", "पन्ध्र", "सोह्र", "सत्र", "अठार", "उन्नाइस",
    "बीस", "एक्काइस", "बाइस", "तेइस", "चौबीस", "पच्चीस", "छब्बीस", "सत्ताइस", "अट्ठाइस", "उनन्तीस",
    "तीस", "एकतीस", "बत्तीस", "तेत्तीस", "चौँतीस", "पैँतीस", "छत्तीस", "सैँतीस", "अठतीस", "उनन्चालीस",
    "चालीस", "एकचालीस", "बयालीस", "त्रिचालीस", "चवालीस", "पैँतालीस", "छयालीस", "सतचालीस",
    "अठचालीस", "उनन्चास",
    "पचास", "एकाउन्न", "बाउन्न", "त्रिपन्न", "चउन्न", "पचपन्न", "छपन्न", "सन्ताउन्न", "अन्ठाउन्न",
    "उनन्साठी",
    "साठी", "एकसट्ठी", "बयसट्ठी", "त्रिसट्ठी", "चौंसट्ठी", "पैंसट्ठी", "छयसट्ठी", "सतसट्ठी",
    "अठसट्ठी", "उनन्सत्तरी",
    "सत्तरी", "एकहत्तर", "बहत्तर", "त्रिहत्तर", "चौहत्तर", "पचहत्तर", "छयहत्तर", "सतहत्तर",
    "अठहत्तर", "उनासी",
    "असी", "एकासी", "बयासी", "त्रियासी", "चौरासी", "पचासी", "छयासी", "सतासी", "अठासी", "उनान्नब्बे",
    "नब्बे", "एकानब्बे", "बयानब्बे", "त्रियानब्बे", "चौरानब्बे", "पन्चानब्बे", "छयानब्बे",
    "सन्तानब्बे", "अन्ठानब्बे", "उनान्सय",
)
assert len(NE_BELOW_HUNDRED) == 100

# (size, English name, Nepali name), largest first; each group holds 0-99 of its
# size, except crore, which holds up to 999 here (written as hundreds of crore).
_GROUPS: tuple[tuple[int, str, str], ...] = (
    (10_000_000, "Crore", "करोड"),
    (100_000, "Lakh", "लाख"),
    (1_000, "Thousand", "हजार"),
)


class AmountWordsError(ValueError):
    """An amount that cannot be written in words (negative, too large, not a number)."""


def _split(amount: Decimal) -> tuple[int, int]:
    if not amount.is_finite() or amount < 0 or amount > MAX_WORDS_AMOUNT:
        raise AmountWordsError(f"cannot write {amount} in words")
    paisa_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return divmod(paisa_total, 100)


def _groups(n: int) -> list[tuple[int, int]]:
    """(count, size) pairs, largest first, then the remainder below a thousand (size 1)."""
    out = []
    for size, _, _ in _GROUPS:
        count, n = divmod(n, size)
        if count:
            out.append((count, size))
    if n:
        out.append((n, 1))
    return out


def _en_below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{_EN_ONES[hundreds]} Hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    elif rest:
        parts.append(_EN_ONES[rest])
    return " ".join(parts)


def _ne_below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{NE_BELOW_HUNDRED[hundreds]} सय"] if hundreds else []
    if rest:
        parts.append(NE_BELOW_HUNDRED[rest])
    return " ".join(parts)


def _en_number(n: int) -> str:
    names = {size: name for size, name, _ in _GROUPS}
    words = []
    for count, size in _groups(n):
        words.append(_en_below_thousand(count) + (f" {names[size]}" if size > 1 else ""))
    return " ".join(words) or "Zero"


def _ne_number(n: int) -> str:
    names = {size: name for size, _, name in _GROUPS}
    words = []
    for count, size in _groups(n):
        words.append(_ne_below_thousand(count) + (f" {names[size]}" if size > 1 else ""))
    return " ".join(words) or NE_BELOW_HUNDRED[0]


def words_en(amount: Decimal) -> str:
    """`Rupees Two Thousand Three Hundred and Five Paisa Only` (paisa rounded half up)."""
    rupees, paisa = _split(amount)
    text = f"Rupees {_en_number(rupees)}"
    if paisa:
        text += f" and {_en_number(paisa)} Paisa"
    return text + " Only"


def words_ne(amount: Decimal) -> str:
    """`दुई हजार तीन सय रुपैयाँ पाँच पैसा मात्र` (paisa rounded half up)."""
    rupees, paisa = _split(amount)
    text = f"{_ne_number(rupees)} रुपैयाँ"
    if paisa:
        text += f" {_ne_number(paisa)} पैसा"
    return text + " मात्र"
