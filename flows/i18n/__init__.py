"""All user-facing wording, one module per language (`en`, `ne`).

`t(lang, key, **values)` looks a string up and fills it in. Numbers and money
are formatted per language (`money`, `qty`): Nepali replies use Devanagari
digits, as a Nepali-writing shopkeeper expects to read them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from domain.business_time import business_date
from domain.digits import to_devanagari
from domain.money import format_amount
from domain.nepali_calendar import BsRangeError, format_bs
from flows.i18n import en, ne

Language = Literal["en", "ne"]

CATALOGUES: dict[str, dict[str, str]] = {"en": en.STRINGS, "ne": ne.STRINGS}

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_LATIN = re.compile(r"[A-Za-z]")


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang` (English if missing there), formatted with `values`."""
    table = CATALOGUES.get(lang, en.STRINGS)
    template = table.get(key) or en.STRINGS[key]
    return template.format(**values) if values else template


def digits(lang: str, text: str) -> str:
    """`text` with its ASCII digits in the language's script."""
    return to_devanagari(text) if lang == "ne" else text


def money(lang: str, amount: Decimal) -> str:
    """`Rs 2,300` / `रु २,३००`; paisa only when there are some."""
    amount = amount.quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    prefix = "रु " if lang == "ne" else "Rs "
    return sign + prefix + digits(lang, format_amount(abs(amount)))


def day(lang: str, when: date | datetime) -> str:
    """A calendar day as people in Nepal count it, in both calendars.

    `2026-04-01 / 19 Chaitra 2082` in English, `१९ चैत २०८२ / २०२६-०४-०१` in
    Nepali (Bikram Sambat first, as a Nepali reader dates things). An instant is
    read on the Kathmandu clock. Every retailer-facing date goes through here.
    """
    on = business_date(when) if isinstance(when, datetime) else when
    ad = digits(lang, on.isoformat())
    try:
        bs = format_bs(on, lang)
    except BsRangeError:  # beyond the BS table (AD 2044+): the AD date alone
        return ad
    return f"{bs} / {ad}" if lang == "ne" else f"{ad} / {bs}"


def qty(lang: str, value: Decimal) -> str:
    """A quantity without trailing zeros: 2, 2.5, 0.25."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return digits(lang, text)


def unit(lang: str, name: str, amount: Decimal | None = None) -> str:
    """A unit name in the language (`bag`/`bags`, `बोरा`)."""
    key = f"unit.{name}"
    table = CATALOGUES.get(lang, en.STRINGS)
    if lang == "en" and amount is not None and amount != 1:
        plural = table.get(key + ".pl")
        if plural:
            return plural
    return table.get(key) or en.STRINGS.get(key) or name


def script_language(text: str) -> Language | None:
    """The language a message's script says: Devanagari → ne, Latin letters → en."""
    if _DEVANAGARI.search(text):
        return "ne"
    if _LATIN.search(text):
        return "en"
    return None
