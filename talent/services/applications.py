"""Applications: submission (decided by the rule engine), employer endorsement, resubmission, withdrawal, and the
views the API and the pages show. The status moves only through `talent.services.workflow`.

The facts keep the ID number as the applicant gave it (it is their record); nothing here returns it in full:
`application_view` masks it, the decision never contains it, and audit snapshots never contain the facts.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent import codes
from talent.db import utcnow
from talent.models import Employer, Role, User
from talent.models.applications import Application, PersonRecord, StatusChange
from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.models.identities import Identity
from talent.names import refusals
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, identities
from talent.services.eligibility import EligibilityInputError, assess_facts
from talent.services.employers import employer_by_credit_code
from talent.services.workflow import (
    ACTION_LABELS,
    ENDORSEMENT_WORKING_DAYS,
    OPEN_STATUSES,
    REVIEW_WORKING_DAYS,
    STATUS_LABELS,
    TRANSITIONS,
    Status,
    allowed_actions,
    apply_transition,
    due_after,
    lock_application,
    service_clock,
    transition_for,
)
from talent.services.workflow import today as local_today

PROGRAMME_KEYS = (
    "privilege_card", "housing_subsidy", "living_allowance", "purchase_measure_2022q3", "youth_apartment",
)
HISTORY_FIELDS = ("last_classified_on", "last_rejected_on", "revoked_on")
MAX_COMMENT_LENGTH = AUDIT_NOTE_LENGTH  # the comment is kept whole in the audit note


# --- person history (docs/policy.md §2 G6) -------------------------------------------------------------------

def recorded_history(session: Session, identity: Identity | None) -> dict[str, date]:
    """The latest date of each history fact recorded for this person (found by the ID number, whatever the
    account)."""
    found: dict[str, date] = {}
    if identity is None:
        return found
    record = session.scalar(select(PersonRecord).where(PersonRecord.id_digest == identity.id_digest))
    if record is not None:
        for name in HISTORY_FIELDS:
            value = getattr(record, name)
            if value is not None:
                found[name] = value
    return found


def remember_person_history(session: Session, application: Application, **dates: date) -> PersonRecord:
    """Record history dates (`last_rejected_on=…`, …) for the person of `application` (later dates win).
    Written on this person's record only: the one of the application's ID number."""
    record = identities.person_record(session, application)
    if record is None:
        digest = application.identity.id_digest if application.identity is not None else None
        record = PersonRecord(user_id=None if digest else application.owner_id, id_digest=digest)
        session.add(record)
    for name, value in dates.items():
        current = getattr(record, name)
        if current is None or value > current:
            setattr(record, name, value)
    session.flush()
    return record


def _merge_history(facts: dict[str, Any], recorded: dict[str, date]) -> dict[str, Any]:
    """Put the recorded history into the facts where it is later than what the applicant gave."""
    if not recorded:
        return facts
    history = facts.get("history")
    if history is None:
        history = {}
    if not isinstance(history, dict):
        return facts  # the engine refuses it with the field path
    history = dict(history)
    for name, value in recorded.items():
        given = history.get(name)
        if given is None:
            history[name] = value.isoformat()
            continue
        try:
            given_date = date.fromisoformat(given) if isinstance(given, str) else None
        except ValueError:
            continue  # malformed: let the engine report it
        if given_date is not None and value > given_date:
            history[name] = value.isoformat()
    facts["history"] = history
    return facts


# --- deciding facts -------------------------------------------------------------------------------------

def _decide(facts: Any, *, on: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and decide; refusals are keyed `facts.<path>` (API.md)."""
    if not isinstance(facts, dict):
        raise InvalidInput("The facts must be an object.", {"facts": ["Must be an object (docs/policy.md §7)."]})
    facts = copy.deepcopy(facts)
    facts.setdefault("application_date", on.isoformat())
    try:
        decision = assess_facts(facts, reasons=True)
    except EligibilityInputError as error:
        errors = {("facts" if path == "_schema" else f"facts.{path}"): messages for path, messages in error.errors.items()}
        raise InvalidInput("The facts are not valid: see errors for each field.", errors) from None
    return facts, decision


