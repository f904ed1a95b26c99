"""Changchun's calendar day and time: the policy, the service clocks and the notice periods count days in
China Standard Time, whatever time zone the server runs in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHANGCHUN = ZoneInfo("Asia/Shanghai")


def now_in_changchun() -> dt.datetime:
    return dt.datetime.now(CHANGCHUN)


def today_in_changchun() -> dt.date:
    return now_in_changchun().date()


def to_changchun(moment: dt.datetime) -> dt.datetime:
    """A stored moment in Changchun time; naive values are UTC (SQLite returns them without a zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHANGCHUN)
