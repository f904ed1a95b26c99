"""Working-day arithmetic on the PRC official calendar, for service-time clocks and notice periods.

A working day is a Monday–Friday that is not a public holiday, or a Saturday/Sunday that the State
Council's annual notice makes a working day (调休上班日). The holidays and adjusted working days are
data, in ``talent/data/holidays_cn.yaml``, one block per notice with its source.

Covered years: 2022–2027 (``COVERED_YEARS``). 2027 is *provisional*: it holds only the statutory days
of the holiday regulations, because its notice had not been copied in when the file was written
(``is_provisional_year`` tells; replace the block when the notice is out).

Dates outside the covered years raise ``CalendarNotCoveredError`` (a ``ValueError``) rather than
falling back to "weekends only": a notice period or a service clock that silently ignores the Spring
Festival would produce a wrong legal deadline, and a loud error tells the operator to add the year.

Counting conventions (the same as "N working days after" in administrative practice):
- ``add_working_days(start, n)`` is the n-th working day after ``start``; ``start`` itself never
  counts, whether or not it is a working day. ``n = 0`` returns ``start``; a negative ``n`` counts
  backwards (the |n|-th working day before ``start``).
- ``working_days_between(start, end)`` counts the working days in the half-open interval
  ``(start, end]``; it is negative when ``end`` is before ``start``. For ``n >= 0``,
  ``working_days_between(start, add_working_days(start, n)) == n``.

Example: a public notice opened on Friday 2024-09-27 for 5 working days ends on
``add_working_days(date(2024, 9, 27), 5)``: Sunday 9-29 is an adjusted working day, National Day week
is skipped, and the answer is Thursday 2024-10-10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays_cn.yaml"
COVERED_YEARS = range(2022, 2028)

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class CalendarNotCoveredError(ValueError):
    """A date outside the years the holiday data covers."""


@dataclass(frozen=True)
class _Calendar:
    holidays: dict[date, str]
    adjusted_working_days: frozenset[date]
    provisional_years: frozenset[int]


def _as_date(value: object, where: str) -> date:
    # PyYAML reads unquoted ISO dates as `date`; anything else is a typo in the data file.
    if not isinstance(value, date):
        raise ValueError(f"{HOLIDAYS_FILE.name}: {where}: {value!r} is not a YYYY-MM-DD date")
    return value


@cache
def _calendar() -> _Calendar:
    """Read and check the holiday file once per process."""
    document = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    holidays: dict[date, str] = {}
    working: set[date] = set()
    provisional: set[int] = set()
    for year, block in document["years"].items():
        if block["status"] == "provisional":
            provisional.add(int(year))
        elif block["status"] != "official":
            raise ValueError(f"{HOLIDAYS_FILE.name}: {year}: unknown status {block['status']!r}")
        for period in block["holidays"]:
            first = _as_date(period["from"], f"{year} {period['name']}")
            last = _as_date(period["to"], f"{year} {period['name']}")
            if last < first:
                raise ValueError(f"{HOLIDAYS_FILE.name}: {year} {period['name']}: ends before it starts")
            day = first
            while day <= last:
                holidays[day] = period["name"]
                day += _ONE_DAY
        for value in block["adjusted_working_days"]:
            day = _as_date(value, f"{year} adjusted working day")
            if day.weekday() < _SATURDAY:
                raise ValueError(f"{HOLIDAYS_FILE.name}: {day} is listed as adjusted but is a weekday")
            working.add(day)
    clash = working & holidays.keys()
    if clash:
        raise ValueError(f"{HOLIDAYS_FILE.name}: both holiday and working day: {sorted(clash)}")
    return _Calendar(holidays, frozenset(working), frozenset(provisional))


def _check_covered(day: date) -> None:
    if day.year not in COVERED_YEARS:
        raise CalendarNotCoveredError(
            f"{day.isoformat()} is outside the holiday calendar "
            f"({COVERED_YEARS.start}–{COVERED_YEARS.stop - 1}); add the year to {HOLIDAYS_FILE.name}"
        )


def is_working_day(day: date) -> bool:
    """True for a weekday that is not a public holiday, or an adjusted working weekend day."""
    _check_covered(day)
    calendar = _calendar()
    if day in calendar.adjusted_working_days:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < _SATURDAY


def holiday_name(day: date) -> str | None:
    """The holiday that makes ``day`` a day off (e.g. "春节"), or None."""
    _check_covered(day)
    return _calendar().holidays.get(day)


def is_provisional_year(year: int) -> bool:
    """True when the year's data is not yet copied from the State Council notice."""
    return year in _calendar().provisional_years


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (before it when n < 0); ``start`` itself never counts."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The number of working days in ``(start, end]``; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_working_day(day):
            count += 1
    return count