def _eligible_programmes(decision: dict[str, Any]) -> list[str]:
    programmes = decision.get("programmes", {})
    return [key for key in PROGRAMME_KEYS if programmes.get(key, {}).get("eligible")]


def _apply_decision(application: Application, facts: dict[str, Any], decision: dict[str, Any],
                    identity: Identity) -> None:
    # The ID number is kept encrypted in `identities`, never in the facts (the engine saw it in memory).
    application.facts = identities.without_id_number(facts)
    application.identity_id = identity.id
    application.identity = identity
    application.decision = decision
    application.policy_id = decision["policy"]
    application.tier = decision.get("tier")
    application.programmes = "," + ",".join(_eligible_programmes(decision)) + ","
    application.application_date = date.fromisoformat(decision["application_date"])


def _named_employer(session: Session, credit_code: Any) -> Employer:
    if not isinstance(credit_code, str) or not credit_code.strip():
        raise InvalidInput("Name the employer.", {"employer_credit_code": [refusals.CREDIT_CODE_REQUIRED]})
    employer = employer_by_credit_code(session, credit_code)
    if employer is None:
        raise InvalidInput(
            "No employer is registered with this credit code.",
            {"employer_credit_code": [refusals.UNKNOWN_EMPLOYER]},
        )
    if not employer.is_verified:
        raise InvalidInput(
            "The employer has not been verified yet.",
            {"employer_credit_code": [refusals.EMPLOYER_NOT_VERIFIED]},
        )
    return employer


def _decided_facts(
    session: Session, owner: User, facts: Any, on: date
) -> tuple[dict[str, Any], dict[str, Any], Identity]:
    """Decide the facts with the person's recorded history; the ID number is required and must be this
    account's (the first account to apply with a number owns it)."""
    if not isinstance(facts, dict):
        raise InvalidInput("The facts must be an object.", {"facts": ["Must be an object (docs/policy.md §7)."]})
    number = facts.get("id_number")
    if not isinstance(number, str) or not number.strip():
        raise InvalidInput("The ID number is required.", {"facts.id_number": [identities.REQUIRED]})
    if not codes.is_valid_id_number(number):
        _decide(facts, on=on)  # the engine names what is wrong with the number (and anything else)
        raise InvalidInput("The ID number is not valid.", {"facts.id_number": ["Not a valid resident ID number."]})
    identity = identities.identity_for(session, owner, number)
    facts = copy.deepcopy(facts)
    facts["id_number"] = codes.normalise_id_number(number)
    facts = _merge_history(facts, recorded_history(session, identity))
    checked, decision = _decide(facts, on=on)
    return checked, decision, identity


# --- use cases ------------------------------------------------------------------------------------------

def open_application_of(session: Session, actor: User) -> Application | None:
    return session.scalar(
        select(Application).where(Application.owner_id == actor.id, Application.status.in_(list(OPEN_STATUSES)))
    )


def submit_application(
    session: Session, actor: User, *, facts: Any, employer_credit_code: Any, today: date | None = None
) -> Application:
    """An applicant applies: facts decided by the rule engine, the employer named by its credit code."""
    if actor.role != Role.APPLICANT:
        raise NotAllowed("Only applicant accounts apply.")
    on = today or local_today()
    errors: dict[str, list[str]] = {}
    decided: tuple[dict[str, Any], dict[str, Any], Identity] | None = None
    employer: Employer | None = None
    # Collect both kinds of problems, so the applicant fixes everything in one go.
    try:
        decided = _decided_facts(session, actor, facts, on)
    except identities.IdentityTaken:
        raise
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        employer = _named_employer(session, employer_credit_code)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput("The application is not valid: see errors for each field.", errors)
    assert decided is not None and employer is not None
    if open_application_of(session, actor) is not None:
        raise Conflict(refusals.OPEN_APPLICATION)
    application = Application(owner_id=actor.id, employer_id=employer.id, submitted_at=utcnow(), review_round=1)
    _apply_decision(application, *decided)
    application.endorsement_due_on = due_after(on, ENDORSEMENT_WORKING_DAYS)
    apply_transition(
        session, application, "submit", actor,
        audit_after={"eligible_programmes": application.granted_programmes},
    )
    return application


