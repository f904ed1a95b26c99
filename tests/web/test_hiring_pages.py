"""Hiring pages through the test client, in Chinese and English: apply from a post's page (with a CV) and from
the matches, my applications (status in plain words, withdraw, answer an offer), the employer's pipeline (move a
candidate on, interview, decline with a reason), inviting from the candidates list, and the 12-month question."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from talent.clock import today_in_changchun
from talent.models.hiring import JobApplication, MatchFeedback
from talent.models.jobs import GraduateProfile
from tests.api.test_hiring_api import PDF, hiring_world
from tests.web.test_employer_pages import sign_in, text_of


@pytest.fixture
def board(app, db_session):
    world, job = hiring_world(app, db_session, headcount=1, graduates=1)
    return world, job


def test_a_graduate_applies_from_the_post_page_with_a_cv(app, client, db_session, board):
    world, job = board
    sign_in(app, client, world.users["grad"].id)
    page = text_of(client.get(f"/jobs/{job.id}"))
    assert "投递此岗位" in page and "软件工程" in page
    response = client.post(f"/jobs/{job.id}/apply", data={
        "note": "期待加入", "surface": "job_page", "cv": (io.BytesIO(PDF), "简历.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/graduate/applications")
    application = db_session.scalars(select(JobApplication)).one()
    assert application.cv_original_name == "简历.pdf" and application.note == "期待加入"
    mine = text_of(client.get("/graduate/applications"))
    assert "已投递" in mine and "Java后端开发工程师" in mine and "撤回投递" in mine
    # the post's page now shows the application instead of the form, and the view was recorded
    again = text_of(client.get(f"/jobs/{job.id}"))
    assert "您已投递此岗位，当前状态： 已投递" in again
    kinds = set(db_session.scalars(select(MatchFeedback.kind)))
    assert {"opened", "applied"} <= kinds
    english = text_of(client.get("/graduate/applications?lang=en"))
    assert "My job applications" in english and "Applied" in english and "Withdraw" in english


def test_a_second_application_is_refused_with_a_readable_message(app, client, board):
    world, job = board
    sign_in(app, client, world.users["grad"].id)
    client.post(f"/jobs/{job.id}/apply", data={})
    refused = client.post(f"/jobs/{job.id}/apply", data={}, follow_redirects=True)
    assert "您已投递过此岗位" in text_of(refused)


def test_apply_from_the_matches(app, client, db_session, board):
    world, job = board
    sign_in(app, client, world.users["grad"].id)
    page = client.get("/graduate/matches").get_data(as_text=True)
    assert f'action="/jobs/{job.id}/apply"' in page
    client.post(f"/jobs/{job.id}/apply", data={"surface": "graduate_matches", "next": "/graduate/matches"})
    after = text_of(client.get("/graduate/matches"))
    assert "已投递： 已投递" in after
    applied = db_session.scalars(select(MatchFeedback).where(MatchFeedback.kind == "applied")).one()
    assert applied.surface == "graduate_matches" and applied.rank == 1


def test_the_employer_moves_a_candidate_through_the_pipeline_and_declines_with_a_reason(app, client, db_session,
                                                                                       board):
    world, job = board
    sign_in(app, client, world.users["grad"].id)
    client.post(f"/jobs/{job.id}/apply", data={})
    application = db_session.scalars(select(JobApplication)).one()
    employer = app.test_client()
    sign_in(app, employer, world.users["a"].id)
    page = text_of(employer.get(f"/employer/jobs/{job.id}/pipeline"))
    assert "李明远" in page and "已投递 (1)" in page and "入围" in page
    assert employer.post(f"/employer/job-applications/{application.id}/status",
                         data={"status": "shortlisted"}).status_code == 302
    when = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    # no place and no link: the page says what is missing, nothing changes
    missing = employer.post(f"/employer/job-applications/{application.id}/status",
                            data={"status": "interview", "interview_at": when}, follow_redirects=True)
    assert "请填写面试地点或在线面试链接" in text_of(missing)
    db_session.expire_all()
    assert db_session.get(JobApplication, application.id).status == "shortlisted"
    employer.post(f"/employer/job-applications/{application.id}/status",
                  data={"status": "interview", "interview_at": when, "interview_place": "硅谷大街 1 号 3 楼"})
    graduate_view = text_of(client.get("/graduate/applications"))
    assert "待面试" in graduate_view and "硅谷大街 1 号 3 楼" in graduate_view
    employer.post(f"/employer/job-applications/{application.id}/status",
                  data={"status": "declined", "reason": "skills", "note": "需要两年经验"})
    graduate_view = text_of(client.get("/graduate/applications"))
    assert "未录用" in graduate_view and "技能或经验暂不符合岗位要求" in graduate_view and "需要两年经验" in graduate_view
    english = text_of(client.get("/graduate/applications?lang=en"))
    assert "Not taken forward" in english and "Your skills or experience do not yet fit the post." in english
    # another organisation cannot see or move it
    other = app.test_client()
    sign_in(app, other, world.users["b"].id)
    assert other.get(f"/employer/jobs/{job.id}/pipeline").status_code == 403
    assert other.post(f"/employer/job-applications/{application.id}/status",
                      data={"status": "shortlisted"}).status_code == 403


def test_invite_from_candidates_and_accept_on_my_applications(app, client, db_session, board):
    world, job = board
    employer = app.test_client()
    sign_in(app, employer, world.users["a"].id)
    candidates = employer.get(f"/employer/jobs/{job.id}/candidates").get_data(as_text=True)
    assert "邀请投递" in candidates
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == world.users["g0"].id))
    employer.post(f"/employer/jobs/{job.id}/invite", data={"graduate_id": profile.id, "message": "欢迎来面试"})
    graduate = app.test_client()
    sign_in(app, graduate, world.users["g0"].id)
    page = text_of(graduate.get("/graduate/applications"))
    assert "单位邀请" in page and "欢迎来面试" in page
    invitation = db_session.scalars(select(JobApplication)).one()
    graduate.post(f"/graduate/applications/{invitation.id}/invitation", data={"accept": "yes"})
    db_session.expire_all()
    assert db_session.get(JobApplication, invitation.id).status == "applied"


def test_offer_accepted_on_the_page_and_the_retention_question(app, client, db_session, board, monkeypatch):
    from talent import clock
    from talent.services import hiring

    world, job = board
    sign_in(app, client, world.users["grad"].id)
    client.post(f"/jobs/{job.id}/apply", data={})
    application = db_session.scalars(select(JobApplication)).one()
    start = today_in_changchun()
    hiring.change_status(db_session, world.users["a"], application.id, "offer", start_date=start)
    db_session.commit()
    page = text_of(client.get("/graduate/applications"))
    assert "接受录用" in page and start.isoformat() in page
    client.post(f"/graduate/applications/{application.id}/offer", data={"accept": "yes"})
    page = text_of(client.get("/graduate/applications"))
    assert "已录用" in page and "我的录用" in page and "未满12个月" in page
    # a year on, both sides are asked on their pages
    later = start.replace(year=start.year + 1)
    monkeypatch.setattr(clock, "now_in_changchun",
                        lambda: dt.datetime.combine(later, dt.time(9), tzinfo=clock.CHANGCHUN))
    assert "您目前是否仍在长春工作" in text_of(client.get("/graduate/applications"))
    placement = db_session.get(JobApplication, application.id).placement
    client.post(f"/placements/{placement.id}/retention", data={"still_in_changchun": "yes"})
    employer = app.test_client()
    sign_in(app, employer, world.users["a"].id)
    table = text_of(employer.get("/employer/placements"))
    assert "李明远" in table and "仍在长春工作" in table
    assert "Still working in Changchun" in text_of(employer.get("/employer/placements?lang=en"))
    # the post had one place: it closed itself, and the pipeline says so
    from talent.models.jobs import Job

    db_session.expire_all()
    assert db_session.get(Job, job.id).status == "closed"
    assert "Places 1, hired 1, places left 0." in text_of(employer.get(f"/employer/jobs/{job.id}/pipeline"))


def test_withdraw_on_the_page(app, client, db_session, board):
    world, job = board
    sign_in(app, client, world.users["grad"].id)
    client.post(f"/jobs/{job.id}/apply", data={})
    application = db_session.scalars(select(JobApplication)).one()
    client.post(f"/graduate/applications/{application.id}/withdraw")
    db_session.expire_all()
    assert db_session.get(JobApplication, application.id).status == "withdrawn"
    other = app.test_client()
    sign_in(app, other, world.users["g0"].id)
    assert other.post(f"/graduate/applications/{application.id}/withdraw").status_code == 403


def test_pages_need_the_right_role(app, client, board):
    world, job = board
    assert client.get("/graduate/applications").status_code in (302, 401)
    sign_in(app, client, world.users["a"].id)
    assert client.get("/graduate/applications").status_code == 403


def test_a_graduate_hired_through_the_platform_finds_the_employment_facts_prefilled(app, client, db_session, board):
    from talent.services import hiring
    from tests.services.workflow_support import graduate_facts

    world, job = board
    sign_in(app, client, world.users["grad"].id)
    client.post(f"/jobs/{job.id}/apply", data={})
    application = db_session.scalars(select(JobApplication)).one()
    hiring.change_status(db_session, world.users["a"], application.id, "offer", start_date=today_in_changchun())
    hiring.answer_offer(db_session, world.users["grad"], application.id, accept=True)
    db_session.commit()
    # the checker starts from the hire's employer (district and kind, full time)
    import re

    form = client.get("/eligibility").get_data(as_text=True)
    employer = world.employers["a"]
    district = re.search(r'<select[^>]*name="employer_district".*?</select>', form, re.S).group(0)
    assert re.search(rf'<option selected value="{employer.district}"|value="{employer.district}" selected', district)
    kind = re.search(r'<select[^>]*name="employer_kind".*?</select>', form, re.S).group(0)
    assert re.search(r'<option selected value="enterprise"|value="enterprise" selected', kind)
    # the application form names the employer of the hire
    with client.session_transaction() as session:
        session["eligibility_facts"] = {k: v for k, v in graduate_facts().items() if k != "id_number"}
    apply_form = client.get("/applicant/apply").get_data(as_text=True)
    assert f'value="{employer.credit_code}"' in apply_form
    # someone not hired through the platform gets no prefill
    other = app.test_client()
    sign_in(app, other, world.users["g0"].id)
    with other.session_transaction() as session:
        session["eligibility_facts"] = {k: v for k, v in graduate_facts().items() if k != "id_number"}
    assert employer.credit_code not in other.get("/applicant/apply").get_data(as_text=True)
