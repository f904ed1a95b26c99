"""Services for card holders (特事特办, docs/policy.md §10): requests, partner organisations, uses at the desk.

A holder of an active card opens a request for a service the card lists. It is routed to the first verified
partner organisation that provides the service (by id), otherwise to the bureau's service officers. Handlers
accept, ask for information (the clock stops until the holder answers: the due date moves by the working days
it was stopped), complete, or decline with a reason. The clock is the service's working days (`talent.workdays`).
`escalate_overdue` (daily: `talent services escalate`) flags open, running requests past their due date and mails
the lead officers (accounts with the admin role). A revoked card closes its open requests (`close_requests_of_card`,
called by the revocation); an expired one is closed by `close_requests_of_expired_cards` (daily, same command).
Partner staff see only the requests routed to their organisation, and the holder's name masked.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent import codes, workdays
from talent.db import utcnow
from talent.models import Role, User
from talent.models.cards import CARD_ACTIVE, Card
from talent.models.service_requests import (
    OPEN_REQUEST_STATUSES,
    REQUEST_ACCEPTED,
    REQUEST_CLOSED,
    REQUEST_COMPLETED,
    REQUEST_DECLINED,
    REQUEST_INFO_REQUESTED,
    REQUEST_SUBMITTED,
    PartnerOrganisation,
    PartnerStaff,
    ServiceRequest,
    ServiceUse,
)
from talent.names import refusals
from talent.rules import SERVICES
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.uploads import ALLOWED_TYPES, UploadTooLarge, detect_content_type, safe_display_name
from talent.services.workflow import flush_or_conflict
from talent.services.workflow import today as local_today

# docs/policy.md §10: handling time in working days; every other service 5.
WORKING_DAYS = {"school_placement": 15, "spouse_employment": 20, "hospital_green_channel": 2,
                "family_medical_channel": 2}
DEFAULT_WORKING_DAYS = 5
DESCRIPTION_MAX = 2000


def working_days_for(service: str) -> int:
    return WORKING_DAYS.get(service, DEFAULT_WORKING_DAYS)


# --- partner organisations -----------------------------------------------------------------------------------

def _check_services(services: Any) -> list[str]:
    if not isinstance(services, list) or not services or any(s not in SERVICES for s in services):
        raise InvalidInput("Name the services the organisation provides.",
                           {"services": [f"A non-empty list of: {', '.join(SERVICES)}."]})
    return list(dict.fromkeys(services))


def create_partner(session: Session, actor: User, *, name: str, services: list[str]) -> PartnerOrganisation:
    if not actor.is_officer:
        raise NotAllowed("Only officers create partner organisations.")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the organisation.", {"name": ["Must not be empty."]})
    if session.scalar(select(PartnerOrganisation.id).where(PartnerOrganisation.name == name)):
        raise Conflict("An organisation with this name exists.", {"name": ["Already registered."]})
    partner = PartnerOrganisation(name=name, services=_check_services(services), created_by_id=actor.id)
    session.add(partner)
    flush_or_conflict(session, "An organisation with this name exists.")
    record_event(session, actor=actor, action="partner.created", entity_type="partner", entity_id=partner.id,
                 after=partner.snapshot())
    session.flush()
    return partner


def verify_partner(session: Session, actor: User, partner_id: int) -> PartnerOrganisation:
    if not actor.is_officer:
        raise NotAllowed("Only officers verify partner organisations.")
    partner = session.get(PartnerOrganisation, partner_id)
    if partner is None:
        raise NotFound("No such partner organisation.")
    if partner.is_verified:
        raise Conflict("The organisation is already verified.")
    before = partner.snapshot()
    partner.verified_at = utcnow()
    partner.verified_by_id = actor.id
    record_event(session, actor=actor, action="partner.verified", entity_type="partner", entity_id=partner.id,
                 before=before, after=partner.snapshot())
    session.flush()
    return partner


def add_partner_staff(
    session: Session, actor: User, partner_id: int, *, email: str, name: str, password: str
) -> User:
    """An officer creates a `partner` account for an organisation's staff member."""
    from talent.services.accounts import create_user

    if not actor.is_officer:
        raise NotAllowed("Only officers create partner accounts.")
    partner = session.get(PartnerOrganisation, partner_id)
    if partner is None:
        raise NotFound("No such partner organisation.")
    user = create_user(session, email=email, password=password, name=name, role=Role.PARTNER, actor=actor)
    session.add(PartnerStaff(user_id=user.id, partner_id=partner.id))
    record_event(session, actor=actor, action="partner.staff_added", entity_type="partner", entity_id=partner.id,
                 after={"user_id": user.id})
    session.flush()
    return user


def partner_of(session: Session, user: User) -> PartnerOrganisation | None:
    if user.role != Role.PARTNER:
        return None
    staff = session.scalar(select(PartnerStaff).where(PartnerStaff.user_id == user.id))
    return staff.partner if staff is not None else None


