"""The privilege card (docs/policy.md §5.1), its PDF and public verification, the decision letter, the payment schedule
of a grant, and revocation with the refund owed (docs/policy.md §6)."""

from __future__ import annotations

import calendar
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent import codes
from talent.db import utcnow
from talent.documents import (
    CardDocument,
    DecisionLetter,
    GrantedProgramme,
    Reason,
    render_card_pdf,
    render_decision_letter_pdf,
)
from talent.documents import Instalment as LetterInstalment
from talent.models import User
from talent.models.applications import Application
from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.models.cards import (
    CARD_ACTIVE,
    CARD_REVOKED,
    INSTALMENT_CANCELLED,
    INSTALMENT_DUE,
    INSTALMENT_PAID,
    Card,
    Instalment,
    Revocation,
)
from talent.names import refusals
from talent.rules import TIERS
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, identities
from talent.services.applications import remember_person_history
from talent.services.audit import record_event
from talent.services.workflow import (
    Status,
    apply_transition,
    flush_or_conflict,
    local_date,
    lock_application,
    transition_for,
)
from talent.services.workflow import today as local_today

SERVICE_PERIOD_MONTHS = 60  # docs/policy.md §6
BAN_MONTHS = 36
CARD_NUMBER_PREFIX = "CC"
PROGRAMME_ORDER = ("housing_subsidy", "living_allowance", "purchase_measure_2022q3")


# --- pure arithmetic -------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """docs/policy.md date arithmetic: keep the day; a day the target month lacks becomes its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (the largest m with start + m months ≤ end); 0 if end < start."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


@dataclass(frozen=True)
class Refund:
    months_served: int
    paid_total: int  # everything paid under the grant
    tier_housing_paid: int
    vested: int
    refund_owed: int
    fraud: bool


