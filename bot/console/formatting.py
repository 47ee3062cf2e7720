"""How the console writes money, quantities and moments (Jinja filters).

Money in lakhs and crores (`Rs 1,23,456.50`, domain.money), every moment in
Nepal time with the Bikram Sambat date beside the AD one (domain.business_time,
domain.nepali_calendar), in the page's language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from domain.business_time import local_time
from domain.digits import to_devanagari
from domain.money import format_amount, format_decimal
from domain.nepali_calendar import BsRangeError, format_bs


def money(value: object, lang: str = "en") -> str:
    """`Rs 1,23,456.50` (`रु` in Nepali); an empty cell for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format_amount(amount)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    return f"{sign}{'रु' if lang == 'ne' else 'Rs'} {text}"


def figure(value: object) -> str:
    """A quantity or count grouped in lakhs (`1,20,000`, `2.5`)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_decimal(number.normalize() if number == number.to_integral() else number)


def bs_day(day: dt.date, lang: str = "en") -> str:
    """The Bikram Sambat date of an AD day, or "" outside the calendar's table."""
    try:
        return format_bs(day, lang)
    except BsRangeError:
        return ""


def moment(value: dt.datetime | None, lang: str = "en") -> str:
    """`2026-12-02 11:10 · 16 Mangsir 2083`: Nepal time, AD then BS."""
    if value is None:
        return ""
    local = local_time(value)
    ad = local.strftime("%Y-%m-%d %H:%M")
    bs = bs_day(local.date(), lang)
    if lang == "ne":
        ad = to_devanagari(ad)
    return f"{ad} · {bs}" if bs else ad


def day(value: dt.date | None, lang: str = "en") -> str:
    """`2026-12-02 · 16 Mangsir 2083` for a calendar day (a due date)."""
    if value is None:
        return ""
    ad = value.isoformat()
    bs = bs_day(value, lang)
    if lang == "ne":
        ad = to_devanagari(ad)
    return f"{ad} · {bs}" if bs else ad


def percent(value: object) -> str:
    """A rate held as a fraction (0.875) as `87.5%`; "—" when there is none yet."""
    if value is None:
        return "—"
    try:
        rate = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    return f"{rate.quantize(Decimal('0.1')).normalize():f}%"


def duration(seconds: object) -> str:
    """A response time as `45 s`, `4 min 10 s` or `2 h 5 min`; "—" when there is none."""
    if seconds is None:
        return "—"
    try:
        total = int(Decimal(str(seconds)))
    except (InvalidOperation, ValueError):
        return str(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
