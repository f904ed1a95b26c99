"""Calendar arithmetic of POLICY.md on proleptic ordinals (``date.toordinal()``), scalar and NumPy.

Dates travel through the engine as ordinals (plain ints) so that one case and a batch share the same
representation; they become ISO strings only in the decision. Adding years or months keeps the day and
clamps a day that does not exist (29 February -> 28 February).
"""

from __future__ import annotations

import calendar
import datetime as dt

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def add_months(ordinal: int, months: int) -> int:
    day = dt.date.fromordinal(ordinal)
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)).toordinal()


def add_years(ordinal: int, years: int) -> int:
    return add_months(ordinal, 12 * years)


def age_on(birth: int, on: int) -> int:
    """The largest N such that birth + N years is on or before ``on``."""
    born, when = dt.date.fromordinal(birth), dt.date.fromordinal(on)
    years = when.year - born.year
    if add_years(birth, years) > on:
        years -= 1
    return years


def iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


# --- NumPy versions (imported lazily by the vector compiler) ---------------------------------


def _np():
    import numpy

    return numpy


def v_add_months(ordinals, months):
    np = _np()
    days = (np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL).astype("M8[D]")
    month_start = days.astype("M8[M]")
    day_index = (days - month_start.astype("M8[D]")).astype(np.int64)  # 0-based day of month
    target = month_start + np.asarray(months, dtype=np.int64).astype("m8[M]")
    target_days = target.astype("M8[D]")
    month_length = ((target + np.timedelta64(1, "M")).astype("M8[D]") - target_days).astype(np.int64)
    clamped = np.minimum(day_index, month_length - 1)
    return (target_days.astype(np.int64) + clamped + EPOCH_ORDINAL).astype(np.int64)


def v_add_years(ordinals, years):
    return v_add_months(ordinals, _np().asarray(years, dtype=_np().int64) * 12)


def v_age_on(births, on):
    np = _np()
    births = np.asarray(births, dtype=np.int64)
    on = np.asarray(on, dtype=np.int64)
    birth_years = (births - EPOCH_ORDINAL).astype("M8[D]").astype("M8[Y]").astype(np.int64)
    on_years = (on - EPOCH_ORDINAL).astype("M8[D]").astype("M8[Y]").astype(np.int64)
    years = on_years - birth_years
    return years - (v_add_years(births, years) > on).astype(np.int64)


def v_iso(ordinals) -> list[str]:
    np = _np()
    return ((np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL).astype("M8[D]")).astype(str).tolist()
