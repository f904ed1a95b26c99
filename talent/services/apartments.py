"""Youth-talent apartments (docs/policy.md §9): housing stock, applications, rounds, offers, leases.

The allocation itself is the pure `talent.allocation`; this module builds its inputs from the database, stores
the published parts of a round (commitment, seed, inputs and their digest, result) and turns the result into
offers. Offers are answered within 5 working days (`talent.workdays`); an unanswered offer counts as declined
(`expire_offers`, run daily by `talent apartments expire-offers`). A declined unit goes to the next applicant on
the round's waiting list who chose its type and community (`talent.allocation.next_for_declined_unit`).

Races: rounds, offers and units are locked (FOR UPDATE on PostgreSQL) and versioned; unique keys allow one
pending offer per unit and per application, one running lease per unit and one open application per person.
A lost race is a 409 (`flush_or_conflict`).
"""

from __future__ import annotations

import copy
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from talent import allocation, codes, workdays
from talent.db import utcnow
from talent.models import Role, User
from talent.models.apartments import (
    APPLICATION_DECLINED,
    APPLICATION_EXCLUDED,
    APPLICATION_HOUSED,
    APPLICATION_OFFERED,
    APPLICATION_OPEN,
    APPLICATION_WAITING,
    APPLICATION_WITHDRAWN,
    OFFER_ACCEPTED,
    OFFER_DECLINED,
    OFFER_EXPIRED,
    OFFER_PENDING,
    ROUND_ALLOCATED,
    ROUND_OPEN,
    UNIT_FREE,
    UNIT_LET,
    UNIT_MAINTENANCE,
    UNIT_OFFERED,
    ApartmentApplication,
    ApartmentBuilding,
    ApartmentCommunity,
    ApartmentLease,
    ApartmentOffer,
    ApartmentRound,
    ApartmentRoundUnit,
    ApartmentUnit,
)
from talent.models.applications import Application
from talent.names import refusals
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.cards import add_months, months_between
from talent.services.workflow import flush_or_conflict
from talent.services.workflow import today as local_today

OFFER_WORKING_DAYS = 5
# docs/policy.md §9: the largest floor area of each type.
MAX_AREA = {"studio": Decimal(35), "one_bed": Decimal(60), "two_bed": Decimal(90)}
UNIT_TYPE_NAMES = {
    "studio": {"zh": "开间", "en": "Studio"},
    "one_bed": {"zh": "一居室", "en": "One bedroom"},
    "two_bed": {"zh": "两居室", "en": "Two bedrooms"},
}
IMPORT_COLUMNS = ("community", "building", "number", "type", "area_m2")


def _require_officer(actor: User, what: str) -> None:
    if not actor.is_officer:
        raise NotAllowed(f"Only officers {what}.")


# --- housing stock ------------------------------------------------------------------------------------------

def community_list(session: Session) -> list[dict[str, Any]]:
    """Every community with its free units per type (API: GET /apartments/communities)."""
    free: dict[int, dict[str, int]] = {}
    total: dict[int, int] = {}
    rows = session.execute(
        select(ApartmentUnit.community_id, ApartmentUnit.unit_type, ApartmentUnit.status, func.count())
        .group_by(ApartmentUnit.community_id, ApartmentUnit.unit_type, ApartmentUnit.status)
    )
    for community_id, unit_type, status, count in rows:
        total[community_id] = total.get(community_id, 0) + count
        if status == UNIT_FREE:
            free.setdefault(community_id, {})[unit_type] = count
    communities = session.scalars(select(ApartmentCommunity).order_by(ApartmentCommunity.code))
    return [
        {
            "id": c.id, "code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "district": c.district,
            "district_name": codes.DIVISIONS.get(c.district, c.district), "address": c.address,
            "units": total.get(c.id, 0),
            "free_units": {t: free.get(c.id, {}).get(t, 0) for t in allocation.UNIT_TYPES},
        }
        for c in communities
    ]


def create_community(
    session: Session, actor: User, *, code: str, name_zh: str, name_en: str, district: str, address: str = ""
) -> ApartmentCommunity:
    _require_officer(actor, "manage communities")
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code or len(code) > 20:
        errors["code"] = ["Give a code of 1 to 20 characters."]
    elif session.scalar(select(ApartmentCommunity.id).where(ApartmentCommunity.code == code)):
        errors["code"] = ["A community with this code exists."]
    if not (name_zh or "").strip():
        errors["name_zh"] = ["Must not be empty."]
    if not (name_en or "").strip():
        errors["name_en"] = ["Must not be empty."]
    if district not in codes.DIVISIONS:
        errors["district"] = ["Must be a Changchun division code (GB/T 2260, 2201xx)."]
    if errors:
        raise InvalidInput("The community is not valid.", errors)
    community = ApartmentCommunity(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), district=district,
                                   address=(address or "").strip())
    session.add(community)
    flush_or_conflict(session, "A community with this code was just created.")
    record_event(session, actor=actor, action="apartment_community.created", entity_type="apartment_community",
                 entity_id=community.id, after=community.snapshot())
    session.flush()
    return community


