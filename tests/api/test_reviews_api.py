"""The review queue and decisions through the HTTP API: filters, paging, clocks, four eyes, 409 for a step that no
longer applies, objections, and no partial state when a transition fails in the middle."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from talent.models import AuditEvent
from talent.models.applications import Application, ReviewDecision, StatusChange
from talent.services.workflow import LOCAL_TIMEZONE, today
from talent.workdays import add_working_days
from tests.services.workflow_support import (
    case_in,
    graduate_facts,
    id_number,
    make_people,
    make_user,
    tier_b_facts,
    token_for,
    years_ago,
)


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def applicant(db_session, n):
    from talent.models import Role

    return make_user(db_session, f"applicant{n}@example.cn", f"申请人{n}", Role.APPLICANT)


def test_queue_filters_sorts_pages_and_highlights_cases_about_to_run_late(client, people, db_session):
    cases = []
    for n in range(5):
        facts = graduate_facts(id_number("220102", years_ago(30), 100 + n)) if n % 2 else tier_b_facts(
            id_number("220104", years_ago(45) - timedelta(days=40), 100 + n))
        case = case_in(db_session, people, "in_review", facts=facts, owner=applicant(db_session, n))
        # case n was submitted n+1 weeks ago
        case.submitted_at = datetime.combine(today() - timedelta(weeks=n + 1), datetime.min.time(), LOCAL_TIMEZONE)
        cases.append(case)
    cases[3].review_due_on = add_working_days(today(), 1)  # about to run late
    cases[4].review_due_on = add_working_days(today(), -2)  # late
    case_in(db_session, people, "awaiting_endorsement")  # not in the queue yet
    db_session.commit()
    officer = token_for(people.officer)

    body = client.get("/api/v1/reviews", headers=officer).get_json()
    assert body["total"] == 5 and [i["id"] for i in body["items"]] == [c.id for c in reversed(cases)]
    states = {i["id"]: i["clock"]["state"] for i in body["items"]}
    assert states[cases[3].id] == "due_soon" and states[cases[4].id] == "late" and states[cases[0].id] == "on_time"
    assert body["items"][0]["age_days"] == 35

    body = client.get("/api/v1/reviews?tier=B&sort=newest", headers=officer).get_json()
    assert [i["id"] for i in body["items"]] == [cases[0].id, cases[2].id, cases[4].id]
    body = client.get("/api/v1/reviews?tier=none", headers=officer).get_json()
    assert {i["id"] for i in body["items"]} == {cases[1].id, cases[3].id}
    body = client.get("/api/v1/reviews?programme=privilege_card", headers=officer).get_json()
    assert body["total"] == 3
    body = client.get("/api/v1/reviews?status=awaiting_endorsement", headers=officer).get_json()
    assert body["total"] == 1
    body = client.get("/api/v1/reviews?per_page=2&page=3", headers=officer).get_json()
    assert (body["pages"], body["page"], [i["id"] for i in body["items"]]) == (3, 3, [cases[0].id])
    body = client.get("/api/v1/reviews?sort=due", headers=officer).get_json()
    assert [i["id"] for i in body["items"]][:2] == [cases[4].id, cases[3].id]
    for bad in ("status=done", "tier=D", "programme=cash", "sort=age", "page=0", "per_page=1000", "colour=red"):
        response = client.get(f"/api/v1/reviews?{bad}", headers=officer)
        assert response.status_code == 422, bad
        assert bad.split("=")[0] in response.get_json()["errors"]


def test_two_officers_approve_and_the_notice_opens(client, people, db_session):
    application = case_in(db_session, people, "in_review")
    db_session.commit()
    url = f"/api/v1/applications/{application.id}/decision"
    approve = {"outcome": "approve", "reason": "符合条件"}
    assert client.post(url, json={"outcome": "approve", "reason": "  "}, headers=token_for(people.officer)).status_code == 422
    assert client.post(url, json={"outcome": "ok", "reason": "x"}, headers=token_for(people.officer)).status_code == 422
    assert client.post(url, json=approve, headers=token_for(people.officer)).get_json()["status"] == "awaiting_confirmation"
    assert client.post(url, json=approve, headers=token_for(people.officer)).status_code == 409
    body = client.post(url, json=approve, headers=token_for(people.admin)).get_json()
    assert body["status"] == "under_notice" and body["clock"]["kind"] == "notice"
    assert client.post(url, json=approve, headers=token_for(people.officer2)).status_code == 409
    assert client.post(url, json={"outcome": "reject", "reason": "x"}, headers=token_for(people.officer2)).status_code == 409
    assert db_session.scalar(select(func.count()).select_from(ReviewDecision)) == 2


def test_request_changes_needs_items_and_items_only_go_with_it(client, people, db_session):
    application = case_in(db_session, people, "in_review")
    db_session.commit()
    url = f"/api/v1/applications/{application.id}/decision"
    officer = token_for(people.officer)
    response = client.post(url, json={"outcome": "request_changes", "reason": "补正"}, headers=officer)
    assert response.status_code == 422 and "items" in response.get_json()["errors"]
    response = client.post(url, json={"outcome": "request_changes", "reason": "补正", "items": [{"field": "x"}]},
                           headers=officer)
    assert response.status_code == 422 and "items.0.problem" in response.get_json()["errors"]
    response = client.post(url, json={"outcome": "reject", "reason": "不符", "items": [{"field": "x", "problem": "y"}]},
                           headers=officer)
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Application, application.id).status == "in_review"


def test_objection_and_dismissal_through_the_api(client, people, db_session):
    application = case_in(db_session, people, "under_notice")
    db_session.commit()
    url = f"/api/v1/applications/{application.id}/objections"
    assert client.post(url, json={"text": "异议"}).status_code == 401
    assert client.post(url, json={"text": ""}, headers=token_for(people.other_applicant)).status_code == 422
    response = client.post(url, json={"text": "申请人并非全职"}, headers=token_for(people.other_employer_user))
    assert response.status_code == 201
    objection_id = response.get_json()["id"]
    resolution = f"/api/v1/objections/{objection_id}/resolution"
    assert client.post(resolution, json={"uphold": False, "reason": "x"},
                       headers=token_for(people.applicant)).status_code == 403
    response = client.post(resolution, json={"uphold": True, "reason": "经核实属实"}, headers=token_for(people.officer))
    assert response.status_code == 200 and response.get_json()["status"] == "upheld"
    db_session.expire_all()
    assert db_session.get(Application, application.id).status == "in_review"
    assert client.post(resolution, json={"uphold": False, "reason": "x"}, headers=token_for(people.officer)).status_code == 409
    assert client.post("/api/v1/objections/999999/resolution", json={"uphold": False, "reason": "x"},
                       headers=token_for(people.officer)).status_code == 404


def test_a_failure_in_the_middle_of_a_transition_leaves_no_partial_state(app, client, people, db_session, monkeypatch):
    """The decision row and the changed fields are in the session when the audit writer fails: none may stay."""
    application = case_in(db_session, people, "awaiting_confirmation")
    db_session.commit()
    before = (application.status, application.version)
    counts = {model: db_session.scalar(select(func.count()).select_from(model))
              for model in (ReviewDecision, StatusChange, AuditEvent)}

    def broken_audit(*_args, **_kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("talent.services.workflow.record_event", broken_audit)
    with pytest.raises(RuntimeError):  # TESTING propagates; in production the answer is a 500
        client.post(f"/api/v1/applications/{application.id}/decision",
                    json={"outcome": "approve", "reason": "复核同意"}, headers=token_for(people.officer2))
    db_session.expire_all()
    refreshed = db_session.get(Application, application.id)
    assert (refreshed.status, refreshed.version) == before
    assert refreshed.notice_ends_on is None and refreshed.confirmed_by_id is None
    assert {model: db_session.scalar(select(func.count()).select_from(model)) for model in counts} == counts

    monkeypatch.undo()
    response = client.post(f"/api/v1/applications/{application.id}/decision",
                           json={"outcome": "approve", "reason": "复核同意"}, headers=token_for(people.officer2))
    assert response.status_code == 200 and response.get_json()["status"] == "under_notice"