def partners(session: Session) -> list[PartnerOrganisation]:
    return list(session.scalars(select(PartnerOrganisation).order_by(PartnerOrganisation.id)))


# --- requests ------------------------------------------------------------------------------------------------

def active_card_of(session: Session, holder: User, on: date) -> Card | None:
    cards = session.scalars(select(Card).where(Card.holder_id == holder.id).order_by(Card.id.desc()))
    return next((c for c in cards if c.effective_status(on) == CARD_ACTIVE), None)


def _route(session: Session, service: str) -> PartnerOrganisation | None:
    for partner in session.scalars(select(PartnerOrganisation).where(PartnerOrganisation.verified_at.is_not(None))
                                   .order_by(PartnerOrganisation.id)):
        if service in partner.services:
            return partner
    return None


def open_request(
    session: Session, actor: User, *, service: str, description: str, on: date | None = None
) -> ServiceRequest:
    """A holder of an active card asks for a service listed on the card."""
    on = on or local_today()
    card = active_card_of(session, actor, on)
    if card is None:
        raise NotAllowed("Only the holder of an active card may ask for its services.")
    errors: dict[str, list[str]] = {}
    if service not in card.services:
        errors["service"] = [f"Your card lists: {', '.join(card.services)}."]
    description = (description or "").strip() if isinstance(description, str) else ""
    if not description:
        errors["description"] = ["Describe what you need."]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"At most {DESCRIPTION_MAX} characters."]
    if errors:
        raise InvalidInput("The request is not valid.", errors)
    partner = _route(session, service)
    request = ServiceRequest(
        card_id=card.id, holder_id=actor.id, service=service, description=description, status=REQUEST_SUBMITTED,
        partner_id=partner.id if partner else None, opened_on=on,
        due_on=workdays.add_working_days(on, working_days_for(service)),
    )
    session.add(request)
    flush_or_conflict(session)
    record_event(session, actor=actor, action="service_request.opened", entity_type="service_request",
                 entity_id=request.id, after=request.snapshot())
    session.flush()
    return request


def attach_evidence(
    session: Session, actor: User, request_id: int, *, stream: BinaryIO, filename: str | None,
    upload_dir: str | Path, max_bytes: int,
) -> ServiceRequest:
    """The holder adds one evidence file (PDF, JPEG or PNG by content, the same checks as application evidence)."""
    request = _lock(session, request_id)
    if request.holder_id != actor.id:
        raise NotFound("No such request.")
    if request.status not in OPEN_REQUEST_STATUSES:
        raise Conflict("The request is closed.")
    head = stream.read(8192)
    content_type = detect_content_type(head)
    if content_type is None:
        raise InvalidInput("The file is not a PDF, JPEG or PNG.", {"file": [refusals.UPLOAD_KIND]})
    extension = ALLOWED_TYPES[content_type]
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{extension}"
    path = directory / stored
    size = 0
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
                                         {"file": [f"At most {max_bytes // (1024 * 1024)} MB."]})
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(1 << 16)
        before = request.snapshot()
        request.evidence_key = stored
        request.evidence_name = safe_display_name(filename, extension)
        request.evidence_type = content_type
        record_event(session, actor=actor, action="service_request.evidence", entity_type="service_request",
                     entity_id=request.id, before=before,
                     after={"content_type": content_type, "size": size, "sha256": digest.hexdigest()})
        flush_or_conflict(session)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return request


def _lock(session: Session, request_id: int) -> ServiceRequest:
    request = session.scalar(select(ServiceRequest).where(ServiceRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))
    if request is None:
        raise NotFound("No such request.")
    return request


def can_handle(session: Session, actor: User, request: ServiceRequest) -> bool:
    if actor.is_officer:
        return True
    partner = partner_of(session, actor)
    return partner is not None and partner.is_verified and request.partner_id == partner.id


def can_see(session: Session, actor: User, request: ServiceRequest) -> bool:
    return request.holder_id == actor.id or can_handle(session, actor, request)


def get_request(session: Session, actor: User, request_id: int) -> ServiceRequest:
    request = session.get(ServiceRequest, request_id)
    if request is None or not can_see(session, actor, request):
        raise NotFound("No such request.")
    return request


def requests_for(session: Session, actor: User, *, status: str | None = None) -> list[ServiceRequest]:
    """The holder's own requests; a partner's routed requests; every request for officers."""
    query = select(ServiceRequest).order_by(ServiceRequest.due_on, ServiceRequest.id)
    if actor.is_officer:
        pass
    elif actor.role == Role.PARTNER:
        partner = partner_of(session, actor)
        if partner is None or not partner.is_verified:
            return []
        query = query.where(ServiceRequest.partner_id == partner.id)
    else:
        query = query.where(ServiceRequest.holder_id == actor.id)
    if status:
        query = query.where(ServiceRequest.status == status)
    return list(session.scalars(query))


