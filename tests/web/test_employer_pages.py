"""The employer desk and the officers' employer verification, through the test client."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
from typing import Any

import pytest
from flask import session as flask_session
from flask_login import login_user

from talent.db import db, utcnow
from talent.models import AuditEvent, Employer, Role, User
from talent.models.jobs import Job
from talent.services.demo_jobs import demo_credit_code
from tests.api.test_jobs_api import JOB, add_employer, add_job, add_profile, add_user

VALID_CODE = demo_credit_code("enterprise", "220104", 77)


def sign_in(app: Any, client: Any, user_id: int) -> None:
    """Sign in through Flask-Login as the login page would, without a password check (tested elsewhere)."""
    with app.test_request_context(environ_base=client.environ_base):
        login_user(db.session.get(User, user_id))
        data = dict(flask_session)
    with client.session_transaction() as stored:
        stored.update(data)


def text_of(response: Any) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def field_errors(response: Any, field: str) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', html)


FORM = {
    "title": "Java后端开发工程师",
    "description": "负责政务服务平台后端开发，使用Java和Spring Boot。",
    "min_education": "bachelor",
    "district": "220173",
    "salary_min": "7,000",
    "salary_max": "11000",
    "headcount": "3",
    "majors": "080902、0809",
    "closing_date": "",
}


@pytest.fixture
def desk(app: Any, db_session: Any) -> dict[str, int]:
    a = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    b = add_user(db_session, "hr@b.example.cn", "刘强", Role.EMPLOYER)
    new = add_user(db_session, "hr@new.example.cn", "陈晨", Role.EMPLOYER)
    officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    graduate = add_user(db_session, "li@example.cn", "李明远", Role.APPLICANT)
    employer_a = add_employer(db_session, a, 1, name="长春甲软件有限公司")
    employer_b = add_employer(db_session, b, 2, name="长春乙软件有限公司")
    db_session.commit()
    return {"a": a.id, "b": b.id, "new": new.id, "officer": officer.id, "graduate": graduate.id,
            "employer_a": employer_a.id, "employer_b": employer_b.id}


# --- the organisation ----------------------------------------------------------------------------------


def test_a_new_employer_registers_its_organisation_and_waits_for_verification(app, client, desk, db_session):
    sign_in(app, client, desk["new"])
    page = client.get("/employer/")
    assert page.status_code == 200
    assert "登记用人单位" in text_of(page) and 'data-credit-check="credit-code-live"' in page.get_data(as_text=True)

    response = client.post("/employer/organisation", data={
        "name": "长春丙软件有限公司", "credit_code": VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1"),
        "district": "220104", "kind": "enterprise"})
    assert response.status_code == 422
    assert field_errors(response, "credit_code")[0].startswith("校验码（第 18 位）应为 " + VALID_CODE[-1])
    assert db_session.query(Employer).count() == 2

    response = client.post("/employer/organisation", data={
        "name": "长春丙软件有限公司", "credit_code": VALID_CODE.lower(), "district": "220104", "kind": "enterprise"})
    assert response.status_code == 302
    employer = db_session.query(Employer).filter_by(owner_id=desk["new"]).one()
    assert employer.credit_code == VALID_CODE and not employer.is_verified
    desk_page = text_of(client.get("/employer/"))
    assert "待认证" in desk_page and "发布新岗位" not in desk_page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"credit_code": "91220104MA0000"}, "credit_code", "统一社会信用代码应为 18 位，现为 14 位"),
        ({"credit_code": "91220104MA000O77XX"}, "credit_code", "含有不允许的字符“O”"),
        ({"name": ""}, "name", "请填写单位名称"),
        ({"district": "110105"}, "district", "请从列表中选择长春市的区县"),
    ],
)
def test_organisation_errors_appear_next_to_the_field(app, client, desk, db_session, changes, field, message):
    sign_in(app, client, desk["new"])
    data = {"name": "长春丙软件有限公司", "credit_code": VALID_CODE, "district": "220104", "kind": "enterprise", **changes}
    response = client.post("/employer/organisation", data=data)
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert db_session.query(Employer).filter_by(owner_id=desk["new"]).count() == 0


def test_a_taken_credit_code_is_explained(app, client, desk, db_session):
    sign_in(app, client, desk["new"])
    taken = db_session.get(Employer, desk["employer_a"]).credit_code
    response = client.post("/employer/organisation", data={
        "name": "冒名单位", "credit_code": taken, "district": "220104", "kind": "enterprise"})
    assert response.status_code == 422
    assert "已有单位注册" in field_errors(response, "credit_code")[0]


def test_an_unverified_organisation_cannot_reach_the_post_form(app, client, desk, db_session):
    sign_in(app, client, desk["new"])
    add_employer(db_session, db_session.get(User, desk["new"]), 5, verified=False)
    db_session.commit()
    response = client.get("/employer/jobs/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/")
    assert client.post("/employer/jobs/new", data=FORM).status_code == 302
    assert db_session.query(Job).count() == 0
    assert "认证后才能发布岗位" in text_of(client.get("/employer/"))


# --- posts -------------------------------------------------------------------------------------------------


def test_a_verified_employer_posts_edits_and_closes_a_position(app, client, desk, db_session):
    sign_in(app, client, desk["a"])
    assert "发布新岗位" in text_of(client.get("/employer/"))
    response = client.post("/employer/jobs/new", data=FORM)
    assert response.status_code == 302, text_of(response)
    job = db_session.query(Job).one()
    assert (job.employer_id, job.salary_min, job.majors) == (desk["employer_a"], 7000, ["080902", "0809"])
    listing = text_of(client.get("/employer/jobs"))
    assert "Java后端开发工程师" in listing and "招聘中" in listing

    form_page = client.get(f"/employer/jobs/{job.id}/edit").get_data(as_text=True)
    assert 'value="Java后端开发工程师"' in form_page and 'value="080902、0809"' in form_page
    response = client.post(f"/employer/jobs/{job.id}/edit", data={**FORM, "salary_max": "12500"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Job, job.id).salary_max == 12500

    response = client.post(f"/employer/jobs/{job.id}/close")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Job, job.id).status == "closed"
    assert "已关闭" in text_of(client.get("/employer/jobs?status=closed"))
    actions = [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="job").order_by(AuditEvent.id)]
    assert actions == ["job.posted", "job.updated", "job.closed"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"salary_min": "12000", "salary_max": "9000"}, "salary_min", "最低月薪（12,000 元）不能高于最高月薪（9,000 元）"),
        ({"headcount": "-3"}, "headcount", "招聘人数须在 1 至 10,000 之间"),
        ({"headcount": "三"}, "headcount", "请填写整数"),
        ({"district": "220199"}, "district", "请从列表中选择长春市的区县"),
        ({"majors": "080902、9999"}, "majors", "专业目录中没有代码“9999”"),
        ({"closing_date": "2020-01-01"}, "closing_date", "截止日期 2020-01-01 已经过去"),
        ({"closing_date": "明天"}, "closing_date", "请按 年-月-日 填写日期"),
        ({"title": ""}, "title", "请填写岗位名称"),
    ],
)
def test_bad_posts_are_explained_next_to_the_field_and_nothing_is_stored(app, client, desk, db_session, changes,
                                                                          field, message):
    sign_in(app, client, desk["a"])
    response = client.post("/employer/jobs/new", data={**FORM, **changes})
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert db_session.query(Job).count() == 0
    assert db_session.query(AuditEvent).filter_by(entity_type="job").count() == 0


def test_post_errors_read_in_english_on_the_english_page(app, client, desk):
    sign_in(app, client, desk["a"])
    response = client.post("/employer/jobs/new?lang=en", data={**FORM, "salary_min": "12000", "salary_max": "9000"})
    assert field_errors(response, "salary_min") == ["salary_min (12000) is above salary_max (9000)."]
    assert "Post a position" in text_of(response)


def test_another_employers_post_cannot_be_edited_or_closed(app, client, desk, db_session):
    job = add_job(db_session, db_session.get(Employer, desk["employer_b"]))
    db_session.commit()
    sign_in(app, client, desk["a"])
    assert client.get(f"/employer/jobs/{job.id}/edit").status_code == 403
    assert client.post(f"/employer/jobs/{job.id}/edit", data=FORM).status_code == 403
    assert client.post(f"/employer/jobs/{job.id}/close").status_code == 403
    assert client.get(f"/employer/jobs/{job.id}/candidates").status_code == 403
    assert client.get("/employer/jobs/424242/edit").status_code == 404
    db_session.expire_all()
    assert db_session.get(Job, job.id).status == "open"
    assert JOB["title"] not in text_of(client.get("/employer/jobs"))


def test_candidates_page_shows_consenting_graduates_masked_with_reasons(app, client, desk, db_session):
    job = add_job(db_session, db_session.get(Employer, desk["employer_a"]))
    add_profile(db_session, db_session.get(User, desk["graduate"]))
    db_session.commit()
    sign_in(app, client, desk["a"])
    page = text_of(client.get(f"/employer/jobs/{job.id}/candidates"))
    assert "李**" in page and "李明远" not in page and "li@example.cn" not in page
    assert "专业同类（计算机类）" in page and "共同技能" in page
    english = text_of(client.get(f"/employer/jobs/{job.id}/candidates?lang=en"))
    assert "Why they match" in english and "shared skills" in english


def test_the_employer_desk_reads_in_english(app, client, desk):
    sign_in(app, client, desk["a"])
    page = text_of(client.get("/employer/?lang=en"))
    assert "Employer desk" in page and "Verified" in page and "My positions" in page


@pytest.mark.parametrize("who", ["graduate", "officer"])
def test_the_desk_is_for_employers_only(app, client, desk, who):
    sign_in(app, client, desk[who])
    assert client.get("/employer/").status_code == 403
    assert client.get("/employer/jobs/new").status_code == 403


def test_forms_without_a_csrf_token_are_refused(csrf_app, db_session):
    employer_user = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    add_employer(db_session, employer_user, 1)
    db_session.commit()
    client = csrf_app.test_client()
    sign_in(csrf_app, client, employer_user.id)
    response = client.post("/employer/jobs/new", data=FORM)
    assert response.status_code == 400
    assert db_session.query(Job).count() == 0


# --- officers verify organisations ----------------------------------------------------------------------


def test_an_officer_verifies_a_pending_organisation(app, client, desk, db_session):
    pending = add_employer(db_session, db_session.get(User, desk["new"]), 5, verified=False, name="长春丙软件有限公司")
    db_session.commit()
    sign_in(app, client, desk["officer"])
    page = text_of(client.get("/officer/employers/"))
    assert "长春丙软件有限公司" in page and "长春甲软件有限公司" not in page  # only the pending ones
    response = client.post(f"/officer/employers/{pending.id}/verification")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Employer, pending.id).verified_by_id == desk["officer"]
    assert "长春丙软件有限公司" in text_of(client.get("/officer/employers/?show=verified"))
    again = client.post(f"/officer/employers/{pending.id}/verification", follow_redirects=True)
    assert "已经认证过了" in text_of(again)
    assert "单位认证" in text_of(client.get("/officer/employers/"))  # the officer's navigation


def test_only_officers_verify(app, client, desk, db_session):
    pending = add_employer(db_session, db_session.get(User, desk["new"]), 5, verified=False)
    db_session.commit()
    sign_in(app, client, desk["new"])
    assert client.get("/officer/employers/").status_code == 403
    assert client.post(f"/officer/employers/{pending.id}/verification").status_code == 403
    db_session.expire_all()
    assert not db_session.get(Employer, pending.id).is_verified


# --- long lists are read a page at a time -----------------------------------------------------------------


def test_my_positions_are_paged_and_the_filter_is_kept_in_the_links(app, client, desk, db_session, monkeypatch):
    from talent.web import employer as employer_pages

    employer = db_session.get(Employer, desk["employer_a"])
    for number in range(3):
        add_job(db_session, employer, title=f"岗位{number}", updated_at=utcnow() + dt.timedelta(minutes=number))
    add_job(db_session, employer, title="已关闭岗位", status="closed", updated_at=utcnow() + dt.timedelta(minutes=9))
    db_session.commit()
    monkeypatch.setattr(employer_pages, "JOBS_PER_PAGE", 2)
    sign_in(app, client, desk["a"])

    first = text_of(client.get("/employer/jobs"))
    assert "第 1 / 2 页" in first and "已关闭岗位" in first and "岗位2" in first and "岗位0" not in first
    second = text_of(client.get("/employer/jobs?page=2"))
    assert "岗位1" in second and "岗位0" in second and "岗位2" not in second

    html = client.get("/employer/jobs?status=open").get_data(as_text=True)
    assert "page=2" in html and "status=open" in html
    assert "第 2 / 2 页" in text_of(client.get("/employer/jobs?status=open&page=2"))
    assert client.get("/employer/jobs?page=100000000000000000000").status_code == 200


def test_waiting_organisations_are_paged_with_their_kind_named_from_the_code_table(app, client, desk, db_session,
                                                                                    monkeypatch):
    from talent.web import officer_employers

    owner = db_session.get(User, desk["new"])
    for serial, kind in ((5, "enterprise"), (6, "public_institution"), (7, "government")):
        organisation = add_employer(db_session, owner, serial, verified=False, name=f"待认证单位{serial}")
        organisation.kind = kind
        organisation.created_at = utcnow() + dt.timedelta(minutes=serial)
    db_session.commit()
    monkeypatch.setattr(officer_employers, "PER_PAGE", 2)
    sign_in(app, client, desk["officer"])

    first = client.get("/officer/employers/")
    page = text_of(first)
    assert "待认证单位7" in page and "待认证单位6" in page and "待认证单位5" not in page  # newest first
    assert "党政机关" in page and "事业单位" in page  # talent.codes.EMPLOYER_KIND_NAMES
    assert '<span class="badge badge-warn">3</span>' in first.get_data(as_text=True)  # all of them, not the page
    assert "第 1 / 2 页" in page
    assert "待认证单位5" in text_of(client.get("/officer/employers/?page=2"))
    english = text_of(client.get("/officer/employers/?lang=en"))
    assert "Government body" in english and "Public institution" in english

    verified = text_of(client.get("/officer/employers/?show=verified"))
    assert "长春甲软件有限公司" in verified and "长春乙软件有限公司" in verified and "待认证单位" not in verified


def test_the_forms_name_codes_from_the_code_tables(app, client, desk):
    sign_in(app, client, desk["new"])
    registration = client.get("/employer/").get_data(as_text=True)
    assert '<option value="government">党政机关</option>' in registration
    sign_in(app, client, desk["a"])
    form = client.get("/employer/jobs/new").get_data(as_text=True)
    assert '<option value="bachelor">大学本科及以上</option>' in form
    english = client.get("/employer/jobs/new?lang=en").get_data(as_text=True)
    assert "<option value=\"master\">Master&#39;s degree or above</option>" in english
