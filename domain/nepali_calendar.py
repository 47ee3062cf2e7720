"""Bikram Sambat (BS), the calendar Nepal's shops, invoices and tax office date by.

BS months are solar and their lengths (29 to 32 days) are fixed by the
calendar committee each year, not by a formula, so the conversion is read off
the table the `nepali-datetime` library maintains (BS 1975–2100, about AD
1918–2044). This module is the one place that knows about that library; the
rest of the code speaks `datetime.date` (AD, the database's dates) and the
small values below.

- `to_bs(date) -> BsDate` and `to_ad(BsDate) -> date` convert.
- `format_bs(day, language)` writes `16 Shrawan 2081` / `१६ साउन २०८१`.
- `fiscal_year_of(day)` is Nepal's fiscal year, which starts on 1 Shrawan
  (`FiscalYear(2081)` is "2081/82", 1 Shrawan 2081 to the end of Asar 2082).
- `month_of(day)`, `BsMonth.first_day/last_day` and `latest_month(month, today)`
  give the AD span of a BS month ("statement for Mangsir").
- `month_from_word(word)` reads a month name as shopkeepers write it.

Importing the library reads its packaged table once; no other I/O happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import nepali_datetime

from domain.digits import to_devanagari

#: The first and last AD days the table covers.
FIRST_AD_DAY: dt.date = nepali_datetime.date(nepali_datetime.MINYEAR, 1, 1).to_datetime_date()
LAST_AD_DAY: dt.date = nepali_datetime.date(nepali_datetime.MAXYEAR, 12, 30).to_datetime_date()

#: The month the fiscal year starts in (Shrawan).
FISCAL_YEAR_START_MONTH = 4

# Month names as they are printed on Nepali bills and calendars (the spoken
# forms — साउन, not श्रावण — which is what a shopkeeper reads and writes).
MONTH_NAMES_EN: tuple[str, ...] = (
    "Baisakh", "Jestha", "Asar", "Shrawan", "Bhadra", "Asoj",
    "Kartik", "Mangsir", "Poush", "Magh", "Falgun", "Chaitra",
)
MONTH_NAMES_NE: tuple[str, ...] = (
    "बैशाख", "जेठ", "असार", "साउन", "भदौ", "असोज",
    "कात्तिक", "मंसिर", "पुस", "माघ", "फागुन", "चैत",
)
# Every spelling of a month name we accept, lower-cased: the printed names
# above, the Sanskrit forms, and the romanisations people type.
_MONTH_ALIASES: dict[int, tuple[str, ...]] = {
    1: ("baisakh", "baishakh", "baisak", "baishak", "vaisakh", "vaishakh", "boishakh",
        "बैशाख", "वैशाख", "बैसाख"),
    2: ("jestha", "jeth", "jeshtha", "jyestha", "jesth", "जेठ", "जेष्ठ", "ज्येष्ठ"),
    3: ("asar", "ashar", "asadh", "ashadh", "aasar", "असार", "आषाढ", "अषाढ", "असाढ"),
    4: ("shrawan", "srawan", "shravan", "sravan", "saun", "sawan", "shrawn",
        "साउन", "श्रावण", "सावन"),
    5: ("bhadra", "bhadau", "bhado", "bhadaw", "भदौ", "भाद्र", "भाद्रपद"),
    6: ("asoj", "ashoj", "ashwin", "aswin", "ashvin", "असोज", "आश्विन", "असौज"),
    7: ("kartik", "kattik", "karthik", "kartic", "कात्तिक", "कार्तिक", "कातिक"),
    8: ("mangsir", "mansir", "mangshir", "mangseer", "mamsir", "manshir",
        "मंसिर", "मङ्सिर", "मङसिर", "मार्ग", "मार्गशीर्ष"),
    9: ("poush", "push", "paush", "pus", "poos", "पुस", "पौष", "पूस"),
    10: ("magh", "maagh", "माघ"),
    11: ("falgun", "phalgun", "fagun", "phagun", "phaagun", "फागुन", "फाल्गुन", "फाल्गुण"),
    12: ("chaitra", "chait", "chaite", "चैत", "चैत्र"),
}
_MONTH_BY_WORD: dict[str, int] = {
    alias: month for month, aliases in _MONTH_ALIASES.items() for alias in aliases
}


class BsRangeError(ValueError):
    """A date outside the years the Bikram Sambat table covers."""


@dataclass(frozen=True, order=True, slots=True)
class BsDate:
    """A day in Bikram Sambat: `BsDate(2081, 4, 1)` is 1 Shrawan 2081."""

    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no BS month {self.month}")
        if not 1 <= self.day <= BsMonth(self.year, self.month).days:
            raise ValueError(f"no day {self.day} in BS {self.year}-{self.month:02d}")

    def isoformat(self) -> str:
        """`2081-04-01`, the numeric form Nepali forms and software use."""
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, order=True, slots=True)
class BsMonth:
    """A Bikram Sambat month: `BsMonth(2081, 8)` is Mangsir 2081."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no BS month {self.month}")
        if not nepali_datetime.MINYEAR <= self.year <= nepali_datetime.MAXYEAR:
            raise BsRangeError(f"BS year {self.year} is outside "
                               f"{nepali_datetime.MINYEAR}..{nepali_datetime.MAXYEAR}")

    @property
    def days(self) -> int:
        """How many days the month has (29 to 32)."""
        return _days_in_month(self.year, self.month)

    @property
    def first_day(self) -> dt.date:
        """The AD date of the month's first day."""
        return _to_ad(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        """The AD date of the month's last day (inclusive)."""
        return _to_ad(self.year, self.month, self.days)

    def previous(self) -> BsMonth:
        """The month before this one."""
        return BsMonth(self.year - 1, 12) if self.month == 1 else BsMonth(self.year, self.month - 1)


@dataclass(frozen=True, order=True, slots=True)
class FiscalYear:
    """Nepal's fiscal year starting on 1 Shrawan of `start_year` (BS)."""

    start_year: int

    @property
    def label(self) -> str:
        """`2081/82`, as the year is written on invoices and tax returns."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> dt.date:
        """The AD date of 1 Shrawan `start_year`."""
        return BsMonth(self.start_year, FISCAL_YEAR_START_MONTH).first_day

    @property
    def last_day(self) -> dt.date:
        """The AD date of the last day of Asar `start_year + 1` (inclusive)."""
        return BsMonth(self.start_year + 1, FISCAL_YEAR_START_MONTH - 1).last_day


def to_bs(day: dt.date) -> BsDate:
    """The Bikram Sambat date of the AD date `day`; BsRangeError outside the table."""
    if isinstance(day, dt.datetime):  # a datetime is a date too; take its calendar day
        day = day.date()
    if not FIRST_AD_DAY <= day <= LAST_AD_DAY:
        raise BsRangeError(f"{day.isoformat()} is outside the BS table "
                           f"({FIRST_AD_DAY.isoformat()}..{LAST_AD_DAY.isoformat()})")
    bs = nepali_datetime.date.from_datetime_date(day)
    return BsDate(int(bs.year), int(bs.month), int(bs.day))


def to_ad(bs: BsDate) -> dt.date:
    """The AD date of the Bikram Sambat date `bs`."""
    return _to_ad(bs.year, bs.month, bs.day)


def month_name(month: int, language: str) -> str:
    """The BS month's name: `Mangsir` in English, `मंसिर` in Nepali (`language` "ne")."""
    names = MONTH_NAMES_NE if language == "ne" else MONTH_NAMES_EN
    return names[month - 1]


def format_bs(day: dt.date | BsDate, language: str) -> str:
    """`16 Shrawan 2081`, or `१६ साउन २०८१` when `language` is "ne" (Devanagari digits)."""
    bs = day if isinstance(day, BsDate) else to_bs(day)
    text = f"{bs.day} {month_name(bs.month, language)} {bs.year}"
    return to_devanagari(text) if language == "ne" else text


def format_bs_month(month: BsMonth, language: str) -> str:
    """`Mangsir 2081` / `मंसिर २०८१`."""
    text = f"{month_name(month.month, language)} {month.year}"
    return to_devanagari(text) if language == "ne" else text


def month_of(day: dt.date) -> BsMonth:
    """The BS month the AD date `day` falls in."""
    bs = to_bs(day)
    return BsMonth(bs.year, bs.month)


def fiscal_year_of(day: dt.date) -> FiscalYear:
    """The Nepali fiscal year (from 1 Shrawan) the AD date `day` falls in."""
    bs = to_bs(day)
    return FiscalYear(bs.year if bs.month >= FISCAL_YEAR_START_MONTH else bs.year - 1)


def latest_month(month: int, today: dt.date) -> BsMonth:
    """The most recent BS `month` that has begun by `today` ("hisab mangsir" means this one)."""
    current = month_of(today)
    year = current.year if month <= current.month else current.year - 1
    return BsMonth(year, month)


def month_from_word(word: str) -> int | None:
    """The BS month (1–12) a word names (`mangsir`, `Mansir`, `मंसिर`, `Kattik`), else None."""
    return _MONTH_BY_WORD.get(word.strip().casefold())


@lru_cache(maxsize=2048)
def _days_in_month(year: int, month: int) -> int:
    # The longest length the library accepts is the month's length (it
    # validates days against its table); this also works for the table's last month.
    for length in (32, 31, 30, 29):
        try:
            nepali_datetime.date(year, month, length)
        except ValueError:
            continue
        return length
    raise BsRangeError(f"no BS month {year}-{month:02d} in the table")


def _to_ad(year: int, month: int, day: int) -> dt.date:
    try:
        ad = nepali_datetime.date(year, month, day).to_datetime_date()
    except (ValueError, AssertionError) as error:  # the library asserts its year range
        raise BsRangeError(f"no BS date {year}-{month:02d}-{day:02d}: {error}") from None
    assert isinstance(ad, dt.date)
    return ad
