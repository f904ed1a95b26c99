"""The allocation's properties hold through the platform too, on every backend: random rounds (Hypothesis) are
built in the database with the real services, closed, and their offers answered at random; afterwards the
database never shows more offers than units, two running leases on a unit, a housed person over the lease limit
or outside their choices, and the stored round re-verifies. Each example runs in one transaction that is rolled
back (services flush, never commit), so examples do not see each other."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from talent.models import Role
from talent.models.apartments import (
    ApartmentApplication,
    ApartmentBuilding,
    ApartmentLease,
    ApartmentOffer,
    ApartmentRound,
    ApartmentUnit,
)
from talent.services import apartments
from talent.services.workflow import today
from tests.api.test_apartments_api import apartment_facts
from tests.services.workflow_support import make_user

CODES = ("QN-01", "QN-02")


@st.composite
def scenario(draw: st.DrawFn) -> dict:
    units = draw(st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 3), st.sampled_from(["studio", "one_bed"])),
                          max_size=6))
    people = draw(st.lists(
        st.tuples(st.sampled_from(["doctor", "master", "bachelor"]),
                  st.lists(st.sampled_from(CODES), min_size=1, max_size=2, unique=True),
                  st.sampled_from(["studio", "one_bed"]),
                  st.sampled_from([0, 0, 36])),  # months already leased
        max_size=7,
    ))
    answers = draw(st.lists(st.sampled_from(["accept", "decline", "silent"]), min_size=10, max_size=10))
    return {"units": units, "people": people, "answers": answers}


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario())
def test_random_rounds_keep_the_invariants_in_the_database(db_session, scenario: dict) -> None:
    session = db_session
    try:
        officer = make_user(session, "officer@example.cn", "赵建国", Role.OFFICER)
        communities = {code: apartments.create_community(session, officer, code=code, name_zh=code, name_en=code,
                                                         district="220102").id for code in CODES}
        rows = [{"community": c, "building": str(b), "number": str(100 + i), "type": t, "area_m2": "30"}
                for i, (c, b, t) in enumerate(scenario["units"])]
        if rows:
            apartments.add_units(session, officer, rows, source="test")
        old_building = ApartmentBuilding(community_id=communities["QN-01"], name="old")
        earlier = ApartmentRound(name="earlier", status="allocated", closes_on=date(2023, 1, 1), secret_seed="0" * 64,
                                 commitment="0" * 64, opened_by_id=officer.id)
        session.add_all([old_building, earlier])
        session.flush()
        people = []
        for index, (education, prefs, unit_type, leased) in enumerate(scenario["people"]):
            person = make_user(session, f"p{index}@example.cn", f"申请人{index}", Role.APPLICANT)
            if leased:
                # An earlier, finished lease of the full 36 months on a unit outside this round.
                past = apartments.apply_for_apartment(session, person, communities=[communities["QN-01"]],
                                                      unit_type="studio", facts=apartment_facts(201 + 2 * index, education))
                past.status = "housed"
                past.open_applicant_id = None
                extra = ApartmentUnit(community_id=communities["QN-01"], building_id=old_building.id,
                                      number=f"old-{index}", unit_type="studio", area_m2=30, status="maintenance")
                session.add(extra)
                session.flush()
                offer = ApartmentOffer(round_id=earlier.id, application_id=past.id, unit_id=extra.id,
                                       source="draw", status="accepted", offered_on=date(2023, 1, 2),
                                       respond_by=date(2023, 1, 9))
                session.add(offer)
                session.flush()
                session.add(ApartmentLease(unit_id=extra.id, application_id=past.id, offer_id=offer.id,
                                           tenant_id=person.id, starts_on=date(2023, 1, 2),
                                           ends_on=date(2026, 1, 1), months=36, monthly_rent=450,
                                           moved_out_on=date(2026, 1, 2)))
                session.flush()
            apartments.apply_for_apartment(session, person, communities=[communities[c] for c in prefs],
                                           unit_type=unit_type, facts=apartment_facts(201 + 2 * index, education))
            people.append(person)
        if not rows:
            return
        round_ = apartments.open_round(session, officer, name="随机", closes_on=today())
        apartments.close_round(session, officer, round_.id)
        assert apartments.verify_stored_round(round_).ok

        round_units = len(rows)
        pending = list(session.scalars(select(ApartmentOffer).where(ApartmentOffer.status == "pending",
                                                                    ApartmentOffer.round_id == round_.id)))
        assert len(pending) <= round_units
        # Answer at random, including silence (expired later), and watch the re-offers.
        for step in range(10):
            pending = list(session.scalars(select(ApartmentOffer).where(ApartmentOffer.status == "pending")
                                           .order_by(ApartmentOffer.id)))
            if not pending:
                break
            offer = pending[0]
            holder = session.get(ApartmentApplication, offer.application_id).applicant
            answer = scenario["answers"][step]
            if answer == "silent":
                apartments.expire_offers(session, as_of=offer.respond_by + timedelta(days=1))
            else:
                apartments.respond_to_offer(session, holder, offer.id, accept=answer == "accept")

        running = session.execute(select(ApartmentLease.unit_id, func.count()).where(ApartmentLease.moved_out_on.is_(None))
                                  .group_by(ApartmentLease.unit_id)).all()
        assert all(count == 1 for _unit, count in running)
        pending_units = session.execute(select(ApartmentOffer.unit_id, func.count())
                                        .where(ApartmentOffer.status == "pending")
                                        .group_by(ApartmentOffer.unit_id)).all()
        assert all(count == 1 for _unit, count in pending_units)
        assert len(pending_units) + len(running) <= round_units
        for lease in session.scalars(select(ApartmentLease).where(ApartmentLease.moved_out_on.is_(None))):
            application = session.get(ApartmentApplication, lease.application_id)
            unit = session.get(ApartmentUnit, lease.unit_id)
            assert unit.community_id in application.communities and unit.unit_type == application.unit_type
            assert lease.months == 36  # nobody over the limit was housed; everyone housed had no earlier months
            assert unit.status == "let"
    finally:
        session.rollback()

