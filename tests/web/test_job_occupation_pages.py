"""Occupation codes on the pages: the employer's job form offers the platform's CSCO-2022 suggestions to confirm
(or another code), the public search filters by a code or group, a post's page names its occupation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from talent.models import Role
from talent.models.jobs import Job
from talent.services.occupations import suggest
from tests.api.test_jobs_api import add_employer, add_job, add_user
from tests.web.test_employer_pages import FORM, field_errors, sign_in, text_of


@pytest.fixture
def desk(app: Any, db_session: Any) -> dict[str, int]:
    owner = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 1, name="长春甲软件有限公司")
    db_session.commit()
    return {"a": owner.id, "employer_a": employer.id}


def test_the_form_suggests_codes_for_what_was_written_and_saves_the_chosen_one_confirmed(app, client, desk,
                                                                                           db_session):
    sign_in(app, client, desk["a"])
    assert "按岗位名称和描述建议职业代码" in text_of(client.get("/employer/jobs/new"))
    response = client.post("/employer/jobs/new", data={**FORM, "suggest_occupation": "1"})
    assert response.status_code == 200 and db_session.query(Job).count() == 0  # nothing saved yet
    html = response.get_data(as_text=True)
    suggestions = suggest(FORM["title"], FORM["description"])
    for found in suggestions:
        assert f'value="{found.code}"' in html and found.name in html
    chosen = suggestions[1].code  # not necessarily the first
    response = client.post("/employer/jobs/new", data={**FORM, "occupation_choice": chosen})
    assert response.status_code == 302, text_of(response)
    job = db_session.query(Job).one()
    assert (job.occupation_code, job.occupation_confirmed) == (chosen, True)
    listing = text_of(client.get("/employer/jobs"))
    assert chosen in listing and "职业代码待确认" not in listing


def test_without_a_choice_the_suggestion_waits_for_confirmation_on_the_edit_page(app, client, desk, db_session):
    sign_in(app, client, desk["a"])
    assert client.post("/employer/jobs/new", data=FORM).status_code == 302
    job = db_session.query(Job).one()
    assert job.occupation_code == suggest(FORM["title"], FORM["description"])[0].code
    assert job.occupation_confirmed is False
    assert "职业代码待确认" in text_of(client.get("/employer/jobs"))
    edit = client.get(f"/employer/jobs/{job.id}/edit").get_data(as_text=True)
    assert "平台建议，待确认" in edit
    assert re.search(rf'<input[^>]*checked[^>]*value="{re.escape(job.occupation_code)}"|'
                     rf'<input[^>]*value="{re.escape(job.occupation_code)}"[^>]*checked', edit)
    response = client.post(f"/employer/jobs/{job.id}/edit", data={**FORM, "occupation_choice": job.occupation_code})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Job, job.id).occupation_confirmed is True


def test_another_code_is_checked_and_explained_next_to_its_field(app, client, desk, db_session):
    sign_in(app, client, desk["a"])
    response = client.post("/employer/jobs/new", data={**FORM, "occupation_choice": "other",
                                                       "occupation_other": "9-99-99-99"})
    assert response.status_code == 422
    assert field_errors(response, "occupation_other") == ["职业分类大典（2022）中没有代码“9-99-99-99”"]
    assert db_session.query(Job).count() == 0
    response = client.post("/employer/jobs/new", data={**FORM, "occupation_choice": "other",
                                                       "occupation_other": "4-04-05-01"})
    assert response.status_code == 302
    assert db_session.query(Job).one().occupation_code == "4-04-05-01"


def test_the_public_search_filters_by_occupation_and_the_post_names_it(client, desk, db_session):
    from talent.models import Employer

    employer = db_session.get(Employer, desk["employer_a"])
    software = add_job(db_session, employer, title="软件开发岗", occupation_code="2-02-10-03", occupation_confirmed=True)
    add_job(db_session, employer, title="护理岗", occupation_code="2-05-08-01", occupation_confirmed=True)
    db_session.commit()
    page = text_of(client.get("/jobs?occupation=2-02"))
    assert "共找到 1 个岗位" in page and "软件开发岗" in page and "护理岗" not in page
    assert "工程技术人员" in page  # the group's name
    assert "共找到 2 个岗位" in text_of(client.get("/jobs?occupation=2"))
    assert "部分筛选条件无法识别" in text_of(client.get("/jobs?occupation=abc"))
    detail = text_of(client.get(f"/jobs/{software.id}"))
    assert "2-02-10-03 计算机软件工程技术人员" in detail
    english = text_of(client.get(f"/jobs/{software.id}?lang=en"))
    assert "计算机软件工程技术人员" in english and "Chinese only" in english
