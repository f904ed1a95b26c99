"""The bureau's dashboard: what the programme has done and what it costs, from the platform's own tables.

Every figure is one aggregate query (or, for the service clocks, a pass over the handful of dates per case), so
that each can be checked against a count made directly from the rows. Each panel is a `Table` — a title, column
names and rows — so the page draws it as a chart, shows it as a table and offers it as CSV/XLSX from one source.

Filters: a date range on the application date, and the district of the employer.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, extract, func, select
from sqlalchemy.orm import Session

from talent.clock import today_in_changchun
from talent.models.applications import Application
from talent.models.cards import INSTALMENT_PAID, Card, Instalment
from talent.models.employers import Employer
from talent.models.jobs import Job
from talent.rules.names import PROGRAMMES
from talent.services.workflow import OPEN_STATUSES
from talent.workdays import CalendarNotCoveredError, working_days_between

MONEY_PROGRAMMES = ("housing_subsidy", "living_allowance", "purchase_measure_2022q3")


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    district: str | None = None

    def applications(self) -> list[Any]:
        """WHERE conditions on Application (joined to its Employer for the district)."""
        conditions = []
        if self.date_from is not None:
            conditions.append(Application.application_date >= self.date_from)
        if self.date_to is not None:
            conditions.append(Application.application_date <= self.date_to)
        if self.district:
            conditions.append(Employer.district == self.district)
        return conditions


@dataclass
class Table:
    """One panel: ``columns`` are codes (the page names them), ``rows`` are tuples of codes and whole numbers."""

    key: str
    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    unit: str = "people"  # people | cases | yuan | working_days | units
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # names of codes the tables hold (zh, en)


def _application_query(filters: Filters, *columns: Any):
    return select(*columns).select_from(Application).join(Employer, Application.employer_id == Employer.id) \
        .where(and_(True, *filters.applications()))


def applications_by_status(session: Session, filters: Filters) -> Table:
    rows = session.execute(_application_query(filters, Application.status, func.count())
                           .group_by(Application.status).order_by(Application.status)).all()
    return Table("by_status", ["status", "applications"], [(status, count) for status, count in rows], "cases")


def applications_by_tier(session: Session, filters: Filters) -> Table:
    rows = dict(session.execute(_application_query(filters, Application.tier, func.count())
                                .group_by(Application.tier)).all())
    ordered = [(tier, rows.get(tier, 0)) for tier in ("A", "B", "C")] + [("none", rows.get(None, 0))]
    return Table("by_tier", ["tier", "applications"], ordered, "cases")


def applications_by_programme(session: Session, filters: Filters) -> Table:
    """How many applications' decisions grant each programme (the `programmes` column holds ",a,b,")."""
    sums = [func.sum(case((Application.programmes.like(f"%,{code},%"), 1), else_=0)) for code in PROGRAMMES]
    values = session.execute(_application_query(filters, *sums)).one()
    return Table("by_programme", ["programme", "applications"],
                 [(code, int(value or 0)) for code, value in zip(PROGRAMMES, values, strict=True)], "cases")


def applications_by_district(session: Session, filters: Filters) -> Table:
    rows = session.execute(_application_query(filters, Employer.district, func.count())
                           .group_by(Employer.district).order_by(Employer.district)).all()
    return Table("by_district", ["district", "applications"], [(d, n) for d, n in rows], "cases")


def applications_by_month(session: Session, filters: Filters) -> Table:
    year = extract("year", Application.application_date)
    month = extract("month", Application.application_date)
    rows = session.execute(_application_query(filters, year, month, func.count())
                           .group_by(year, month).order_by(year, month)).all()
    return Table("by_month", ["month", "applications"],
                 [(f"{int(y):04d}-{int(m):02d}", n) for y, m, n in rows], "cases")


STAGES = ("endorsement", "review", "confirmation", "notice")


