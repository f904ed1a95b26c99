"""Recruitment-event pages through the test client: the public list and page in both languages, a graduate
registering and reading the QR ticket (decoded by zbarimg from the page's image), the organiser's check-in page
(once, a second scan, a forged code, another event's ticket, a cancelled registration), the event form's readable
errors, and the officers' training-base page with the internship tab on /jobs."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from typing import Any

import pytest
from sqlalchemy import select

from talent.clock import CHANGCHUN
from talent.models import AuditEvent, Role
from talent.models.events import EventRegistration, RecruitmentEvent
from talent.services import events as service
from talent.services import training_bases
from tests.api.test_events_api import in_changchun
from tests.api.test_jobs_api import add_employer, add_job, add_user
from tests.web.test_employer_pages import field_errors, sign_in, text_of


@pytest.fixture
def people(app, db_session) -> dict[str, Any]:
    officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    boss = add_user(db_session, "boss@example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, boss, 1)
    job = add_job(db_session, employer)
    graduate = add_user(db_session, "grad@example.cn", "李明远", Role.APPLICANT)
    other = add_user(db_session, "grad2@example.cn", "张思雨", Role.APPLICANT)
    soon = dt.datetime.now(CHANGCHUN) + dt.timedelta(hours=1)
    talk = service.create_event(db_session, boss, kind="campus_talk", title="一汽零部件校园宣讲会",
                                description="介绍研发岗位。", starts_at=soon, ends_at=soon + dt.timedelta(hours=2),
                                district="220102", venue="吉林大学鼎新楼报告厅", capacity=50, job_ids=[job.id])
    online = service.create_event(db_session, officer, kind="online_session", title="长春市线上双选会",
                                  starts_at=in_changchun(5), ends_at=in_changchun(5, 17),
                                  online_url="https://meeting.example.cn/j/88", capacity=500)
    db_session.commit()
    return {"officer": officer.id, "boss": boss.id, "employer": employer.id, "job": job.id, "graduate": graduate.id,
            "other": other.id, "talk": talk.id, "online": online.id}


@pytest.mark.parametrize(("lang", "words"), [("zh", ["招聘活动", "校园宣讲会", "线上宣讲"]),
                                             ("en", ["Recruitment events", "Campus talk", "Online session"])])
def test_the_public_list_and_page_in_both_languages(client, people, lang, words):
    page = client.get(f"/events?lang={lang}")
    assert page.status_code == 200
    text = text_of(page)
    for word in words:
        assert word in text
    assert "一汽零部件校园宣讲会" in text and "长春市线上双选会" in text
    filtered = text_of(client.get("/events?kind=online_session"))
    assert "长春市线上双选会" in filtered and "一汽零部件校园宣讲会" not in filtered
    detail = client.get(f"/events/{people['talk']}?lang={lang}")
    assert detail.status_code == 200
    body = text_of(detail)
    assert "吉林大学鼎新楼报告厅" in body and "Java后端开发工程师" in body
    assert ("北京时间" if lang == "zh" else "Beijing time") in body


def decoded_qr_from_page(html: str, folder) -> list[str]:
    """Every QR code zbarimg reads from the PNG images embedded in a page."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg not found: install zbar-tools (Makefile TEST_DEBS)"
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for index, data in enumerate(re.findall(r'src="data:image/png;base64,([^"]+)"', html)):
        image = folder / f"qr{index}.png"
        image.write_bytes(base64.b64decode(data))
        run = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                             capture_output=True, text=True, check=False)
        assert run.returncode in (0, 4), run.stderr
        found += [line for line in run.stdout.splitlines() if line]
    return found


