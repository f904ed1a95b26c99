"""Every workflow endpoint × every role → the expected status.

Roles: anonymous, the applicant who owns the case, another applicant, the employer named in the case, another
employer, an officer, an administrator. A refused role must leave the case as it was, so refused requests run
first on one case; each allowed role that changes state gets a fresh case of its own.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from talent.models import Role
from talent.services import publicity, reviews, uploads
from tests.services.workflow_support import (
    DEMO_EMPLOYER_CODE,
    People,
    case_in,
    graduate_facts,
    id_number,
    make_people,
    make_user,
    tier_b_facts,
    token_for,
    years_ago,
)

ROLES = ("anonymous", "applicant", "other_applicant", "employer", "other_employer", "officer", "admin")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Endpoint:
    endpoint: str  # Flask endpoint name, to check that the matrix covers every workflow endpoint
    method: str
    path: str  # formatted with the target's fields
    allowed: dict[str, int]  # role -> expected success status; every other role is refused
    target: str = "none"  # the state of the case the request acts on
    body: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda _t: None
    multipart: bool = False
    mutates: bool = True
    refused: dict[str, int] = field(default_factory=dict)  # refusals other than 401 (anonymous) / 403


_id_sequence = itertools.count(500)


def _fresh_id_number() -> str:
    return id_number("220104", years_ago(45), next(_id_sequence))


OFFICERS = {"officer": 200, "admin": 200}
OWNER_AND_OFFICERS = {"applicant": 200, "officer": 200, "admin": 200}

ENDPOINTS = [
    Endpoint("applications.submit", "POST", "/api/v1/applications", {"applicant": 201, "other_applicant": 201},
             # each applicant applies with an ID number of their own (an ID number belongs to one account)
             body=lambda _t: {"facts": tier_b_facts(_fresh_id_number()), "employer_credit_code": DEMO_EMPLOYER_CODE}),
    Endpoint("applications.list_applications", "GET", "/api/v1/applications",
             {"applicant": 200, "other_applicant": 200, "employer": 200, "other_employer": 200},
             target="awaiting_endorsement", mutates=False),
    Endpoint("applications.get_application", "GET", "/api/v1/applications/{id}", OWNER_AND_OFFICERS,
             target="awaiting_endorsement", mutates=False),
    Endpoint("applications.upload_document", "POST", "/api/v1/applications/{id}/documents", {"applicant": 201},
             target="awaiting_endorsement", multipart=True),
    Endpoint("applications.download_document", "GET", "/api/v1/applications/{id}/documents/{document_id}",
             OWNER_AND_OFFICERS, target="with_document", mutates=False),
    Endpoint("applications.endorse", "POST", "/api/v1/applications/{id}/endorsement", {"employer": 200},
             target="awaiting_endorsement", body=lambda _t: {"endorse": True, "comment": "属实"}),
    Endpoint("applications.resubmit", "POST", "/api/v1/applications/{id}/resubmission", {"applicant": 200},
             target="changes_requested", body=lambda _t: {"note": "已补正"}),
    Endpoint("applications.withdraw", "POST", "/api/v1/applications/{id}/withdrawal", {"applicant": 200},
             target="awaiting_endorsement"),
    Endpoint("applications.decision_letter", "GET", "/api/v1/applications/{id}/letter.pdf", OWNER_AND_OFFICERS,
             target="rejected", mutates=False),
    Endpoint("applications.audit_trail", "GET", "/api/v1/applications/{id}/audit", OFFICERS,
             target="awaiting_endorsement", mutates=False),
    Endpoint("applications.revoke", "POST", "/api/v1/applications/{id}/revocation", OFFICERS,
             target="granted_without_card", body=lambda _t: {"reason": "离开长春", "fraud": False}),
    Endpoint("reviews.queue", "GET", "/api/v1/reviews", OFFICERS, mutates=False),
    Endpoint("reviews.decide", "POST", "/api/v1/applications/{id}/decision", OFFICERS, target="in_review",
             body=lambda _t: {"outcome": "approve", "reason": "符合条件"}),
    Endpoint("reviews.object_to", "POST", "/api/v1/applications/{id}/objections",
             {role: 201 for role in ROLES if role != "anonymous"}, target="under_notice",
             body=lambda _t: {"text": "请核实"}, mutates=False),
    Endpoint("reviews.resolve", "POST", "/api/v1/objections/{objection_id}/resolution", OFFICERS,
             target="objection", body=lambda _t: {"uphold": False, "reason": "经核实不成立"}),
    Endpoint("cards.get_card", "GET", "/api/v1/cards/{card}", OWNER_AND_OFFICERS, target="granted", mutates=False),
    Endpoint("cards.card_pdf", "GET", "/api/v1/cards/{card}.pdf", OWNER_AND_OFFICERS, target="granted",
             mutates=False),
    Endpoint("cards.verify", "GET", "/api/v1/cards/verify/{code}", {role: 200 for role in ROLES},
             target="granted", mutates=False),
    Endpoint("cards.revoke", "POST", "/api/v1/cards/{card}/revocation", OFFICERS, target="granted",
             body=lambda _t: {"reason": "离开长春", "fraud": False}),
    Endpoint("statistics.statistics", "GET", "/api/v1/statistics", OFFICERS, mutates=False),
    Endpoint("cards.mark_paid", "POST", "/api/v1/instalments/{instalment}/payment", OFFICERS, target="granted",
             body=lambda _t: {}),
]


def make_target(session, people: People, state: str, owner) -> dict[str, Any]:
    """A case of `owner` in `state` (made through the real services) and the ids the paths need."""
    if state == "none":
        return {}
    if state == "with_document":
        application = case_in(session, people, "awaiting_endorsement", owner=owner)
        from flask import current_app

        from talent.storage import storage_for

        document = uploads.store_document(session, owner, application.id, stream=io.BytesIO(PDF),
                                          filename="x.pdf", storage=storage_for(current_app),
                                          max_bytes=1024)
        return {"id": application.id, "document_id": document.id}
    if state == "changes_requested":
        application = case_in(session, people, "in_review", owner=owner)
        reviews.decide_application(session, people.officer, application.id, outcome="request_changes",
                                   reason="补正", items=[{"field": "documents", "problem": "缺合同"}])
        return {"id": application.id}
    if state == "rejected":
        application = case_in(session, people, "in_review", owner=owner)
        reviews.decide_application(session, people.officer, application.id, outcome="reject", reason="不符合")
        return {"id": application.id}
    if state == "granted_without_card":
        graduate_id = id_number("220102", years_ago(31), owner.id % 900 + 1)  # the owner's own ID number
        return {"id": case_in(session, people, "granted", owner=owner, facts=graduate_facts(graduate_id)).id}
    if state == "objection":
        application = case_in(session, people, "under_notice", owner=owner)
        objection = publicity.file_objection(session, people.other_employer_user, application.id, text="异议")
        return {"id": application.id, "objection_id": objection.id}
    application = case_in(session, people, state, owner=owner)
    target = {"id": application.id}
    if application.card is not None:
        target.update(card=application.card.number, code=application.card.verification_code,
                      instalment=application.instalments[0].id)
    return target


def call(client, endpoint: Endpoint, target: dict[str, Any], headers: dict[str, str]):
    url = endpoint.path.format(**target)
    if endpoint.multipart:
        return client.open(url, method=endpoint.method, headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "evidence.pdf")})
    body = endpoint.body(target)
    return client.open(url, method=endpoint.method, headers=headers, json=body if body is not None else None)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.endpoint)
def test_each_role_gets_the_expected_answer(app, client, db_session, endpoint):
    people = make_people(db_session)
    tokens = {role: token_for(user) for role, user in people.by_role_name().items()}
    tokens["anonymous"] = {}
    with app.app_context():
        shared = make_target(db_session, people, endpoint.target, people.applicant)
    db_session.commit()

    for role in ROLES:
        if role in endpoint.allowed:
            continue
        expected = endpoint.refused.get(role, 401 if role == "anonymous" else 403)
        response = call(client, endpoint, shared, tokens[role])
        assert response.status_code == expected, (role, response.get_json())

    for number, (role, expected) in enumerate(endpoint.allowed.items()):
        target = shared
        if endpoint.mutates and number > 0 and endpoint.target != "none":
            # a fresh case for each further allowed role (one open case per applicant: a new owner each time)
            owner = make_user(db_session, f"owner{number}@example.cn", f"申请人{number}", Role.APPLICANT)
            with app.app_context():
                target = make_target(db_session, people, endpoint.target, owner)
            db_session.commit()
        response = call(client, endpoint, target, tokens[role])
        assert response.status_code == expected, (role, response.get_data(as_text=True)[:300])


def test_the_matrix_covers_every_workflow_endpoint(app):
    workflow = {name for name in app.view_functions
                if name.split(".")[0] in ("applications", "reviews", "cards", "statistics")}
    assert workflow == {endpoint.endpoint for endpoint in ENDPOINTS}
