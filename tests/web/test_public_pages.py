"""Public pages: the notice list (masked names) with objections by signed-in users, and card verification (the
page a card's QR code opens)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from talent.models import Role
from talent.models.applications import Application, Objection
from talent.models.cards import Card
from talent.services.accounts import create_user
from talent.services.applications import endorse_application, submit_application
from talent.services.cards import revoke_application
from talent.services.employers import register_employer, verify_employer
from talent.services.publicity import close_notice
from talent.services.reviews import decide_application
from talent.services.workflow import today as local_today

CREDIT_CODE = "91220101MA17XK2B2Y"
ID_NUMBER = "220102197803151234"
PASSWORD = "pass-word-2026"


def facts() -> dict:
    return {
        "id_number": ID_NUMBER, "education": "master", "full_time_degree": True, "graduation_date": "2003-07-01",
        "professional_title": "none", "honours": [], "achievements": 0,
        "employment": {"employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
                       "contract_years": 5, "full_time": True, "annual_salary": 1_200_000,
                       "income_tax_last_year": 200_000, "enterprise_revenue": 6_000_000_000,
                       "social_insurance_local": True},
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {"owns_home_in_city": False},
    }


@pytest.fixture
def people(app, db_session):
    def user(email, name, role):
        return create_user(db_session, email=email, password=PASSWORD, name=name, role=role)

    people = SimpleNamespace(
        applicant=user("zhang@example.cn", "张伟明", Role.APPLICANT),
        citizen=user("citizen@example.cn", "刘洋", Role.APPLICANT),
        boss=user("hr@example.cn", "王海燕", Role.EMPLOYER),
        officer=user("officer1@example.cn", "赵建国", Role.OFFICER),
        officer2=user("officer2@example.cn", "孙丽华", Role.OFFICER),
    )
    employer = register_employer(db_session, people.boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE,
                                 district="220173")
    verify_employer(db_session, people.officer, employer.id)
    db_session.commit()
    return people


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def case_under_notice(db_session, people) -> int:
    application = submit_application(db_session, people.applicant, facts=facts(), employer_credit_code=CREDIT_CODE)
    endorse_application(db_session, people.boss, application.id, endorse=True, comment="情况属实")
    decide_application(db_session, people.officer, application.id, outcome="approve", reason="符合条件")
    decide_application(db_session, people.officer2, application.id, outcome="approve", reason="复核通过")
    db_session.commit()
    return application.id


def granted_card(db_session, people) -> Card:
    case_id = case_under_notice(db_session, people)
    application = db_session.get(Application, case_id)
    close_notice(db_session, case_id, as_of=application.notice_ends_on + dt.timedelta(days=1))
    db_session.commit()
    return db_session.scalar(select(Card).where(Card.application_id == case_id))


# --- public notice --------------------------------------------------------------------------------------------


def test_the_notice_lists_cases_with_masked_names_for_anyone(client, people, db_session):
    case_id = case_under_notice(db_session, people)
    application = db_session.get(Application, case_id)
    page = client.get("/notice")
    assert page.status_code == 200
    assert "张**" in page.text and "张伟明" not in page.text
    assert "长春示例科技有限公司" in page.text and "B 类 · 国家级领军人才" in page.text
    assert application.notice_starts_on.isoformat() in page.text and application.notice_ends_on.isoformat() in page.text
    assert ID_NUMBER not in page.text
    # anonymous readers are sent to sign in, and are not shown the form
    assert 'id="sign-in-to-object"' in page.text and "/login?next=/notice" in page.text
    assert "提交异议" not in page.text
    response = client.post(f"/notice/{case_id}/objections", data={f"case{case_id}-text": "匿名异议内容，不应被接受。"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db_session.scalar(select(Objection.id)) is None


def test_a_signed_in_user_objects_during_the_notice(client, people, db_session):
    case_id = case_under_notice(db_session, people)
    sign_in(client, people.citizen)
    page = client.get("/notice")
    assert "提交异议" in page.text and f'name="case{case_id}-text"' in page.text

    short = client.post(f"/notice/{case_id}/objections", data={f"case{case_id}-text": "太短"})
    assert short.status_code == 422 and "异议内容应为 10–1000 字" in short.text
    assert db_session.scalar(select(Objection.id)) is None

    text = "据我所知，该申请人并未在长春缴纳社会保险。"
    response = client.post(f"/notice/{case_id}/objections", data={f"case{case_id}-text": text})
    assert response.status_code == 302
    objection = db_session.scalar(select(Objection))
    assert objection.application_id == case_id and objection.author_id == people.citizen.id
    assert objection.text == text and objection.status == "pending"


def test_an_objection_after_the_notice_ended_is_refused_readably(client, people, db_session):
    card = granted_card(db_session, people)
    response = sign_in(client, people.citizen).post(
        f"/notice/{card.application_id}/objections",
        data={f"case{card.application_id}-text": "迟到的异议内容，公示已经结束。"})
    assert response.status_code == 409
    assert "此件不在公示期内，不能提出异议" in response.text
    assert db_session.scalar(select(Objection.id)) is None


def test_the_objection_form_is_csrf_protected(csrf_app):
    session = csrf_app.extensions["talent.db"]()
    people = SimpleNamespace(**{
        key: create_user(session, email=f"{key}@example.cn", password=PASSWORD, name=name, role=role)
        for key, name, role in (("applicant", "张伟明", Role.APPLICANT), ("citizen", "刘洋", Role.APPLICANT),
                                ("boss", "王海燕", Role.EMPLOYER), ("officer", "赵建国", Role.OFFICER),
                                ("officer2", "孙丽华", Role.OFFICER))
    })
    employer = register_employer(session, people.boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE,
                                 district="220173")
    verify_employer(session, people.officer, employer.id)
    case_id = case_under_notice(session, people)
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": "citizen@example.cn", "password": PASSWORD, "csrf_token": token})

    text = "一段足够长的异议内容，用于检验表单令牌。"
    response = client.post(f"/notice/{case_id}/objections", data={f"case{case_id}-text": text})
    assert response.status_code == 400
    assert session.scalar(select(Objection.id)) is None

    form = re.search(rf'<form method="post" action="/notice/{case_id}/objections".*?</form>',
                     client.get("/notice").text, re.S).group(0)
    token = re.search(r'name="case\d+-csrf_token"[^>]*?value="([^"]+)"', form).group(1)
    response = client.post(f"/notice/{case_id}/objections",
                           data={f"case{case_id}-text": text, f"case{case_id}-csrf_token": token})
    assert response.status_code == 302
    assert session.scalar(select(Objection.text)) == text
    session.close()


def test_the_notice_reads_in_english(client, people, db_session):
    case_under_notice(db_session, people)
    page = client.get("/notice?lang=en")
    assert "Public notice" in page.text and "Tier B" in page.text


# --- card verification ----------------------------------------------------------------------------------------


def test_the_verification_form_leads_to_the_answer_for_a_valid_card(client, people, db_session):
    card = granted_card(db_session, people)
    form = client.get("/cards/verify")
    assert form.status_code == 200 and 'name="code"' in form.text
    response = client.get(f"/cards/verify?code=%20{card.verification_code}%20")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cards/verify/{card.verification_code}")

    page = client.get(f"/cards/verify/{card.verification_code}")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "verify-valid" in page.text and 'id="verify-holder">张**<' in page.text
    assert "B 类 · 国家级领军人才" in page.text and card.valid_until.isoformat() in page.text
    # nothing more than that: no full name, no card number, no ID number, no employer
    for secret in ("张伟明", card.number, ID_NUMBER, "长春示例科技有限公司"):
        assert secret not in page.text


def test_a_revoked_card_is_reported_as_revoked(client, people, db_session):
    card = granted_card(db_session, people)
    revoke_application(db_session, people.officer, card.application_id, reason="伪造材料", fraud=True)
    db_session.commit()
    page = client.get(f"/cards/verify/{card.verification_code}")
    assert page.status_code == 200 and "verify-revoked" in page.text and "已撤销" in page.text


def test_an_expired_card_is_reported_as_expired(client, people, db_session):
    card = granted_card(db_session, people)
    card.valid_until = local_today() - dt.timedelta(days=1)
    db_session.commit()
    page = client.get(f"/cards/verify/{card.verification_code}")
    assert page.status_code == 200 and "verify-expired" in page.text and "已过期" in page.text


def test_an_unknown_or_malformed_code_is_answered_plainly(client, people):
    page = client.get("/cards/verify/NoSuchCode123")
    assert page.status_code == 404 and "未找到此卡" in page.text and "NoSuchCode123" in page.text
    malformed = client.get("/cards/verify?code=%3Cscript%3E")
    assert malformed.status_code == 422 and "验证码只包含字母、数字" in malformed.text
    assert "<script>" not in malformed.text
    assert client.get("/cards/verify/%3Cb%3E").status_code == 404
