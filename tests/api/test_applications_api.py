"""Applications through the HTTP API: submission (engine errors keyed facts.<path>), the masked ID number,
evidence uploads checked by content and size, endorsement, resubmission and withdrawal."""

from __future__ import annotations

import copy
import io

import pytest

from talent.models import AuditEvent
from talent.models.applications import Application, ApplicationDocument
from tests.services.workflow_support import (
    DEMO_EMPLOYER_CODE,
    OTHER_EMPLOYER_CODE,
    case_in,
    make_people,
    tier_b_facts,
    token_for,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def apply(client, people, facts=None, code=DEMO_EMPLOYER_CODE):
    return client.post("/api/v1/applications", json={"facts": facts or tier_b_facts(), "employer_credit_code": code},
                       headers=token_for(people.applicant))


def upload(client, headers, case_id, data, name="evidence.pdf"):
    return client.post(f"/api/v1/applications/{case_id}/documents", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_apply_answers_the_case_with_its_decision_and_masks_the_id_number(client, people):
    facts = tier_b_facts()
    response = apply(client, people, facts)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "awaiting_endorsement" and body["decision"]["tier"] == "B"
    assert body["decision"]["policy"] == body["policy"] == "CC-2024"
    assert body["facts"]["id_number"] == facts["id_number"][:6] + "********" + facts["id_number"][-4:]
    assert facts["id_number"] not in response.get_data(as_text=True)
    assert [entry["action"] for entry in body["history"]] == ["submit"]
    assert body["clock"]["kind"] == "endorsement" and body["card"] is None


def test_the_engine_refuses_facts_with_field_paths_under_facts(client, people, db_session):
    facts = tier_b_facts()
    facts["employment"]["annual_salary"] = -5
    facts["honours"] = ["nobel_peace"]
    response = apply(client, people, facts)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "facts.employment.annual_salary" in errors
    assert any(key.startswith("facts.honours") for key in errors), errors
    assert all(key.startswith("facts") for key in errors), errors
    assert db_session.query(Application).count() == 0


@pytest.mark.parametrize("code", ["91110000MA0000000X", OTHER_EMPLOYER_CODE, ""])
def test_unknown_or_unverified_employers_are_refused(client, people, code):
    response = apply(client, people, code=code)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["employer_credit_code"]


def test_a_body_without_facts_is_refused(client, people):
    response = client.post("/api/v1/applications", json={"employer_credit_code": DEMO_EMPLOYER_CODE},
                           headers=token_for(people.applicant))
    assert response.status_code == 422 and "facts" in response.get_json()["errors"]


def test_a_second_open_application_is_a_conflict(client, people):
    assert apply(client, people).status_code == 201
    assert apply(client, people).status_code == 409


def test_evidence_upload_checks_content_and_size_and_stays_private(app, client, people, db_session):
    case_id = apply(client, people).get_json()["id"]
    owner = token_for(people.applicant)
    response = upload(client, owner, case_id, PDF, "劳动合同.pdf")
    assert response.status_code == 201 and response.get_json()["content_type"] == "application/pdf"
    assert upload(client, owner, case_id, JPEG, "degree.jpg").get_json()["content_type"] == "image/jpeg"
    # named like a PDF, but an HTML page inside
    response = upload(client, owner, case_id, b"<html><script>alert(1)</script></html>", "scan.pdf")
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["file"]
    # just over 10 MB: refused before anything is kept
    response = upload(client, owner, case_id, PDF + b"0" * (10 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    assert client.post(f"/api/v1/applications/{case_id}/documents", headers=owner).status_code == 422
    assert db_session.query(ApplicationDocument).count() == 2

    document = db_session.query(ApplicationDocument).order_by(ApplicationDocument.id).first()
    assert "劳动合同" not in document.stored_name
    response = client.get(f"/api/v1/applications/{case_id}/documents/{document.id}", headers=owner)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/api/v1/applications/{case_id}/documents/{document.id}",
                      headers=token_for(people.officer)).status_code == 200
    assert client.get(f"/api/v1/applications/{case_id}/documents/{document.id}",
                      headers=token_for(people.other_applicant)).status_code == 403
    # never served statically
    assert client.get(f"/static/{document.stored_name}").status_code == 404
    assert client.get(f"/uploads/{document.stored_name}").status_code == 404
    assert upload(client, token_for(people.other_applicant), case_id, PDF).status_code == 403


def test_endorsement_by_the_named_employer_moves_the_case_to_review(client, people, db_session):
    case_id = apply(client, people).get_json()["id"]
    url = f"/api/v1/applications/{case_id}/endorsement"
    assert client.post(url, json={"endorse": True}, headers=token_for(people.other_employer_user)).status_code == 403
    listed = client.get("/api/v1/applications", headers=token_for(people.employer_user)).get_json()
    assert [c["id"] for c in listed] == [case_id] and "facts" not in listed[0]
    assert client.get("/api/v1/applications", headers=token_for(people.other_employer_user)).get_json() == []
    response = client.post(url, json={"endorse": True, "comment": "属实"}, headers=token_for(people.employer_user))
    assert response.status_code == 200 and response.get_json()["status"] == "in_review"
    assert client.post(url, json={"endorse": True}, headers=token_for(people.employer_user)).status_code == 409
    body = client.get(f"/api/v1/applications/{case_id}", headers=token_for(people.applicant)).get_json()
    assert body["clock"]["kind"] == "review" and body["endorsement_comment"] == "属实"
    assert [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="application").order_by(AuditEvent.id)] == [
        "application.submit", "application.endorse"]


def test_resubmission_after_a_request_for_changes(client, people, db_session):
    application = case_in(db_session, people, "in_review")
    db_session.commit()
    decision = {"outcome": "request_changes", "reason": "请补正。",
                "items": [{"field": "employment.contract_years", "problem": "请上传劳动合同"}]}
    response = client.post(f"/api/v1/applications/{application.id}/decision", json=decision,
                           headers=token_for(people.officer))
    assert response.status_code == 200 and response.get_json()["status"] == "changes_requested"
    owner = token_for(people.applicant)
    body = client.get(f"/api/v1/applications/{application.id}", headers=owner).get_json()
    assert body["requested_items"] == decision["items"] and body["history"][-1]["reason"] == "请补正。"
    facts = copy.deepcopy(application.facts)
    facts["employment"]["contract_years"] = 6
    url = f"/api/v1/applications/{application.id}/resubmission"
    assert client.post(url, json={"facts": facts, "employer_credit_code": OTHER_EMPLOYER_CODE},
                       headers=owner).status_code == 422
    response = client.post(url, json={"facts": facts, "note": "已补充"}, headers=owner)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "in_review" and body["review_round"] == 2
    assert body["history"][-1]["items"] == [{"field": "employment.contract_years"}]
    assert client.post(url, json={}, headers=owner).status_code == 409


def test_withdrawal(client, people):
    case_id = apply(client, people).get_json()["id"]
    response = client.post(f"/api/v1/applications/{case_id}/withdrawal", headers=token_for(people.applicant))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/applications/{case_id}/withdrawal",
                       headers=token_for(people.applicant)).status_code == 409
    assert apply(client, people).status_code == 201


def test_officers_see_the_full_rule_trace_and_the_audit_trail(client, people, db_session):
    application = case_in(db_session, people, "awaiting_confirmation")
    db_session.commit()
    body = client.get(f"/api/v1/applications/{application.id}", headers=token_for(people.officer2)).get_json()
    assert {r["rule"] for r in body["decision"]["reasons"]} >= {"G1", "G2", "G6"}
    assert body["first_approval_by"]["name"] == "赵建国" and body["decisions"][0]["stage"] == "first"
    assert [step["label"]["zh"] for step in body["history"]] == ["提交申请", "单位确认", "初审通过"]
    trail = client.get(f"/api/v1/applications/{application.id}/audit", headers=token_for(people.officer2)).get_json()
    assert [e["action"] for e in trail] == ["application.submit", "application.endorse", "application.approve"]
    assert trail[-1]["actor"]["name"] == "赵建国" and trail[-1]["before"]["status"] == "in_review"
    from talent.services.identities import id_number_of

    assert id_number_of(application) not in str(trail)
    assert client.get(f"/api/v1/applications/{application.id}/audit",
                      headers=token_for(people.applicant)).status_code == 403