def _unit_row_problems(row: dict[str, Any]) -> tuple[dict[str, str], Decimal | None]:
    problems: dict[str, str] = {}
    area: Decimal | None = None
    unit_type = str(row.get("type") or "").strip()
    if unit_type not in MAX_AREA:
        problems["type"] = "must be studio, one_bed or two_bed"
    for name in ("building", "number"):
        value = str(row.get(name) or "").strip()
        if not value:
            problems[name] = "must not be empty"
        elif len(value) > 20:
            problems[name] = "at most 20 characters"
    try:
        area = Decimal(str(row.get("area_m2") or "").strip())
        if not area.is_finite() or area <= 0:
            raise InvalidOperation
        area = area.quantize(Decimal("0.01"))
        if unit_type in MAX_AREA and area > MAX_AREA[unit_type]:
            problems["area_m2"] = f"a {unit_type} has at most {MAX_AREA[unit_type]} m²"
    except (InvalidOperation, ValueError):
        problems["area_m2"] = "must be a positive number of m²"
        area = None
    return problems, area


def _building_ids(session: Session, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    existing = {
        (community_id, name): building_id
        for building_id, community_id, name in session.execute(
            select(ApartmentBuilding.id, ApartmentBuilding.community_id, ApartmentBuilding.name)
        )
    }
    missing = sorted(wanted - existing.keys())
    if missing:
        session.execute(insert(ApartmentBuilding), [{"community_id": c, "name": n} for c, n in missing])
        return _building_ids(session, set())
    return existing


def add_units(session: Session, actor: User | None, rows: list[dict[str, Any]], *, source: str) -> int:
    """Validate every row (errors keyed `rows.<n>.<field>`, n counted from 1) and insert all of them, or none."""
    if actor is not None:
        _require_officer(actor, "manage units")
    communities = {c.code: c.id for c in session.scalars(select(ApartmentCommunity))}
    existing = {
        (community_id, building, number)
        for community_id, building, number in session.execute(
            select(ApartmentUnit.community_id, ApartmentBuilding.name, ApartmentUnit.number)
            .join(ApartmentBuilding, ApartmentBuilding.id == ApartmentUnit.building_id)
        )
    }
    errors: dict[str, list[str]] = {}
    clean: list[tuple[int, str, str, str, Decimal]] = []
    seen: set[tuple[int, str, str]] = set()
    for index, row in enumerate(rows, start=1):
        problems, area = _unit_row_problems(row)
        community_id = communities.get(str(row.get("community") or "").strip())
        if community_id is None:
            problems["community"] = "no community with this code"
        building = str(row.get("building") or "").strip()
        number = str(row.get("number") or "").strip()
        key = (community_id or 0, building, number)
        if community_id is not None and not problems:
            if key in existing:
                problems["number"] = "this unit exists already"
            elif key in seen:
                problems["number"] = "listed twice in this file"
        seen.add(key)
        for field_name, message in problems.items():
            errors[f"rows.{index}.{field_name}"] = [message]
        if not problems and community_id is not None and area is not None:
            clean.append((community_id, building, number, str(row["type"]).strip(), area))
    if not rows:
        errors["rows"] = ["The list has no units."]
    if errors:
        raise InvalidInput(f"{len({k.split('.')[1] for k in errors if k != 'rows'})} row(s) are not valid; "
                           "nothing was imported.", errors)
    buildings = _building_ids(session, {(c, b) for c, b, _n, _t, _a in clean})
    session.execute(
        insert(ApartmentUnit),
        [{"community_id": c, "building_id": buildings[(c, b)], "number": n, "unit_type": t, "area_m2": a,
          "status": UNIT_FREE, "version": 1} for c, b, n, t, a in clean],
    )
    record_event(session, actor=actor, action="apartment_units.imported", entity_type="apartment_units",
                 entity_id=source[:40], after={"units": len(clean)})
    session.flush()
    return len(clean)


def read_unit_file(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of a unit list: CSV (UTF-8, header row) or XLSX (first sheet, header row); columns IMPORT_COLUMNS."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise InvalidInput(refusals.UNIT_FILE_NOT_XLSX, {"file": [str(error)[:200]]}) from None
        sheet = workbook.worksheets[0]
        lines = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(refusals.UNIT_FILE_NOT_UTF8, {"file": ["Save it as UTF-8."]}) from None
        lines = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidInput(refusals.UNIT_FILE_KIND, {"file": ["Must be .csv or .xlsx."]})
    if not lines:
        raise InvalidInput(refusals.UPLOAD_EMPTY, {"file": ["No header row."]})
    header = [h.strip().lower() for h in lines[0]]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(refusals.UNIT_FILE_COLUMNS, {"file": [f"missing column(s): {', '.join(missing)}"]})
    return [dict(zip(header, line, strict=False)) for line in lines[1:] if any(cell.strip() for cell in line)]


def import_units(session: Session, actor: User, filename: str, data: bytes) -> int:
    _require_officer(actor, "import units")
    return add_units(session, actor, read_unit_file(filename, data), source=filename or "upload")


def set_unit_status(session: Session, actor: User, unit_id: int, status: str) -> ApartmentUnit:
    """Take a free unit out for maintenance, or put it back."""
    _require_officer(actor, "manage units")
    if status not in (UNIT_FREE, UNIT_MAINTENANCE):
        raise InvalidInput("Only free and maintenance can be set.", {"status": ["Must be free or maintenance."]})
    unit = session.scalar(select(ApartmentUnit).where(ApartmentUnit.id == unit_id).with_for_update()
                          .execution_options(populate_existing=True))
    if unit is None:
        raise NotFound("No such unit.")
    if unit.status not in (UNIT_FREE, UNIT_MAINTENANCE):
        raise Conflict("The unit is offered or let.")
    before = unit.snapshot()
    unit.status = status
    record_event(session, actor=actor, action="apartment_unit.status", entity_type="apartment_unit",
                 entity_id=unit.id, before=before, after=unit.snapshot())
    flush_or_conflict(session)
    return unit


# --- applications --------------------------------------------------------------------------------------------

def _facts_of_latest_application(session: Session, actor: User) -> dict[str, Any] | None:
    application = session.scalar(
        select(Application).where(Application.owner_id == actor.id).order_by(Application.id.desc()).limit(1)
    )
    if application is None:
        return None
    from talent.services.identities import id_number_of

    facts = copy.deepcopy(application.facts)
    number = id_number_of(application)  # kept encrypted apart from the facts (docs/security.md)
    if number:
        facts["id_number"] = number
    return facts


def open_apartment_application_of(session: Session, actor: User) -> ApartmentApplication | None:
    return session.scalar(select(ApartmentApplication).where(ApartmentApplication.open_applicant_id == actor.id))


def apartment_applications_of(session: Session, actor: User) -> list[ApartmentApplication]:
    return list(session.scalars(select(ApartmentApplication).where(ApartmentApplication.applicant_id == actor.id)
                                .order_by(ApartmentApplication.id.desc())))


def apply_for_apartment(
    session: Session, actor: User, *, communities: list[int], unit_type: str, facts: dict[str, Any] | None = None,
    on: date | None = None,
) -> ApartmentApplication:
    """An application decided by the rule engine on the day: the facts given, or those of the applicant's latest
    talent application, with today's application date. Refused (422) when `youth_apartment` is not eligible."""
    from talent.services.applications import _decided_facts  # the same history merge as talent applications

    if actor.role != Role.APPLICANT:
        raise NotAllowed("Only applicants apply for apartments.")
    on = on or local_today()
    errors: dict[str, list[str]] = {}
    if unit_type not in MAX_AREA:
        errors["unit_type"] = ["Must be studio, one_bed or two_bed."]
    if not isinstance(communities, list) or not 1 <= len(communities) <= allocation.lottery.MAX_PREFERENCES:
        errors["communities"] = ["Name 1 to 3 communities in order of preference."]
    elif len(set(communities)) != len(communities):
        errors["communities"] = ["Name each community once."]
    else:
        known = set(session.scalars(select(ApartmentCommunity.id).where(ApartmentCommunity.id.in_(communities))))
        unknown = [c for c in communities if c not in known]
        if unknown:
            errors["communities"] = [f"No community with id {unknown[0]}."]
    if errors:
        raise InvalidInput("The application is not valid.", errors)
    if open_apartment_application_of(session, actor) is not None:
        raise Conflict("You already have an open apartment application.")
    if facts is None:
        facts = _facts_of_latest_application(session, actor)
        if facts is None:
            raise InvalidInput("Give your facts, or apply for talent recognition first.",
                               {"facts": ["No facts given and no earlier application to take them from."]})
    facts = copy.deepcopy(facts) if isinstance(facts, dict) else facts
    if isinstance(facts, dict):
        facts["application_date"] = on.isoformat()  # eligibility "on the day" (docs/policy.md §9)
    _facts, decision, _identity = _decided_facts(session, actor, facts, on)
    programme = decision.get("programmes", {}).get("youth_apartment", {})
    group = allocation.priority_group(decision.get("tier"), _facts.get("education"))
    if not programme.get("eligible") or group is None:
        reasons = [r.get("en") or r.get("rule") for r in decision.get("reasons", [])
                   if r.get("rule") == "APARTMENT" and not r.get("held", True)]
        raise InvalidInput("Not eligible for a youth-talent apartment on this date.",
                           {"eligibility": reasons or ["The youth_apartment programme is not eligible."]})
    application = ApartmentApplication(
        applicant_id=actor.id, open_applicant_id=actor.id, communities=list(communities), unit_type=unit_type,
        status=APPLICATION_OPEN, application_date=on, eligible=True, priority_group=group,
        tier=decision.get("tier"), education=_facts.get("education"), policy_id=decision["policy"],
        monthly_rent=int(programme["monthly_rent"]), max_months=int(programme["max_months"]),
    )
    session.add(application)
    flush_or_conflict(session, "You already have an open apartment application.")
    record_event(session, actor=actor, action="apartment_application.submitted",
                 entity_type="apartment_application", entity_id=application.id, after=application.snapshot())
    session.flush()
    return application


def withdraw_apartment_application(session: Session, actor: User, application_id: int) -> ApartmentApplication:
    application = _lock(session, ApartmentApplication, application_id, "No such apartment application.")
    if application.applicant_id != actor.id:
        raise NotFound("No such apartment application.")
    if application.status not in (APPLICATION_OPEN, APPLICATION_WAITING):
        raise Conflict("Only an application without a pending offer can be withdrawn; decline the offer instead.")
    before = application.snapshot()
    _close_application(application, APPLICATION_WITHDRAWN)
    record_event(session, actor=actor, action="apartment_application.withdrawn", entity_type="apartment_application",
                 entity_id=application.id, before=before, after=application.snapshot())
    flush_or_conflict(session)
    return application


def _close_application(application: ApartmentApplication, status: str) -> None:
    application.status = status
    application.open_applicant_id = None
    application.closed_at = utcnow()


def _lock(session: Session, model: Any, row_id: int, missing: str) -> Any:
    row = session.scalar(select(model).where(model.id == row_id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None:
        raise NotFound(missing)
    return row


# --- rounds --------------------------------------------------------------------------------------------------

def open_round(
    session: Session, actor: User, *, name: str, closes_on: date, community_ids: list[int] | None = None,
    unit_ids: list[int] | None = None, on: date | None = None,
) -> ApartmentRound:
    """Open a round offering the given units, or every free unit (of the given communities), that no other open
    round offers, and publish the commitment to its secret seed at once."""
    _require_officer(actor, "open rounds")
    on = on or local_today()
    if not (name or "").strip():
        raise InvalidInput("Name the round.", {"name": ["Must not be empty."]})
    if closes_on < on:
        raise InvalidInput("The round would close in the past.", {"closes_on": ["Must not be before today."]})
    busy = select(ApartmentRoundUnit.unit_id).join(ApartmentRound, ApartmentRound.id == ApartmentRoundUnit.round_id)\
        .where(ApartmentRound.status == ROUND_OPEN)
    query = select(ApartmentUnit.id).where(ApartmentUnit.status == UNIT_FREE, ApartmentUnit.id.not_in(busy))
    if community_ids:
        query = query.where(ApartmentUnit.community_id.in_(community_ids))
    if unit_ids is not None:
        wanted = set(unit_ids)
        available = set(session.scalars(query.where(ApartmentUnit.id.in_(wanted))))
        if wanted - available:
            raise InvalidInput("Some units are not free or are offered by another open round.",
                               {"unit_ids": [f"Not available: {', '.join(map(str, sorted(wanted - available)[:20]))}."]})
        query = query.where(ApartmentUnit.id.in_(wanted))
    unit_ids = list(session.scalars(query.order_by(ApartmentUnit.id)))
    if not unit_ids:
        raise InvalidInput("No free unit is left to offer.", {"community_ids": ["No free unit outside open rounds."]})
    seed = allocation.new_seed()
    round_ = ApartmentRound(name=name.strip(), status=ROUND_OPEN, closes_on=closes_on, secret_seed=seed,
                            commitment=allocation.commitment_of(seed), opened_by_id=actor.id)
    session.add(round_)
    session.flush()
    session.execute(insert(ApartmentRoundUnit), [{"round_id": round_.id, "unit_id": u} for u in unit_ids])
    record_event(session, actor=actor, action="apartment_round.opened", entity_type="apartment_round",
                 entity_id=round_.id, after={**round_.snapshot(), "units": len(unit_ids)})
    session.flush()
    return round_


def _months_leased(session: Session, applicant_ids: list[int]) -> dict[int, int]:
    used: dict[int, int] = {}
    for start in range(0, len(applicant_ids), 5000):
        chunk = applicant_ids[start:start + 5000]
        for lease in session.scalars(select(ApartmentLease).where(ApartmentLease.tenant_id.in_(chunk))):
            used[lease.tenant_id] = used.get(lease.tenant_id, 0) + lease_months_used(lease)
    return used


def lease_months_used(lease: ApartmentLease) -> int:
    """Months a lease counts towards max_months: all of them, or up to the move-out (a started month counts)."""
    if lease.moved_out_on is None:
        return lease.months
    whole = months_between(lease.starts_on, lease.moved_out_on)
    partial = 1 if add_months(lease.starts_on, whole) < lease.moved_out_on else 0
    return min(lease.months, whole + partial)


def round_inputs(session: Session, round_: ApartmentRound) -> allocation.RoundInputs:
    """The allocation inputs of a round as they stand now: its units that are still free, and every open or
    waiting application (read as plain rows: a round has tens of thousands of them)."""
    units = session.execute(
        select(ApartmentUnit.id, ApartmentUnit.community_id, ApartmentBuilding.name, ApartmentUnit.number,
               ApartmentUnit.unit_type)
        .join(ApartmentRoundUnit, ApartmentRoundUnit.unit_id == ApartmentUnit.id)
        .join(ApartmentBuilding, ApartmentBuilding.id == ApartmentUnit.building_id)
        .where(ApartmentRoundUnit.round_id == round_.id, ApartmentUnit.status == UNIT_FREE)
    ).all()
    applications = session.execute(
        select(ApartmentApplication.id, ApartmentApplication.applicant_id, ApartmentApplication.priority_group,
               ApartmentApplication.communities, ApartmentApplication.unit_type, ApartmentApplication.eligible,
               ApartmentApplication.max_months)
        .where(ApartmentApplication.status.in_((APPLICATION_OPEN, APPLICATION_WAITING)))
    ).all()
    leased = _months_leased(session, [a.applicant_id for a in applications])
    return allocation.RoundInputs(
        units=tuple(allocation.UnitInput(str(u.id), str(u.community_id), u.name, u.number, u.unit_type)
                    for u in units),
        applications=tuple(
            allocation.ApplicationInput(str(a.id), a.priority_group, tuple(str(c) for c in a.communities),
                                        a.unit_type, a.eligible, leased.get(a.applicant_id, 0))
            for a in applications
        ),
        max_months=max((a.max_months for a in applications), default=36),
    )


def _bulk_update(session: Session, model: Any, ids: list[int], expected: tuple[str, ...], values: dict[str, Any],
                 message: str) -> None:
    """Set `values` on every row of `ids` still in an `expected` status, or fail with a 409 if any row moved."""
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        result = session.execute(
            update(model).where(model.id.in_(chunk), model.status.in_(expected))
            .values(**values, version=model.version + 1).execution_options(synchronize_session=False)
        )
        if result.rowcount != len(chunk):
            session.rollback()
            raise Conflict(message)


def close_round(session: Session, actor: User | None, round_id: int, *, on: date | None = None) -> ApartmentRound:
    """Close a round: allocate (talent.allocation) with its seed, publish seed, inputs, digest and result, and
    make the offers (5 working days to answer). Two officers closing at once: one result, the other a 409."""
    if actor is not None:
        _require_officer(actor, "close rounds")
    on = on or local_today()
    round_ = _lock(session, ApartmentRound, round_id, "No such round.")
    if round_.status != ROUND_OPEN:
        raise Conflict("The round is already closed.")
    if on < round_.closes_on:
        raise Conflict(f"The round takes applications until {round_.closes_on.isoformat()}.")
    respond_by = workdays.add_working_days(on, OFFER_WORKING_DAYS)
    inputs = round_inputs(session, round_)
    result = allocation.allocate(inputs, round_.secret_seed)
    before = round_.snapshot()
    round_.status = ROUND_ALLOCATED
    round_.seed = round_.secret_seed
    round_.inputs = inputs.to_json()
    round_.inputs_digest = allocation.canonical_json_digest(round_.inputs)
    round_.result = result.to_json()
    round_.closed_by_id = actor.id if actor is not None else None
    round_.closed_at = utcnow()
    round_.allocated_on = on
    # The round row is written first: a second closer fails here (version) before touching any unit.
    conflict = "The round was closed by someone else at the same moment."
    flush_or_conflict(session, conflict)

    # Units and applications change in bulk (a round has tens of thousands); a row that changed since the
    # inputs were read (a unit taken out for maintenance, an application withdrawn) makes the whole close a 409.
    moved = "A unit or an application changed while the round was being closed; close it again."
    offered_units = [int(offer.unit_id) for offer in result.offers]
    offered_applications = [int(offer.application_id) for offer in result.offers]
    _bulk_update(session, ApartmentUnit, offered_units, (UNIT_FREE,), {"status": UNIT_OFFERED}, moved)
    waiting_and_open = (APPLICATION_OPEN, APPLICATION_WAITING)
    _bulk_update(session, ApartmentApplication, offered_applications, waiting_and_open,
                 {"status": APPLICATION_OFFERED}, moved)
    _bulk_update(session, ApartmentApplication, [int(a) for a in result.waiting], waiting_and_open,
                 {"status": APPLICATION_WAITING}, moved)
    _bulk_update(session, ApartmentApplication, [int(e.application_id) for e in result.excluded], waiting_and_open,
                 {"status": APPLICATION_EXCLUDED, "open_applicant_id": None, "closed_at": utcnow()}, moved)
    if result.offers:
        session.execute(insert(ApartmentOffer), [
            {"round_id": round_.id, "application_id": a, "unit_id": u, "open_unit_id": u, "open_application_id": a,
             "source": "draw", "status": OFFER_PENDING, "offered_on": on, "respond_by": respond_by, "version": 1}
            for a, u in zip(offered_applications, offered_units, strict=True)
        ])
    record_event(session, actor=actor, action="apartment_round.allocated", entity_type="apartment_round",
                 entity_id=round_.id, before=before,
                 after={**round_.snapshot(), "offers": len(result.offers), "waiting": len(result.waiting),
                        "excluded": len(result.excluded)})
    flush_or_conflict(session, conflict)
    # Rows loaded earlier in this session must not keep their old status.
    session.expire_all()
    return round_


def get_round(session: Session, round_id: int) -> ApartmentRound:
    round_ = session.get(ApartmentRound, round_id)
    if round_ is None:
        raise NotFound("No such round.")
    return round_


def rounds(session: Session) -> list[ApartmentRound]:
    return list(session.scalars(select(ApartmentRound).order_by(ApartmentRound.id.desc())))


def verify_stored_round(round_: ApartmentRound) -> allocation.Verification:
    """Re-run a closed round from its published seed and inputs and compare with its published result."""
    if round_.status != ROUND_ALLOCATED or round_.inputs is None or round_.result is None or round_.seed is None:
        raise Conflict("The round has not been allocated yet.")
    inputs = allocation.RoundInputs.from_json(round_.inputs)
    return allocation.verify_round(inputs, round_.seed, round_.commitment,
                                   allocation.Allocation.from_json(round_.result), round_.inputs_digest)


def round_view(session: Session, round_: ApartmentRound) -> dict[str, Any]:
    """The public page of a round: the commitment, then seed, inputs' digest and the result with names masked."""
    view: dict[str, Any] = {
        "id": round_.id, "name": round_.name, "status": round_.status, "closes_on": round_.closes_on.isoformat(),
        "commitment": round_.commitment, "seed": round_.seed, "inputs_digest": round_.inputs_digest,
        "allocated_on": round_.allocated_on.isoformat() if round_.allocated_on else None,
        "units": session.scalar(select(func.count()).select_from(ApartmentRoundUnit)
                                .where(ApartmentRoundUnit.round_id == round_.id)),
        "offers": [], "waiting": [], "excluded": [],
    }
    if round_.status != ROUND_ALLOCATED or round_.result is None:
        return view
    result = round_.result
    ids = {int(a) for a, _u in result["offers"]} | {int(a) for a in result["waiting"]} \
        | {int(a) for a, _r in result["excluded"]}
    names: dict[int, str] = {}
    groups: dict[int, int] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):
        for application_id, name, group in session.execute(
            select(ApartmentApplication.id, User.name, ApartmentApplication.priority_group)
            .join(User, User.id == ApartmentApplication.applicant_id)
            .where(ApartmentApplication.id.in_(id_list[start:start + 5000]))
        ):
            names[application_id] = codes.mask_name(name)
            groups[application_id] = group
    unit_labels = _unit_labels(session, [int(u) for _a, u in result["offers"]])
    view["offers"] = [
        {"application_id": int(a), "applicant": names.get(int(a), ""), "group": groups.get(int(a)),
         "unit_id": int(u), "unit": unit_labels.get(int(u), "")}
        for a, u in result["offers"]
    ]
    view["waiting"] = [{"application_id": int(a), "applicant": names.get(int(a), ""), "group": groups.get(int(a))}
                       for a in result["waiting"]]
    view["excluded"] = [{"application_id": int(a), "applicant": names.get(int(a), ""), "reason": r}
                        for a, r in result["excluded"]]
    return view


def _unit_labels(session: Session, unit_ids: list[int]) -> dict[int, str]:
    labels: dict[int, str] = {}
    for start in range(0, len(unit_ids), 5000):
        for unit_id, code, building, number in session.execute(
            select(ApartmentUnit.id, ApartmentCommunity.code, ApartmentBuilding.name, ApartmentUnit.number)
            .join(ApartmentCommunity, ApartmentCommunity.id == ApartmentUnit.community_id)
            .join(ApartmentBuilding, ApartmentBuilding.id == ApartmentUnit.building_id)
            .where(ApartmentUnit.id.in_(unit_ids[start:start + 5000]))
        ):
            labels[unit_id] = f"{code} {building}-{number}"
    return labels


# --- offers and leases ---------------------------------------------------------------------------------------

def offers_of(session: Session, actor: User) -> list[ApartmentOffer]:
    return list(session.scalars(
        select(ApartmentOffer).join(ApartmentApplication, ApartmentApplication.id == ApartmentOffer.application_id)
        .where(ApartmentApplication.applicant_id == actor.id).order_by(ApartmentOffer.id.desc())
    ))


def leases_of(session: Session, actor: User) -> list[ApartmentLease]:
    return list(session.scalars(select(ApartmentLease).where(ApartmentLease.tenant_id == actor.id)
                                .order_by(ApartmentLease.id.desc())))


def _reoffer(session: Session, round_id: int, unit: ApartmentUnit, on: date, actor: User | None) -> ApartmentOffer | None:
    """Offer a declined unit to the next on the round's waiting list who wants its type and community."""
    round_ = session.get(ApartmentRound, round_id)
    waiting_ids = [int(a) for a in (round_.result or {}).get("waiting", [])] if round_ else []
    if not waiting_ids:
        unit.status = UNIT_FREE
        return None
    still_waiting = {
        a.id: a for a in session.scalars(
            select(ApartmentApplication).where(ApartmentApplication.id.in_(waiting_ids),
                                               ApartmentApplication.status == APPLICATION_WAITING)
        )
    }
    waiting = [
        allocation.ApplicationInput(str(a.id), a.priority_group, tuple(str(c) for c in a.communities), a.unit_type)
        for a in (still_waiting[i] for i in waiting_ids if i in still_waiting)
    ]
    building = session.get(ApartmentBuilding, unit.building_id)
    chosen = allocation.next_for_declined_unit(
        allocation.UnitInput(str(unit.id), str(unit.community_id), building.name if building else "", unit.number,
                             unit.unit_type),
        waiting,
    )
    if chosen is None:
        unit.status = UNIT_FREE
        return None
    application = _lock(session, ApartmentApplication, int(chosen.id), "No such apartment application.")
    application.status = APPLICATION_OFFERED
    unit.status = UNIT_OFFERED
    offer = ApartmentOffer(round_id=round_id, application_id=application.id, unit_id=unit.id, open_unit_id=unit.id,
                           open_application_id=application.id, source="reoffer", status=OFFER_PENDING, offered_on=on,
                           respond_by=workdays.add_working_days(on, OFFER_WORKING_DAYS))
    session.add(offer)
    flush_or_conflict(session)
    record_event(session, actor=actor, action="apartment_offer.reoffered", entity_type="apartment_offer",
                 entity_id=offer.id, after=offer.snapshot())
    return offer


def _end_offer(session: Session, offer: ApartmentOffer, status: str, on: date, actor: User | None) -> ApartmentOffer | None:
    before = offer.snapshot()
    offer.status = status
    offer.open_unit_id = None
    offer.open_application_id = None
    offer.responded_at = utcnow()
    # Flush the offer first: an answer given at the same moment loses here (version), before anything else moves.
    flush_or_conflict(session, "The offer was answered at the same moment.")
    application = _lock(session, ApartmentApplication, offer.application_id, "No such apartment application.")
    _close_application(application, APPLICATION_DECLINED)
    unit = _lock(session, ApartmentUnit, offer.unit_id, "No such unit.")
    record_event(session, actor=actor, action=f"apartment_offer.{status}", entity_type="apartment_offer",
                 entity_id=offer.id, before=before, after=offer.snapshot())
    flush_or_conflict(session, "The offer was answered at the same moment.")
    return _reoffer(session, offer.round_id, unit, on, actor)


def respond_to_offer(
    session: Session, actor: User, offer_id: int, *, accept: bool, on: date | None = None
) -> ApartmentOffer | ApartmentLease:
    """Accept (→ the lease) or decline (→ the unit is re-offered) a pending offer of one's own."""
    on = on or local_today()
    offer = _lock(session, ApartmentOffer, offer_id, "No such offer.")
    application = session.get(ApartmentApplication, offer.application_id)
    if application is None or application.applicant_id != actor.id:
        raise NotFound("No such offer.")
    if offer.status != OFFER_PENDING:
        raise Conflict("The offer has already been answered.")
    if on > offer.respond_by:
        raise Conflict(f"The offer expired on {offer.respond_by.isoformat()} (no answer counts as declined).")
    if not accept:
        _end_offer(session, offer, OFFER_DECLINED, on, actor)
        return offer
    before = offer.snapshot()
    offer.status = OFFER_ACCEPTED
    offer.open_unit_id = None
    offer.open_application_id = None
    offer.responded_at = utcnow()
    flush_or_conflict(session, "The offer was answered at the same moment.")
    application = _lock(session, ApartmentApplication, offer.application_id, "No such apartment application.")
    unit = _lock(session, ApartmentUnit, offer.unit_id, "No such unit.")
    used = _months_leased(session, [actor.id]).get(actor.id, 0)
    months = application.max_months - used
    if months <= 0:
        raise Conflict("You have already had the longest lease the programme allows.")
    unit.status = UNIT_LET
    application.status = APPLICATION_HOUSED
    application.open_applicant_id = None
    application.closed_at = utcnow()
    lease = ApartmentLease(unit_id=unit.id, active_unit_id=unit.id, application_id=application.id, offer_id=offer.id,
                           tenant_id=actor.id, starts_on=on, ends_on=add_months(on, months) - timedelta(days=1),
                           months=months, monthly_rent=application.monthly_rent)
    session.add(lease)
    flush_or_conflict(session, "The offer was answered at the same moment.")
    record_event(session, actor=actor, action="apartment_offer.accepted", entity_type="apartment_offer",
                 entity_id=offer.id, before=before, after=offer.snapshot())
    record_event(session, actor=actor, action="apartment_lease.started", entity_type="apartment_lease",
                 entity_id=lease.id, after=lease.snapshot())
    flush_or_conflict(session)
    return lease


@dataclass(frozen=True)
class ExpiredOffer:
    offer_id: int
    reoffer_id: int | None


def expire_offers(session: Session, *, as_of: date) -> list[ExpiredOffer]:
    """Every pending offer whose answer was due before `as_of` counts as declined; its unit is re-offered."""
    done = []
    for offer_id in list(session.scalars(select(ApartmentOffer.id).where(ApartmentOffer.status == OFFER_PENDING,
                                                                         ApartmentOffer.respond_by < as_of)
                                         .order_by(ApartmentOffer.id))):
        offer = _lock(session, ApartmentOffer, offer_id, "No such offer.")
        if offer.status != OFFER_PENDING:
            continue
        reoffer = _end_offer(session, offer, OFFER_EXPIRED, as_of, None)
        done.append(ExpiredOffer(offer.id, reoffer.id if reoffer else None))
    return done


def move_out(session: Session, actor: User, lease_id: int, *, on: date | None = None, note: str = "") -> ApartmentLease:
    """End a lease early (officers record it, or the tenant announces it); the unit becomes free."""
    on = on or local_today()
    lease = _lock(session, ApartmentLease, lease_id, "No such lease.")
    if not actor.is_officer and lease.tenant_id != actor.id:
        raise NotFound("No such lease.")
    if lease.moved_out_on is not None:
        raise Conflict("The tenant has already moved out.")
    if on < lease.starts_on:
        raise InvalidInput("The move-out is before the lease starts.", {"on": ["Must not be before the start."]})
    before = lease.snapshot()
    lease.moved_out_on = on
    lease.move_out_note = (note or "").strip() or None
    lease.active_unit_id = None
    unit = _lock(session, ApartmentUnit, lease.unit_id, "No such unit.")
    unit.status = UNIT_FREE
    record_event(session, actor=actor, action="apartment_lease.moved_out", entity_type="apartment_lease",
                 entity_id=lease.id, before=before, after=lease.snapshot())
    flush_or_conflict(session)
    return lease


def rent_schedule(lease: ApartmentLease) -> list[dict[str, Any]]:
    """One row per month of the lease (up to the move-out): month k is due on the start + k months."""
    rows = []
    for month in range(lease.months):
        due_on = add_months(lease.starts_on, month)
        if lease.moved_out_on is not None and due_on >= lease.moved_out_on:
            break
        rows.append({"month": month + 1, "due_on": due_on.isoformat(), "amount": lease.monthly_rent})
    return rows


def offer_view(session: Session, offer: ApartmentOffer) -> dict[str, Any]:
    unit = offer.unit
    community = session.get(ApartmentCommunity, unit.community_id)
    building = session.get(ApartmentBuilding, unit.building_id)
    return {
        "id": offer.id, "round_id": offer.round_id, "application_id": offer.application_id, "status": offer.status,
        "source": offer.source, "offered_on": offer.offered_on.isoformat(), "respond_by": offer.respond_by.isoformat(),
        "unit": unit_view(unit, community, building),
    }


def unit_view(unit: ApartmentUnit, community: ApartmentCommunity | None, building: ApartmentBuilding | None) -> dict[str, Any]:
    return {
        "id": unit.id, "community_id": unit.community_id, "community": community.name_zh if community else "",
        "community_en": community.name_en if community else "", "building": building.name if building else "",
        "number": unit.number, "unit_type": unit.unit_type, "area_m2": str(unit.area_m2), "status": unit.status,
    }


def lease_view(session: Session, lease: ApartmentLease) -> dict[str, Any]:
    unit = lease.unit
    return {
        "id": lease.id, "starts_on": lease.starts_on.isoformat(), "ends_on": lease.ends_on.isoformat(),
        "months": lease.months, "monthly_rent": lease.monthly_rent,
        "moved_out_on": lease.moved_out_on.isoformat() if lease.moved_out_on else None,
        "unit": unit_view(unit, session.get(ApartmentCommunity, unit.community_id),
                          session.get(ApartmentBuilding, unit.building_id)),
        "rent_schedule": rent_schedule(lease),
    }


def application_view(application: ApartmentApplication) -> dict[str, Any]:
    return {
        "id": application.id, "status": application.status, "communities": list(application.communities),
        "unit_type": application.unit_type, "application_date": application.application_date.isoformat(),
        "priority_group": application.priority_group,
        "priority_group_name": allocation.GROUP_NAMES[application.priority_group],
        "monthly_rent": application.monthly_rent, "max_months": application.max_months,
    }
