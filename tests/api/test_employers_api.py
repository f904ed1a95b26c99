"""Employer registration (credit code checked per GB 32100) and verification by officers."""

from __future__ import annotations

import pytest

from talent.models import AuditEvent, Employer
from tests.conftest import seed

VALID_CODE = "91350100M000100Y43"  # docs/policy.md §A.3 example


def bearer(client, email, password="demo-pass-2026"):
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo(app):
    return seed(app)


def test_employer_registers_and_an_officer_verifies(app, client, demo, db_session):
    employer = bearer(client, "employer@demo.talent.cc")
    response = client.post(
        "/api/v1/employers",
        json={"name": "长春示例汽车零部件有限公司", "credit_code": VALID_CODE.lower(), "district": "220174"},
        headers=employer,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["credit_code"] == VALID_CODE and body["verified"] is False

    officer = bearer(client, "officer@demo.talent.cc")
    response = client.post(f"/api/v1/employers/{body['id']}/verification", headers=officer)
    assert response.status_code == 200 and response.get_json()["verified"] is True
    # verifying twice is a conflicting state change
    assert client.post(f"/api/v1/employers/{body['id']}/verification", headers=officer).status_code == 409
    events = db_session.query(AuditEvent).filter_by(entity_type="employer", entity_id=str(body["id"]))
    actions = [e.action for e in events.order_by(AuditEvent.id)]
    assert actions == ["employer.registered", "employer.verified"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "credit_code": "91350100M000100Y44", "district": "220104"}, "credit_code"),
        ({"name": "x", "credit_code": "91350100M000100Y4", "district": "220104"}, "credit_code"),
        ({"name": "x", "credit_code": "91350100M0001O0Y43", "district": "220104"}, "credit_code"),
        ({"name": "x", "credit_code": VALID_CODE, "district": "110105"}, "district"),
        ({"name": "", "credit_code": VALID_CODE, "district": "220104"}, "name"),
        ({"name": "x", "credit_code": VALID_CODE, "district": "220104", "kind": "charity"}, "kind"),
    ],
)
def test_bad_employer_details_are_refused_and_nothing_is_stored(app, client, demo, db_session, payload, field):
    before = db_session.query(Employer).count()  # the demo organisation
    response = client.post("/api/v1/employers", json=payload, headers=bearer(client, "employer@demo.talent.cc"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db_session.query(Employer).count() == before


def test_duplicate_credit_code_is_a_conflict(app, client, demo):
    headers = bearer(client, "employer@demo.talent.cc")
    payload = {"name": "甲", "credit_code": VALID_CODE, "district": "220104"}
    assert client.post("/api/v1/employers", json=payload, headers=headers).status_code == 201
    assert client.post("/api/v1/employers", json=payload, headers=headers).status_code == 409


@pytest.mark.parametrize("who", ["applicant@demo.talent.cc", "officer@demo.talent.cc"])
def test_only_employer_accounts_register_organisations(app, client, demo, who):
    payload = {"name": "甲", "credit_code": VALID_CODE, "district": "220104"}
    assert client.post("/api/v1/employers", json=payload, headers=bearer(client, who)).status_code == 403


def test_only_officers_verify(app, client, demo):
    payload = {"name": "甲", "credit_code": VALID_CODE, "district": "220104"}
    employer = bearer(client, "employer@demo.talent.cc")
    employer_id = client.post("/api/v1/employers", json=payload, headers=employer).get_json()["id"]
    assert client.post(f"/api/v1/employers/{employer_id}/verification", headers=employer).status_code == 403
    assert client.post(f"/api/v1/employers/{employer_id}/verification").status_code == 401
    officer = bearer(client, "officer@demo.talent.cc")
    assert client.post("/api/v1/employers/9999/verification", headers=officer).status_code == 404


def test_organisations_are_listed_a_page_at_a_time(app, client, demo, db_session):
    employer = bearer(client, "employer@demo.talent.cc")
    payload = {"name": "长春示例汽车零部件有限公司", "credit_code": VALID_CODE, "district": "220174"}
    assert client.post("/api/v1/employers", json=payload, headers=employer).status_code == 201
    officer = bearer(client, "officer@demo.talent.cc")

    everything = client.get("/api/v1/employers", headers=officer).get_json()
    assert (everything["total"], everything["page"], everything["pages"]) == (2, 1, 1)
    first = client.get("/api/v1/employers?per_page=1", headers=officer).get_json()
    second = client.get("/api/v1/employers?per_page=1&page=2", headers=officer).get_json()
    assert [e["name"] for e in first["items"]] == ["长春示例汽车零部件有限公司"]  # newest first
    assert len(second["items"]) == 1 and (first["total"], first["pages"]) == (2, 2)
    waiting = client.get("/api/v1/employers?verified=false", headers=officer).get_json()
    assert [e["credit_code"] for e in waiting["items"]] == [VALID_CODE] and waiting["total"] == 1

    # an employer account sees only the organisations it registered
    other = client.post("/api/v1/auth/register", json={
        "email": "hr@other.example.cn", "password": "another-pass-2026", "name": "刘强", "role": "employer"})
    assert other.status_code == 201, other.get_json()
    assert client.get("/api/v1/employers", headers=bearer(client, "hr@other.example.cn", "another-pass-2026")
                      ).get_json()["total"] == 0
    assert client.get("/api/v1/employers", headers=employer).get_json()["total"] == 2

    for query in ("page=100000000000000000000", "per_page=101", "page=0"):
        response = client.get(f"/api/v1/employers?{query}", headers=officer)
        assert response.status_code == 422 and query.split("=")[0] in response.get_json()["errors"]


def test_a_registration_racing_another_for_the_same_code_is_a_conflict(app, client, demo, db_session, monkeypatch):
    from talent.services import employers as service

    def registered_meanwhile(session, credit_code):
        # Another request registers the same code between the check and the insert, and commits first.
        db_session.add(Employer(name="抢先登记的单位", credit_code=VALID_CODE, district="220104", kind="enterprise",
                                owner_id=demo["employer@demo.talent.cc"]))
        db_session.commit()
        return None

    events_before = db_session.query(AuditEvent).filter_by(action="employer.registered").count()
    monkeypatch.setattr(service, "employer_by_credit_code", registered_meanwhile)
    response = client.post("/api/v1/employers", json={"name": "甲", "credit_code": VALID_CODE, "district": "220104"},
                           headers=bearer(client, "employer@demo.talent.cc"))
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.get_json()["errors"] == {"credit_code": ["Already registered."]}
    db_session.expire_all()
    assert [e.name for e in db_session.query(Employer).filter_by(credit_code=VALID_CODE)] == ["抢先登记的单位"]
    assert db_session.query(AuditEvent).filter_by(action="employer.registered").count() == events_before