def compute_refund(
    *, tier_housing_total: int, tier_housing_paid: int, other_paid: int, months_served: int, fraud: bool
) -> Refund:
    """docs/policy.md §6, in exact integers.

    Leaving early: vested = tier housing total × min(months served, 60) ÷ 60, rounded down; the refund owed is
    max(0, tier housing paid − vested). Other payments (graduate housing, living allowance, purchase grant) are
    not clawed back. Fraud: everything paid is owed.
    """
    for name, value in (("tier_housing_total", tier_housing_total), ("tier_housing_paid", tier_housing_paid),
                        ("other_paid", other_paid), ("months_served", months_served)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    served = min(months_served, SERVICE_PERIOD_MONTHS)
    vested = tier_housing_total * served // SERVICE_PERIOD_MONTHS
    paid_total = tier_housing_paid + other_paid
    if fraud:
        owed = paid_total
    else:
        owed = max(0, tier_housing_paid - vested)
    return Refund(months_served, paid_total, tier_housing_paid, vested, owed, fraud)


# --- issuing ----------------------------------------------------------------------------------------------

def issue_card(session: Session, application: Application, *, on: date) -> Card | None:
    """The card of a granted case whose decision makes it eligible (tier C and above); None otherwise."""
    programme = application.decision.get("programmes", {}).get("privilege_card", {})
    if not programme.get("eligible") or application.tier is None:
        return None
    if application.card is not None:
        raise Conflict("This case already has a card.")
    card = Card(
        # A unique placeholder until the id, which the number is made of, is known.
        number=f"PENDING-{secrets.token_hex(6)}",
        verification_code=secrets.token_urlsafe(18),
        application=application,
        holder_id=application.owner_id,
        holder_name=application.owner.name,
        tier=application.tier,
        services=list(programme.get("services") or []),
        valid_from=on,
        valid_until=date.fromisoformat(programme["valid_until"]),
        status=CARD_ACTIVE,
    )
    session.add(card)
    flush_or_conflict(session)
    card.number = f"{CARD_NUMBER_PREFIX}-{on.year}-{card.id:06d}"
    record_event(
        session, actor=None, action="card.issued", entity_type="card", entity_id=card.id, after=card.snapshot()
    )
    flush_or_conflict(session)
    return card


def create_instalments(session: Session, application: Application) -> list[Instalment]:
    """The payment schedule of the decision: housing instalments, one row per month of living allowance, and the
    2022-Q3 purchase grant. Integer yuan."""
    programmes = application.decision.get("programmes", {})
    start = application.application_date
    rows: list[Instalment] = []
    housing = programmes.get("housing_subsidy", {})
    if housing.get("eligible"):
        for k, part in enumerate(housing.get("instalments") or []):
            rows.append(Instalment(programme="housing_subsidy", kind=housing.get("kind"), sequence=k,
                                   due_on=date.fromisoformat(part["due_date"]), amount=int(part["amount"])))
    living = programmes.get("living_allowance", {})
    if living.get("eligible"):
        for k in range(int(living.get("months") or 0)):
            rows.append(Instalment(programme="living_allowance", kind=living.get("kind"), sequence=k,
                                   due_on=add_months(start, k), amount=int(living["monthly"])))
    purchase = programmes.get("purchase_measure_2022q3", {})
    if purchase.get("eligible") and int(purchase.get("amount") or 0) > 0:
        rows.append(Instalment(programme="purchase_measure_2022q3", kind=None, sequence=0, due_on=start,
                               amount=int(purchase["amount"])))
    for row in rows:
        row.application = application  # keeps a loaded `application.instalments` current
        row.status = INSTALMENT_DUE
        session.add(row)
    flush_or_conflict(session)
    return rows


# --- reading ----------------------------------------------------------------------------------------------

def _card_by_number(session: Session, number: str) -> Card:
    card = session.scalar(select(Card).where(Card.number == number))
    if card is None:
        raise NotFound("No such card.")
    return card


def get_card(session: Session, actor: User, number: str) -> Card:
    """A card for its holder or an officer."""
    card = _card_by_number(session, number)
    if not (actor.is_officer or card.holder_id == actor.id):
        raise NotAllowed("Only the holder and officers may see this card.")
    return card


def cards_of(session: Session, actor: User) -> list[Card]:
    return list(session.scalars(select(Card).where(Card.holder_id == actor.id).order_by(Card.id.desc())))


def card_view(card: Card, *, today: date | None = None) -> dict[str, Any]:
    from talent.services.eligibility import service_names

    on = today or local_today()
    status = card.effective_status(on)
    return {
        "number": card.number,
        "status": status,
        "valid": status == CARD_ACTIVE,
        "tier": card.tier,
        "tier_name": TIERS[card.tier],
        "holder": card.holder_name,
        "valid_from": card.valid_from.isoformat(),
        "valid_until": card.valid_until.isoformat(),
        "services": [
            {"code": code, "zh": zh, "en": en}
            for code, zh, en in zip(card.services, service_names(card.services, "zh"),
                                    service_names(card.services, "en"), strict=True)
        ],
        "verification_code": card.verification_code,
        "application_id": card.application_id,
        "issued_at": card.issued_at.isoformat(),
        "revoked_at": card.revoked_at.isoformat() if card.revoked_at else None,
    }


def verify_card(session: Session, code: str, *, today: date | None = None) -> dict[str, Any]:
    """The public answer for a verification code: valid/revoked/expired, tier, validity, masked holder; nothing more."""
    card = session.scalar(select(Card).where(Card.verification_code == code)) if code else None
    if card is None:
        raise NotFound("No card has this verification code.")
    status = card.effective_status(today or local_today())
    return {
        "valid": status == CARD_ACTIVE,
        "status": status,
        "tier": card.tier,
        "valid_until": card.valid_until.isoformat(),
        "holder": codes.mask_name(card.holder_name),
    }


def verification_url(base_url: str, card: Card) -> str:
    return f"{base_url.rstrip('/')}/cards/verify/{card.verification_code}"


def card_pdf(card: Card, *, base_url: str, today: date | None = None) -> bytes:
    """The card as a two-page PDF (front, back with the QR code of the public verification page)."""
    return render_card_pdf(
        CardDocument(
            holder_name=card.holder_name,
            tier=card.tier,
            card_number=card.number,
            valid_from=card.valid_from,
            valid_until=card.valid_until,
            services=list(card.services),
            verification_url=verification_url(base_url, card),
            status=card.effective_status(today or local_today()),
        )
    )


LETTER_STATUSES = frozenset({Status.UNDER_NOTICE, Status.GRANTED, Status.REJECTED, Status.REVOKED})


def _granted_programmes(application: Application) -> list[GrantedProgramme]:
    programmes = application.decision.get("programmes", {})
    granted: list[GrantedProgramme] = []
    card = programmes.get("privilege_card", {})
    if card.get("eligible"):
        granted.append(GrantedProgramme(
            code="privilege_card",
            detail_zh=f"有效期至 {card['valid_until']}，{len(card.get('services') or [])} 项服务",
            detail_en=f"valid until {card['valid_until']}, {len(card.get('services') or [])} services",
        ))
    housing = programmes.get("housing_subsidy", {})
    if housing.get("eligible"):
        granted.append(GrantedProgramme(
            code="housing_subsidy", total=int(housing["total"]),
            instalments=[LetterInstalment(date.fromisoformat(p["due_date"]), int(p["amount"]))
                         for p in housing.get("instalments") or []],
        ))
    living = programmes.get("living_allowance", {})
    if living.get("eligible"):
        granted.append(GrantedProgramme(
            code="living_allowance", total=int(living["total"]),
            detail_zh=f"每月 {int(living['monthly']):,} 元，共 {living['months']} 个月",
            detail_en=f"{int(living['monthly']):,} yuan a month for {living['months']} months",
        ))
    purchase = programmes.get("purchase_measure_2022q3", {})
    if purchase.get("eligible"):
        granted.append(GrantedProgramme(code="purchase_measure_2022q3", total=int(purchase["amount"])))
    apartment = programmes.get("youth_apartment", {})
    if apartment.get("eligible"):
        granted.append(GrantedProgramme(
            code="youth_apartment",
            detail_zh=f"月租 {int(apartment['monthly_rent']):,} 元，最长 {apartment['max_months']} 个月",
            detail_en=f"rent {int(apartment['monthly_rent']):,} yuan a month, up to {apartment['max_months']} months",
        ))
    return granted


def decision_letter_pdf(session: Session, actor: User, application_id: int) -> bytes:
    """The decision letter (A4) of a decided case, for its applicant or an officer."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("No such application.")
    if not (actor.is_officer or application.owner_id == actor.id):
        raise NotAllowed("Only the applicant and officers may see the decision letter.")
    if application.status not in LETTER_STATUSES or application.decided_at is None:
        raise Conflict(refusals.NO_DECISION_YET)
    approved = application.status != Status.REJECTED
    officer_reason = Reason(
        rule="审核决定", rule_en="Officer's decision", held=approved, zh=application.outcome_reason or "",
        en=application.outcome_reason or ""
    )
    from talent.services.eligibility_explain import letter_reasons

    # each rule by its name and the policy's own words (talent.names), not by its id
    rule_reasons = [Reason.from_mapping(entry) for entry in letter_reasons(application.decision)]
    id_number = identities.id_number_of(application)
    return render_decision_letter_pdf(
        DecisionLetter(
            applicant_name=application.owner.name,
            masked_id_number=codes.mask_id_number(id_number) if isinstance(id_number, str) else "—",
            application_number=application.number,
            policy_version=application.policy_id,
            tier=application.tier if approved else None,
            programmes=_granted_programmes(application) if approved else [],
            reasons=[officer_reason, *rule_reasons],
            decision_date=local_date(application.decided_at),
            notice_start=application.notice_starts_on if approved else None,
            notice_end=application.notice_ends_on if approved else None,
            card_number=application.card.number if application.card else None,
        )
    )


# --- payments ---------------------------------------------------------------------------------------------

def instalment_view(instalment: Instalment) -> dict[str, Any]:
    return {
        "id": instalment.id,
        "programme": instalment.programme,
        "kind": instalment.kind,
        "sequence": instalment.sequence,
        "due_on": instalment.due_on.isoformat(),
        "amount": instalment.amount,
        "status": instalment.status,
        "paid_on": instalment.paid_on.isoformat() if instalment.paid_on else None,
    }


def mark_instalment_paid(
    session: Session, actor: User, instalment_id: int, *, paid_on: date | None = None
) -> Instalment:
    """An officer records that an instalment of a granted case was paid."""
    if not actor.is_officer:
        raise NotAllowed("Only officers record payments.")
    instalment = session.get(Instalment, instalment_id)
    if instalment is None:
        raise NotFound("No such instalment.")
    application = lock_application(session, instalment.application_id)
    session.refresh(instalment)
    if application.owner_id == actor.id:
        raise NotAllowed("An officer cannot record payments of their own grant.")
    if application.status != Status.GRANTED:
        raise Conflict(refusals.PAYMENTS_GRANTED_ONLY)
    if instalment.status != INSTALMENT_DUE:
        raise Conflict(refusals.INSTALMENT_DONE.with_detail(f"This instalment is already {instalment.status}."))
    paid_on = paid_on or local_today()
    # The earliest day the grant could be paid: the end of its public notice (or the day it was granted,
    # whichever is earlier); the notice day also holds for cases entered after the fact.
    grant_days = [day for day in (application.notice_ends_on,
                                  local_date(application.granted_at) if application.granted_at else None) if day]
    granted_on = min(grant_days) if grant_days else None
    if paid_on > local_today():
        raise InvalidInput("The payment date is in the future.", {"paid_on": ["Must not be after today."]})
    if granted_on is not None and paid_on < granted_on:
        raise InvalidInput("The payment date is before the grant.",
                           {"paid_on": [f"Must not be before the grant ({granted_on.isoformat()})."]})
    before = instalment.snapshot()
    instalment.status = INSTALMENT_PAID
    instalment.paid_on = paid_on
    instalment.paid_by_id = actor.id
    instalment.paid_at = utcnow()
    record_event(
        session, actor=actor, action="instalment.paid", entity_type="instalment", entity_id=instalment.id,
        before=before, after=instalment.snapshot(),
    )
    flush_or_conflict(session)
    return instalment


# --- revocation -------------------------------------------------------------------------------------------

def revocation_view(revocation: Revocation) -> dict[str, Any]:
    return {
        "revoked_on": revocation.revoked_on.isoformat(),
        "left_on": revocation.left_on.isoformat(),
        "reason": revocation.reason,
        "fraud": revocation.fraud,
        "months_served": revocation.months_served,
        "paid_total": revocation.paid_total,
        "vested": revocation.vested,
        "refund_owed": revocation.refund_owed,
        "cancelled_instalments": revocation.cancelled_instalments,
    }


def _paid_sums(application: Application) -> tuple[int, int]:
    """(tier housing subsidy paid, everything else paid) under the grant."""
    tier_housing_paid = other_paid = 0
    for instalment in application.instalments:
        if instalment.status != INSTALMENT_PAID:
            continue
        if instalment.programme == "housing_subsidy" and instalment.kind == "tier":
            tier_housing_paid += instalment.amount
        else:
            other_paid += instalment.amount
    return tier_housing_paid, other_paid


def _tier_housing_total(application: Application) -> int:
    housing = application.decision.get("programmes", {}).get("housing_subsidy", {})
    if housing.get("eligible") and housing.get("kind") == "tier":
        return int(housing.get("total") or 0)
    return 0


def preview_refund(
    application: Application, *, fraud: bool, left_on: date | None = None, today: date | None = None
) -> Refund:
    """What revoking the grant would ask back, computed exactly as `revoke_application` does (nothing changes)."""
    left = left_on or today or local_today()
    tier_housing_paid, other_paid = _paid_sums(application)
    return compute_refund(
        tier_housing_total=_tier_housing_total(application), tier_housing_paid=tier_housing_paid,
        other_paid=other_paid, months_served=months_between(application.application_date, left), fraud=bool(fraud),
    )


def revoke_application(
    session: Session, actor: User, application_id: int, *, reason: str, fraud: bool,
    left_on: date | None = None, today: date | None = None,
) -> Revocation:
    """Revoke a grant: card revoked, unpaid instalments cancelled, refund computed; fraud bans for 36 months."""
    if not actor.is_officer:
        raise NotAllowed("Only officers revoke grants.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("Give the reason.", {"reason": ["Must not be empty."]})
    if len(reason) > AUDIT_NOTE_LENGTH:
        raise InvalidInput("The reason is too long.", {"reason": [f"At most {AUDIT_NOTE_LENGTH} characters."]})
    application = lock_application(session, application_id)
    if application.owner_id == actor.id:
        raise NotAllowed("An officer cannot revoke their own grant.")
    transition_for(application.status, "revoke")
    on = today or local_today()
    left = left_on or on
    if left > on:
        # a leaving day still to come would lower the refund for months not yet served
        raise InvalidInput("The leaving date is in the future.", {"left_on": ["Must not be after today."]})
    if left < application.application_date:
        raise InvalidInput("The leaving date is before the application date.",
                           {"left_on": ["Must not be before the application date."]})
    before = application.snapshot()

    refund = preview_refund(application, fraud=fraud, left_on=left)
    cancelled = 0
    for instalment in application.instalments:
        if instalment.status == INSTALMENT_DUE:
            instalment_before = instalment.snapshot()
            instalment.status = INSTALMENT_CANCELLED
            cancelled += 1
            record_event(
                session, actor=actor, action="instalment.cancelled", entity_type="instalment",
                entity_id=instalment.id, before=instalment_before, after=instalment.snapshot(),
            )
    card = application.card
    if card is not None:
        card_before = card.snapshot()
        card.status = CARD_REVOKED
        card.revoked_at = utcnow()
        record_event(
            session, actor=actor, action="card.revoked", entity_type="card", entity_id=card.id,
            before=card_before, after=card.snapshot(), note=reason,
        )
        from talent.services.service_requests import close_requests_of_card  # docs/policy.md §10

        close_requests_of_card(session, card, reason="card_revoked", actor=actor, on=on)
    revocation = Revocation(
        application=application, card=card, revoked_by_id=actor.id,
        revoked_on=on, left_on=left, reason=reason, fraud=bool(fraud), months_served=refund.months_served,
        paid_total=refund.paid_total, vested=refund.vested, refund_owed=refund.refund_owed,
        cancelled_instalments=cancelled,
    )
    session.add(revocation)
    if fraud:
        remember_person_history(session, application, revoked_on=on, banned_until=add_months(on, BAN_MONTHS))
    apply_transition(
        session, application, "revoke", actor, reason=reason, before=before,
        audit_after={"fraud": bool(fraud), "refund": asdict(refund), "cancelled_instalments": cancelled},
    )
    return revocation


def revoke_card(
    session: Session, actor: User, number: str, *, reason: str, fraud: bool, left_on: date | None = None,
    today: date | None = None,
) -> Revocation:
    """Revoke the grant a card belongs to (API.md POST /cards/{number}/revocation)."""
    if not actor.is_officer:
        raise NotAllowed("Only officers revoke cards.")
    card = _card_by_number(session, number)
    return revoke_application(
        session, actor, card.application_id, reason=reason, fraud=fraud, left_on=left_on, today=today
    )