def _handle(session: Session, actor: User, request_id: int, allowed_from: tuple[str, ...]) -> ServiceRequest:
    request = _lock(session, request_id)
    if not can_handle(session, actor, request):
        raise NotFound("No such request.")
    if request.status not in allowed_from:
        raise Conflict(f"The request is {request.status}; this step no longer applies.")
    return request


def _text(value: Any, field: str, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(message, {field: ["Must not be empty."]})
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(message, {field: [f"At most {DESCRIPTION_MAX} characters."]})
    return text


def _step(session: Session, actor: User | None, request: ServiceRequest, action: str, before: dict[str, Any],
          note: str | None = None) -> ServiceRequest:
    record_event(session, actor=actor, action=f"service_request.{action}", entity_type="service_request",
                 entity_id=request.id, before=before, after=request.snapshot(), note=note)
    flush_or_conflict(session, "Someone else changed this request at the same moment.")
    return request


def accept_request(session: Session, actor: User, request_id: int) -> ServiceRequest:
    request = _handle(session, actor, request_id, (REQUEST_SUBMITTED,))
    before = request.snapshot()
    request.status = REQUEST_ACCEPTED
    request.handler_id = actor.id
    return _step(session, actor, request, "accepted", before)


def ask_for_information(session: Session, actor: User, request_id: int, *, question: str,
                        on: date | None = None) -> ServiceRequest:
    """The clock stops until the holder answers."""
    question = _text(question, "question", "Say what information is needed.")
    request = _handle(session, actor, request_id, (REQUEST_SUBMITTED, REQUEST_ACCEPTED))
    before = request.snapshot()
    request.status = REQUEST_INFO_REQUESTED
    request.handler_id = actor.id
    request.info_question = question
    request.info_answer = None
    request.paused_on = on or local_today()
    return _step(session, actor, request, "info_requested", before, note=question)


def answer_information(session: Session, actor: User, request_id: int, *, answer: str,
                       on: date | None = None) -> ServiceRequest:
    """The holder answers; the due date moves by the working days the clock was stopped."""
    answer = _text(answer, "answer", "Give the information asked for.")
    on = on or local_today()
    request = _lock(session, request_id)
    if request.holder_id != actor.id:
        raise NotFound("No such request.")
    if request.status != REQUEST_INFO_REQUESTED:
        raise Conflict("No information is being asked for.")
    before = request.snapshot()
    stopped = max(0, workdays.working_days_between(request.paused_on or on, on))
    request.due_on = workdays.add_working_days(request.due_on, stopped)
    request.paused_on = None
    request.info_answer = answer
    request.status = REQUEST_ACCEPTED
    return _step(session, actor, request, "info_given", before, note=answer)


def complete_request(session: Session, actor: User, request_id: int, *, note: str = "",
                     on: date | None = None) -> ServiceRequest:
    request = _handle(session, actor, request_id, (REQUEST_SUBMITTED, REQUEST_ACCEPTED))
    before = request.snapshot()
    request.status = REQUEST_COMPLETED
    request.handler_id = actor.id
    request.outcome_reason = (note or "").strip() or None
    request.closed_on = on or local_today()
    return _step(session, actor, request, "completed", before, note=request.outcome_reason)


def decline_request(session: Session, actor: User, request_id: int, *, reason: str,
                    on: date | None = None) -> ServiceRequest:
    reason = _text(reason, "reason", "Give the reason.")
    request = _handle(session, actor, request_id, (REQUEST_SUBMITTED, REQUEST_ACCEPTED, REQUEST_INFO_REQUESTED))
    before = request.snapshot()
    request.status = REQUEST_DECLINED
    request.handler_id = actor.id
    request.outcome_reason = reason
    request.paused_on = None
    request.closed_on = on or local_today()
    return _step(session, actor, request, "declined", before, note=reason)


def rate_request(session: Session, actor: User, request_id: int, *, rating: int, comment: str = "") -> ServiceRequest:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("Rate from 1 to 5.", {"rating": ["Must be a whole number from 1 to 5."]})
    request = _lock(session, request_id)
    if request.holder_id != actor.id:
        raise NotFound("No such request.")
    if request.status in OPEN_REQUEST_STATUSES:
        raise Conflict("A request can be rated once it is closed.")
    if request.rating is not None:
        raise Conflict("The request has been rated already.")
    before = request.snapshot()
    request.rating = rating
    request.rating_comment = (comment or "").strip()[:DESCRIPTION_MAX] or None
    return _step(session, actor, request, "rated", before)


def close_requests_of_card(session: Session, card: Card, *, reason: str, actor: User | None,
                           on: date | None = None) -> int:
    """Close every open request of a card that was revoked or has expired (docs/policy.md §10)."""
    count = 0
    for request in session.scalars(select(ServiceRequest).where(ServiceRequest.card_id == card.id,
                                                                 ServiceRequest.status.in_(OPEN_REQUEST_STATUSES))):
        before = request.snapshot()
        request.status = REQUEST_CLOSED
        request.outcome_reason = reason
        request.paused_on = None
        request.closed_on = on or local_today()
        _step(session, actor, request, "closed", before, note=reason)
        count += 1
    return count


def close_requests_of_expired_cards(session: Session, *, as_of: date) -> int:
    cards = session.scalars(
        select(Card).join(ServiceRequest, ServiceRequest.card_id == Card.id)
        .where(ServiceRequest.status.in_(OPEN_REQUEST_STATUSES), Card.valid_until < as_of).distinct()
    )
    return sum(close_requests_of_card(session, card, reason="card_expired", actor=None, on=as_of)
               for card in list(cards))


def overdue_requests(session: Session, *, as_of: date) -> list[ServiceRequest]:
    """Running requests past their due date (a request waiting for the holder's answer has its clock stopped)."""
    return list(session.scalars(
        select(ServiceRequest).where(ServiceRequest.status.in_((REQUEST_SUBMITTED, REQUEST_ACCEPTED)),
                                     ServiceRequest.due_on < as_of).order_by(ServiceRequest.due_on, ServiceRequest.id)
    ))


def escalate_overdue(session: Session, *, as_of: date) -> list[ServiceRequest]:
    """Flag overdue requests not yet escalated and mail the lead officers (admin accounts) one summary."""
    escalated = []
    for request in overdue_requests(session, as_of=as_of):
        if request.escalated_on is not None:
            continue
        request = _lock(session, request.id)
        before = request.snapshot()
        request.escalated_on = as_of
        _step(session, None, request, "escalated", before)
        escalated.append(request)
    if escalated:
        from talent.mail import send_mail

        leads = session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)))
        lines = [f"#{r.id} {r.service} due {r.due_on.isoformat()}" for r in escalated]
        for lead in leads:
            send_mail(lead.email, f"{len(escalated)} 项人才服务请求已超时 / overdue service requests",
                      "以下请求已超过办理时限 (overdue as of " + as_of.isoformat() + "):\n" + "\n".join(lines))
    return escalated


