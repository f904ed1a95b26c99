"""Races on apartments give one result: officers closing the same round at once make one allocation; accepting
the last unit many times at once makes one lease. Threads against a live server, each with its own connection,
on every backend (PostgreSQL: row locks and versions; SQLite: versions and unique keys)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from talent.models import AuditEvent, Role
from talent.models.apartments import ApartmentLease, ApartmentOffer, ApartmentRound
from talent.services import apartments
from talent.services.workflow import today
from tests.api.test_apartments_api import apartment_facts
from tests.services.workflow_support import make_user, token_for

THREADS = 8


def post_all_at_once(url: str, headers: list[dict[str, str]], body: dict | None = None) -> list[int]:
    barrier = threading.Barrier(len(headers))
    statuses = [0] * len(headers)
    data = json.dumps(body or {}).encode()

    def post(index: int, header: dict[str, str]) -> None:
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={**header, "Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=post, args=(i, h)) for i, h in enumerate(headers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return statuses


@pytest.fixture
def open_round(app, db_session):
    officer = make_user(db_session, "lead@example.cn", "赵建国", Role.OFFICER)
    community = apartments.create_community(db_session, officer, code="QN-01", name_zh="南关青年人才社区",
                                            name_en="Nanguan", district="220102")
    apartments.add_units(db_session, officer, [
        {"community": "QN-01", "building": "1", "number": str(100 + n), "type": "studio", "area_m2": "30"}
        for n in range(3)
    ], source="test")
    applicants = []
    for n in range(5):
        person = make_user(db_session, f"p{n}@example.cn", f"申请人{n}", Role.APPLICANT)
        apartments.apply_for_apartment(db_session, person, communities=[community.id], unit_type="studio",
                                       facts=apartment_facts(101 + 2 * n))
        applicants.append(person)
    round_ = apartments.open_round(db_session, officer, name="并发", closes_on=today())
    db_session.commit()
    return round_, applicants


def test_officers_closing_the_same_round_at_once_make_one_allocation(live_server, db_session, open_round):
    round_, _applicants = open_round
    officers = [make_user(db_session, f"officer{n}@example.cn", f"审核员{n}", Role.OFFICER) for n in range(THREADS)]
    db_session.commit()
    statuses = post_all_at_once(f"{live_server.url}/api/v1/apartments/rounds/{round_.id}/closing",
                                [token_for(o) for o in officers])
    assert sorted(statuses) == [200] + [409] * (THREADS - 1), statuses
    db_session.expire_all()
    assert db_session.get(ApartmentRound, round_.id).status == "allocated"
    assert db_session.scalar(select(func.count()).select_from(ApartmentOffer)) == 3
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "apartment_round.allocated")) == 1


def test_accepting_the_last_unit_many_times_at_once_makes_one_lease(live_server, db_session, open_round):
    round_, applicants = open_round
    apartments.close_round(db_session, None, round_.id)
    db_session.commit()
    offer = db_session.scalars(select(ApartmentOffer).order_by(ApartmentOffer.id)).first()
    holder = next(a for a in applicants if a.id == offer.application.applicant_id)
    statuses = post_all_at_once(f"{live_server.url}/api/v1/apartments/offers/{offer.id}/answer",
                                [token_for(holder)] * THREADS, {"accept": True})
    assert sorted(statuses) == [201] + [409] * (THREADS - 1), statuses
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(ApartmentLease)
                             .where(ApartmentLease.unit_id == offer.unit_id)) == 1
