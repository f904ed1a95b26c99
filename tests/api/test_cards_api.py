"""Cards through the HTTP API: the holder's data and PDF, the public verification (masked, nothing more), expiry,
the decision letter, payments and revocation with the refund owed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest

from talent.models.cards import Card
from talent.services.cards import add_months
from talent.services.workflow import today
from tests.services.workflow_support import case_in, graduate_facts, make_people, token_for


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


@pytest.fixture
def granted(people, db_session):
    application = case_in(db_session, people, "granted")
    db_session.commit()
    return application


def test_the_holder_and_officers_read_the_card(client, people, granted):
    number = granted.card.number
    body = client.get(f"/api/v1/cards/{number}", headers=token_for(people.applicant)).get_json()
    assert body["number"] == number and body["status"] == "active" and body["valid"] is True
    assert body["holder"] == "李娜" and body["tier"] == "B" and len(body["services"]) == 7
    assert body["services"][0] == {"code": "airport_rail_vip", "zh": body["services"][0]["zh"],
                                   "en": body["services"][0]["en"]}
    assert client.get(f"/api/v1/cards/{number}", headers=token_for(people.admin)).status_code == 200
    assert client.get(f"/api/v1/cards/{number}", headers=token_for(people.other_applicant)).status_code == 403
    assert client.get("/api/v1/cards/CC-2026-999999", headers=token_for(people.officer)).status_code == 404
    application = client.get(f"/api/v1/applications/{granted.id}", headers=token_for(people.applicant)).get_json()
    assert application["card"]["number"] == number
    assert application["card"]["verification_code"] == granted.card.verification_code


def test_the_card_pdf_carries_the_name_number_and_an_embedded_cjk_font(app, client, people, granted, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://talent.example.cn/"
    response = client.get(f"/api/v1/cards/{granted.card.number}.pdf", headers=token_for(people.applicant))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "card.pdf"
    path.write_bytes(response.data)
    fonts = subprocess.run([shutil.which("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    assert any("WenQuanYi" in line and " yes " in line for line in fonts.splitlines()), fonts
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "李娜" in text and granted.card.number in text
    assert client.get(f"/api/v1/cards/{granted.card.number}.pdf",
                      headers=token_for(people.other_applicant)).status_code == 403


def test_verification_answers_valid_revoked_or_expired_and_nothing_more(client, people, granted, db_session):
    code = granted.card.verification_code
    body = client.get(f"/api/v1/cards/verify/{code}").get_json()
    assert body == {"valid": True, "status": "active", "tier": "B",
                    "valid_until": granted.card.valid_until.isoformat(), "holder": "李*"}
    assert client.get("/api/v1/cards/verify/not-a-real-code").status_code == 404
    card = db_session.get(Card, granted.card.id)
    card.valid_until = today() - timedelta(days=1)
    db_session.commit()
    body = client.get(f"/api/v1/cards/verify/{code}").get_json()
    assert (body["valid"], body["status"]) == (False, "expired")


def test_payments_and_revocation_with_the_refund_owed(client, people, granted, db_session):
    housing = [i for i in granted.instalments if i.programme == "housing_subsidy"]
    officer = token_for(people.officer)
    url = f"/api/v1/instalments/{housing[0].id}/payment"
    assert client.post(url, json={}, headers=token_for(people.applicant)).status_code == 403
    response = client.post(url, json={"paid_on": granted.application_date.isoformat()}, headers=officer)
    assert response.status_code == 200 and response.get_json()["status"] == "paid"
    assert client.post(url, json={}, headers=officer).status_code == 409

    # the holder applied 13 months ago and left today (a leaving day still to come is refused)
    granted.application_date = add_months(today(), -13)
    db_session.commit()
    left_on = today()
    revocation = f"/api/v1/cards/{granted.card.number}/revocation"
    assert client.post(revocation, json={"reason": "离职", "fraud": False},
                       headers=token_for(people.employer_user)).status_code == 403
    assert client.post(revocation, json={"fraud": False}, headers=officer).status_code == 422
    response = client.post(revocation, json={"reason": "离开长春", "fraud": False, "left_on": left_on.isoformat()},
                           headers=officer)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    total = granted.decision["programmes"]["housing_subsidy"]["total"]
    assert body["status"] == "revoked" and body["valid"] is False and body["number"] == granted.card.number
    assert body["refund_owed"] == body["refund"]["refund_owed"]
    assert body["refund"]["months_served"] == 13
    assert body["refund"]["vested"] == total * 13 // 60
    assert body["refund"]["refund_owed"] == max(0, housing[0].amount - total * 13 // 60)
    assert body["refund"]["cancelled_instalments"] == 64
    assert client.post(revocation, json={"reason": "again", "fraud": True}, headers=officer).status_code == 409
    assert client.get(f"/api/v1/cards/verify/{granted.card.verification_code}").get_json()["status"] == "revoked"


def test_decision_letters(client, people, granted, db_session, tmp_path):
    response = client.get(f"/api/v1/applications/{granted.id}/letter.pdf", headers=token_for(people.applicant))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.data)
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "李娜" in text and granted.card.number in text and "复核同意" in text
    from talent.services.identities import id_number_of

    number = id_number_of(granted)
    assert number not in text and f"{number[:6]}********{number[-4:]}" in text
    assert client.get(f"/api/v1/applications/{granted.id}/letter.pdf",
                      headers=token_for(people.other_applicant)).status_code == 403
    undecided = case_in(db_session, people, "in_review", owner=people.other_applicant)
    db_session.commit()
    assert client.get(f"/api/v1/applications/{undecided.id}/letter.pdf",
                      headers=token_for(people.other_applicant)).status_code == 409


def test_a_grant_without_a_card_is_revoked_through_the_application(client, people, db_session):
    application = case_in(db_session, people, "granted", facts=graduate_facts())
    db_session.commit()
    assert application.card is None
    response = client.post(f"/api/v1/applications/{application.id}/revocation",
                           json={"reason": "材料造假", "fraud": True}, headers=token_for(people.officer))
    assert response.status_code == 200 and response.get_json()["fraud"] is True
    assert response.get_json()["refund_owed"] == 0  # nothing was paid yet
