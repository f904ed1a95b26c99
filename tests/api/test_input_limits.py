"""Every bad input is answered (422 naming the field, 413, 405 with Allow), never a 500 — on SQLite and on
PostgreSQL, which refuses NUL characters, lone surrogates and strings longer than their column."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from talent.models import AuditEvent, Employer
from talent.rules import facts as facts_module
from talent.services import InvalidInput
from talent.services.workflow import today
from tests.services.workflow_support import case_in, make_people, token_for

TOO_LONG = "理" * 1001  # one more than the audit note holds


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def refused(response, field: str, status: int = 422) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert field in body["errors"], body
    return body


def registration(**changes):
    return {"email": "new@example.cn", "password": "long-enough-9", "name": "王五", "role": "applicant", **changes}


# --- characters ----------------------------------------------------------------------------------------


def test_nul_in_a_query_string_is_refused_naming_the_parameter(client):
    body = refused(client.get("/api/v1/jobs?q=t%00"), "q")
    assert "NUL" in body["errors"]["q"][0]
    assert client.get("/api/v1/jobs?q=t").status_code == 200


def test_nul_in_a_url_path_part_is_refused(client, people):
    refused(client.get("/api/v1/cards/CC%00-1", headers=token_for(people.officer)), "number")
    refused(client.get("/api/v1/cards/verify/a%00b"), "code")


@pytest.mark.parametrize("name", ["王\u0000五", "王\u0007五", "王\n五", "王\u009b五"])
def test_nul_and_control_characters_in_a_name_are_refused(client, name):
    body = refused(client.post("/api/v1/auth/register", json=registration(name=name)), "name")
    assert body["status"] == "Unprocessable Entity"


def test_an_escaped_lone_surrogate_in_json_is_refused(client, people):
    raw = json.dumps(registration(), ensure_ascii=False).replace('"王五"', '"\\ud800"')
    response = client.post("/api/v1/auth/register", data=raw, content_type="application/json")
    assert "surrogate" in refused(response, "name")["errors"]["name"][0]
    # also inside the facts of an application, at the path of the field
    raw = '{"facts": {"employment": {"employer_kind": "\\udfff"}}, "employer_credit_code": "x"}'
    response = client.post("/api/v1/applications", data=raw, content_type="application/json",
                           headers=token_for(people.applicant))
    refused(response, "facts.employment.employer_kind")


def test_line_breaks_are_kept_in_free_texts(client, people, db_session):
    application = case_in(db_session, people, "under_notice")
    db_session.commit()
    response = client.post(f"/api/v1/applications/{application.id}/objections",
                           json={"text": "第一行\r\n第二行\t有据"}, headers=token_for(people.other_applicant))
    assert response.status_code == 201


def test_a_form_post_with_a_nul_gets_a_readable_page(client):
    response = client.post("/register", data={"role": "applicant", "name": "王\u0000五", "email": "a@example.cn",
                                              "password": "long-enough-9", "confirm": "long-enough-9"})
    assert response.status_code == 422 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "name" in page and "不能包含空字符（NUL）" in page
    response = client.post("/register?lang=en", data={"role": "applicant", "name": "王\u0000五", "email": "a@example.cn",
                                                       "password": "long-enough-9", "confirm": "long-enough-9"})
    assert response.status_code == 422 and "must not contain the NUL character" in response.get_data(as_text=True)


# --- lengths -------------------------------------------------------------------------------------------


def test_an_email_longer_than_its_column_is_refused(client):
    email = "a" * 250 + "@example.cn"
    refused(client.post("/api/v1/auth/register", json=registration(email=email)), "email")
    refused(client.post("/api/v1/auth/token", json={"email": email, "password": "x"}), "email")


def test_free_texts_longer_than_the_audit_note_are_refused(client, people, db_session):
    officer = token_for(people.officer)
    in_review = case_in(db_session, people, "in_review")
    db_session.commit()
    refused(client.post(f"/api/v1/applications/{in_review.id}/decision",
                        json={"outcome": "reject", "reason": TOO_LONG}, headers=officer), "reason")
    # exactly the note's length is kept whole
    response = client.post(f"/api/v1/applications/{in_review.id}/decision",
                           json={"outcome": "request_changes", "reason": TOO_LONG[:-1],
                                 "items": [{"field": "employment.contract_years", "problem": "请上传劳动合同"}]},
                           headers=officer)
    assert response.status_code == 200, response.get_json()
    refused(client.post(f"/api/v1/applications/{in_review.id}/resubmission", json={"note": TOO_LONG},
                        headers=token_for(people.applicant)), "note")


def test_objection_resolution_endorsement_and_revocation_texts_are_bounded(client, people, db_session):
    officer = token_for(people.officer)
    noticed = case_in(db_session, people, "under_notice")
    waiting = case_in(db_session, people, "awaiting_endorsement", owner=people.other_applicant)
    db_session.commit()
    url = f"/api/v1/applications/{noticed.id}/objections"
    refused(client.post(url, json={"text": TOO_LONG}, headers=token_for(people.other_employer_user)), "text")
    objection = client.post(url, json={"text": "申请人并非全职"}, headers=token_for(people.other_employer_user))
    refused(client.post(f"/api/v1/objections/{objection.get_json()['id']}/resolution",
                        json={"uphold": False, "reason": TOO_LONG}, headers=officer), "reason")
    refused(client.post(f"/api/v1/applications/{waiting.id}/endorsement",
                        json={"endorse": False, "comment": TOO_LONG}, headers=token_for(people.employer_user)),
            "comment")


def test_revocation_reason_is_bounded_and_left_on_may_not_be_in_the_future(client, people, db_session):
    officer = token_for(people.officer)
    granted = case_in(db_session, people, "granted")
    db_session.commit()
    url = f"/api/v1/cards/{granted.card.number}/revocation"
    refused(client.post(url, json={"reason": TOO_LONG, "fraud": False}, headers=officer), "reason")
    refused(client.post(f"/api/v1/applications/{granted.id}/revocation",
                        json={"reason": TOO_LONG, "fraud": False}, headers=officer), "reason")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    refused(client.post(url, json={"reason": "离开长春", "fraud": False, "left_on": tomorrow}, headers=officer),
            "left_on")
    response = client.post(url, json={"reason": "离开长春", "fraud": False, "left_on": today().isoformat()},
                           headers=officer)
    assert response.status_code == 200


def test_paid_on_may_be_neither_in_the_future_nor_before_the_grant(client, people, db_session):
    officer = token_for(people.officer)
    granted = case_in(db_session, people, "granted")
    db_session.commit()
    url = f"/api/v1/instalments/{granted.instalments[0].id}/payment"
    tomorrow = today() + dt.timedelta(days=1)
    refused(client.post(url, json={"paid_on": tomorrow.isoformat()}, headers=officer), "paid_on")
    refused(client.post(url, json={"paid_on": "2020-01-01"}, headers=officer), "paid_on")
    response = client.post(url, json={"paid_on": today().isoformat()}, headers=officer)
    assert response.status_code == 200 and response.get_json()["paid_on"] == today().isoformat()


def test_the_flush_guard_refuses_what_would_not_fit_its_column(app, db_session):
    db_session.add(Employer(name="单" * 201, credit_code="91220101MA17XK2B2Y", district="220104"))
    with pytest.raises(InvalidInput) as refusal:
        db_session.flush()
    assert "name" in refusal.value.errors
    db_session.rollback()
    db_session.add(AuditEvent(action="x", entity_type="x", entity_id="1", note="a\u0000b"))
    with pytest.raises(InvalidInput) as refusal:
        db_session.flush()
    assert "note" in refusal.value.errors


# --- structure and numbers -----------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_refused(client):
    deep = "[" * 1000 + "]" * 1000
    response = client.post("/api/v1/eligibility", data=deep, content_type="application/json")
    refused(response, "_schema")
    deep = '{"a":' * 40 + "1" + "}" * 40
    refused(client.post("/api/v1/eligibility", data=deep, content_type="application/json"), "_schema")


@pytest.mark.parametrize("header", ['"²"', '"' + "9" * 4301 + '"', '"99999999999"'])
def test_a_malformed_if_match_is_refused(client, people, db_session, header):
    in_review = case_in(db_session, people, "in_review")
    db_session.commit()
    response = client.post(f"/api/v1/applications/{in_review.id}/decision", headers={
        **token_for(people.officer), "If-Match": header}, json={"outcome": "reject", "reason": "不符合"})
    refused(response, "If-Match")


@pytest.mark.parametrize("query", ["page=1000000000000000000", "per_page=1000000000000000000", "page=-1"])
def test_huge_page_numbers_are_refused(client, people, query):
    refused(client.get(f"/api/v1/reviews?{query}", headers=token_for(people.officer)), query.split("=")[0])


def test_huge_page_numbers_on_pages_are_bounded(client, db_session):
    from talent.models import Role
    from talent.services.accounts import create_user

    create_user(db_session, email="pager@example.cn", password="page-turner-2026", name="翻页", role=Role.OFFICER)
    db_session.commit()
    assert client.post("/login", data={"email": "pager@example.cn", "password": "page-turner-2026"}).status_code == 302
    response = client.get("/officer/?page=1000000000000000000")
    assert response.status_code == 200


def test_an_id_number_of_a_megabyte_is_refused_and_not_cached(client):
    before = len(facts_module._ID_CACHE)
    for n in range(3):
        response = client.post("/api/v1/eligibility", json={"application_date": "2025-01-01",
                                                             "id_number": str(n) * 1_000_000})
        refused(response, "id_number")
    assert len(facts_module._ID_CACHE) == before
    response = client.post("/api/v1/eligibility", data="x" * (3 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413


# --- methods and uploads -------------------------------------------------------------------------------


def test_405_answers_carry_allow(client):
    response = client.delete("/api/v1/jobs")
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.get_json()["code"] == 405


@pytest.mark.parametrize("extra", [10, 70 * 1024])
def test_an_oversized_upload_to_someone_elses_case_is_refused_not_a_500(app, client, people, db_session, extra):
    application = case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_UPLOAD_BYTES"] + extra)
    from io import BytesIO

    response = client.post(f"/api/v1/applications/{application.id}/documents",
                           data={"file": (BytesIO(big), "big.pdf")}, content_type="multipart/form-data",
                           headers=token_for(people.other_applicant))
    assert response.status_code in (403, 413), response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == response.status_code


def test_the_rule_engine_caches_only_ids_of_the_valid_length():
    """The cache behind the eligibility check keeps at most 100,000 IDs of 18 characters, so its size is
    bounded whatever callers send (it used to keep strings of any length)."""
    before = len(facts_module._ID_CACHE)
    for n in range(50):
        with pytest.raises(facts_module.InputError) as refusal:
            facts_module.normalise({"application_date": "2025-01-01", "id_number": f"{n:05d}" * 20}, frozenset())
        assert "id_number" in refusal.value.errors
    with pytest.raises(facts_module.InputError):
        facts_module.normalise({"application_date": "2025-01-01", "id_number": "9" * 5000}, frozenset())
    assert len(facts_module._ID_CACHE) == before


def test_an_oversized_upload_page_to_someone_elses_case_is_refused_not_a_500(app, client, db_session):
    from io import BytesIO

    from talent.models import Role
    from talent.services.accounts import create_user

    people = make_people(db_session)
    application = case_in(db_session, people, "awaiting_endorsement")
    create_user(db_session, email="intruder@example.cn", password="intruder-2026", name="闯入", role=Role.APPLICANT)
    db_session.commit()
    assert client.post("/login", data={"email": "intruder@example.cn", "password": "intruder-2026"}).status_code == 302
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post(f"/applicant/cases/{application.id}/documents",
                           data={"file": (BytesIO(big), "big.pdf")}, content_type="multipart/form-data")
    assert response.status_code in (403, 404), response.status_code
    assert response.mimetype == "text/html"


def test_a_multipart_part_without_a_name_or_with_a_nul_in_its_file_name_is_answered(client, people):
    body = b'--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n'
    response = client.post("/api/v1/applications/1/documents", data=body, content_type="multipart/form-data; boundary=x",
                           headers=token_for(people.applicant))
    assert response.status_code in (404, 422)
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a\x00.pdf"\r\n\r\n%PDF-1.4\r\n--x--\r\n'
    response = client.post("/api/v1/applications/1/documents", data=body, content_type="multipart/form-data; boundary=x",
                           headers=token_for(people.applicant))
    refused(response, "file")