def get_application(session: Session, actor: User, application_id: int) -> Application:
    """The case, for its owner or an officer."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("No such application.")
    if not (actor.is_officer or application.owner_id == actor.id):
        raise NotAllowed(refusals.CASE_VIEW_FORBIDDEN)
    return application


def applications_of(session: Session, actor: User) -> list[Application]:
    return list(
        session.scalars(
            select(Application).where(Application.owner_id == actor.id).order_by(Application.id.desc())
        )
    )


def _require_named_employer(application: Application, actor: User) -> None:
    employer = application.employer
    if actor.role != Role.EMPLOYER or employer.owner_id != actor.id or not employer.is_verified:
        raise NotAllowed(refusals.NAMED_EMPLOYER_ONLY)


def endorsements_for(session: Session, actor: User, *, pending_only: bool = False) -> list[Application]:
    """Cases that name an organisation this employer account acts for (pending first, then newest)."""
    if actor.role != Role.EMPLOYER:
        raise NotAllowed("Only employer accounts endorse applications.")
    query = (
        select(Application)
        .join(Employer, Application.employer_id == Employer.id)
        .where(Employer.owner_id == actor.id)
        .order_by(Application.id.desc())
    )
    if pending_only:
        query = query.where(Application.status == Status.AWAITING_ENDORSEMENT)
    found = list(session.scalars(query))
    found.sort(key=lambda a: a.status != Status.AWAITING_ENDORSEMENT)
    return found


def get_application_for_endorsement(session: Session, actor: User, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("No such application.")
    _require_named_employer(application, actor)
    return application


def endorse_application(
    session: Session, actor: User, application_id: int, *, endorse: bool, comment: str | None,
    today: date | None = None,
) -> Application:
    """The named employer endorses (the case goes to review) or declines with a comment."""
    application = lock_application(session, application_id)
    _require_named_employer(application, actor)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput("The comment is too long.", {"comment": [refusals.TOO_LONG.with_detail(f"At most {MAX_COMMENT_LENGTH} characters.")]})
    if not endorse and not comment:
        raise InvalidInput("Say why you decline.", {"comment": [refusals.DECLINE_REASON_REQUIRED]})
    before = application.snapshot()
    action = "endorse" if endorse else "decline_endorsement"
    transition_for(application.status, action)  # 409 before anything changes
    on = today or local_today()
    application.endorsement_comment = comment or None
    if endorse:
        application.endorsed_at = utcnow()
        application.endorsed_by_id = actor.id
        application.review_due_on = due_after(on, REVIEW_WORKING_DAYS)
    apply_transition(session, application, action, actor, reason=comment or None, before=before)
    return application


def _changed_fact_paths(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    changed = []
    for key in sorted(set(old) | set(new)):
        path = f"{prefix}{key}"
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed.extend(_changed_fact_paths(a, b, f"{path}."))
        elif a != b:
            changed.append(path)
    return changed


def resubmit_application(
    session: Session, actor: User, application_id: int, *, facts: Any = None, employer_credit_code: Any = None,
    note: str | None = None, today: date | None = None,
) -> Application:
    """After a request for changes (back to review) or a declined endorsement (back to the employer).

    `facts` replaces the facts when given (re-decided by the engine; without an `id_number` the one on file is
    kept); documents are uploaded separately before resubmitting. The employer may be changed only after it
    declined.
    """
    application = lock_application(session, application_id)
    if application.owner_id != actor.id:
        raise NotAllowed("Only the applicant may resubmit the application.")
    step = transition_for(application.status, "resubmit")
    on = today or local_today()
    before = application.snapshot()
    errors: dict[str, list[str]] = {}
    employer = application.employer
    if employer_credit_code is not None and employer_credit_code.strip().upper() != employer.credit_code:
        if application.status != Status.ENDORSEMENT_DECLINED:
            errors["employer_credit_code"] = [
                refusals.EMPLOYER_CHANGE_NOT_ALLOWED
            ]
        else:
            try:
                employer = _named_employer(session, employer_credit_code)
            except InvalidInput as error:
                errors.update(error.errors)
    decided = None
    on_file = identities.id_number_of(application)
    if isinstance(facts, dict) and not facts.get("id_number") and on_file:
        # Facts coming back from the eligibility checker never carry the ID number (it is not kept in the
        # session): the person has not changed, so keep the one on file.
        facts = {**facts, "id_number": on_file}
    if facts is not None:
        try:
            decided = _decided_facts(session, actor, facts, on)
        except identities.IdentityTaken:
            raise
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput("The resubmission is not valid: see errors for each field.", errors)
    note = (note or "").strip() or None
    if note is not None and len(note) > AUDIT_NOTE_LENGTH:
        raise InvalidInput("The note is too long.", {"note": [f"At most {AUDIT_NOTE_LENGTH} characters."]})
    changed: list[str] = []
    if decided is not None:
        changed = _changed_fact_paths(identities.full_facts(application), decided[0])
        _apply_decision(application, *decided)
    if employer.id != application.employer_id:
        changed.append("employer")
        application.employer_id = employer.id
        application.employer = employer
    if step.target == Status.AWAITING_ENDORSEMENT:
        application.endorsement_due_on = due_after(on, ENDORSEMENT_WORKING_DAYS)
        application.endorsed_at = None
        application.endorsed_by_id = None
        application.endorsement_comment = None
    else:
        application.review_round += 1
        application.review_due_on = due_after(on, REVIEW_WORKING_DAYS)
        application.first_approval_by_id = None
        application.first_approval_at = None
    apply_transition(
        session, application, "resubmit", actor, reason=note,
        items=[{"field": path} for path in changed] or None, before=before,
        audit_after={"changed": changed},
    )
    return application


def withdraw_application(session: Session, actor: User, application_id: int) -> Application:
    application = lock_application(session, application_id)
    if application.owner_id != actor.id:
        raise NotAllowed("Only the applicant may withdraw the application.")
    before = application.snapshot()
    transition_for(application.status, "withdraw")
    application.withdrawn_at = utcnow()
    apply_transition(session, application, "withdraw", actor, before=before)
    return application


# --- views ------------------------------------------------------------------------------------------------

def masked_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts with the ID number masked (first 6 and last 4 characters)."""
    shown = copy.deepcopy(facts)
    if isinstance(shown.get("id_number"), str):
        shown["id_number"] = codes.mask_id_number(shown["id_number"])
    return shown


