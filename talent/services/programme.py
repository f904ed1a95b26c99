"""The programme's figures (issue 12, item 5): posts developed, applications, interviews, offers, hires and
retention at 12 months — by year, district, industry and education — and the home page's two headline numbers.

Definitions (docs/statistics.md has them in full; the choices are in docs/policy-notes.md):

- a year is a calendar year in Changchun time (UTC+8), whatever zone the server runs in;
- **posts developed**: the sum of `headcount` of the posts opened in the year (`jobs.created_at`), with the
  number of posts beside it; closed and filled posts still count in the year they opened; a training base's
  internships (`kind = 'internship'`) are not posts developed — they are counted apart
  (services.training_bases.internship_counts), while applications to them and hires on them count below;
- **applications**: job applications made in the year (`job_applications.applied_at`; an employer's invitation
  counts once the graduate accepts it, as that is when it becomes an application);
- **interviews**, **offers**, **hires**: applications that first reached that stage in the year
  (`interview_set_at`, `offered_at`, `hired_at`), whatever happened later;
- **retained / left / asked / pending**: the hires of the year (by `hired_at`) by their placement's 12-month
  outcome (`placements.retention`, worked out by services.retention from the answers: social insurance first, then
  the graduate, then the employer); not decided yet: `asked` when the 12-month day is on or before the day of
  the figures, `pending` when it is still ahead;
- district, industry and education are the **post's**: its district (GB/T 2260), its employer's industry
  (GB/T 4754-2017 section, "none" when not given) and its minimum education — a post has no graduate, so one
  breakdown serves every figure.

The figures are precomputed into `programme_figures` by `refresh_figures` (periodic task
`talent.refresh_programme_figures`, every 15 minutes, claimed once per quarter hour); the statistics read that
table (a few thousand rows) and say when it was rebuilt. Before the first rebuild they are computed on the fly
from the same queries. The home page's counters are live counts, cached for 60 seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from talent.clock import CHANGCHUN, today_in_changchun
from talent.db import utcnow
from talent.models.employers import Employer
from talent.models.hiring import LEFT, RETAINED, JobApplication, Placement
from talent.models.jobs import EDUCATION_LEVELS, Job
from talent.models.programme import MEASURES, ProgrammeFigure, ProgrammeFigureRefresh
from talent.names.industries import NOT_GIVEN
from talent.services.dashboard import Table

log = logging.getLogger("talent.programme")

# The programme's targets (docs/policy.md): posts developed for graduates, graduates staying in Changchun a year.
TARGET_POSTS = 112_000
TARGET_GRADUATES = 100_000
INTERNSHIP = "internship"  # talent.models.jobs.JOB_KINDS: a training base's places, counted apart

DIMENSIONS = ("year", "district", "industry", "education")
# The figures' columns after the dimension, in order (codes; the pages name them).
COLUMNS = ("posts_developed", "posts_opened", "applications", "interviews", "offers", "hires",
           "retained", "left", "asked", "pending")
# programme_figures column of each figure's column
_SOURCE = {"posts_developed": "headcount", "posts_opened": "posts"} | {c: c for c in COLUMNS[2:]}
PANEL_KEYS = {f"programme_by_{dimension}": dimension for dimension in DIMENSIONS}


@dataclass(frozen=True)
class ProgrammeFilters:
    year: int | None = None
    district: str | None = None


# --- computing from the tables ---------------------------------------------------------------------------------


def changchun_year(session: Session, column: Any) -> Any:
    """SQL: the calendar year of a stored moment in Changchun time (China keeps UTC+8 all year)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("year", func.timezone("Asia/Shanghai", column)), Integer)
    # SQLite keeps moments as UTC text without a zone
    return cast(func.strftime("%Y", column, "+8 hours"), Integer)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the Changchun year and of the next one, in UTC (SQLite compares the stored UTC text)."""
    return (dt.datetime(year, 1, 1, tzinfo=CHANGCHUN).astimezone(dt.UTC),
            dt.datetime(year + 1, 1, 1, tzinfo=CHANGCHUN).astimezone(dt.UTC))


Key = tuple[int, str, str, str]


def compute_rows(session: Session, as_of: dt.date | None = None) -> dict[Key, dict[str, int]]:
    """Every figure by (year, district, industry, education), straight from jobs, job_applications and
    placements: one GROUP BY per figure. `as_of` (default: today in Changchun) decides asked vs pending."""
    as_of = as_of or today_in_changchun()
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    industry = func.coalesce(Employer.industry, "")
    dims = (Job.district, industry, Job.min_education)

    year = changchun_year(session, Job.created_at)
    query = select(year, *dims, func.count(), func.sum(Job.headcount)).select_from(Job) \
        .join(Employer, Job.employer_id == Employer.id).where(Job.kind != INTERNSHIP).group_by(year, *dims)
    for y, district, ind, education, count, headcount in session.execute(query):
        cell = rows[(int(y), district, ind, education)]
        cell["posts"] += count
        cell["headcount"] += int(headcount or 0)

    for measure, column in (("applications", JobApplication.applied_at),
                            ("interviews", JobApplication.interview_set_at),
                            ("offers", JobApplication.offered_at), ("hires", JobApplication.hired_at)):
        year = changchun_year(session, column)
        query = select(year, *dims, func.count()).select_from(JobApplication) \
            .join(Job, JobApplication.job_id == Job.id).join(Employer, Job.employer_id == Employer.id) \
            .where(column.is_not(None)).group_by(year, *dims)
        for y, district, ind, education, count in session.execute(query):
            rows[(int(y), district, ind, education)][measure] += count

    year = changchun_year(session, JobApplication.hired_at)
    state = case((Placement.retention == RETAINED, "retained"), (Placement.retention == LEFT, "left"),
                 (Placement.retention_due_on <= as_of, "asked"), else_="pending")
    query = select(year, *dims, state, func.count()).select_from(Placement) \
        .join(JobApplication, Placement.job_application_id == JobApplication.id) \
        .join(Job, JobApplication.job_id == Job.id).join(Employer, Job.employer_id == Employer.id) \
        .where(JobApplication.hired_at.is_not(None)).group_by(year, *dims, state)
    for y, district, ind, education, outcome, count in session.execute(query):
        rows[(int(y), district, ind, education)][outcome] += count
    return dict(rows)


@dataclass(frozen=True)
class Refresh:
    refreshed_at: dt.datetime
    as_of: dt.date
    rows: int
    seconds: float


def refresh_figures(session: Session, as_of: dt.date | None = None) -> Refresh:
    """Rebuild `programme_figures` from the tables in the caller's transaction (readers keep seeing the previous
    figures until it commits). A derived table, not a state change: no audit event."""
    started = time.perf_counter()
    as_of = as_of or today_in_changchun()
    rows = compute_rows(session, as_of)
    session.execute(delete(ProgrammeFigure))
    values = [{"year": y, "district": d, "industry": i, "education": e, **counts}
              for (y, d, i, e), counts in sorted(rows.items())]
    if values:
        session.execute(insert(ProgrammeFigure), values)
    seconds = time.perf_counter() - started
    state = session.get(ProgrammeFigureRefresh, 1)
    now = utcnow()
    if state is None:
        session.add(ProgrammeFigureRefresh(id=1, refreshed_at=now, as_of=as_of, rows=len(values), seconds=seconds))
    else:
        state.refreshed_at, state.as_of, state.rows, state.seconds = now, as_of, len(values), seconds
    session.flush()
    return Refresh(now, as_of, len(values), seconds)


def last_refresh(session: Session) -> ProgrammeFigureRefresh | None:
    return session.get(ProgrammeFigureRefresh, 1)


# --- reading ---------------------------------------------------------------------------------------------------


def _stored_rows(session: Session, filters: ProgrammeFilters) -> dict[Key, dict[str, int]]:
    """The precomputed rows under the filters, in one query (a year is at most 15 × 21 × 5 rows); the four
    panels are summed from them here rather than by four GROUP BY round trips."""
    query = select(ProgrammeFigure)
    if filters.year is not None:
        query = query.where(ProgrammeFigure.year == filters.year)
    if filters.district:
        query = query.where(ProgrammeFigure.district == filters.district)
    columns = [ProgrammeFigure.year, ProgrammeFigure.district, ProgrammeFigure.industry, ProgrammeFigure.education,
               *(getattr(ProgrammeFigure, measure) for measure in MEASURES)]
    return {(y, d, i, e): dict(zip(MEASURES, numbers, strict=True))
            for y, d, i, e, *numbers in session.execute(query.with_only_columns(*columns))}


def _sum_by(rows: dict[Key, dict[str, int]], dimension: str,
               filters: ProgrammeFilters) -> list[tuple[Any, ...]]:
    index = DIMENSIONS.index(dimension)
    totals: dict[Any, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    for key, counts in rows.items():
        if filters.year is not None and key[0] != filters.year:
            continue
        if filters.district and key[1] != filters.district:
            continue
        total = totals[key[index]]
        for position, column in enumerate(COLUMNS):
            total[position] += counts[_SOURCE[column]]
    return [(value, *numbers) for value, numbers in sorted(totals.items())]


@dataclass(frozen=True)
class Figures:
    tables: dict[str, Table]
    # When the numbers were computed (the last rebuild, or now when computed on the fly) and for which day.
    computed_at: dt.datetime
    as_of: dt.date
    precomputed: bool


def figures(session: Session, filters: ProgrammeFilters) -> Figures:
    """The four panels (by year, district, industry, education) under the filters."""
    state = last_refresh(session)
    if state is not None:
        rows = _stored_rows(session, filters)
        computed_at, as_of = state.refreshed_at, state.as_of
        if computed_at.tzinfo is None:  # SQLite gives stored moments back without their zone (UTC)
            computed_at = computed_at.replace(tzinfo=dt.UTC)
    else:
        as_of = today_in_changchun()
        rows = compute_rows(session, as_of)
        computed_at = utcnow()
    raw = {key: _sum_by(rows, dimension, filters) for key, dimension in PANEL_KEYS.items()}
    tables = {}
    for key, dimension in PANEL_KEYS.items():
        body = [((value or NOT_GIVEN) if dimension == "industry" else value, *numbers) for value, *numbers in raw[key]]
        if dimension == "industry":  # "not given" last, after the letters
            body.sort(key=lambda row: (row[0] == NOT_GIVEN, row[0]))
        if dimension == "education":  # lowest first (college, bachelor, master, doctorate), not alphabetical
            body.sort(key=lambda row: (row[0] not in EDUCATION_LEVELS,
                                       EDUCATION_LEVELS.index(row[0]) if row[0] in EDUCATION_LEVELS else 0, row[0]))
        tables[key] = Table(key, [dimension, *COLUMNS], body, "people")
    return Figures(tables, computed_at, as_of, state is not None)


def retention_rate(retained: int, left: int) -> float | None:
    """Retained among the decided (retained + left); None when nothing is decided. `asked` and `pending` are not
    in the denominator: an unanswered question is neither."""
    decided = retained + left
    return None if decided == 0 else retained / decided


# --- the home page's counters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    year: int
    posts_developed: int  # sum of headcount of posts opened this year
    hires: int  # graduates hired through the platform this year (hired_at this year)
    retained: int  # placements whose 12-month day fell this year (up to today) and that were confirmed retained
    decided: int  # of those, how many have a decided outcome (retained + left)
    computed_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "posts_developed": self.posts_developed, "hires": self.hires,
                "retained": self.retained, "decided": self.decided, "computed_at": self.computed_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Headline:
        return cls(data["year"], data["posts_developed"], data["hires"], data["retained"], data["decided"],
                   dt.datetime.fromisoformat(data["computed_at"]))


def headline(session: Session, today: dt.date | None = None) -> Headline:
    """The two headline numbers of the current Changchun year, counted live (indexed range scans)."""
    today = today or today_in_changchun()
    start, end = _year_bounds(today.year)
    posts = session.scalar(select(func.coalesce(func.sum(Job.headcount), 0))
                           .where(Job.created_at >= start, Job.created_at < end, Job.kind != INTERNSHIP))
    hires = session.scalar(select(func.count()).select_from(JobApplication)
                           .where(JobApplication.hired_at >= start, JobApplication.hired_at < end))
    retained, decided = session.execute(
        select(func.coalesce(func.sum(case((Placement.retention == RETAINED, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Placement.retention.in_((RETAINED, LEFT)), 1), else_=0)), 0))
        .where(and_(Placement.retention_due_on >= dt.date(today.year, 1, 1), Placement.retention_due_on <= today))
    ).one()
    return Headline(today.year, int(posts or 0), int(hires or 0), int(retained or 0), int(decided or 0), utcnow())


CACHE_SECONDS = 60
_cache: dict[str, tuple[float, Headline]] = {}
_cache_lock = threading.Lock()


def headline_cache_key(session: Session) -> str:
    """One key per database and Changchun day: installations (and test databases) sharing a Redis never mix."""
    import hashlib

    database = hashlib.sha256(session.get_bind().url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return f"talent:programme:headline:{database}:{today_in_changchun().isoformat()}"


def cached_headline(session: Session, redis_url: str | None = None, *, seconds: int = CACHE_SECONDS) -> Headline:
    """`headline` kept for `seconds`: in Redis when the platform has one (shared by every web process), else in
    this process. A Redis that does not answer is skipped (the numbers are then counted and kept here)."""
    key = headline_cache_key(session)
    if redis_url:
        try:
            import redis

            client = redis.Redis.from_url(redis_url, socket_timeout=0.2, socket_connect_timeout=0.2)
            stored = client.get(key)
            if stored:
                return Headline.from_dict(json.loads(stored))
            value = headline(session)
            client.set(key, json.dumps(value.as_dict()), ex=seconds)
            return value
        except Exception as error:  # noqa: BLE001 - a cache must never break the home page
            log.warning("headline cache in Redis unavailable: %s", error)
    now = time.monotonic()
    with _cache_lock:
        held = _cache.get(key)
        if held is not None and held[0] > now:
            return held[1]
    value = headline(session)
    with _cache_lock:
        _cache.clear()
        _cache[key] = (now + seconds, value)
    return value


def clear_headline_cache() -> None:
    with _cache_lock:
        _cache.clear()
