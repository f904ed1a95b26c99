"""Overdue service clocks: cases whose employer endorsement (5 working days) or bureau review (10 working days)
is past its due date. Each late clock is recorded once (an audit event `application.clock_overdue` per case and
due date) and the people who owe the next step are told by e-mail: the employer for an endorsement, the officers
for a review (one digest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from talent import workdays
from talent.models import AuditEvent, Role, User
from talent.models.applications import Application
from talent.services.audit import record_event
from talent.services.workflow import Status

OVERDUE_ACTION = "application.clock_overdue"


@dataclass(frozen=True)
class OverdueClock:
    application_id: int
    case_number: str
    kind: str  # endorsement | review
    due_on: date
    working_days_late: int | None


def overdue_clocks(session: Session, on: date) -> list[OverdueClock]:
    """Every running endorsement or review clock whose due date is before `on`."""
    found = session.scalars(
        select(Application)
        .where(or_(
            (Application.status == Status.AWAITING_ENDORSEMENT) & (Application.endorsement_due_on < on),
            Application.status.in_([Status.IN_REVIEW, Status.AWAITING_CONFIRMATION]) & (Application.review_due_on < on),
        ))
        .order_by(Application.id)
    )
    result = []
    for application in found:
        if application.status == Status.AWAITING_ENDORSEMENT:
            kind, due = "endorsement", application.endorsement_due_on
        else:
            kind, due = "review", application.review_due_on
        assert due is not None
        try:
            late: int | None = workdays.working_days_between(due, on)
        except workdays.CalendarNotCoveredError:
            late = None
        result.append(OverdueClock(application.id, application.number, kind, due, late))
    return result


def _already_recorded(session: Session, clocks: list[OverdueClock]) -> set[tuple[int, str, str]]:
    if not clocks:
        return set()
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == OVERDUE_ACTION, AuditEvent.entity_type == "application",
            AuditEvent.entity_id.in_([str(c.application_id) for c in clocks]),
        )
    )
    return {(int(e.entity_id), (e.after or {}).get("kind", ""), (e.after or {}).get("due_on", "")) for e in events}


def record_overdue_clocks(session: Session, on: date) -> list[OverdueClock]:
    """Record each newly overdue clock (once per case and due date) and notify; returns the newly recorded."""
    clocks = overdue_clocks(session, on)
    seen = _already_recorded(session, clocks)
    new = [c for c in clocks if (c.application_id, c.kind, c.due_on.isoformat()) not in seen]
    for clock in new:
        record_event(
            session, actor=None, action=OVERDUE_ACTION, entity_type="application", entity_id=clock.application_id,
            after={"kind": clock.kind, "due_on": clock.due_on.isoformat(), "as_of": on.isoformat(),
                   "working_days_late": clock.working_days_late},
        )
    session.flush()
    _notify(session, new, on)
    return new


def _notify(session: Session, clocks: list[OverdueClock], on: date) -> None:
    from talent.mail import send_mail

    reviews = [c for c in clocks if c.kind == "review"]
    if reviews:
        lines = "\n".join(f"- {c.case_number}: 应于 {c.due_on.isoformat()} 前完成审核 (review due {c.due_on.isoformat()})"
                          for c in reviews)
        officers = session.scalars(
            select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.is_active.is_(True)).order_by(User.id))
        for officer in officers:
            send_mail(officer.email, f"审核超期提醒 · {len(reviews)} case(s) past the review deadline",
                      f"截至 {on.isoformat()}，以下申请已超过审核时限 (as of {on.isoformat()} these cases are past "
                      f"their review deadline):\n{lines}\n")
    for clock in (c for c in clocks if c.kind == "endorsement"):
        application = session.get(Application, clock.application_id)
        if application is None:
            continue
        send_mail(application.employer.owner.email,
                  f"单位确认超期提醒 · Endorsement overdue: {clock.case_number}",
                  f"申请 {clock.case_number} 的单位确认应于 {clock.due_on.isoformat()} 前完成，现已超期。\n"
                  f"The endorsement of application {clock.case_number} was due on {clock.due_on.isoformat()}.\n")