def _stage_spans(row: Any) -> dict[str, tuple[dt.date, dt.date] | None]:
    def day(value: dt.datetime | dt.date | None) -> dt.date | None:
        if value is None:
            return None
        return value.date() if isinstance(value, dt.datetime) else value

    submitted, endorsed = day(row.submitted_at), day(row.endorsed_at)
    first, confirmed = day(row.first_approval_at), day(row.confirmed_at)
    decided = day(row.decided_at)
    review_end = first or decided
    return {
        "endorsement": (submitted, endorsed) if submitted and endorsed else None,
        "review": (endorsed, review_end) if endorsed and review_end else None,
        "confirmation": (first, confirmed) if first and confirmed else None,
        "notice": (row.notice_starts_on, day(row.granted_at)) if row.notice_starts_on and row.granted_at else None,
    }


def _percentile(values: list[int], share: float) -> float:
    """The nearest-rank percentile (a value that occurred), as officers read "90% of cases took at most N"."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return float(ordered[int(rank) - 1])


def service_clocks(session: Session, filters: Filters, today: dt.date | None = None) -> Table:
    """Working days per stage (median, 90th percentile, cases measured) and open cases past their deadline."""
    today = today or today_in_changchun()
    query = _application_query(filters, Application.status, Application.submitted_at, Application.endorsed_at,
                               Application.first_approval_at, Application.confirmed_at, Application.decided_at,
                               Application.notice_starts_on, Application.granted_at,
                               Application.endorsement_due_on, Application.review_due_on)
    spans: dict[str, list[int]] = defaultdict(list)
    overdue: Counter[str] = Counter()
    for row in session.execute(query):
        for stage, span in _stage_spans(row).items():
            if span is None:
                continue
            try:
                spans[stage].append(working_days_between(*span))
            except CalendarNotCoveredError:
                continue  # a date outside the holiday calendar: not measured rather than measured wrongly
        if row.status == "awaiting_endorsement" and row.endorsement_due_on and row.endorsement_due_on < today:
            overdue["endorsement"] += 1
        if row.status in ("in_review", "awaiting_confirmation") and row.review_due_on and row.review_due_on < today:
            overdue["review"] += 1
    rows = []
    for stage in STAGES:
        values = spans.get(stage, [])
        rows.append((stage, len(values), float(statistics.median(values)) if values else None,
                     _percentile(values, 0.9) if values else None, overdue.get(stage, 0)))
    return Table("clocks", ["stage", "measured", "median", "p90", "overdue"], rows, "working_days")


def money_by_year(session: Session, filters: Filters) -> Table:
    """Committed (instalments by year due) and paid (by year paid) per programme, whole yuan."""
    base = select().select_from(Instalment).join(Application, Instalment.application_id == Application.id) \
        .join(Employer, Application.employer_id == Employer.id).where(and_(True, *filters.applications()))
    due_year = extract("year", Instalment.due_on)
    paid_year = extract("year", Instalment.paid_on)
    committed = session.execute(base.add_columns(Instalment.programme, due_year, func.sum(Instalment.amount))
                                .group_by(Instalment.programme, due_year)).all()
    paid = session.execute(base.add_columns(Instalment.programme, paid_year, func.sum(Instalment.amount))
                           .where(Instalment.status == INSTALMENT_PAID)
                           .group_by(Instalment.programme, paid_year)).all()
    table: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for programme, year, amount in committed:
        table[(int(year), programme)][0] += int(amount or 0)
    for programme, year, amount in paid:
        if year is not None:
            table[(int(year), programme)][1] += int(amount or 0)
    rows = [(year, programme, values[0], values[1]) for (year, programme), values in sorted(
        table.items(), key=lambda item: (item[0][0], MONEY_PROGRAMMES.index(item[0][1])
                                         if item[0][1] in MONEY_PROGRAMMES else 99))]
    return Table("money", ["year", "programme", "committed", "paid"], rows, "yuan")


def cards(session: Session, filters: Filters, today: dt.date | None = None) -> Table:
    today = today or today_in_changchun()
    query = select(Card.status, Card.valid_until, Card.tier).select_from(Card) \
        .join(Application, Card.application_id == Application.id) \
        .join(Employer, Application.employer_id == Employer.id).where(and_(True, *filters.applications()))
    counts: Counter[tuple[str, str]] = Counter()
    for status, valid_until, tier in session.execute(query):
        state = "revoked" if status == "revoked" else ("expired" if valid_until < today else "active")
        counts[(tier, state)] += 1
    rows = [(tier, counts[(tier, "active")], counts[(tier, "expired")], counts[(tier, "revoked")])
            for tier in ("A", "B", "C")]
    return Table("cards", ["tier", "active", "expired", "revoked"], rows, "people")


def posts(session: Session, filters: Filters) -> Table:
    """Posts opened and the headcount they offer, per year opened (the programme's "posts developed")."""
    year = extract("year", Job.created_at)
    query = select(year, func.count(), func.sum(Job.headcount),
                   func.sum(case((Job.status == "open", Job.headcount), else_=0))).select_from(Job)
    if filters.district:
        query = query.where(Job.district == filters.district)
    if filters.date_from is not None:
        query = query.where(Job.created_at >= dt.datetime.combine(filters.date_from, dt.time.min, dt.UTC))
    if filters.date_to is not None:
        query = query.where(Job.created_at < dt.datetime.combine(filters.date_to + dt.timedelta(days=1),
                                                                 dt.time.min, dt.UTC))
    rows = session.execute(query.group_by(year).order_by(year)).all()
    return Table("posts", ["year", "posts", "headcount", "open_headcount"],
                 [(int(y), n, int(h or 0), int(o or 0)) for y, n, h, o in rows], "units")


def apartments(session: Session, filters: Filters) -> Table:
    """Units of each youth-talent community by status (free, offered, let, under maintenance); the district
    filter applies to the community's district, the date range does not (a unit has no application date)."""
    from talent.models.apartments import UNIT_STATUSES, ApartmentCommunity, ApartmentUnit

    names = {code: {"zh": zh, "en": en} for code, zh, en in session.execute(
        select(ApartmentCommunity.code, ApartmentCommunity.name_zh, ApartmentCommunity.name_en))}
    query = select(ApartmentCommunity.code, ApartmentCommunity.district, ApartmentUnit.status, func.count()) \
        .select_from(ApartmentUnit).join(ApartmentCommunity, ApartmentUnit.community_id == ApartmentCommunity.id)
    if filters.district:
        query = query.where(ApartmentCommunity.district == filters.district)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for code, district, status, count in session.execute(
            query.group_by(ApartmentCommunity.code, ApartmentCommunity.district, ApartmentUnit.status)):
        counts[(code, district)][status] += count
    rows = [(code, district, *(counter[status] for status in UNIT_STATUSES))
            for (code, district), counter in sorted(counts.items())]
    return Table("apartments", ["community", "district", *UNIT_STATUSES], rows, "units", names)


def open_cases(session: Session, filters: Filters) -> int:
    return int(session.scalar(_application_query(filters, func.count())
                              .where(Application.status.in_([str(s) for s in OPEN_STATUSES]))) or 0)


PANELS = {
    "by_status": applications_by_status,
    "by_tier": applications_by_tier,
    "by_programme": applications_by_programme,
    "by_district": applications_by_district,
    "by_month": applications_by_month,
    "clocks": service_clocks,
    "money": money_by_year,
    "cards": cards,
    "posts": posts,
    "apartments": apartments,
}


def panel(session: Session, key: str, filters: Filters) -> Table:
    if key not in PANELS:
        raise KeyError(key)
    return PANELS[key](session, filters)


def dashboard(session: Session, filters: Filters) -> dict[str, Table]:
    return {key: build(session, filters) for key, build in PANELS.items()}