def test_register_ticket_qr_and_check_in_on_pages(app, client, people, db_session, tmp_path):
    sign_in(app, client, people["graduate"])
    registered = client.post(f"/events/{people['talk']}/registration")
    assert registered.status_code == 302 and registered.location.endswith(f"/events/{people['talk']}/ticket")
    ticket = client.get(f"/events/{people['talk']}/ticket")
    assert ticket.status_code == 200
    registration = db_session.scalar(select(EventRegistration).where(EventRegistration.user_id == people["graduate"]))
    code = service.ticket_code(registration, app.config["SECRET_KEY"])
    assert decoded_qr_from_page(ticket.get_data(as_text=True), tmp_path / "ticket") == [code]
    assert code in text_of(ticket)
    mine = client.get("/events/mine")
    assert decoded_qr_from_page(mine.get_data(as_text=True), tmp_path / "mine") == [code]
    # a graduate may not open the check-in page
    assert client.get(f"/events/{people['talk']}/check-in").status_code == 403

    sign_in(app, client, people["boss"])
    first = client.post(f"/events/{people['talk']}/check-in", data={"code": code})
    assert first.status_code == 200 and "签到成功：李明远" in text_of(first)
    assert "已签到 1 人 / 已报名 1 人" in text_of(first)
    second = client.post(f"/events/{people['talk']}/check-in?lang=en", data={"code": code})
    assert second.status_code == 409
    db_session.expire_all()
    at = db_session.get(EventRegistration, registration.id).checked_in_at
    assert at is not None
    hhmm = at.replace(tzinfo=dt.UTC).astimezone(CHANGCHUN).strftime("%H:%M") if at.tzinfo is None else \
        at.astimezone(CHANGCHUN).strftime("%H:%M")
    assert f"李明远 already checked in at {hhmm}." in text_of(second)
    forged = client.post(f"/events/{people['talk']}/check-in?lang=zh", data={"code": code[:-1] + ("A" if code[-1] != "A" else "B")})
    assert forged.status_code == 422 and "签到码无效" in text_of(forged)
    attendance = text_of(client.get(f"/events/{people['talk']}/attendance"))
    assert "李**" in attendance and "李明远" not in attendance


def test_another_events_ticket_and_a_cancelled_registration_are_refused_on_the_page(app, client, people, db_session):
    sign_in(app, client, people["other"])
    client.post(f"/events/{people['online']}/registration")
    registration = db_session.scalar(select(EventRegistration).where(EventRegistration.user_id == people["other"]))
    online_code = service.ticket_code(registration, app.config["SECRET_KEY"])
    client.post(f"/events/{people['talk']}/registration")
    talk_registration = db_session.scalar(select(EventRegistration).where(
        EventRegistration.user_id == people["other"], EventRegistration.event_id == people["talk"]))
    talk_code = service.ticket_code(talk_registration, app.config["SECRET_KEY"])
    cancelled = client.post(f"/events/{people['talk']}/registration/cancel")
    assert cancelled.status_code == 302

    sign_in(app, client, people["boss"])
    wrong = client.post(f"/events/{people['talk']}/check-in", data={"code": online_code})
    assert wrong.status_code == 422 and "另一场活动" in text_of(wrong)
    void = client.post(f"/events/{people['talk']}/check-in", data={"code": talk_code})
    assert void.status_code == 409 and "已取消" in text_of(void)
    # the employer does not organise the bureau's online session
    assert client.get(f"/events/{people['online']}/check-in").status_code == 403


