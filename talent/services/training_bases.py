"""Training bases (实训基地): officers designate a verified employer (with the date and the reason) and may
withdraw the designation; only a training base posts internships (jobs of kind `internship`), which are shown
apart and counted separately (`internship_counts`, for the programme's statistics).

Withdrawing does not close the base's open internships: graduates may be placed on them already; the base
simply cannot post new ones (docs/policy-notes.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.db import utcnow
from talent.models import Employer, User
from talent.models.events import TrainingBase
from talent.models.jobs import Job
from talent.names import events as names
from talent.services import Conflict, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.jobs import Problems, check_text


def _officer(actor: User) -> None:
    if not actor.is_officer:
        raise NotAllowed("Only officers designate training bases.")


def designate(session: Session, actor: User, employer_id: int, *, reason: str,
              designated_on: dt.date | None = None) -> TrainingBase:
    """Make a verified employer a training base from `designated_on` (today in Changchun by default)."""
    _officer(actor)
    employer = session.scalar(select(Employer).where(Employer.id == employer_id).with_for_update())
    if employer is None:
        raise NotFound("No such employer.")
    problems = Problems()
    reason = check_text(problems, "reason", reason, max_length=1000, label_zh="认定理由")
    designated_on = designated_on or today_in_changchun()
    if not isinstance(designated_on, dt.date) or isinstance(designated_on, dt.datetime):
        problems.add("designated_on", "认定日期须为日期（年-月-日）", "Must be a date (YYYY-MM-DD).")
    elif designated_on > today_in_changchun():
        problems.add("designated_on", "认定日期不能晚于今天", "Must not be in the future.")
    if not employer.is_verified:
        problems.add("employer_id", "单位尚未通过认证，不能认定为实训基地",
                     "The employer is not verified yet: verify it first.")
    problems.raise_if_any("The designation is not valid: see errors for each field.")
    base = session.scalar(select(TrainingBase).where(TrainingBase.employer_id == employer.id).with_for_update())
    before = base.snapshot() if base is not None else None
    if base is not None and base.is_active:
        raise Conflict(names.ALREADY_BASE)
    if base is None:
        base = TrainingBase(employer_id=employer.id)
        session.add(base)
    base.designated_on = designated_on
    base.reason = reason
    base.designated_by_id = actor.id
    base.designated_at = utcnow()
    base.withdrawn_at = base.withdrawn_by_id = base.withdrawal_reason = None
    session.flush()
    record_event(session, actor=actor, action="training_base.designated", entity_type="employer",
                 entity_id=employer.id, before=before, after=base.snapshot(), note=reason)
    session.flush()
    return base


def withdraw(session: Session, actor: User, employer_id: int, *, reason: str) -> TrainingBase:
    _officer(actor)
    base = session.scalar(select(TrainingBase).where(TrainingBase.employer_id == employer_id).with_for_update())
    if base is None or not base.is_active:
        if session.get(Employer, employer_id) is None:
            raise NotFound("No such employer.")
        raise Conflict(names.NOT_A_BASE)
    problems = Problems()
    reason = check_text(problems, "reason", reason, max_length=1000, label_zh="撤销理由")
    problems.raise_if_any("Say why the designation is withdrawn.")
    before = base.snapshot()
    base.withdrawn_at = utcnow()
    base.withdrawn_by_id = actor.id
    base.withdrawal_reason = reason
    record_event(session, actor=actor, action="training_base.withdrawn", entity_type="employer",
                 entity_id=employer_id, before=before, after=base.snapshot(), note=reason)
    session.flush()
    return base


def is_training_base(session: Session, employer_id: int) -> bool:
    return session.scalar(select(TrainingBase.id).where(TrainingBase.employer_id == employer_id,
                                                        TrainingBase.withdrawn_at.is_(None))) is not None


def training_base_ids(session: Session) -> set[int]:
    return set(session.scalars(select(TrainingBase.employer_id).where(TrainingBase.withdrawn_at.is_(None))))


def list_training_bases(session: Session, *, active_only: bool = True) -> list[TrainingBase]:
    query = select(TrainingBase).options(joinedload(TrainingBase.employer)).order_by(TrainingBase.designated_on,
                                                                                    TrainingBase.id)
    if active_only:
        query = query.where(TrainingBase.withdrawn_at.is_(None))
    return list(session.scalars(query))


@dataclass(frozen=True)
class InternshipCount:
    employer_id: int
    name: str
    active: bool
    posts: int
    headcount: int
    open_posts: int
    open_headcount: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def internship_counts(session: Session, *, year: int | None = None) -> list[InternshipCount]:
    """Internship posts and their headcount per training base (withdrawn ones too, marked), counted apart from
    ordinary posts: all posted (in `year`, by the Changchun date the post was made, when given) and those open
    today. Bases without internships count zero."""
    from talent.services.jobs import open_jobs_condition

    condition = Job.kind == "internship"
    if year is not None:
        from talent.clock import CHANGCHUN

        # The year's bounds in Changchun, as the UTC moments the database stores (SQLite keeps UTC wall times).
        start = dt.datetime(year, 1, 1, tzinfo=CHANGCHUN)
        end = start.replace(year=year + 1).astimezone(dt.UTC)
        condition = condition & (Job.created_at >= start.astimezone(dt.UTC)) & (Job.created_at < end)
    open_now = open_jobs_condition()
    rows = session.execute(
        select(
            TrainingBase.employer_id, Employer.name, TrainingBase.withdrawn_at,
            func.count(Job.id), func.coalesce(func.sum(Job.headcount), 0),
            func.count(Job.id).filter(open_now), func.coalesce(func.sum(Job.headcount).filter(open_now), 0),
        )
        .join(Employer, Employer.id == TrainingBase.employer_id)
        .outerjoin(Job, (Job.employer_id == TrainingBase.employer_id) & condition)
        .group_by(TrainingBase.employer_id, Employer.name, TrainingBase.withdrawn_at)
        .order_by(TrainingBase.employer_id)
    )
    return [InternshipCount(employer_id, name, withdrawn is None, int(posts), int(headcount), int(open_posts),
                            int(open_headcount))
            for employer_id, name, withdrawn, posts, headcount, open_posts, open_headcount in rows]
