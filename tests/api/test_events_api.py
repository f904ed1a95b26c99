"""Recruitment events through the HTTP API: create (verified employers, officers), list and read (anyone),
register and cancel (graduates), check in with the signed ticket (organisers), cancel with notice; and training
bases with their internship posts. Helpers at the top are shared with the other events tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from talent.clock import CHANGCHUN
from talent.codes import mask_name
from talent.models import AuditEvent, Role
from talent.models.events import EventRegistration, RecruitmentEvent
from talent.models.notifications import Notification
from talent.services import events as service
from talent.services import training_bases
from tests.api.test_jobs_api import add_employer, add_job, add_user, bearer


def in_changchun(days: int = 7, hour: int = 14) -> dt.datetime:
    """A Changchun time `days` from today at `hour`:00."""
    day = dt.datetime.now(CHANGCHUN).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CHANGCHUN)


def event_body(**fields: Any) -> dict[str, Any]:
    starts = fields.pop("starts", None) or in_changchun()
    body = {
        "kind": "campus_talk", "title": "吉林大学秋季校园宣讲会", "description": "介绍岗位与发展。",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "district": "220102", "venue": "吉林大学中心校区鼎新楼报告厅", "capacity": 100,
    }
    body.update(fields)
    return body


class World:
    pass


@pytest.fixture
def world(app, db_session) -> World:
    w = World()
    w.officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    w.boss = add_user(db_session, "boss@example.cn", "王海燕", Role.EMPLOYER)
    w.other_boss = add_user(db_session, "other@example.cn", "刘强", Role.EMPLOYER)
    w.unverified_boss = add_user(db_session, "new@example.cn", "陈新", Role.EMPLOYER)
    w.employer = add_employer(db_session, w.boss, 1)
    w.other_employer = add_employer(db_session, w.other_boss, 2)
    w.unverified = add_employer(db_session, w.unverified_boss, 3, verified=False)
    w.job = add_job(db_session, w.employer)
    w.other_job = add_job(db_session, w.other_employer, title="机械设计工程师")
    w.graduates = [add_user(db_session, f"g{n}@example.cn", f"毕业生{n}", Role.APPLICANT) for n in range(4)]
    db_session.commit()
    w.app = app
    return w


def create(client, world, who, **fields) -> dict[str, Any]:
    response = client.post("/api/v1/events", json=event_body(**fields), headers=bearer(world.app, who))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_verified_employer_creates_an_event_with_its_own_posts_and_anyone_lists_it(client, world, db_session):
    made = create(client, world, world.boss, job_ids=[world.job.id])
    assert made["status"] == "published" and made["registered"] == 0 and made["seats_left"] == 100
    assert made["organiser"] == {"employer_id": world.employer.id, "name": world.employer.name}
    assert [post["id"] for post in made["posts"]] == [world.job.id]
    assert made["starts_at_local"].endswith("+08:00") and made["starts_at_local"].startswith(
        in_changchun().strftime("%Y-%m-%dT14:00"))
    assert made["kind_name"] == {"zh": "校园宣讲会", "en": "Campus talk"}

    listed = client.get("/api/v1/events").get_json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]
    assert client.get("/api/v1/events?kind=job_fair").get_json()["total"] == 0
    assert client.get("/api/v1/events?district=220104").get_json()["total"] == 0
    day = in_changchun().date().isoformat()
    assert client.get(f"/api/v1/events?date_from={day}&date_to={day}").get_json()["total"] == 1
    tomorrow = (in_changchun().date() + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/api/v1/events?date_from={tomorrow}").get_json()["total"] == 0
    assert client.get(f"/api/v1/events/{made['id']}").get_json()["title"] == "吉林大学秋季校园宣讲会"
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "recruitment_event")).all()
    assert actions == ["event.created"]


def test_who_may_create_and_which_posts(client, world):
    app = world.app
    # another organisation's post: refused with the field
    response = client.post("/api/v1/events", json=event_body(job_ids=[world.other_job.id]), headers=bearer(app, world.boss))
    assert response.status_code == 422 and "job_ids.0" in response.get_json()["errors"]
    # unverified organisation, graduates: 403
    assert client.post("/api/v1/events", json=event_body(), headers=bearer(app, world.unverified_boss)).status_code == 403
    assert client.post("/api/v1/events", json=event_body(), headers=bearer(app, world.graduates[0])).status_code == 403
    assert client.post("/api/v1/events", json=event_body()).status_code == 401
    # an officer's fair presents posts of several verified employers
    fair = create(client, world, world.officer, kind="job_fair", job_ids=[world.job.id, world.other_job.id],
                  capacity=2000)
    assert fair["organiser"]["employer_id"] is None
    assert sorted(post["employer_id"] for post in fair["posts"]) == sorted([world.employer.id, world.other_employer.id])


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "party"}, "kind"),
    ({"capacity": 0}, "capacity"),
    ({"title": ""}, "title"),
    ({"kind": "online_session", "online_url": "http://meeting.example.cn/1", "venue": None, "district": None}, "online_url"),
    ({"kind": "online_session", "online_url": "javascript:alert(1)", "venue": None, "district": None}, "online_url"),
    ({"kind": "online_session", "venue": None, "district": None}, "online_url"),
    ({"venue": None}, "venue"),
    ({"district": "110101"}, "district"),
    ({"starts_at": "2026-12-10T14:00:00"}, "starts_at"),  # no offset
])
def test_bad_input_is_422_with_the_field(client, world, fields, field):
    response = client.post("/api/v1/events", json=event_body(**fields), headers=bearer(world.app, world.boss))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()


def test_an_event_in_the_past_or_ending_before_it_starts_is_refused(client, world):
    past = in_changchun(days=-1)
    response = client.post("/api/v1/events", json=event_body(starts=past), headers=bearer(world.app, world.boss))
    assert response.status_code == 422 and "starts_at" in response.get_json()["errors"]
    body = event_body()
    body["ends_at"] = body["starts_at"]
    response = client.post("/api/v1/events", json=body, headers=bearer(world.app, world.boss))
    assert response.status_code == 422 and "ends_at" in response.get_json()["errors"]


def test_an_online_session_takes_an_https_link_and_no_place(client, world):
    made = create(client, world, world.boss, kind="online_session", venue=None, district=None,
                  online_url="https://meeting.example.cn/j/123")
    assert made["online_url"] == "https://meeting.example.cn/j/123" and made["district"] is None


def test_register_ticket_check_in_once(client, world, db_session):
    made = create(client, world, world.boss, starts=dt.datetime.now(CHANGCHUN) + dt.timedelta(hours=1))
    grad = world.graduates[0]
    registered = client.post(f"/api/v1/events/{made['id']}/registrations", headers=bearer(world.app, grad))
    assert registered.status_code == 201
    code = registered.get_json()["ticket_code"]
    assert code and str(registered.get_json()["id"]) != code
    again = client.post(f"/api/v1/events/{made['id']}/registrations", headers=bearer(world.app, grad))
    assert again.status_code == 409 and "already registered" in again.get_json()["message"]
    mine = client.get("/api/v1/events/registrations", headers=bearer(world.app, grad)).get_json()["items"]
    assert [(r["event"]["id"], r["ticket_code"]) for r in mine] == [(made["id"], code)]

    # the organiser checks in once; the second scan says when
    url = f"/api/v1/events/{made['id']}/check-ins"
    first = client.post(url, json={"code": code}, headers=bearer(world.app, world.boss))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["name"] == grad.name
    second = client.post(url, json={"code": code}, headers=bearer(world.app, world.boss))
    assert second.status_code == 409
    time = dt.datetime.fromisoformat(first.get_json()["checked_in_at"]).astimezone(CHANGCHUN).strftime("%H:%M")
    assert second.get_json()["message"] == f"{grad.name} already checked in at {time}."
    # a forged code, a code with the signature of another key: 422 on `code`
    registration_id = registered.get_json()["id"]
    assert code.startswith(f"{registration_id:X}-" if registration_id < 10 else "") and len(code) <= 20
    for forged in ("hello", str(registration_id), f"{registration_id}-AAAAAAAAAAAA", code[:-2] + ("AA" if not code.endswith("AA") else "BB"),
                   service.ticket_code(db_session.get(EventRegistration, registered.get_json()["id"]), "another-key")):
        response = client.post(url, json={"code": forged}, headers=bearer(world.app, world.boss))
        assert response.status_code == 422 and "code" in response.get_json()["errors"], forged
    # another organisation and a graduate may not check in
    assert client.post(url, json={"code": code}, headers=bearer(world.app, world.other_boss)).status_code == 403
    assert client.post(url, json={"code": code}, headers=bearer(world.app, grad)).status_code == 403

    attendance = client.get(f"/api/v1/events/{made['id']}/attendance", headers=bearer(world.app, world.boss)).get_json()
    assert (attendance["registered"], attendance["checked_in"]) == (1, 1)
    assert attendance["items"][0]["name"] == mask_name(grad.name) != grad.name
    checked = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "event_registration")
                                 .order_by(AuditEvent.id)).all()
    assert checked == ["event_registration.created", "event_registration.checked_in"]


def test_a_ticket_for_another_event_or_a_cancelled_registration_does_not_check_in(client, world):
    soon = dt.datetime.now(CHANGCHUN) + dt.timedelta(hours=1)
    first = create(client, world, world.boss, starts=soon)
    second = create(client, world, world.boss, starts=soon, title="第二场宣讲会")
    grad = world.graduates[1]
    code = client.post(f"/api/v1/events/{first['id']}/registrations",
                       headers=bearer(world.app, grad)).get_json()["ticket_code"]
    wrong = client.post(f"/api/v1/events/{second['id']}/check-ins", json={"code": code},
                        headers=bearer(world.app, world.boss))
    assert wrong.status_code == 422 and "another event" in wrong.get_json()["message"]

    cancelled = client.delete(f"/api/v1/events/{first['id']}/registrations", headers=bearer(world.app, grad))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["ticket_code"] is None
    refused = client.post(f"/api/v1/events/{first['id']}/check-ins", json={"code": code},
                          headers=bearer(world.app, world.boss))
    assert refused.status_code == 409 and "cancelled" in refused.get_json()["message"]
    # registering again gives the seat and the same ticket back (the same person, the same event)
    new_code = client.post(f"/api/v1/events/{first['id']}/registrations",
                           headers=bearer(world.app, grad)).get_json()["ticket_code"]
    assert new_code == code
    assert client.post(f"/api/v1/events/{first['id']}/check-ins", json={"code": code},
                       headers=bearer(world.app, world.boss)).status_code == 201


def test_capacity_is_never_exceeded_and_a_cancelled_seat_is_free_again(client, world, db_session):
    made = create(client, world, world.officer, capacity=2)
    url = f"/api/v1/events/{made['id']}/registrations"
    statuses = [client.post(url, headers=bearer(world.app, g)).status_code for g in world.graduates[:3]]
    assert statuses == [201, 201, 409]
    full = client.post(url, headers=bearer(world.app, world.graduates[2]))
    assert full.get_json()["message"] == "The event is full: every seat has been taken."
    assert client.delete(url, headers=bearer(world.app, world.graduates[0])).status_code == 200
    assert client.post(url, headers=bearer(world.app, world.graduates[2])).status_code == 201
    event = db_session.get(RecruitmentEvent, made["id"])
    db_session.refresh(event)
    live = db_session.scalar(select(func.count()).select_from(EventRegistration)
                             .where(EventRegistration.event_id == event.id, EventRegistration.status == "registered"))
    assert event.registered_count == live == 2
    # the capacity cannot drop below the registrations
    low = client.patch(f"/api/v1/events/{made['id']}", json={"capacity": 1}, headers=bearer(world.app, world.officer))
    assert low.status_code == 422 and "capacity" in low.get_json()["errors"]


def test_cancelling_an_event_tells_every_registered_graduate(client, world, db_session):
    made = create(client, world, world.boss)
    url = f"/api/v1/events/{made['id']}/registrations"
    for grad in world.graduates[:2]:
        assert client.post(url, headers=bearer(world.app, grad)).status_code == 201
    client.delete(url, headers=bearer(world.app, world.graduates[1]))
    assert client.post(f"/api/v1/events/{made['id']}/cancellation", json={"reason": "场地维修"},
                       headers=bearer(world.app, world.other_boss)).status_code == 403
    response = client.post(f"/api/v1/events/{made['id']}/cancellation", json={"reason": "场地维修"},
                           headers=bearer(world.app, world.boss))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    told = db_session.scalars(select(Notification).where(Notification.kind == "recruitment_event")).all()
    assert [n.user_id for n in told] == [world.graduates[0].id]
    assert "场地维修" in told[0].params["reason"]
    # gone from the list; registering is refused; cancelling again is a conflict
    assert client.get("/api/v1/events").get_json()["total"] == 0
    assert client.post(url, headers=bearer(world.app, world.graduates[2])).status_code == 409
    assert client.post(f"/api/v1/events/{made['id']}/cancellation", json={"reason": "x"},
                       headers=bearer(world.app, world.boss)).status_code == 409


def test_a_draft_is_hidden_until_published(client, world):
    draft = create(client, world, world.boss, status="draft")
    assert client.get(f"/api/v1/events/{draft['id']}").status_code == 404
    assert client.get(f"/api/v1/events/{draft['id']}", headers=bearer(world.app, world.boss)).status_code == 200
    assert client.post(f"/api/v1/events/{draft['id']}/registrations",
                       headers=bearer(world.app, world.graduates[0])).status_code == 404
    assert client.post(f"/api/v1/events/{draft['id']}/publication",
                       headers=bearer(world.app, world.boss)).get_json()["status"] == "published"
    assert client.get(f"/api/v1/events/{draft['id']}").status_code == 200
    assert client.get("/api/v1/events/999999").status_code == 404


def test_moving_a_published_event_tells_the_registered(client, world, db_session):
    made = create(client, world, world.boss)
    client.post(f"/api/v1/events/{made['id']}/registrations", headers=bearer(world.app, world.graduates[0]))
    later = in_changchun(days=8, hour=9)
    response = client.patch(f"/api/v1/events/{made['id']}", json={
        "starts_at": later.isoformat(), "ends_at": (later + dt.timedelta(hours=3)).isoformat()},
        headers=bearer(world.app, world.boss))
    assert response.status_code == 200
    [note] = db_session.scalars(select(Notification).where(Notification.kind == "recruitment_event")).all()
    assert note.params["text"] == "recruitment_event.changed" and later.strftime("%Y-%m-%d 09:00") in note.params["starts"]


# --- training bases and internships -------------------------------------------------------------------------


def test_only_a_training_base_posts_internships_and_they_are_listed_apart(client, world, db_session):
    app = world.app
    internship = {"title": "汽车电子实训生", "description": "实训岗位，导师带教。", "min_education": "college",
                  "district": "220173", "salary_min": 3000, "salary_max": 4000, "headcount": 10, "kind": "internship"}
    refused = client.post("/api/v1/jobs", json=internship, headers=bearer(app, world.boss))
    assert refused.status_code == 422 and "kind" in refused.get_json()["errors"]

    assert client.post(f"/api/v1/employers/{world.employer.id}/training-base", json={"reason": "x"},
                       headers=bearer(app, world.boss)).status_code == 403
    designated = client.post(f"/api/v1/employers/{world.employer.id}/training-base",
                             json={"reason": "市级高校毕业生实训基地", "designated_on": "2026-03-01"},
                             headers=bearer(app, world.officer))
    assert designated.status_code == 201 and designated.get_json()["active"] is True
    assert client.post(f"/api/v1/employers/{world.employer.id}/training-base", json={"reason": "again"},
                       headers=bearer(app, world.officer)).status_code == 409
    assert client.post(f"/api/v1/employers/{world.unverified.id}/training-base", json={"reason": "x"},
                       headers=bearer(app, world.officer)).status_code == 422
    assert client.post("/api/v1/employers/999999/training-base", json={"reason": "x"},
                       headers=bearer(app, world.officer)).status_code == 404

    posted = client.post("/api/v1/jobs", json=internship, headers=bearer(app, world.boss))
    assert posted.status_code == 201 and posted.get_json()["kind"] == "internship"
    # a post without kind is a job, as before
    plain = {key: value for key, value in internship.items() if key != "kind"}
    assert client.post("/api/v1/jobs", json=plain, headers=bearer(app, world.boss)).get_json()["kind"] == "job"

    internships = client.get("/api/v1/jobs?kind=internship").get_json()
    assert [item["id"] for item in internships["items"]] == [posted.get_json()["id"]]
    jobs = client.get("/api/v1/jobs?kind=job").get_json()
    assert posted.get_json()["id"] not in [item["id"] for item in jobs["items"]] and jobs["total"] == 3
    assert client.get("/api/v1/jobs?kind=both").status_code == 422

    counts = client.get("/api/v1/training-bases/internships", headers=bearer(app, world.officer)).get_json()["items"]
    assert counts == [{"employer_id": world.employer.id, "name": world.employer.name, "active": True, "posts": 1,
                       "headcount": 10, "open_posts": 1, "open_headcount": 10}]
    listed = client.get("/api/v1/training-bases").get_json()["items"]
    assert [(b["employer_id"], b["designated_on"]) for b in listed] == [(world.employer.id, "2026-03-01")]

    withdrawn = client.post(f"/api/v1/employers/{world.employer.id}/training-base/withdrawal",
                            json={"reason": "实训条件不再具备"}, headers=bearer(app, world.officer))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["active"] is False
    assert client.post("/api/v1/jobs", json=internship, headers=bearer(app, world.boss)).status_code == 422
    assert client.get("/api/v1/training-bases").get_json()["items"] == []
    assert not training_bases.is_training_base(db_session, world.employer.id)
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("training_base.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["training_base.designated", "training_base.withdrawn"]
