"""Apartment and card-service use cases not covered end to end: move-out and the lease limit, withdrawal, unit
maintenance, evidence on a service request, and the closing of an expired card's requests."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from talent.models import AuditEvent, Role
from talent.models.apartments import ApartmentLease, ApartmentUnit
from talent.services import Conflict, InvalidInput, NotAllowed, apartments
from talent.services import service_requests as requests_service
from talent.services.cards import add_months
from talent.services.workflow import today
from tests.api.test_apartments_api import apartment_facts
from tests.services.workflow_support import case_in, make_people, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def stock(db_session):
    officer = make_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    community = apartments.create_community(db_session, officer, code="QN-01", name_zh="社区", name_en="C",
                                            district="220102")
    apartments.add_units(db_session, officer, [
        {"community": "QN-01", "building": "1", "number": "101", "type": "studio", "area_m2": "30"},
        {"community": "QN-01", "building": "1", "number": "102", "type": "studio", "area_m2": "30"},
    ], source="test")
    return officer, community


def housed(db_session, officer, community, person, sequence, on):
    apartments.apply_for_apartment(db_session, person, communities=[community.id], unit_type="studio",
                                   facts=apartment_facts(sequence), on=on)
    round_ = apartments.open_round(db_session, officer, name=f"r{sequence}", closes_on=on, on=on)
    apartments.close_round(db_session, officer, round_.id, on=on)
    offer = apartments.offers_of(db_session, person)[0]
    return apartments.respond_to_offer(db_session, person, offer.id, accept=True, on=on)


def test_move_out_frees_the_unit_and_counts_toward_the_limit(db_session, stock):
    officer, community = stock
    person = make_user(db_session, "a@example.cn", "甲", Role.APPLICANT)
    on = today()
    lease = housed(db_session, officer, community, person, 11, on)
    assert isinstance(lease, ApartmentLease) and lease.months == 36
    assert lease.ends_on == add_months(on, 36) - timedelta(days=1)
    schedule = apartments.rent_schedule(lease)
    assert len(schedule) == 36 and {row["amount"] for row in schedule} == {450}

    moved = apartments.move_out(db_session, officer, lease.id, on=add_months(on, 10) + timedelta(days=3))
    assert db_session.get(ApartmentUnit, lease.unit_id).status == "free"
    assert len(apartments.rent_schedule(moved)) == 11  # month 11 had started
    assert apartments.lease_months_used(moved) == 11
    with pytest.raises(Conflict):
        apartments.move_out(db_session, officer, lease.id)
    # Applying again: the draw knows 11 months were used, so the next lease runs 25 months.
    second = housed(db_session, officer, community, person, 11, on)
    assert second.months == 25


def test_withdrawal_and_maintenance(db_session, stock):
    officer, community = stock
    person = make_user(db_session, "b@example.cn", "乙", Role.APPLICANT)
    application = apartments.apply_for_apartment(db_session, person, communities=[community.id], unit_type="studio",
                                                 facts=apartment_facts(13))
    withdrawn = apartments.withdraw_apartment_application(db_session, person, application.id)
    assert withdrawn.status == "withdrawn" and withdrawn.open_applicant_id is None
    with pytest.raises(Conflict):
        apartments.withdraw_apartment_application(db_session, person, application.id)
    unit = db_session.scalars(select(ApartmentUnit)).first()
    apartments.set_unit_status(db_session, officer, unit.id, "maintenance")
    round_ = apartments.open_round(db_session, officer, name="r", closes_on=today())
    assert apartments.round_view(db_session, round_)["units"] == 1  # the unit under maintenance is not offered
    with pytest.raises(NotAllowed):
        apartments.set_unit_status(db_session, person, unit.id, "free")
    with pytest.raises(InvalidInput):
        apartments.set_unit_status(db_session, officer, unit.id, "let")


def test_round_cannot_close_early_and_units_are_not_shared_by_open_rounds(db_session, stock):
    officer, _community = stock
    round_ = apartments.open_round(db_session, officer, name="r", closes_on=today() + timedelta(days=3))
    with pytest.raises(Conflict):
        apartments.close_round(db_session, officer, round_.id)
    with pytest.raises(InvalidInput):
        apartments.open_round(db_session, officer, name="again", closes_on=today())


def test_evidence_and_expired_card_requests(app, db_session, tmp_path):
    people = make_people(db_session)
    card = case_in(db_session, people, "granted").card
    request = requests_service.open_request(db_session, people.applicant, service="school_placement",
                                            description="入学")
    with pytest.raises(InvalidInput):
        requests_service.attach_evidence(db_session, people.applicant, request.id, stream=io.BytesIO(b"not a file"),
                                         filename="x.exe", upload_dir=tmp_path, max_bytes=10_000)
    requests_service.attach_evidence(db_session, people.applicant, request.id, stream=io.BytesIO(PNG),
                                     filename="户口簿.png", upload_dir=tmp_path, max_bytes=10_000)
    assert request.evidence_type == "image/png" and (tmp_path / request.evidence_key).is_file()

    assert requests_service.close_requests_of_expired_cards(db_session, as_of=card.valid_until) == 0
    closed = requests_service.close_requests_of_expired_cards(db_session, as_of=card.valid_until + timedelta(days=1))
    assert closed == 1 and request.status == "closed" and request.outcome_reason == "card_expired"
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "service_request")
                             .order_by(AuditEvent.id.desc()).limit(1)) == "service_request.closed"
    with pytest.raises(NotAllowed):
        requests_service.open_request(db_session, people.applicant, service="school_placement", description="x",
                                      on=card.valid_until + timedelta(days=1))
    assert isinstance(card.valid_until, date)
