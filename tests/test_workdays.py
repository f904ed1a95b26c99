from datetime import date, timedelta

import pytest

from talent import workdays
from talent.workdays import (
    COVERED_YEARS,
    CalendarNotCoveredError,
    add_working_days,
    holiday_name,
    is_provisional_year,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 10, 1), False),  # National Day
        (date(2024, 10, 7), False),  # last day of National Day week (a Monday)
        (date(2024, 10, 8), True),  # first working day after it
        (date(2024, 9, 29), True),  # adjusted working Sunday before National Day
        (date(2024, 10, 12), True),  # adjusted working Saturday after it
        (date(2024, 10, 13), False),  # an ordinary Sunday
        (date(2025, 1, 28), False),  # 除夕 2025, a holiday from 2025 on
        (date(2025, 2, 4), False),  # 正月初七 2025
        (date(2025, 1, 26), True),  # adjusted working Sunday before Spring Festival 2025
        (date(2025, 2, 8), True),  # adjusted working Saturday after it
        (date(2024, 2, 9), True),  # 除夕 2024 stayed a working day (only "encouraged" off)
        (date(2023, 1, 2), False),  # New Year 2023 ran 2022-12-31 to 2023-01-02
        (date(2022, 12, 31), False),
        (date(2022, 10, 8), True),  # adjusted working Saturday, 2022
        (date(2026, 2, 23), False),  # 正月初七 2026, nine-day Spring Festival
        (date(2026, 2, 28), True),  # adjusted working Saturday, 2026
        (date(2026, 11, 27), True),  # an ordinary Friday
    ],
)
def test_known_days_of_the_official_calendar(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_holiday_name_names_the_festival() -> None:
    assert holiday_name(date(2025, 1, 31)) == "春节"
    assert holiday_name(date(2025, 10, 6)) == "国庆节、中秋节"
    assert holiday_name(date(2025, 10, 9)) is None


def test_five_working_day_notice_skips_national_day_week_2024() -> None:
    # Opened on Friday 2024-09-27: Sun 9-29 (adjusted) and Mon 9-30 count, Oct 1-7 do not.
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


def test_notice_over_spring_festival_2025() -> None:
    # Mon 2025-01-27 → Feb 5, 6, 7 (Wed-Fri), Sat Feb 8 (adjusted), Mon Feb 10.
    assert add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)
    # The adjusted Sunday 2025-01-26 counts: from Fri 1-24 it is the first working day.
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)


def test_start_day_never_counts_even_when_it_is_a_holiday() -> None:
    assert add_working_days(date(2024, 10, 1), 1) == date(2024, 10, 8)
    assert add_working_days(date(2024, 10, 1), 0) == date(2024, 10, 1)


def test_negative_counts_go_backwards() -> None:
    assert add_working_days(date(2024, 10, 8), -1) == date(2024, 9, 30)
    assert add_working_days(date(2024, 10, 8), -2) == date(2024, 9, 29)


def test_working_days_between_a_whole_month() -> None:
    # October 2024: 23 weekdays, minus 5 holiday weekdays (1-4, 7), plus Saturday 10-12.
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 31)) == 19
    assert working_days_between(date(2024, 10, 31), date(2024, 9, 30)) == -19
    assert working_days_between(date(2024, 10, 3), date(2024, 10, 3)) == 0


def test_between_inverts_add_over_every_start_in_2024_and_2025() -> None:
    start = date(2024, 1, 1)
    while start < date(2025, 12, 1):
        for n in (0, 1, 5, 22):
            assert working_days_between(start, add_working_days(start, n)) == n
        start += timedelta(days=3)


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_official_years_have_248_to_251_working_days(year: int) -> None:
    # Each year of the current scheme has 248-251 working days; a typo in the data breaks this.
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    count = sum(is_working_day(date(year, 1, 1) + timedelta(days=i)) for i in range(days_in_year))
    assert 248 <= count <= 251


def test_dates_outside_the_covered_years_are_refused() -> None:
    with pytest.raises(CalendarNotCoveredError, match="2028-01-03"):
        is_working_day(date(2028, 1, 3))
    with pytest.raises(CalendarNotCoveredError):
        is_working_day(date(2021, 12, 31))
    # Walking off the end of the data is refused too, not silently weekends-only.
    with pytest.raises(CalendarNotCoveredError):
        add_working_days(date(2027, 12, 30), 5)
    assert COVERED_YEARS == range(2022, 2028)


def test_only_2027_is_provisional() -> None:
    assert is_provisional_year(2027)
    assert not any(is_provisional_year(year) for year in range(2022, 2027))
    assert is_working_day(date(2027, 2, 5)) is False  # 除夕 2027, statutory


def test_bad_data_is_rejected_on_load(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "holidays.yaml"
    bad.write_text(
        "years:\n  2024:\n    status: official\n    holidays: []\n    adjusted_working_days: [2024-10-08]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(workdays, "HOLIDAYS_FILE", bad)
    workdays._calendar.cache_clear()
    try:
        with pytest.raises(ValueError, match="weekday"):
            is_working_day(date(2024, 10, 8))
    finally:
        monkeypatch.undo()
        workdays._calendar.cache_clear()
    assert is_working_day(date(2024, 10, 8))
