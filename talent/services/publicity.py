"""Public notice (公示): the public list, objections and their resolution, and closing the periods that are over.

A confirmed approval opens a notice of 5 working days (`reviews.decide_application`). Anyone signed in may object
while it runs; an officer upholds (the case goes back to review) or dismisses. `talent publicity close --as-of
DATE` grants every case whose period is over on DATE and has no pending objection: card and payment schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent import codes
from talent.db import utcnow
from talent.models import User
from talent.models.applications import Application, Objection
from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.names import refusals
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, ServiceError, notifications
from talent.services.applications import remember_person_history
from talent.services.audit import record_event
from talent.services.workflow import (
    REVIEW_WORKING_DAYS,
    Status,
    apply_transition,
    due_after,
    flush_or_conflict,
    lock_application,
    transition_for,
)
from talent.services.workflow import today as local_today

log = logging.getLogger("talent.publicity")

MAX_OBJECTION_LENGTH = AUDIT_NOTE_LENGTH  # the objection is kept whole in the audit note
ALREADY_PENDING = refusals.OBJECTION_PENDING
PENDING, UPHELD, DISMISSED = "pending", "upheld", "dismissed"


@dataclass(frozen=True)
class PublicNotice:
    application_id: int
    case_number: str
    masked_name: str
    employer_name: str
    tier: str | None
    programmes: list[str]
    notice_starts_on: date
    notice_ends_on: date


def public_notices(session: Session, *, today: date | None = None) -> list[PublicNotice]:
    """Cases under public notice, newest first: masked name, employer, tier and programmes only."""
    on = today or local_today()
    found = session.scalars(
        select(Application)
        .where(Application.status == Status.UNDER_NOTICE, Application.notice_ends_on >= on)
        .order_by(Application.notice_starts_on.desc(), Application.id.desc())
    )
    return [
        PublicNotice(
            application_id=application.id,
            case_number=application.number,
            masked_name=codes.mask_name(application.owner.name),
            employer_name=application.employer.name,
            tier=application.tier,
            programmes=application.granted_programmes,
            notice_starts_on=application.notice_starts_on,
            notice_ends_on=application.notice_ends_on,
        )
        for application in found
    ]


def file_objection(
    session: Session, actor: User, application_id: int, *, text: str, today: date | None = None
) -> Objection:
    """Any signed-in person objects to a case while its notice period runs."""
    if actor is None:
        raise NotAllowed("Sign in to object.")
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise InvalidInput("Say what the objection is.", {"text": ["Must not be empty."]})
    if len(text) > MAX_OBJECTION_LENGTH:
        raise InvalidInput("The objection is too long.", {"text": [refusals.TOO_LONG.with_detail(f"At most {MAX_OBJECTION_LENGTH} characters.")]})
    application = lock_application(session, application_id)
    on = today or local_today()
    if application.status != Status.UNDER_NOTICE or application.notice_ends_on is None or on > application.notice_ends_on:
        raise Conflict(refusals.NOT_UNDER_NOTICE)
    # One pending objection per person per case: one account cannot hold a grant up by filing many (the
    # case is locked above, so two at once cannot both pass this check).
    already = session.scalar(
        select(Objection.id).where(
            Objection.application_id == application.id, Objection.author_id == actor.id, Objection.status == PENDING
        )
    )
    if already is not None:
        raise Conflict(ALREADY_PENDING)
    objection = Objection(application=application, author_id=actor.id, text=text, status=PENDING)
    session.add(objection)
    # Touch the case (its version changes), so that closing the notice at the same moment cannot miss it.
    application.updated_at = utcnow()
    flush_or_conflict(session)
    record_event(
        session, actor=actor, action="objection.filed", entity_type="objection", entity_id=objection.id,
        after={"application_id": application.id, "status": PENDING}, note=text,
    )
    flush_or_conflict(session)
    notifications.objection_filed(session, application, actor)
    return objection


def pending_objections(session: Session) -> list[Objection]:
    return list(session.scalars(select(Objection).where(Objection.status == PENDING).order_by(Objection.filed_at)))


def resolve_objection(
    session: Session, actor: User, objection_id: int, *, uphold: bool, reason: str, today: date | None = None
) -> Objection:
    """An officer upholds (the case goes back to review) or dismisses an objection, with a reason."""
    if not actor.is_officer:
        raise NotAllowed("Only officers resolve objections.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("Give the reason.", {"reason": ["Must not be empty."]})
    if len(reason) > AUDIT_NOTE_LENGTH:
        raise InvalidInput("The reason is too long.", {"reason": [f"At most {AUDIT_NOTE_LENGTH} characters."]})
    found = session.get(Objection, objection_id)
    if found is None:
        raise NotFound("No such objection.")
    application = lock_application(session, found.application_id)
    session.refresh(found)
    if application.owner_id == actor.id:
        raise NotAllowed(refusals.OWN_OBJECTION)
    if found.status != PENDING:
        raise Conflict(refusals.OBJECTION_RESOLVED)
    on = today or local_today()
    now = utcnow()
    if uphold:
        before = application.snapshot()
        transition_for(application.status, "uphold_objection")
        # Every objection still pending on the case is settled with it: the case is examined again anyway.
        settled = [o for o in application.objections if o.status == PENDING]
        for objection in settled:
            objection_before = objection.snapshot()
            objection.status = UPHELD
            objection.resolved_by_id = actor.id
            objection.resolved_at = now
            objection.resolution_reason = reason
            record_event(
                session, actor=actor, action="objection.upheld", entity_type="objection", entity_id=objection.id,
                before=objection_before, after={**objection.snapshot(), "application_id": application.id},
                note=reason,
            )
        application.review_round += 1
        application.review_due_on = due_after(on, REVIEW_WORKING_DAYS)
        application.first_approval_by_id = None
        application.first_approval_at = None
        application.confirmed_by_id = None
        application.confirmed_at = None
        application.notice_starts_on = None
        application.notice_ends_on = None
        apply_transition(
            session, application, "uphold_objection", actor, reason=reason, before=before,
            audit_after={"objection_id": found.id},
        )
    else:
        before = found.snapshot()
        found.status = DISMISSED
        found.resolved_by_id = actor.id
        found.resolved_at = now
        found.resolution_reason = reason
        application.updated_at = now
        flush_or_conflict(session)
        record_event(
            session, actor=actor, action="objection.dismissed", entity_type="objection", entity_id=found.id,
            before=before, after={**found.snapshot(), "application_id": application.id}, note=reason,
        )
        flush_or_conflict(session)
    return found


# --- closing the notice periods ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CloseResult:
    application_id: int
    outcome: str  # granted | pending_objection | not_over | not_under_notice | error
    card_number: str | None = None
    message: str = ""


def due_for_closing(session: Session, as_of: date) -> list[int]:
    """Cases under notice whose period is over on `as_of` (its last day has come)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(Application.status == Status.UNDER_NOTICE, Application.notice_ends_on <= as_of)
            .order_by(Application.notice_ends_on, Application.id)
        )
    )