def prefill_facts(checker_facts: dict[str, Any] | None) -> dict[str, Any]:
    """The eligibility checker's last facts as the starting point of an application form."""
    facts = copy.deepcopy(checker_facts or {})
    facts.pop("application_date", None)  # the application is dated the day it is submitted
    return facts


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None, viewer: User) -> dict[str, Any] | None:
    if user is None:
        return None
    if viewer.is_officer or user.id == viewer.id:
        return {"id": user.id, "name": user.name, "role": user.role.value}
    # Applicants see which office acted, not which officer.
    return {"role": user.role.value}


def step_label(change: StatusChange) -> tuple[str, str]:
    """(zh, en) name of a timeline step; `approve` reads differently as a first approval and as a confirmation."""
    transition = TRANSITIONS.get((change.from_status, change.action))
    return transition.label if transition is not None else ACTION_LABELS[change.action]


def history_view(application: Application, viewer: User) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(change.at),
            "action": change.action,
            "label": dict(zip(("zh", "en"), step_label(change), strict=True)),
            "from": change.from_status,
            "to": change.to_status,
            "reason": change.reason,
            "items": change.items,
            "actor": _person(change.actor, viewer),
        }
        for change in application.status_changes
    ]


def application_view(application: Application, viewer: User, *, today: date | None = None) -> dict[str, Any]:
    """The application as the API returns it (and the pages may use): ID number masked."""
    from talent.services.cards import instalment_view, revocation_view

    on = today or local_today()
    officer = viewer.is_officer
    decision = copy.deepcopy(application.decision)
    card = application.card
    view: dict[str, Any] = {
        "id": application.id,
        "number": application.number,
        "status": application.status,
        "status_label": dict(zip(("zh", "en"), STATUS_LABELS[application.status], strict=True)),
        "applicant": {"id": application.owner.id, "name": application.owner.name},
        "employer": {
            "id": application.employer.id,
            "name": application.employer.name,
            "credit_code": application.employer.credit_code,
        },
        "facts": masked_facts(identities.full_facts(application)),
        "decision": decision,
        "policy": application.policy_id,
        "tier": application.tier,
        "programmes": application.granted_programmes,
        "application_date": _iso(application.application_date),
        "review_round": application.review_round,
        "version": application.version,
        "submitted_at": _iso(application.submitted_at),
        "endorsed_at": _iso(application.endorsed_at),
        "endorsement_comment": application.endorsement_comment,
        "endorsement_due_on": _iso(application.endorsement_due_on),
        "review_due_on": _iso(application.review_due_on),
        "first_approval_at": _iso(application.first_approval_at),
        "confirmed_at": _iso(application.confirmed_at),
        "decided_at": _iso(application.decided_at),
        "outcome_reason": application.outcome_reason,
        "requested_items": application.requested_items,
        "notice_starts_on": _iso(application.notice_starts_on),
        "notice_ends_on": _iso(application.notice_ends_on),
        "granted_at": _iso(application.granted_at),
        "clock": service_clock(application, on).as_dict(),
        "history": history_view(application, viewer),
        "documents": [
            {
                "id": document.id,
                "name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "uploaded_at": _iso(document.uploaded_at),
            }
            for document in application.documents
        ],
        "card": {"number": card.number, "verification_code": card.verification_code,
                 "status": card.effective_status(on)} if card is not None else None,
        "instalments": [instalment_view(instalment) for instalment in application.instalments],
        "revocation": revocation_view(application.revocation) if application.revocation else None,
        "allowed_actions": allowed_actions(application.status),
    }
    if officer:
        view["first_approval_by"] = _person(application.first_approval_by, viewer)
        view["confirmed_by"] = _person(application.confirmed_by, viewer)
        view["objections"] = [
            {
                "id": objection.id,
                "text": objection.text,
                "filed_at": _iso(objection.filed_at),
                "author": _person(objection.author, viewer),
                "status": objection.status,
                "resolved_at": _iso(objection.resolved_at),
                "resolution_reason": objection.resolution_reason,
            }
            for objection in application.objections
        ]
        view["decisions"] = [
            {
                "officer": _person(decision_row.officer, viewer),
                "review_round": decision_row.review_round,
                "stage": decision_row.stage,
                "outcome": decision_row.outcome,
                "reason": decision_row.reason,
                "items": decision_row.items,
                "decided_at": _iso(decision_row.decided_at),
            }
            for decision_row in application.decisions
        ]
    else:
        # The applicant learns that an objection was filed and how it ended, not who filed it.
        view["objections"] = [
            {"id": o.id, "filed_at": _iso(o.filed_at), "status": o.status, "resolution_reason": o.resolution_reason}
            for o in application.objections
        ]
    return view


def employer_view(application: Application, *, today: date | None = None) -> dict[str, Any]:
    """What the named employer sees: who applies and the employment facts, never the ID number."""
    facts = application.facts
    return {
        "id": application.id,
        "number": application.number,
        "status": application.status,
        "status_label": dict(zip(("zh", "en"), STATUS_LABELS[application.status], strict=True)),
        "applicant": {"name": application.owner.name},
        "employer": {"id": application.employer.id, "name": application.employer.name,
                     "credit_code": application.employer.credit_code},
        "employment": copy.deepcopy(facts.get("employment") or {}),
        "tier": application.tier,
        "programmes": application.granted_programmes,
        "submitted_at": _iso(application.submitted_at),
        "endorsement_due_on": _iso(application.endorsement_due_on),
        "endorsed_at": _iso(application.endorsed_at),
        "endorsement_comment": application.endorsement_comment,
        "clock": service_clock(application, today).as_dict() if application.status == Status.AWAITING_ENDORSEMENT else None,
    }