def record_service_use(session: Session, actor: User, *, verification_code: str, service: str) -> ServiceUse:
    """A partner's desk checks a card and records that the holder used one of its services."""
    partner = partner_of(session, actor)
    if partner is None or not partner.is_verified:
        raise NotAllowed("Only staff of a verified partner organisation record service use.")
    card = session.scalar(select(Card).where(Card.verification_code == verification_code))
    if card is None:
        raise NotFound("No card with this verification code.")
    if card.effective_status(local_today()) != CARD_ACTIVE:
        raise Conflict("The card is not valid.")
    if service not in card.services or service not in partner.services:
        raise InvalidInput("This service is not on the card or not provided here.",
                           {"service": ["Must be on the card and provided by your organisation."]})
    use = ServiceUse(card_id=card.id, partner_id=partner.id, recorded_by_id=actor.id, service=service)
    session.add(use)
    session.flush()
    record_event(session, actor=actor, action="card.service_used", entity_type="card", entity_id=card.id,
                 after={"service": service, "partner_id": partner.id})
    session.flush()
    return use


def request_view(session: Session, request: ServiceRequest, viewer: User, *, today: date | None = None) -> dict[str, Any]:
    """The request as the viewer may see it: partners get the holder's name masked and no card number."""
    on = today or local_today()
    holder = session.get(User, request.holder_id)
    partner_viewer = viewer.role == Role.PARTNER
    running = request.status in (REQUEST_SUBMITTED, REQUEST_ACCEPTED)
    return {
        "id": request.id, "service": request.service, "service_name": SERVICES.get(request.service, {}),
        "description": request.description, "status": request.status,
        "holder": codes.mask_name(holder.name) if (holder and partner_viewer) else (holder.name if holder else ""),
        "card_number": None if partner_viewer else request.card.number,
        "routed_to": request.partner.name if request.partner else "service_officers",
        "opened_on": request.opened_on.isoformat(), "due_on": request.due_on.isoformat(),
        "working_days": working_days_for(request.service),
        "overdue": running and request.due_on < on,
        "clock_stopped": request.status == REQUEST_INFO_REQUESTED,
        "info_question": request.info_question, "info_answer": request.info_answer,
        "outcome_reason": request.outcome_reason,
        "closed_on": request.closed_on.isoformat() if request.closed_on else None,
        "escalated_on": request.escalated_on.isoformat() if request.escalated_on else None,
        "rating": request.rating, "rating_comment": request.rating_comment,
        "evidence": request.evidence_name,
    }
