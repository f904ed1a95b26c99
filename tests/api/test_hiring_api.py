"""Hiring through the HTTP API: apply, the employer's pipeline (shortlist, interview, offer, hired, declined),
invitations, withdrawal, the offer's answer, headcount and a full post closing itself; the refusals (422 with the
field, 403 for the other side's people, 404, 409 on moves the state does not allow); audit events, notifications
and matching feedback written with each change.

Helpers at the top (a post with applicants, moving an application) are shared by the other hiring tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from talent.clock import today_in_changchun
from talent.db import utcnow
from talent.models import AuditEvent, Role
from talent.models.hiring import JobApplication, JobApplicationChange, MatchFeedback, Placement
from talent.models.jobs import Job
from talent.models.notifications import Notification
from tests.api.test_jobs_api import World, add_job, add_profile, add_user, build_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def future(days: int = 3) -> str:
    return (utcnow() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def hiring_world(app: Any, db_session: Any, *, headcount: int = 3, graduates: int = 2) -> tuple[World, Job]:
    """Employers a (owns the post), b (another organisation); graduates grad, private and g0…gN with profiles."""
    world = build_world(app, db_session)
    add_profile(db_session, world.users["grad"])
    add_profile(db_session, world.users["private"], consent_to_match=False)
    for n in range(graduates):
        user = add_user(db_session, f"g{n}@example.cn", f"孙{n}号", Role.APPLICANT)
        add_profile(db_session, user)
        world.users[f"g{n}"] = user
    job = add_job(db_session, world.employers["a"], headcount=headcount)
    db_session.commit()
    return world, job


def apply(client: Any, world: World, job: Job, who: str = "grad", **body: Any) -> Any:
    return client.post(f"/api/v1/jobs/{job.id}/applications", json=body, headers=world.headers(who))


def move(client: Any, world: World, application_id: int, status: str, who: str = "a", **body: Any) -> Any:
    return client.post(f"/api/v1/job-applications/{application_id}/status", json={"status": status, **body},
                       headers=world.headers(who))


def to_offer(client: Any, world: World, job: Job, who: str, start: str | None = None) -> int:
    response = apply(client, world, job, who)
    assert response.status_code == 201, response.get_json()
    application_id = response.get_json()["id"]
    assert move(client, world, application_id, "shortlisted").status_code == 200
    assert move(client, world, application_id, "interview", interview_at=future(),
                interview_place="长春市高新区硅谷大街 1 号").status_code == 200
    body = {"start_date": start} if start else {}
    response = move(client, world, application_id, "offer", **body)
    assert response.status_code == 200, response.get_json()
    return application_id


@pytest.fixture
def hiring(app, db_session):
    return hiring_world(app, db_session)


def events(db_session: Any, action_prefix: str) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(f"{action_prefix}%"))
                                   .order_by(AuditEvent.id)))


# --- the whole way ---------------------------------------------------------------------------------------------


def test_apply_shortlist_interview_offer_accept_is_a_hire_with_events_and_notifications(client, db_session, hiring):
    world, job = hiring
    start = (today_in_changchun() + dt.timedelta(days=20)).isoformat()
    response = apply(client, world, job, note="我熟悉 Spring Boot。")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "applied" and body["status_name"] == {"zh": "已投递", "en": "Applied"}
    assert body["job"]["id"] == job.id and body["graduate"]["name"] == "李明远"
    application_id = body["id"]

    assert move(client, world, application_id, "shortlisted").get_json()["status"] == "shortlisted"
    when = future(5)
    interview = move(client, world, application_id, "interview", interview_at=when,
                     interview_link="https://meeting.example.cn/room/42").get_json()
    assert interview["status"] == "interview" and interview["interview_link"] == "https://meeting.example.cn/room/42"
    offer = move(client, world, application_id, "offer", start_date=start).get_json()
    assert offer["status"] == "offer" and offer["offer_start_date"] == start

    response = client.post(f"/api/v1/job-applications/{application_id}/offer-answer", json={"accept": True},
                           headers=world.headers("grad"))
    assert response.status_code == 200, response.get_json()
    hired = response.get_json()
    assert hired["status"] == "hired"
    assert hired["placement"]["start_date"] == start
    due = dt.date.fromisoformat(start)
    assert hired["placement"]["retention_due_on"] == due.replace(year=due.year + 1).isoformat()
    assert hired["placement"]["retention"] == "pending"
    assert [h["to_status"] for h in hired["history"]] == ["applied", "shortlisted", "interview", "offer", "hired"]

    db_session.expire_all()
    assert events(db_session, "job_application.") == [
        "job_application.applied", "job_application.status_changed", "job_application.status_changed",
        "job_application.status_changed", "job_application.offer_accepted"]
    assert events(db_session, "placement.") == ["placement.created"]
    # The employer heard of the application and the acceptance; the graduate of each move.
    to_employer = list(db_session.scalars(select(Notification).where(Notification.user_id == world.users["a"].id)
                                          .order_by(Notification.id)))
    assert [n.params["text"] for n in to_employer] == ["job_pipeline.applied", "job_pipeline.offer_accepted"]
    to_graduate = list(db_session.scalars(select(Notification).where(Notification.user_id == world.users["grad"].id)
                                          .order_by(Notification.id)))
    assert [n.params["status_code"] for n in to_graduate] == ["shortlisted", "interview", "offer"]
    assert "meeting.example.cn" in to_graduate[1].params["detail_en"]
    kinds = list(db_session.scalars(select(MatchFeedback.kind).order_by(MatchFeedback.id)))
    assert kinds == ["applied", "shortlisted", "interview", "offer", "hired"]
    # headcount 3, one hire: the post stays open
    assert db_session.get(Job, job.id).status == "open"


def test_employer_may_record_hired_after_an_offer_and_the_graduate_hears_of_it(client, db_session, hiring):
    world, job = hiring
    application_id = to_offer(client, world, job, "grad")
    assert move(client, world, application_id, "hired").status_code == 422  # no start date anywhere
    start = (today_in_changchun() + dt.timedelta(days=7)).isoformat()
    response = move(client, world, application_id, "hired", start_date=start)
    assert response.status_code == 200
    assert response.get_json()["placement"]["start_date"] == start
    db_session.expire_all()
    assert events(db_session, "job_application.hired") == ["job_application.hired"]
    last = db_session.scalars(select(Notification).where(Notification.user_id == world.users["grad"].id)
                              .order_by(Notification.id.desc())).first()
    assert last.params["status_code"] == "hired" and start in last.params["detail"]


def test_declined_with_a_reason_the_graduate_reads_in_plain_words(client, db_session, hiring):
    world, job = hiring
    application_id = apply(client, world, job).get_json()["id"]
    response = move(client, world, application_id, "declined", reason="major", note="需要电子信息类专业")
    assert response.status_code == 200
    body = response.get_json()
    assert body["decline_reason_text"]["zh"] == "所学专业与岗位要求不符"
    mine = client.get("/api/v1/job-applications/mine", headers=world.headers("grad")).get_json()["items"]
    assert mine[0]["status"] == "declined" and mine[0]["decline_note"] == "需要电子信息类专业"
    db_session.expire_all()
    note = db_session.scalars(select(Notification).where(Notification.user_id == world.users["grad"].id)).one()
    assert "所学专业与岗位要求不符" in note.params["detail"] and "需要电子信息类专业" in note.params["detail"]
    # declined is final
    assert move(client, world, application_id, "shortlisted").status_code == 409


# --- refusals --------------------------------------------------------------------------------------------------


def test_input_errors_name_the_field(client, hiring):
    world, job = hiring
    application_id = apply(client, world, job).get_json()["id"]
    cases = [
        ({"status": "promoted"}, "status"),
        ({"status": "interview"}, "interview_at"),
        ({"status": "interview", "interview_at": future()}, "interview_place"),
        ({"status": "interview", "interview_at": (utcnow() - dt.timedelta(hours=1)).isoformat()}, "interview_at"),
        ({"status": "interview", "interview_at": future(), "interview_link": "ftp://x.example.cn"}, "interview_link"),
        ({"status": "declined"}, "reason"),
        ({"status": "declined", "reason": "because"}, "reason"),
        ({"status": "declined", "reason": "other"}, "note"),
        ({"status": "offer", "start_date": "2020-01-01"}, "start_date"),
    ]
    for body, field in cases:
        response = client.post(f"/api/v1/job-applications/{application_id}/status", json=body,
                               headers=world.headers("a"))
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"], (body, response.get_json())
    long_note = apply(client, world, job, "g0", note="很" * 5000)
    assert long_note.status_code == 422 and "note" in long_note.get_json()["errors"]


def test_other_people_are_refused_and_unknown_ids_are_404(client, hiring):
    world, job = hiring
    application_id = apply(client, world, job).get_json()["id"]
    assert move(client, world, application_id, "shortlisted", who="b").status_code == 403
    assert client.get(f"/api/v1/job-applications/{application_id}", headers=world.headers("g0")).status_code == 403
    assert client.get(f"/api/v1/job-applications/{application_id}", headers=world.headers("b")).status_code == 403
    assert client.get(f"/api/v1/job-applications/{application_id}", headers=world.headers("a")).status_code == 200
    assert client.get(f"/api/v1/job-applications/{application_id}",
                      headers=world.headers("officer")).status_code == 200
    assert client.post(f"/api/v1/job-applications/{application_id}/withdrawal",
                       headers=world.headers("g0")).status_code == 403
    assert client.get(f"/api/v1/jobs/{job.id}/applications", headers=world.headers("b")).status_code == 403
    assert move(client, world, 999_999, "shortlisted").status_code == 404
    assert client.post("/api/v1/jobs/999999/applications", json={}, headers=world.headers("grad")).status_code == 404
    # roles: an employer does not apply, a graduate does not move applications
    assert apply(client, world, job, "a").status_code == 403
    assert move(client, world, application_id, "shortlisted", who="grad").status_code == 403
    assert client.post(f"/api/v1/jobs/{job.id}/applications", json={}).status_code == 401


def test_one_application_per_post_and_the_profile_is_required(client, db_session, hiring):
    world, job = hiring
    assert apply(client, world, job).status_code == 201
    again = apply(client, world, job)
    assert again.status_code == 409 and "already applied" in again.get_json()["message"]
    nobody = add_user(db_session, "noprofile@example.cn", "周无", Role.APPLICANT)
    db_session.commit()
    world.users["nobody"] = nobody
    refused = apply(client, world, job, "nobody")
    assert refused.status_code == 409 and "profile" in refused.get_json()["message"]


def test_bad_moves_are_409(client, hiring):
    world, job = hiring
    application_id = apply(client, world, job).get_json()["id"]
    assert move(client, world, application_id, "hired", start_date="2030-01-01").status_code == 409  # no offer yet
    assert client.post(f"/api/v1/job-applications/{application_id}/offer-answer", json={"accept": True},
                       headers=world.headers("grad")).status_code == 409
    assert move(client, world, application_id, "offer").status_code == 200
    assert move(client, world, application_id, "shortlisted").status_code == 409  # backwards
    assert client.post(f"/api/v1/job-applications/{application_id}/withdrawal",
                       headers=world.headers("grad")).status_code == 200
    assert client.post(f"/api/v1/job-applications/{application_id}/withdrawal",
                       headers=world.headers("grad")).status_code == 409


def test_a_closed_post_takes_no_applications(client, db_session, hiring):
    world, job = hiring
    db_session.get(Job, job.id).status = "closed"
    db_session.commit()
    response = apply(client, world, job)
    assert response.status_code == 409 and "no longer accepting" in response.get_json()["message"]


# --- headcount ---------------------------------------------------------------------------------------------------


def test_the_last_place_taken_closes_the_post_and_declines_the_rest(client, db_session, app):
    world, job = hiring_world(app, db_session, headcount=1, graduates=3)
    first = to_offer(client, world, job, "g0")
    second = to_offer(client, world, job, "g1")
    waiting = apply(client, world, job, "g2").get_json()["id"]
    assert client.post(f"/api/v1/job-applications/{first}/offer-answer", json={"accept": True},
                       headers=world.headers("g0")).status_code == 200
    late = client.post(f"/api/v1/job-applications/{second}/offer-answer", json={"accept": True},
                       headers=world.headers("g1"))
    assert late.status_code == 409
    assert "filled" in late.get_json()["message"]
    db_session.expire_all()
    closed = db_session.get(Job, job.id)
    assert closed.status == "closed" and closed.closed_at is not None
    assert db_session.get(JobApplication, waiting).decline_reason == "position_filled"
    assert db_session.get(JobApplication, second).status == "declined"
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 1
    assert events(db_session, "job.closed") == ["job.closed"]
    pipeline = client.get(f"/api/v1/jobs/{job.id}/applications", headers=world.headers("a")).get_json()
    assert pipeline["hires"] == 1 and pipeline["places_left"] == 0
    assert pipeline["counts"]["hired"] == 1 and pipeline["counts"]["declined"] == 2
    filled = db_session.scalars(select(Notification).where(Notification.user_id == world.users["a"].id)
                                .order_by(Notification.id.desc())).first()
    assert filled.params["text"] == "job_pipeline.filled"


# --- invitations -------------------------------------------------------------------------------------------------


def test_invitation_accepted_becomes_an_application(client, db_session, hiring):
    from talent.models.jobs import GraduateProfile

    world, job = hiring
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == world.users["g0"].id))
    response = client.post(f"/api/v1/jobs/{job.id}/invitations", json={"graduate_id": profile.id, "message": "欢迎"},
                           headers=world.headers("a"))
    assert response.status_code == 201, response.get_json()
    invitation = response.get_json()
    assert invitation["status"] == "invited" and invitation["graduate"]["name"] == "孙**"
    # the same graduate cannot be invited twice, nor apply on their own now
    assert client.post(f"/api/v1/jobs/{job.id}/invitations", json={"graduate_id": profile.id},
                       headers=world.headers("a")).status_code == 409
    assert apply(client, world, job, "g0").status_code == 409
    # the employer cannot move an invitation before it is accepted
    assert move(client, world, invitation["id"], "shortlisted").status_code == 409
    answered = client.post(f"/api/v1/job-applications/{invitation['id']}/invitation-answer",
                           json={"accept": True, "note": "谢谢邀请"}, headers=world.headers("g0"))
    assert answered.status_code == 200 and answered.get_json()["status"] == "applied"
    assert answered.get_json()["graduate"]["name"] == "孙0号"
    db_session.expire_all()
    texts = [n.params.get("text") for n in db_session.scalars(select(Notification).order_by(Notification.id))]
    assert texts == ["job_application.invited", "job_pipeline.invitation_accepted"]
    assert events(db_session, "job_application.invit") == ["job_application.invited",
                                                           "job_application.invitation_accepted"]


def test_invitation_declined_and_no_invitation_without_consent(client, db_session, hiring):
    from talent.models.jobs import GraduateProfile

    world, job = hiring
    private = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == world.users["private"].id))
    refused = client.post(f"/api/v1/jobs/{job.id}/invitations", json={"graduate_id": private.id},
                          headers=world.headers("a"))
    assert refused.status_code == 422 and "graduate_id" in refused.get_json()["errors"]
    g1 = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == world.users["g1"].id))
    assert client.post(f"/api/v1/jobs/{job.id}/invitations", json={"graduate_id": g1.id},
                       headers=world.headers("b")).status_code == 403
    invitation = client.post(f"/api/v1/jobs/{job.id}/invitations", json={"graduate_id": g1.id},
                             headers=world.headers("a")).get_json()
    declined = client.post(f"/api/v1/job-applications/{invitation['id']}/invitation-answer", json={"accept": False},
                           headers=world.headers("g1"))
    assert declined.status_code == 200 and declined.get_json()["status"] == "invitation_declined"
    assert client.post(f"/api/v1/job-applications/{invitation['id']}/invitation-answer", json={"accept": True},
                       headers=world.headers("g1")).status_code == 409


def test_turning_down_an_offer(client, db_session, hiring):
    world, job = hiring
    application_id = to_offer(client, world, job, "grad")
    response = client.post(f"/api/v1/job-applications/{application_id}/offer-answer", json={"accept": False},
                           headers=world.headers("grad"))
    assert response.status_code == 200 and response.get_json()["status"] == "offer_declined"
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 0
    assert [c.to_status for c in db_session.scalars(
        select(JobApplicationChange).where(JobApplicationChange.job_application_id == application_id)
        .order_by(JobApplicationChange.id))][-1] == "offer_declined"


# --- CV ------------------------------------------------------------------------------------------------------------


def test_cv_pdf_only_and_only_the_two_sides_read_it(app, client, db_session, hiring):
    import io

    world, job = hiring
    application_id = apply(client, world, job).get_json()["id"]
    url = f"/api/v1/job-applications/{application_id}/cv"
    not_pdf = client.post(url, data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "cv.png")},
                          headers=world.headers("grad"), content_type="multipart/form-data")
    assert not_pdf.status_code == 422 and "file" in not_pdf.get_json()["errors"]
    ok = client.post(url, data={"file": (io.BytesIO(PDF), "李明远简历.pdf")}, headers=world.headers("grad"),
                     content_type="multipart/form-data")
    assert ok.status_code == 200 and ok.get_json()["cv"] == {"name": "李明远简历.pdf", "size": len(PDF)}
    assert client.get(url, headers=world.headers("a")).data == PDF
    assert client.get(url, headers=world.headers("grad")).data == PDF
    assert client.get(url, headers=world.headers("b")).status_code == 403
    # a new CV replaces the old one, whose file is removed once the change is committed
    from talent.storage import current_storage

    first = db_session.get(JobApplication, application_id).cv_stored_name
    with app.app_context():
        assert first and current_storage().exists(f"cv/{first}")
    second_pdf = PDF.replace(b"trailer", b"trailer ")
    assert client.post(url, data={"file": (io.BytesIO(second_pdf), "新简历.pdf")}, headers=world.headers("grad"),
                       content_type="multipart/form-data").status_code == 200
    assert client.get(url, headers=world.headers("a")).data == second_pdf
    with app.app_context():
        assert not current_storage().exists(f"cv/{first}")


# --- feedback ------------------------------------------------------------------------------------------------------


def test_matches_shown_are_recorded_as_impressions_and_the_application_keeps_its_rank(client, db_session, hiring):
    world, job = hiring
    other = add_job(db_session, world.employers["b"], title="Python开发工程师")
    db_session.commit()
    shown = client.get("/api/v1/graduates/me/matches?limit=5", headers=world.headers("grad")).get_json()["items"]
    assert {item["job_id"] for item in shown} == {job.id, other.id}
    db_session.expire_all()
    rows = list(db_session.scalars(select(MatchFeedback).where(MatchFeedback.kind == "impression")
                                   .order_by(MatchFeedback.rank)))
    assert [(r.job_id, r.rank, r.surface) for r in rows] == [
        (item["job_id"], n, "api_matches") for n, item in enumerate(shown, start=1)]
    assert [round(r.score, 4) for r in rows] == [item["score"] for item in shown]
    rank_of_job = next(n for n, item in enumerate(shown, start=1) if item["job_id"] == job.id)
    apply(client, world, job)
    db_session.expire_all()
    applied = db_session.scalars(select(MatchFeedback).where(MatchFeedback.kind == "applied")).one()
    assert applied.rank == rank_of_job and applied.job_id == job.id


def test_impressions_cost_one_insert_per_list_served(app, client, db_session, hiring):
    """Serving 20 matches writes their impressions with one statement, not one per match."""
    from sqlalchemy import event

    world, job = hiring
    for n in range(19):
        add_job(db_session, world.employers["b"], title=f"Java开发工程师{n:02d}")
    db_session.commit()
    engine = app.extensions["talent.engine"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/api/v1/graduates/me/matches?limit=20", headers=world.headers("grad"))  # warm the index
        statements.clear()
        served = client.get("/api/v1/graduates/me/matches?limit=20", headers=world.headers("grad"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(served.get_json()["items"]) == 20
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO MATCH_FEEDBACK")]
    assert len(inserts) == 1, inserts
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(MatchFeedback)
                             .where(MatchFeedback.kind == "impression")) == 40


def test_apply_with_a_cv_in_one_multipart_request(client, db_session, hiring):
    import io

    world, job = hiring
    response = client.post(f"/api/v1/jobs/{job.id}/applications", headers=world.headers("grad"),
                           data={"note": "附简历", "file": (io.BytesIO(PDF), "cv.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["cv"] == {"name": "cv.pdf", "size": len(PDF)} and response.get_json()["note"] == "附简历"
    refused = client.post(f"/api/v1/jobs/{job.id}/applications", headers=world.headers("g0"),
                          data={"file": (io.BytesIO(b"not a pdf at all"), "cv.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "file" in refused.get_json()["errors"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(JobApplication)) == 1  # the refused one left nothing


def test_closing_a_post_declines_its_open_applications(client, db_session, hiring):
    world, job = hiring
    open_one = apply(client, world, job).get_json()["id"]
    offered = to_offer(client, world, job, "g0")
    withdrawn = apply(client, world, job, "g1").get_json()["id"]
    client.post(f"/api/v1/job-applications/{withdrawn}/withdrawal", headers=world.headers("g1"))
    response = client.patch(f"/api/v1/jobs/{job.id}", json={"status": "closed"}, headers=world.headers("a"))
    assert response.status_code == 200
    db_session.expire_all()
    for application_id in (open_one, offered):
        closed = db_session.get(JobApplication, application_id)
        assert closed.status == "declined" and closed.decline_reason == "position_closed"
    assert db_session.get(JobApplication, withdrawn).status == "withdrawn"
    late = client.post(f"/api/v1/job-applications/{offered}/offer-answer", json={"accept": True},
                       headers=world.headers("g0"))
    assert late.status_code == 409
    told = db_session.scalars(select(Notification).where(Notification.user_id == world.users["g0"].id)
                              .order_by(Notification.id.desc())).first()
    assert told.params["status_code"] == "declined" and "停止招聘" in told.params["detail"]
