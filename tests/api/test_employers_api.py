"""Employer registration (credit code checked per GB 32100) and verification by officers."""

from __future__ import annotations

import pytest

from talent.models import AuditEvent, Employer
from tests.conftest import seed

VALID_CODE = "91350100M000100Y43"  # REFERENCE.md example


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