def test_the_event_form_creates_and_shows_readable_errors(app, client, people, db_session):
    sign_in(app, client, people["boss"])
    assert client.get("/events/new").status_code == 200
    starts = in_changchun(10)
    form = {"kind": "online_session", "title": "秋招线上宣讲", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "district": "",
            "online_url": "http://meeting.example.cn/1", "capacity": "80", "job_ids": str(people["job"]),
            "action": "publish"}
    refused = client.post("/events/new", data=form)
    assert refused.status_code == 422
    assert any("https://" in message for message in field_errors(refused, "online_url"))
    english = client.post("/events/new?lang=en", data=form)
    assert any("https://" in message and "Must be" in message for message in field_errors(english, "online_url"))
    created = client.post("/events/new", data={**form, "online_url": "https://meeting.example.cn/1"})
    assert created.status_code == 302
    event = db_session.scalar(select(RecruitmentEvent).where(RecruitmentEvent.title == "秋招线上宣讲"))
    assert event.status == "published" and [post.job_id for post in event.posts] == [people["job"]]
    assert event.starts_at.replace(tzinfo=event.starts_at.tzinfo or dt.UTC) == starts
    manage = text_of(client.get("/events/manage"))
    assert "秋招线上宣讲" in manage and "一汽零部件校园宣讲会" in manage and "长春市线上双选会" not in manage
    cancelled = client.post(f"/events/{event.id}/cancel", data={"reason": "讲师临时有事"})
    assert cancelled.status_code == 302
    db_session.refresh(event)
    assert event.status == "cancelled"
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(event.id),
                                                                AuditEvent.entity_type == "recruitment_event")).all()
    assert actions == ["event.created", "event.cancelled"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_training_bases_page_and_the_internship_tab(app, client, people, db_session, lang):
    sign_in(app, client, people["officer"])
    page = client.get(f"/officer/training-bases?lang={lang}")
    assert page.status_code == 200 and ("实训基地" if lang == "zh" else "Training bases") in text_of(page)
    from talent.models import Employer

    employer = db_session.get(Employer, people["employer"])
    done = client.post("/officer/training-bases", data={"credit_code": employer.credit_code, "designated_on": "",
                                                        "reason": "汽车电子实训基地"})
    assert done.status_code == 302
    assert training_bases.is_training_base(db_session, employer.id)
    unknown = client.post("/officer/training-bases", data={"credit_code": "91220101MA17XK2B2Y", "reason": "x"})
    assert unknown.status_code == 422

    sign_in(app, client, people["boss"])
    form = client.get(f"/employer/jobs/new?lang={lang}")
    assert 'name="kind"' in form.get_data(as_text=True)
    posted = client.post("/employer/jobs/new", data={
        "kind": "internship", "title": "汽车电子实训生", "description": "导师带教的实训岗位。", "min_education": "college",
        "district": "220173", "salary_min": "3000", "salary_max": "4000", "headcount": "12", "majors": ""})
    assert posted.status_code == 302
    from talent.models.jobs import Job

    internship = db_session.scalar(select(Job).where(Job.kind == "internship"))
    assert internship.title == "汽车电子实训生"
    jobs = client.get(f"/jobs?lang={lang}").get_data(as_text=True)
    internships = client.get(f"/jobs?kind=internship&lang={lang}").get_data(as_text=True)
    assert f"/jobs/{internship.id}\"" in internships and f"/jobs/{people['job']}\"" not in internships
    assert f"/jobs/{internship.id}\"" not in jobs and f"/jobs/{people['job']}\"" in jobs
    [row] = training_bases.internship_counts(db_session)
    assert (row.posts, row.headcount) == (1, 12)


def test_the_organiser_edits_the_event_on_its_form(app, client, people, db_session):
    sign_in(app, client, people["boss"])
    form = client.get(f"/events/{people['talk']}/edit")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    event = db_session.get(RecruitmentEvent, people["talk"])
    local = event.starts_at.replace(tzinfo=event.starts_at.tzinfo or dt.UTC).astimezone(CHANGCHUN)
    assert f'value="{local.strftime("%Y-%m-%dT%H:%M")}"' in html  # shown in Beijing time
    data = {"kind": "campus_talk", "title": "一汽零部件校园宣讲会（改期）", "description": "",
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"), "district": "220102",
            "venue": "吉林大学鼎新楼报告厅", "online_url": "", "capacity": "0", "job_ids": str(people["job"])}
    refused = client.post(f"/events/{people['talk']}/edit", data=data)
    assert refused.status_code == 422 and field_errors(refused, "capacity")
    saved = client.post(f"/events/{people['talk']}/edit", data={**data, "capacity": "40"})
    assert saved.status_code == 302
    db_session.refresh(event)
    assert (event.title, event.capacity) == ("一汽零部件校园宣讲会（改期）", 40)
    # the bureau's officers may edit every event
    sign_in(app, client, people["officer"])
    assert client.get(f"/events/{people['talk']}/edit").status_code == 200