def close_notice(session: Session, application_id: int, *, as_of: date) -> CloseResult:
    """Close one case's notice: grant it (card, payment schedule, person history) unless an objection is pending."""
    from talent.services.cards import create_instalments, issue_card

    application = lock_application(session, application_id)
    if application.status != Status.UNDER_NOTICE:
        return CloseResult(application_id, "not_under_notice")
    if application.notice_ends_on is None or application.notice_ends_on > as_of:
        return CloseResult(application_id, "not_over")
    if any(o.status == PENDING for o in application.objections):
        return CloseResult(application_id, "pending_objection", message="an objection is waiting for a decision")
    before = application.snapshot()
    # The grant takes effect when the period is over, but never later than today: a run with a future --as-of
    # (catching up, or a rehearsal) must not issue a card that is valid only from a future date.
    effective_on = min(as_of, local_today())
    card = issue_card(session, application, on=effective_on)
    instalments = create_instalments(session, application)
    if application.tier:
        remember_person_history(session, application, last_classified_on=effective_on)
    application.granted_at = utcnow()
    apply_transition(
        session, application, "close_notice", None, before=before,
        audit_after={"card_number": card.number if card else None, "instalments": len(instalments),
                     "as_of": as_of.isoformat()},
    )
    return CloseResult(application_id, "granted", card_number=card.number if card else None)


def close_notice_periods(
    transaction: Callable[[], AbstractContextManager[Session]], *, as_of: date, only: Collection[int] | None = None
) -> list[CloseResult]:
    """Close every period that is over on `as_of`, each case in its own transaction (`transaction()` yields a
    session and commits when its block ends), so one failing case leaves the others done and itself untouched.
    With `only`, just those of the given cases (the ones an officer confirmed on the page)."""
    with transaction() as session:
        candidates = due_for_closing(session, as_of)
    if only is not None:
        wanted = set(only)
        candidates = [application_id for application_id in candidates if application_id in wanted]
    results = []
    for application_id in candidates:
        try:
            with transaction() as session:
                results.append(close_notice(session, application_id, as_of=as_of))
        except ServiceError as error:
            results.append(CloseResult(application_id, "error", message=error.message))
        except Exception:  # one broken case must not stop the batch; its transaction was rolled back
            log.exception("closing the notice of application %s failed", application_id)
            results.append(CloseResult(application_id, "error", message="unexpected error; see the log"))
    return results
