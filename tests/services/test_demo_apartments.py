"""The demo data of apartments and card services: nine communities, thousands of units, a finished round that
re-verifies, leases and a re-offer, and requests of every service on the demo card in every state; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from talent.models.apartments import (
    ApartmentCommunity,
    ApartmentLease,
    ApartmentOffer,
    ApartmentRound,
    ApartmentUnit,
)
from talent.models.cards import Card
from talent.models.service_requests import ServiceRequest, ServiceUse
from talent.services import apartments
from talent.services.demo_apartments import STATES


def seed_demo_parts(app) -> None:
    from talent.db import db
    from talent.services import demo_apartments, demo_workflow
    from talent.services.demo import seed_accounts, seed_demo_employer

    with app.app_context(), db.command_transaction() as session:
        users = seed_accounts(session)
        employer = seed_demo_employer(session, users)
        demo_workflow.seed(session, users, employer)
        demo_apartments.seed(session, users, employer)


def counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (ApartmentCommunity, ApartmentUnit, ApartmentOffer, ApartmentLease, ServiceRequest))


def test_demo_apartments_and_services(app, db_session):
    seed_demo_parts(app)
    assert db_session.scalar(select(func.count()).select_from(ApartmentCommunity)) == 9
    assert db_session.scalar(select(func.count()).select_from(ApartmentUnit)) >= 3000
    round_ = db_session.scalars(select(ApartmentRound)).one()
    assert round_.status == "allocated" and apartments.verify_stored_round(round_).ok
    statuses = sorted(db_session.scalars(select(ApartmentOffer.status).where(ApartmentOffer.round_id == round_.id)))
    assert {"accepted", "declined", "pending"} <= set(statuses)
    assert db_session.scalar(select(func.count()).select_from(ApartmentOffer)
                             .where(ApartmentOffer.source == "reoffer")) >= 1
    assert db_session.scalar(select(func.count()).select_from(ApartmentLease)) >= 2

    card = db_session.scalars(select(Card).join(ServiceRequest, ServiceRequest.card_id == Card.id)).first()
    seen = set(db_session.execute(select(ServiceRequest.service, ServiceRequest.status)).all())
    assert seen == {(service, state) for service in card.services for state in STATES}
    assert db_session.scalar(select(func.count()).select_from(ServiceUse)) >= 1
    routed = db_session.scalar(select(func.count()).select_from(ServiceRequest)
                               .where(ServiceRequest.partner_id.is_not(None)))
    assert 0 < routed < len(seen)

    before = counts(db_session)
    seed_demo_parts(app)
    db_session.expire_all()
    assert counts(db_session) == before
