"""Employer organisations: registration by an employer account, verification by an officer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from talent.codes import DIVISIONS, validate_credit_code
from talent.db import utcnow
from talent.models import Employer, Role, User
from talent.models.employers import EMPLOYER_KINDS
from talent.names.industries import INDUSTRIES
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.paging import Page, fetch_page, paging_problems


def register_employer(
    session: Session, actor: User, *, name: str, credit_code: str, district: str, kind: str = "enterprise",
    industry: str | None = None,
) -> Employer:
    if actor.role != Role.EMPLOYER:
        raise NotAllowed("Only employer accounts register organisations.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Must not be empty."]
    try:
        credit_code = validate_credit_code(credit_code)
    except ValueError as exc:
        errors["credit_code"] = [f"Not a valid unified social credit code (GB 32100): {exc}."]
    if district not in DIVISIONS:
        errors["district"] = ["Must be a Changchun division code (GB/T 2260), e.g. 220104."]
    if kind not in EMPLOYER_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(EMPLOYER_KINDS)}."]
    industry = (industry or "").strip().upper() or None
    if industry is not None and industry not in INDUSTRIES:
        errors["industry"] = ["Must be a GB/T 4754-2017 section letter, A to T."]
    if errors:
        raise InvalidInput("The organisation details are not valid.", errors)
    duplicate = Conflict(
        "An organisation with this credit code is already registered.", {"credit_code": ["Already registered."]}
    )
    if employer_by_credit_code(session, credit_code) is not None:
        raise duplicate
    employer = Employer(name=name, credit_code=credit_code, district=district, kind=kind, industry=industry,
                        owner_id=actor.id)
    try:
        # Two registrations of one code can both pass the check above; the unique index decides, and the
        # loser gets the same 409 instead of a failed transaction.
        with session.begin_nested():
            session.add(employer)
            session.flush()
    except IntegrityError as exc:
        raise duplicate from exc
    record_event(
        session, actor=actor, action="employer.registered", entity_type="employer", entity_id=employer.id,
        after=employer.snapshot(),
    )
    session.flush()
    return employer


def set_employer_industry(session: Session, actor: User, employer_id: int, industry: str | None) -> Employer:
    """The organisation's industry (GB/T 4754-2017 section letter, or None: not given), set by the employer
    account that acts for it or by an officer; the programme's figures count posts and hires by it."""
    employer = session.scalar(select(Employer).where(Employer.id == employer_id).with_for_update())
    if employer is None:
        raise NotFound("No such employer.")
    if not (actor.is_officer or employer.owner_id == actor.id):
        raise NotAllowed("Only the organisation's own account or an officer changes its industry.")
    if industry is not None and not isinstance(industry, str):
        raise InvalidInput("The industry is not valid.", {"industry": ["Must be a letter A to T, or null."]})
    industry = (industry or "").strip().upper() or None
    if industry is not None and industry not in INDUSTRIES:
        raise InvalidInput("The industry is not valid.",
                           {"industry": ["Must be a GB/T 4754-2017 section letter, A to T."]})
    if industry == employer.industry:
        return employer
    before = employer.snapshot()
    employer.industry = industry
    record_event(session, actor=actor, action="employer.industry_changed", entity_type="employer",
                 entity_id=employer.id, before=before, after=employer.snapshot())
    session.flush()
    return employer


def get_employer(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("No such employer.")
    return employer


def verify_employer(session: Session, actor: User, employer_id: int) -> Employer:
    if not actor.is_officer:
        raise NotAllowed("Only officers verify employers.")
    employer = session.scalar(select(Employer).where(Employer.id == employer_id).with_for_update())
    if employer is None:
        raise NotFound("No such employer.")
    if employer.is_verified:
        raise Conflict("The employer is already verified.")
    before = employer.snapshot()
    employer.verified_at = utcnow()
    employer.verified_by_id = actor.id
    record_event(
        session, actor=actor, action="employer.verified", entity_type="employer", entity_id=employer.id,
        before=before, after=employer.snapshot(),
    )
    session.flush()
    return employer


def employers_of(session: Session, user: User) -> list[Employer]:
    return list(session.scalars(select(Employer).where(Employer.owner_id == user.id).order_by(Employer.id)))


def employer_by_credit_code(session: Session, credit_code: str) -> Employer | None:
    return session.scalar(select(Employer).where(Employer.credit_code == credit_code.strip().upper()))


def list_employers(
    session: Session,
    *,
    verified: bool | None = None,
    owner: User | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Employer]:
    """Organisations, newest first, one page at a time: `verified` True/False narrows them to the verified or
    the waiting ones, `owner` to those an employer account registered. Each comes with its owner account."""
    problems = paging_problems(page, per_page)
    if problems:
        raise InvalidInput("The listing is not valid.", {field: [en] for field, _zh, en in problems})
    query = select(Employer).order_by(Employer.created_at.desc(), Employer.id.desc())
    if verified is True:
        query = query.where(Employer.verified_at.is_not(None))
    elif verified is False:
        query = query.where(Employer.verified_at.is_(None))
    if owner is not None:
        query = query.where(Employer.owner_id == owner.id)
    return fetch_page(session, query, page, per_page, options=[joinedload(Employer.owner)])
