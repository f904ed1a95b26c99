"""Employer endorsement pages: the cases naming this employer with their clock, the case view (name and job facts,
never the ID number), endorse/decline, refusals, and the panel the employer desk includes."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_login import login_user

from talent import workdays
from talent.models import Role, User
from talent.models.applications import Application
from talent.services.accounts import create_user
from talent.services.applications import submit_application
from talent.services.employers import register_employer, verify_employer
from talent.services.workflow import today as local_today

CREDIT_CODE = "91220101MA17XK2B2Y"
OTHER_CREDIT_CODE = "91350100M000100Y43"
ID_NUMBER = "220102197803151234"
PASSWORD = "pass-word-2026"


def facts(today: dt.date) -> dict:
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

    applicant = user("zhang@example.cn", "张伟", Role.APPLICANT)
    boss = user("hr@example.cn", "王海燕", Role.EMPLOYER)
    other_boss = user("hr@other.cn", "周敏", Role.EMPLOYER)
    officer = user("officer1@example.cn", "赵建国", Role.OFFICER)
    for owner, name, code in ((boss, "长春示例科技有限公司", CREDIT_CODE), (other_boss, "吉林另一家公司", OTHER_CREDIT_CODE)):
        employer = register_employer(db_session, owner, name=name, credit_code=code, district="220173")
        verify_employer(db_session, officer, employer.id)
    db_session.commit()
    return SimpleNamespace(applicant=applicant, boss=boss, other_boss=other_boss, officer=officer)


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def submitted(db_session, people, today=None) -> int:
    today = today or local_today()
    application = submit_application(db_session, people.applicant, facts=facts(today),
                                     employer_credit_code=CREDIT_CODE, today=today)
    db_session.commit()
    return application.id


def status_of(db_session, case_id) -> str:
    db_session.expire_all()
    return db_session.get(Application, case_id).status


def test_the_employer_sees_the_cases_waiting_with_due_date_and_days_left(client, people, db_session):
    case_id = submitted(db_session, people)
    due = db_session.get(Application, case_id).endorsement_due_on
    page = sign_in(client, people.boss).get("/employer/endorsements/")
    assert page.status_code == 200
    assert "张伟" in page.text and f"/employer/endorsements/{case_id}" in page.text
    days_left = workdays.working_days_between(local_today(), due)
    assert f"{due.isoformat()} 前" in page.text and f"还剩 {days_left} 个工作日" in page.text

    other = sign_in(client.application.test_client(), people.other_boss).get("/employer/endorsements/")
    assert "张伟" not in other.text and "目前没有等待本单位确认的申请" in other.text


def test_a_late_endorsement_is_marked(client, people, db_session):
    today = local_today()
    start = workdays.add_working_days(today, -8)
    facts_then = facts(start)
    application = submit_application(db_session, people.applicant, facts=facts_then,
                                     employer_credit_code=CREDIT_CODE, today=start)
    db_session.commit()
    page = sign_in(client, people.boss).get("/employer/endorsements/")
    assert '<tr class="late">' in page.text and "已超时" in page.text
    assert f"/employer/endorsements/{application.id}" in page.text


def test_the_case_view_shows_name_and_job_facts_but_not_the_id_number(client, people, db_session):
    case_id = submitted(db_session, people)
    page = sign_in(client, people.boss).get(f"/employer/endorsements/{case_id}")
    assert page.status_code == 200
    assert 'id="applicant-name">张伟<' in page.text
    assert "长春高新技术产业开发区" in page.text and "¥1,200,000" in page.text and "专业技术或经营管理岗位" in page.text
    assert ID_NUMBER not in page.text and "********" not in page.text and "1978-03-15" not in page.text


def test_the_employer_endorses_and_the_case_goes_to_review(client, people, db_session):
    case_id = submitted(db_session, people)
    sign_in(client, people.boss)
    response = client.post(f"/employer/endorsements/{case_id}", data={"decision": "endorse", "comment": "情况属实"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/endorsements/")
    assert status_of(db_session, case_id) == "in_review"
    listing = client.get("/employer/endorsements/")
    assert "已办理" in listing.text and "已确认" in listing.text

    again = client.post(f"/employer/endorsements/{case_id}", data={"decision": "decline", "comment": "改变主意"})
    assert again.status_code == 409 and "状态已变化，操作未执行" in again.text and "审核中" in again.text
    assert status_of(db_session, case_id) == "in_review"


def test_declining_needs_a_comment_that_the_applicant_then_reads(client, people, db_session):
    case_id = submitted(db_session, people)
    sign_in(client, people.boss)
    refused = client.post(f"/employer/endorsements/{case_id}", data={"decision": "decline", "comment": ""})
    assert refused.status_code == 422 and "不予确认时请说明原因" in refused.text
    assert status_of(db_session, case_id) == "awaiting_endorsement"

    response = client.post(f"/employer/endorsements/{case_id}",
                           data={"decision": "decline", "comment": "该员工已于上月离职"})
    assert response.status_code == 302
    assert status_of(db_session, case_id) == "endorsement_declined"
    applicant = sign_in(client.application.test_client(), people.applicant)
    assert "该员工已于上月离职" in applicant.get(f"/applicant/cases/{case_id}").text


def test_only_the_named_employer_may_see_or_answer(client, people, db_session):
    case_id = submitted(db_session, people)
    other = sign_in(client, people.other_boss)
    assert other.get(f"/employer/endorsements/{case_id}").status_code == 403
    assert other.post(f"/employer/endorsements/{case_id}", data={"decision": "endorse"}).status_code == 403
    for user in (people.applicant, people.officer):
        someone = sign_in(client.application.test_client(), user)
        assert someone.get("/employer/endorsements/").status_code == 403
        assert someone.post(f"/employer/endorsements/{case_id}", data={"decision": "endorse"}).status_code == 403
    assert status_of(db_session, case_id) == "awaiting_endorsement"


def test_the_endorsement_form_is_csrf_protected(csrf_app):
    session = csrf_app.extensions["talent.db"]()
    applicant = create_user(session, email="a@example.cn", password=PASSWORD, name="张伟", role=Role.APPLICANT)
    boss = create_user(session, email="hr@example.cn", password=PASSWORD, name="王海燕", role=Role.EMPLOYER)
    officer = create_user(session, email="o@example.cn", password=PASSWORD, name="赵建国", role=Role.OFFICER)
    employer = register_employer(session, boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE, district="220173")
    verify_employer(session, officer, employer.id)
    case_id = submit_application(session, applicant, facts=facts(local_today()), employer_credit_code=CREDIT_CODE).id
    session.commit()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": boss.email, "password": PASSWORD, "csrf_token": token})

    assert client.post(f"/employer/endorsements/{case_id}", data={"decision": "endorse"}).status_code == 400
    assert status_of(session, case_id) == "awaiting_endorsement"
    form = re.search(rf'<form method="post" action="/employer/endorsements/{case_id}".*?</form>',
                     client.get(f"/employer/endorsements/{case_id}").text, re.S).group(0)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', form).group(1)
    response = client.post(f"/employer/endorsements/{case_id}", data={"decision": "endorse", "csrf_token": token})
    assert response.status_code == 302
    assert status_of(session, case_id) == "in_review"
    session.close()


def test_the_panel_for_the_employer_desk_needs_only_the_signed_in_user(app, people, db_session):
    case_id = submitted(db_session, people)
    panel = '{% include "employer/_endorsements_panel.html" %}'
    with app.test_request_context("/employer/"):
        login_user(db_session.get(User, people.boss.id))
        html = render_template_string(panel)
    assert 'id="endorsements-panel"' in html and "张伟" in html and f"/employer/endorsements/{case_id}" in html
    with app.test_request_context("/employer/"):
        login_user(db_session.get(User, people.other_boss.id))
        html = render_template_string(panel)
    assert "张伟" not in html and "目前没有等待本单位确认的申请" in html
