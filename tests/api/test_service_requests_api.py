"""Services for card holders (docs/policy.md §10) through the HTTP API and `talent services escalate`, on every backend.

A holder of a granted card opens a request; it is routed to the verified partner that provides the service, whose
staff see it with the holder's name masked, ask for information (the clock stops), and complete it; the holder
rates it. Requests of a service no partner provides go to the officers; overdue ones are escalated to the lead
officers; a revoked card closes its open requests; a card checked at a partner's desk records the use.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from talent.cli import main as talent_command
from talent.models import AuditEvent
from talent.models.service_requests import ServiceRequest, ServiceUse
from talent.services.workflow import today
from talent.workdays import add_working_days
from tests.services.workflow_support import case_in, make_people, token_for


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


@pytest.fixture
def holder_card(people, db_session):
    application = case_in(db_session, people, "granted")
    db_session.commit()
    return application.card


def make_partner(client, officer, name, services, *, verify=True, staff_email=None):
    response = client.post("/api/v1/partners", headers=token_for(officer), json={"name": name, "services": services})
    assert response.status_code == 201, response.get_json()
    partner_id = response.get_json()["id"]
    if verify:
        assert client.post(f"/api/v1/partners/{partner_id}/verification", headers=token_for(officer)).status_code == 200
    staff = None
    if staff_email:
        response = client.post(f"/api/v1/partners/{partner_id}/staff", headers=token_for(officer),
                               json={"email": staff_email, "name": "医院窗口", "password": "partner-pass-2026"})
        assert response.status_code == 201, response.get_json()
        token = client.post("/api/v1/auth/token", json={"email": staff_email, "password": "partner-pass-2026"})
        staff = {"Authorization": f"Bearer {token.get_json()['token']}"}
    return partner_id, staff


def test_request_completed_by_a_partner_and_rated(client, people, holder_card, db_session):
    _hospital, nurse = make_partner(client, people.officer, "吉林大学第一医院", ["hospital_green_channel"],
                                    staff_email="desk@hospital.example.cn")
    _school, teacher = make_partner(client, people.officer, "南关区教育局", ["school_placement"],
                                    staff_email="desk@school.example.cn")
    holder = token_for(people.applicant)

    opened = client.post("/api/v1/service-requests", headers=holder,
                         json={"service": "hospital_green_channel", "description": "父亲需要心内科专家会诊。"})
    assert opened.status_code == 201, opened.get_json()
    request = opened.get_json()
    assert request["due_on"] == add_working_days(today(), 2).isoformat()
    assert request["routed_to"] == "吉林大学第一医院" and request["status"] == "submitted"

    # The partner's staff see it, masked; the other partner does not.
    listed = client.get("/api/v1/service-requests", headers=nurse).get_json()
    assert [r["id"] for r in listed] == [request["id"]]
    assert listed[0]["holder"] == "李*" and listed[0]["card_number"] is None
    assert client.get("/api/v1/service-requests", headers=teacher).get_json() == []
    assert client.get(f"/api/v1/service-requests/{request['id']}", headers=teacher).status_code == 404
    assert client.post(f"/api/v1/service-requests/{request['id']}/acceptance", headers=teacher).status_code == 404

    assert client.post(f"/api/v1/service-requests/{request['id']}/acceptance", headers=nurse).status_code == 200
    asked = client.post(f"/api/v1/service-requests/{request['id']}/information-request", headers=nurse,
                        json={"question": "请上传近期检查报告。"})
    assert asked.get_json()["status"] == "info_requested" and asked.get_json()["clock_stopped"] is True
    answered = client.post(f"/api/v1/service-requests/{request['id']}/information", headers=holder,
                           json={"answer": "报告已上传。"})
    assert answered.status_code == 200 and answered.get_json()["status"] == "accepted"
    # Rating an open request is refused.
    assert client.post(f"/api/v1/service-requests/{request['id']}/rating", headers=holder,
                       json={"rating": 5}).status_code == 409
    done = client.post(f"/api/v1/service-requests/{request['id']}/completion", headers=nurse,
                       json={"note": "已安排周三上午专家门诊。"})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"

    seen = client.get(f"/api/v1/service-requests/{request['id']}", headers=holder).get_json()
    assert seen["status"] == "completed" and seen["outcome_reason"] == "已安排周三上午专家门诊。"
    assert seen["holder"] == "李娜"  # the holder sees their own name
    assert client.post(f"/api/v1/service-requests/{request['id']}/rating", headers=holder,
                       json={"rating": 6}).status_code == 422
    rated = client.post(f"/api/v1/service-requests/{request['id']}/rating", headers=holder,
                        json={"rating": 5, "comment": "很及时"})
    assert rated.status_code == 200 and rated.get_json()["rating"] == 5
    assert client.post(f"/api/v1/service-requests/{request['id']}/rating", headers=holder,
                       json={"rating": 4}).status_code == 409
    actions = list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "service_request")
                                      .order_by(AuditEvent.id)))
    assert actions == ["service_request.opened", "service_request.accepted", "service_request.info_requested",
                       "service_request.info_given", "service_request.completed", "service_request.rated"]

    # The card checked at the hospital's desk records the use.
    use = client.post("/api/v1/service-uses", headers=nurse,
                      json={"verification_code": holder_card.verification_code, "service": "hospital_green_channel"})
    assert use.status_code == 201, use.get_json()
    assert client.post("/api/v1/service-uses", headers=nurse,
                       json={"verification_code": holder_card.verification_code,
                             "service": "school_placement"}).status_code == 422
    assert db_session.scalar(select(ServiceUse.service)) == "hospital_green_channel"


def test_refusals(client, people, holder_card):
    holder = token_for(people.applicant)
    # Not on a tier-B card? All seven services are; an unknown code is a 422 from the schema.
    assert client.post("/api/v1/service-requests", headers=holder,
                       json={"service": "free_lunch", "description": "x"}).status_code == 422
    assert client.post("/api/v1/service-requests", headers=holder,
                       json={"service": "school_placement", "description": ""}).status_code == 422
    # Someone without a card may not open requests.
    assert client.post("/api/v1/service-requests", headers=token_for(people.other_applicant),
                       json={"service": "school_placement", "description": "入学"}).status_code == 403
    # An unverified partner's staff see nothing, and officers' routing ignores it.
    _partner, staff = make_partner(client, people.officer, "未核验机场", ["airport_rail_vip"], verify=False,
                                   staff_email="desk@airport.example.cn")
    opened = client.post("/api/v1/service-requests", headers=holder,
                         json={"service": "airport_rail_vip", "description": "出差需走贵宾通道"}).get_json()
    assert opened["routed_to"] == "service_officers"
    assert client.get("/api/v1/service-requests", headers=staff).get_json() == []
    assert client.post(f"/api/v1/service-requests/{opened['id']}/decline", headers=token_for(people.officer),
                       json={"reason": ""}).status_code == 422
    # Evidence goes through the upload checks: recognised by content, not by name.
    bad = client.post(f"/api/v1/service-requests/{opened['id']}/evidence", headers=holder,
                      data={"file": (io.BytesIO(b"MZ not an image"), "photo.png")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "file" in bad.get_json()["errors"]
    good = client.post(f"/api/v1/service-requests/{opened['id']}/evidence", headers=holder,
                       data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)), "登机牌.png")},
                       content_type="multipart/form-data")
    assert good.status_code == 200 and good.get_json()["evidence"].endswith(".png")
    assert client.post(f"/api/v1/service-requests/{opened['id']}/evidence", headers=token_for(people.other_applicant),
                       data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)), "x.png")},
                       content_type="multipart/form-data").status_code == 404
    declined = client.post(f"/api/v1/service-requests/{opened['id']}/decline", headers=token_for(people.officer),
                           json={"reason": "该服务本月暂停。"})
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"


def test_escalation_and_revocation(client, people, holder_card, db_session, monkeypatch, database_url, app):
    monkeypatch.setenv("TALENT_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENT_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("TALENT_SECRET_KEY", "test-secret-key")
    holder = token_for(people.applicant)
    school = client.post("/api/v1/service-requests", headers=holder,
                         json={"service": "school_placement", "description": "两个孩子转学入学"}).get_json()
    hospital = client.post("/api/v1/service-requests", headers=holder,
                           json={"service": "hospital_green_channel", "description": "就医"}).get_json()
    assert school["routed_to"] == "service_officers"
    assert school["due_on"] == add_working_days(today(), 15).isoformat()
    # The hospital request waits for the holder: its clock is stopped, so it is never overdue.
    client.post(f"/api/v1/service-requests/{hospital['id']}/information-request", headers=token_for(people.officer),
                json={"question": "哪家医院？"})

    day = add_working_days(today(), 3).isoformat()
    result = CliRunner().invoke(talent_command, ["services", "escalate", "--as-of", day])
    assert result.exit_code == 0, result.output
    assert "0 request(s) escalated" in result.output
    late = add_working_days(today(), 16).isoformat()
    result = CliRunner().invoke(talent_command, ["services", "escalate", "--as-of", late])
    assert result.exit_code == 0, result.output
    assert f"request {school['id']} (school_placement)" in result.output and "1 request(s) escalated" in result.output
    outbox = list(Path(app.instance_path).glob("outbox/*.eml"))
    assert any("admin@example.cn" in path.read_text(encoding="utf-8", errors="replace") for path in outbox)
    again = CliRunner().invoke(talent_command, ["services", "escalate", "--as-of", late])
    assert "0 request(s) escalated" in again.output  # once only

    revoked = client.post(f"/api/v1/cards/{holder_card.number}/revocation", headers=token_for(people.officer),
                          json={"reason": "离开长春", "fraud": False})
    assert revoked.status_code == 200, revoked.get_json()
    db_session.expire_all()
    statuses = {r.id: (r.status, r.outcome_reason) for r in db_session.scalars(select(ServiceRequest))}
    assert statuses == {school["id"]: ("closed", "card_revoked"), hospital["id"]: ("closed", "card_revoked")}
    assert client.post("/api/v1/service-requests", headers=holder,
                       json={"service": "school_placement", "description": "再次申请"}).status_code == 403
