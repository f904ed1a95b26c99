"""Retention: whether a graduate hired through the platform still works in Changchun 12 months after starting.

A hire makes a placement (services.hiring) with `retention_due_on` = start date + 12 months (29 February → 28
February). The daily task `talent.retention_checks` (talent/tasks/periodic.py, claimed once per Changchun date)
asks the graduate and the employer on that day (a notification each, once) and looks for talent-card
applications that settle it. Answers are recorded per side (the latest answer of each side counts) and the
placement's `retention` is worked out from them (docs/policy-notes.md, "Retention at 12 months"):

1. a talent application of the graduate dated on or after the due day whose facts say social insurance is paid
   in Changchun (`employment.social_insurance_local`, docs/policy.md section 7) — an official record — counts as
   retained, whatever the two sides said;
2. otherwise the graduate's own answer counts: the question is about the city, and only the graduate knows
   whether they moved to another Changchun employer (an employer's "no" means "no longer with us");
3. otherwise the employer's answer counts;
4. with none of them the placement stays `asked` (not counted as retained, nor as left).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.db import utcnow
from talent.models import Role, User
from talent.models.hiring import (
    LEFT,
    RETAINED,
    RETENTION_ASKED,
    RETENTION_PENDING,
    Placement,
    RetentionAnswer,
)
from talent.names import hiring as names
from talent.rules.dates import add_months
from talent.services import Conflict, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.paging import is_valid_id

RETENTION_MONTHS = 12


def retention_due_on(start: dt.date) -> dt.date:
    return dt.date.fromordinal(add_months(start.toordinal(), RETENTION_MONTHS))


def outcome(answers: dict[str, bool]) -> str | None:
    """retained / left from the answers by respondent (see the module's rules), or None when nothing decides."""
    if answers.get("social_insurance") is True:
        return RETAINED
    for side in ("graduate", "employer"):
        if side in answers:
            return RETAINED if answers[side] else LEFT
    return None


def _settle(session: Session, placement: Placement) -> None:
    answers = {answer.respondent: answer.still_in_changchun for answer in placement.answers}
    decided = outcome(answers)
    new = decided or (RETENTION_ASKED if placement.retention_due_on <= today_in_changchun() else RETENTION_PENDING)
    if new != placement.retention:
        placement.retention = new
        placement.retention_decided_at = utcnow() if decided else None


def _record_answer(session: Session, placement: Placement, respondent: str, value: bool, *,
                   actor: User | None, application_id: int | None = None) -> RetentionAnswer:
    existing = next((a for a in placement.answers if a.respondent == respondent), None)
    before = {"retention": placement.retention,
              "answer": existing.still_in_changchun if existing is not None else None}
    if existing is None:
        existing = RetentionAnswer(placement=placement, respondent=respondent, still_in_changchun=value,
                                   answered_by_id=actor.id if actor is not None else None,
                                   application_id=application_id)
        session.add(existing)
    else:
        existing.still_in_changchun = value
        existing.answered_at = utcnow()
        existing.answered_by_id = actor.id if actor is not None else None
        existing.application_id = application_id
    session.flush()
    session.refresh(placement, attribute_names=["answers"])
    _settle(session, placement)
    record_event(session, actor=actor, action="placement.retention_answered", entity_type="placement",
                 entity_id=placement.id, before=before,
                 after={"respondent": respondent, "still_in_changchun": value, "retention": placement.retention,
                        "application_id": application_id})
    session.flush()
    return existing


def answer_retention(session: Session, actor: User, placement_id: int, *, still_in_changchun: bool) -> Placement:
    """The graduate or the employer of a placement answers the 12-month question (from the due day on)."""
    if not is_valid_id(placement_id):
        raise NotFound("No such placement.")
    placement = session.scalar(select(Placement).where(Placement.id == placement_id)
                               .options(joinedload(Placement.employer), joinedload(Placement.job)))
    if placement is None:
        raise NotFound("No such placement.")
    if actor.role == Role.APPLICANT and placement.graduate_id == actor.id:
        respondent = "graduate"
    elif actor.role == Role.EMPLOYER and placement.employer.owner_id == actor.id:
        respondent = "employer"
    else:
        raise NotAllowed(names.NOT_YOUR_PLACEMENT)
    if placement.retention_due_on > today_in_changchun():
        raise Conflict(names.RETENTION_NOT_DUE.with_detail(
            f"The 12-month question can be answered from {placement.retention_due_on.isoformat()}."))
    _record_answer(session, placement, respondent, bool(still_in_changchun), actor=actor)
    _notify_other_side(session, placement, respondent, bool(still_in_changchun))
    return placement


def _notify_other_side(session: Session, placement: Placement, respondent: str, value: bool) -> None:
    from talent.services import notifications

    other = placement.employer.owner if respondent == "graduate" else session.get(User, placement.graduate_id)
    if other is None:
        return
    graduate = session.get(User, placement.graduate_id)
    notifications.notify(session, other, notifications.RETENTION_CHECK, params={
        "text": "retention_check.answered", "placement_id": placement.id, "job": placement.job.title,
        "graduate": graduate.name if graduate else "", "employer": placement.employer.name,
        "side": names.RESPONDENTS[respondent]["zh"], "side_en": names.RESPONDENTS[respondent]["en"],
        "answer": "仍在长春工作" if value else "已不在长春工作",
        "answer_en": "still works in Changchun" if value else "no longer works in Changchun",
    })


@dataclass(frozen=True)
class RetentionRun:
    asked: int
    confirmed_by_insurance: int


def run_retention_checks(session: Session, as_of: dt.date) -> RetentionRun:
    """The daily work (talent.retention_checks): ask both sides of every placement whose 12 months are up on
    `as_of` (each placement once), and count a later talent application with local social insurance as a
    confirmation."""
    from talent.services import notifications

    asked = 0
    due = session.scalars(select(Placement).where(Placement.retention == RETENTION_PENDING,
                                                  Placement.retention_due_on <= as_of)
                          .options(joinedload(Placement.employer), joinedload(Placement.job))
                          .order_by(Placement.id))
    for placement in due:
        placement.retention = RETENTION_ASKED
        placement.retention_asked_at = utcnow()
        graduate = session.get(User, placement.graduate_id)
        params = {"placement_id": placement.id, "job": placement.job.title, "employer": placement.employer.name,
                  "graduate": graduate.name if graduate else "", "start": placement.start_date.isoformat()}
        if graduate is not None:
            notifications.notify(session, graduate, notifications.RETENTION_CHECK,
                                 params={**params, "text": "retention_check.graduate"},
                                 dedupe_key=f"retention:{placement.id}")
        if placement.employer.owner is not None:
            notifications.notify(session, placement.employer.owner, notifications.RETENTION_CHECK,
                                 params={**params, "text": "retention_check.employer"},
                                 dedupe_key=f"retention:{placement.id}")
        record_event(session, actor=None, action="placement.retention_asked", entity_type="placement",
                     entity_id=placement.id, after={"retention_due_on": placement.retention_due_on.isoformat()})
        asked += 1
    session.flush()
    confirmed = confirm_from_applications(session, as_of)
    return RetentionRun(asked=asked, confirmed_by_insurance=confirmed)


def confirm_from_applications(session: Session, as_of: dt.date) -> int:
    """Placements due by `as_of` without a social-insurance confirmation whose graduate has a talent application
    dated on or after the due day with `employment.social_insurance_local` true: record that as the answer."""
    from talent.models.applications import Application

    rows = session.execute(
        select(Placement, Application.id, Application.facts)
        .join(Application, Application.owner_id == Placement.graduate_id)
        .where(Placement.retention_due_on <= as_of, Placement.retention != RETENTION_PENDING,
               Application.application_date >= Placement.retention_due_on)
        .order_by(Placement.id, Application.application_date)
    ).all()
    confirmed = 0
    for placement, application_id, facts in rows:
        employment = (facts or {}).get("employment") or {}
        if employment.get("social_insurance_local") is not True:
            continue
        if any(a.respondent == "social_insurance" and a.still_in_changchun for a in placement.answers):
            continue
        _record_answer(session, placement, "social_insurance", True, actor=None, application_id=application_id)
        confirmed += 1
    return confirmed


def placements_of(session: Session, actor: User) -> list[Placement]:
    """The caller's placements: a graduate's own hires, or the hires of an employer account's organisations."""
    from talent.models import Employer

    query = select(Placement).options(joinedload(Placement.employer), joinedload(Placement.job),
                                      joinedload(Placement.graduate))
    if actor.role == Role.APPLICANT:
        query = query.where(Placement.graduate_id == actor.id)
    elif actor.role == Role.EMPLOYER:
        query = query.join(Employer, Employer.id == Placement.employer_id).where(Employer.owner_id == actor.id)
    else:
        return []
    return list(session.scalars(query.order_by(Placement.start_date.desc(), Placement.id.desc())).unique())


def answer_of(placement: Placement, respondent: str) -> bool | None:
    for answer in placement.answers:
        if answer.respondent == respondent:
            return answer.still_in_changchun
    return None
