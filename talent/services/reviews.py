"""Review by officers: the queue with its service clocks, decisions (four eyes on approvals), the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from talent import workdays
from talent.db import utcnow
from talent.models import AuditEvent, User
from talent.models.applications import Application, ApplicationDocument, Objection, ReviewDecision
from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.models.cards import Card, Instalment
from talent.names import refusals
from talent.services import Conflict, InvalidInput, NotAllowed, queue_search
from talent.services.applications import PROGRAMME_KEYS, remember_person_history
from talent.services.paging import MAX_PAGE
from talent.services.workflow import (
    NOTICE_WORKING_DAYS,
    STATUS_LABELS,
    ServiceClock,
    Status,
    apply_transition,
    local_date,
    lock_application,
    service_clock,
    transition_for,
)
from talent.services.workflow import today as local_today

OUTCOMES = ("approve", "reject", "request_changes")
QUEUE_STATUSES = (Status.IN_REVIEW, Status.AWAITING_CONFIRMATION)
QUEUE_SORTS = ("oldest", "newest", "due")
TIERS = ("A", "B", "C", "none")
MAX_REASON_LENGTH = AUDIT_NOTE_LENGTH  # the reason is kept whole in the audit note
MAX_ITEMS = 50


# --- the queue --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    application: Application
    clock: ServiceClock
    age_days: int  # calendar days since submission
    pending_objections: int


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _require_officer(actor: User) -> None:
    if not actor.is_officer:
        raise NotAllowed("Only officers review applications.")


def review_queue(
    session: Session, actor: User, *, status: str | None = None, tier: str | None = None,
    programme: str | None = None, sort: str = "oldest", page: int = 1, per_page: int = 20,
    today: date | None = None, search: str | None = None, district: str | None = None,
) -> QueuePage:
    """Cases for officers: by default those waiting for a review decision or a confirmation, oldest first."""
    _require_officer(actor)
    errors: dict[str, list[str]] = {}
    if status is not None and status not in STATUS_LABELS:
        errors["status"] = [f"Must be one of: {', '.join(STATUS_LABELS)}."]
    if tier is not None and tier not in TIERS:
        errors["tier"] = [f"Must be one of: {', '.join(TIERS)}."]
    if programme is not None and programme not in PROGRAMME_KEYS:
        errors["programme"] = [f"Must be one of: {', '.join(PROGRAMME_KEYS)}."]
    errors.update(queue_search.check(search, district))
    if sort not in QUEUE_SORTS + queue_search.EXTRA_SORTS:
        errors["sort"] = [f"Must be one of: {', '.join(QUEUE_SORTS + queue_search.EXTRA_SORTS)}."]
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = [f"Must be between 1 and {MAX_PAGE}."]
    if not 1 <= per_page <= 100:
        errors["per_page"] = ["Must be between 1 and 100."]
    if errors:
        raise InvalidInput("The queue filter is not valid.", errors)
    on = today or local_today()

    conditions = [Application.status == status] if status else [Application.status.in_(list(QUEUE_STATUSES))]
    if tier == "none":
        conditions.append(Application.tier.is_(None))
    elif tier:
        conditions.append(Application.tier == tier)
    if programme:
        conditions.append(Application.programmes.contains(f",{programme},"))
    conditions += queue_search.conditions(search, district)
    where = and_(*conditions)
    # The applicant, employer and identity tables are joined only when a search, a district or a sort by name
    # needs them: the plain queue (the officers' first page) counts and pages over applications alone.
    needs_join = bool((search or "").strip() or district or sort in queue_search.EXTRA_SORTS)

    def scoped(statement: Any) -> Any:
        return queue_search.joined(statement) if needs_join else statement

    total = session.scalar(scoped(select(func.count()).select_from(Application)).where(where)) or 0
    order = {
        "oldest": [Application.submitted_at.asc(), Application.id.asc()],
        "newest": [Application.submitted_at.desc(), Application.id.desc()],
        # Cases without a running clock sort last on both backends.
        "due": [Application.review_due_on.is_(None), Application.review_due_on.asc(), Application.id.asc()],
    }.get(sort) or queue_search.order(sort)
    rows = list(
        session.scalars(scoped(select(Application)).where(where).order_by(*order)
                        .offset((page - 1) * per_page).limit(per_page)
                        # the page shows each case's applicant and employer: two queries, not two per row
                        .options(selectinload(Application.owner), selectinload(Application.employer),
                                 # and none of the cases' facts or decisions (large JSON, read when opened)
                                 defer(Application.facts), defer(Application.decision),
                                 defer(Application.requested_items)))
    )
    pending = dict(
        session.execute(
            select(Objection.application_id, func.count())
            .where(Objection.application_id.in_([a.id for a in rows]), Objection.status == "pending")
            .group_by(Objection.application_id)
        ).all()
    ) if rows else {}
    items = [
        QueueItem(
            application=application,
            clock=service_clock(application, on),
            age_days=(on - local_date(application.submitted_at)).days,
            pending_objections=pending.get(application.id, 0),
        )
        for application in rows
    ]
    return QueuePage(items=items, page=page, per_page=per_page, total=total)


def queue_item_view(item: QueueItem) -> dict[str, Any]:
    application = item.application
    return {
        "id": application.id,
        "number": application.number,
        "applicant": application.owner.name,
        "employer": application.employer.name,
        "status": application.status,
        "status_label": dict(zip(("zh", "en"), STATUS_LABELS[application.status], strict=True)),
        "tier": application.tier,
        "programmes": application.granted_programmes,
        "policy": application.policy_id,
        "submitted_at": application.submitted_at.isoformat(),
        "age_days": item.age_days,
        "clock": item.clock.as_dict(),
        "awaiting_second_officer": application.status == Status.AWAITING_CONFIRMATION,
        "first_approval_by_id": application.first_approval_by_id,
        "pending_objections": item.pending_objections,
    }


# --- decisions ---------------------------------------------------------------------------------------------

def _checked_items(items: Any, outcome: str) -> list[dict[str, str]] | None:
    if outcome != "request_changes":
        if items:
            raise InvalidInput("Items belong to a request for changes.", {"items": ["Only for request_changes."]})
        return None
    if not isinstance(items, list) or not items:
        raise InvalidInput(
            "List every missing or wrong item at once.",
            {"items": ["A request for changes lists every missing or wrong item (一次性告知)."]},
        )
    if len(items) > MAX_ITEMS:
        raise InvalidInput("Too many items.", {"items": [refusals.TOO_LONG.with_detail(f"At most {MAX_ITEMS}.")]})
    errors: dict[str, list[str]] = {}
    checked = []
    for index, item in enumerate(items):
        field = item.get("field") if isinstance(item, dict) else None
        problem = item.get("problem") if isinstance(item, dict) else None
        if not isinstance(field, str) or not field.strip():
            errors[f"items.{index}.field"] = ["Name the fact or document (e.g. employment.contract_years, documents)."]
        if not isinstance(problem, str) or not problem.strip():
            errors[f"items.{index}.problem"] = ["Say what is missing or wrong."]
        if f"items.{index}.field" not in errors and f"items.{index}.problem" not in errors:
            checked.append({"field": field.strip(), "problem": problem.strip()})
    if errors:
        raise InvalidInput("Each item needs a field and a problem.", errors)
    return checked


def _fields_open_for_request(application: Application) -> set[str] | None:
    """After a request for changes, which fields may be asked about again (None: anything, first request).

    一次性告知: the first request lists everything; later rounds may only repeat an item that was not fixed or
    ask about a fact the applicant changed. An upheld objection brings new information, so it resets the rule.
    """
    changes = application.status_changes
    last_request = max((c.id for c in changes if c.action == "request_changes"), default=None)
    if last_request is None:
        return None
    if any(c.action == "uphold_objection" and c.id > last_request for c in changes):
        return None
    allowed: set[str] = set()
    for change in changes:
        if change.action in ("request_changes", "resubmit") and change.items:
            allowed.update(item["field"] for item in change.items if "field" in item)
    return allowed


def decide_application(
    session: Session, actor: User, application_id: int, *, outcome: str, reason: str,
    items: list[dict[str, Any]] | None = None, today: date | None = None, expected_version: int | None = None,
) -> Application:
    """approve | reject | request_changes, each with a reason the applicant reads.

    On a case in review, an approval waits for a second, different officer; that officer's approval opens the
    public notice. An officer never decides their own application.
    """
    _require_officer(actor)
    if outcome not in OUTCOMES:
        raise InvalidInput("Unknown outcome.", {"outcome": [f"Must be one of: {', '.join(OUTCOMES)}."]})
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("Give the reason the applicant will read.", {"reason": ["Must not be empty."]})
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput("The reason is too long.", {"reason": [refusals.TOO_LONG.with_detail(f"At most {MAX_REASON_LENGTH} characters.")]})
    checked_items = _checked_items(items, outcome)

    # The state the officer's request found on arrival, read before waiting for the row lock: if another
    # officer's decision lands while this one waits, this one was taken on a state that no longer holds (an
    # approval meant as the first one must not silently become the confirmation) → 409.
    seen = session.execute(
        select(Application.status, Application.version).where(Application.id == application_id)
    ).one_or_none()
    application = lock_application(session, application_id)
    if seen is not None and (application.status, application.version) != (seen[0], seen[1]):
        raise Conflict(refusals.CONCURRENT_DECISION)
    if expected_version is not None and application.version != expected_version:
        raise Conflict(refusals.STALE_CASE)
    if application.owner_id == actor.id:
        raise NotAllowed(refusals.OWN_APPLICATION)
    source = application.status
    transition_for(source, outcome)
    stage = "second" if source == Status.AWAITING_CONFIRMATION else "first"
    if stage == "second" and application.first_approval_by_id == actor.id:
        raise Conflict(refusals.SECOND_OFFICER_REQUIRED)
    if checked_items is not None:
        allowed = _fields_open_for_request(application)
        if allowed is not None:
            errors = {
                f"items.{i}.field": [refusals.NOT_LISTED_BEFORE]
                for i, item in enumerate(checked_items) if item["field"] not in allowed
            }
            if errors:
                raise InvalidInput("All items must be requested at once.", errors)

    on = today or local_today()
    before = application.snapshot()
    now = utcnow()
    session.add(
        ReviewDecision(
            application=application, officer_id=actor.id, review_round=application.review_round,
            stage=stage, outcome=outcome, reason=reason, items=checked_items, decided_at=now,
        )
    )
    if outcome == "approve" and stage == "first":
        application.first_approval_by_id = actor.id
        application.first_approval_at = now
    elif outcome == "approve":
        application.confirmed_by_id = actor.id
        application.confirmed_at = now
        application.decided_at = now
        application.outcome_reason = reason
        application.notice_starts_on = on
        application.notice_ends_on = workdays.add_working_days(on, NOTICE_WORKING_DAYS)
    else:
        application.decided_at = now
        application.outcome_reason = reason
        if outcome == "request_changes":
            application.requested_items = checked_items
        else:
            remember_person_history(session, application, last_rejected_on=on)
    apply_transition(
        session, application, outcome, actor, reason=reason, items=checked_items, before=before,
        audit_after={"outcome": outcome, "stage": stage},
    )
    return application


# --- audit trail -------------------------------------------------------------------------------------------

def case_audit_trail(session: Session, application: Application) -> list[AuditEvent]:
    """Every audit event of the case: the application, its documents, objections, card and instalments."""
    def ids(model: Any) -> list[str]:
        return [str(i) for i in session.scalars(select(model.id).where(model.application_id == application.id))]

    conditions = [and_(AuditEvent.entity_type == "application", AuditEvent.entity_id == str(application.id))]
    for entity_type, model in (("document", ApplicationDocument), ("objection", Objection), ("card", Card),
                               ("instalment", Instalment)):
        found = ids(model)
        if found:
            conditions.append(and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(found)))
    return list(session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.occurred_at, AuditEvent.id)))


def audit_event_view(event: AuditEvent, actors: dict[int, User]) -> dict[str, Any]:
    actor = actors.get(event.actor_id) if event.actor_id else None
    return {
        "id": event.id,
        "at": event.occurred_at.isoformat(),
        "action": event.action,
        "entity": {"type": event.entity_type, "id": event.entity_id},
        "actor": {"id": actor.id, "name": actor.name, "role": actor.role.value} if actor else None,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


def case_audit_view(session: Session, application: Application) -> list[dict[str, Any]]:
    events = case_audit_trail(session, application)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    return [audit_event_view(event, actors) for event in events]

