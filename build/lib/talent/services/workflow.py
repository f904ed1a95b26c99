"""The state machine of an application: the one table of allowed transitions, and the one function that applies
them (status, timeline entry and audit event in the caller's transaction). docs/workflow.md explains it.

Services first lock the case (`lock_application`: SELECT … FOR UPDATE on PostgreSQL, a fresh read everywhere),
check who is acting, change the fields their step changes, then call `apply_transition`. A (status, action)
pair missing from `TRANSITIONS` is a step that no longer applies: `Conflict` (409). The application's `version`
column makes a concurrent update that slipped past the lock (SQLite has no row locks) fail at flush, which
`flush_or_conflict` also turns into a 409.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from talent import workdays
from talent.models import User
from talent.models.applications import Application, StatusChange
from talent.services import Conflict, NotFound
from talent.services.audit import record_event

LOCAL_TIMEZONE = ZoneInfo("Asia/Shanghai")

ENDORSEMENT_WORKING_DAYS = 5
REVIEW_WORKING_DAYS = 10
NOTICE_WORKING_DAYS = 5
# A clock with this many working days left (or fewer) is highlighted as about to run late.
DUE_SOON_WORKING_DAYS = 2


class Status(enum.StrEnum):
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    ENDORSEMENT_DECLINED = "endorsement_declined"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    UNDER_NOTICE = "under_notice"
    GRANTED = "granted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


OPEN_STATUSES = frozenset(
    {
        Status.AWAITING_ENDORSEMENT,
        Status.ENDORSEMENT_DECLINED,
        Status.IN_REVIEW,
        Status.CHANGES_REQUESTED,
        Status.AWAITING_CONFIRMATION,
        Status.UNDER_NOTICE,
    }
)

STATUS_LABELS: dict[str, tuple[str, str]] = {
    Status.AWAITING_ENDORSEMENT: ("待单位确认", "Awaiting employer endorsement"),
    Status.ENDORSEMENT_DECLINED: ("单位未确认", "Employer declined to endorse"),
    Status.IN_REVIEW: ("审核中", "In review"),
    Status.CHANGES_REQUESTED: ("待补正材料", "Changes requested"),
    Status.AWAITING_CONFIRMATION: ("待复核", "Awaiting second approval"),
    Status.UNDER_NOTICE: ("公示中", "Under public notice"),
    Status.GRANTED: ("已认定", "Granted"),
    Status.REJECTED: ("未通过", "Rejected"),
    Status.WITHDRAWN: ("已撤回", "Withdrawn"),
    Status.REVOKED: ("已撤销", "Revoked"),
}

# Who may trigger an action. The calling service checks the concrete person (the owner, the named employer,
# an officer who is not the applicant and, for a confirmation, not the first approver).
OWNER = "owner"
NAMED_EMPLOYER = "named_employer"
OFFICER = "officer"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    source: str | None
    action: str
    target: str
    actor: str
    label: tuple[str, str]


_TABLE: list[Transition] = [
    Transition(None, "submit", Status.AWAITING_ENDORSEMENT, OWNER, ("提交申请", "Application submitted")),
    Transition(Status.AWAITING_ENDORSEMENT, "endorse", Status.IN_REVIEW, NAMED_EMPLOYER,
               ("单位确认", "Endorsed by the employer")),
    Transition(Status.AWAITING_ENDORSEMENT, "decline_endorsement", Status.ENDORSEMENT_DECLINED, NAMED_EMPLOYER,
               ("单位不予确认", "Employer declined to endorse")),
    Transition(Status.ENDORSEMENT_DECLINED, "resubmit", Status.AWAITING_ENDORSEMENT, OWNER,
               ("重新提交", "Resubmitted")),
    Transition(Status.IN_REVIEW, "approve", Status.AWAITING_CONFIRMATION, OFFICER,
               ("初审通过", "Approved, awaiting a second officer")),
    Transition(Status.IN_REVIEW, "reject", Status.REJECTED, OFFICER, ("审核未通过", "Rejected")),
    Transition(Status.IN_REVIEW, "request_changes", Status.CHANGES_REQUESTED, OFFICER,
               ("一次性告知补正", "Changes requested")),
    Transition(Status.AWAITING_CONFIRMATION, "approve", Status.UNDER_NOTICE, OFFICER,
               ("复核通过，开始公示", "Approval confirmed; public notice opened")),
    Transition(Status.AWAITING_CONFIRMATION, "reject", Status.REJECTED, OFFICER,
               ("复核未通过", "Rejected at confirmation")),
    Transition(Status.AWAITING_CONFIRMATION, "request_changes", Status.CHANGES_REQUESTED, OFFICER,
               ("复核要求补正", "Changes requested at confirmation")),
    Transition(Status.CHANGES_REQUESTED, "resubmit", Status.IN_REVIEW, OWNER,
               ("补正后重新提交", "Resubmitted with changes")),
    Transition(Status.UNDER_NOTICE, "uphold_objection", Status.IN_REVIEW, OFFICER,
               ("公示异议成立，重新审核", "Objection upheld; back to review")),
    Transition(Status.UNDER_NOTICE, "close_notice", Status.GRANTED, SYSTEM,
               ("公示期满，予以认定", "Notice period over; granted")),
    Transition(Status.GRANTED, "revoke", Status.REVOKED, OFFICER, ("撤销认定", "Revoked")),
] + [
    Transition(source, "withdraw", Status.WITHDRAWN, OWNER, ("申请人撤回", "Withdrawn by the applicant"))
    for source in (
        Status.AWAITING_ENDORSEMENT, Status.ENDORSEMENT_DECLINED, Status.IN_REVIEW, Status.CHANGES_REQUESTED,
    )
]

TRANSITIONS: dict[tuple[str | None, str], Transition] = {(t.source, t.action): t for t in _TABLE}
ACTION_LABELS: dict[str, tuple[str, str]] = {t.action: t.label for t in _TABLE}


def transition_for(status: str | None, action: str) -> Transition:
    """The transition of `action` from `status`; Conflict when it does not apply (any more)."""
    found = TRANSITIONS.get((status, action))
    if found is None:
        label = STATUS_LABELS.get(status, (status, status))[1] if status else "new"
        raise Conflict(f"This step does not apply to a case that is '{label}'.")
    return found


def allowed_actions(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]


# --- time -----------------------------------------------------------------------------------------------

def today() -> date:
    """Today in Changchun (service clocks and notice periods count local working days)."""
    return datetime.now(LOCAL_TIMEZONE).date()


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; the platform stores UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIMEZONE).date()


def due_after(start: date, working_days: int) -> date | None:
    """`start` + n working days, or None when the holiday calendar does not cover the dates (no false deadline)."""
    try:
        return workdays.add_working_days(start, working_days)
    except workdays.CalendarNotCoveredError:
        return None


@dataclass(frozen=True)
class ServiceClock:
    kind: str | None  # endorsement | review | notice | None
    due_on: date | None
    working_days_left: int | None
    state: str | None  # on_time | due_soon | late | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "working_days_left": self.working_days_left,
            "state": self.state,
        }


NO_CLOCK = ServiceClock(None, None, None, None)


def service_clock(application: Application, on: date | None = None) -> ServiceClock:
    """The running service-time clock of a case: the employer's 5 days, the bureau's 10, or the notice."""
    on = on or today()
    if application.status == Status.AWAITING_ENDORSEMENT:
        kind, due = "endorsement", application.endorsement_due_on
    elif application.status in (Status.IN_REVIEW, Status.AWAITING_CONFIRMATION):
        kind, due = "review", application.review_due_on
    elif application.status == Status.UNDER_NOTICE:
        kind, due = "notice", application.notice_ends_on
    else:
        return NO_CLOCK
    if due is None:
        return ServiceClock(kind, None, None, None)
    try:
        left = workdays.working_days_between(on, due)
    except workdays.CalendarNotCoveredError:
        return ServiceClock(kind, due, None, None)
    if kind == "notice":
        state = "on_time"
    elif due < on:
        state = "late"
    elif left <= DUE_SOON_WORKING_DAYS:
        state = "due_soon"
    else:
        state = "on_time"
    return ServiceClock(kind, due, left, state)


# --- applying a transition ------------------------------------------------------------------------------

def lock_application(session: Session, application_id: int) -> Application:
    """The case, read afresh and locked for this transaction (FOR UPDATE where the database has row locks)."""
    application = session.scalar(
        select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if application is None:
        raise NotFound("No such application.")
    return application


def flush_or_conflict(session: Session, message: str = "Someone else changed this case at the same moment.") -> None:
    """Flush; a lost race (another version of the row, or a second decision for the same round) is a 409."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict(message) from exc


def apply_transition(
    session: Session,
    application: Application,
    action: str,
    actor: User | None,
    *,
    reason: str | None = None,
    items: list[dict[str, Any]] | None = None,
    before: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
) -> StatusChange:
    """Move `application` by `action`: status, timeline entry and audit event, flushed together.

    `before` is the snapshot taken before the caller changed other fields (default: now); `audit_after`
    adds details to the audit event's `after`.
    """
    source = application.status if application.id is not None and application.status else None
    step = transition_for(source, action)
    before = before if before is not None else (application.snapshot() if source else None)
    application.status = step.target
    application.open_owner_id = application.owner_id if step.target in OPEN_STATUSES else None
    if application.id is None:
        session.add(application)
        flush_or_conflict(session, "You already have an open application.")
    change = StatusChange(
        application=application,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_status=source,
        to_status=step.target,
        reason=reason,
        items=items,
    )
    session.add(change)
    after = application.snapshot()
    if audit_after:
        after.update(audit_after)
    record_event(
        session,
        actor=actor,
        action=f"application.{action}",
        entity_type="application",
        entity_id=application.id,
        before=before,
        after=after,
        note=reason,
    )
    flush_or_conflict(session)
    return change
