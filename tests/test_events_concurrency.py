"""The last seat of a recruitment event taken by several graduates at once goes to one: threads against a live
server, each with its own HTTP connection and database transaction, on every backend (PostgreSQL: the
conditional UPDATE re-checks `registered_count < capacity` on the row another transaction just changed; SQLite:
one writer at a time). The others get a clear 409."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select

from talent.models import AuditEvent, Role
from talent.models.events import EventRegistration, RecruitmentEvent
from talent.services import events
from tests.api.test_events_api import in_changchun
from tests.api.test_jobs_api import add_user, bearer

THREADS = 8


def post_all_at_once(url: str, headers: list[dict[str, str]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(headers))
    answers: list[tuple[int, dict]] = [(0, {})] * len(headers)

    def post(index: int, header: dict[str, str]) -> None:
        request = urllib.request.Request(url, data=b"", method="POST", headers=header)
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answers[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            answers[index] = (error.code, json.loads(error.read()))

    threads = [threading.Thread(target=post, args=(i, h)) for i, h in enumerate(headers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def test_the_last_seat_taken_by_many_at_once_goes_to_one(app, live_server, db_session):
    officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    graduates = [add_user(db_session, f"g{n}@example.cn", f"毕业生{n}", Role.APPLICANT) for n in range(THREADS + 1)]
    starts = in_changchun(days=3)
    event = events.create_event(db_session, officer, kind="job_fair", title="长春市冬季高校毕业生招聘会",
                                starts_at=starts, ends_at=starts.replace(hour=17), district="220104",
                                venue="长春国际会展中心", capacity=2)
    db_session.commit()
    events.register(db_session, graduates[0], event.id)  # one seat left
    db_session.commit()

    answers = post_all_at_once(f"{live_server.url}/api/v1/events/{event.id}/registrations",
                               [bearer(app, g) for g in graduates[1:]])

    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * (THREADS - 1), answers
    refusals = {body["message"] for status, body in answers if status == 409}
    assert refusals == {"The event is full: every seat has been taken."}
    db_session.expire_all()
    assert db_session.get(RecruitmentEvent, event.id).registered_count == 2
    registered = db_session.scalar(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.status == "registered"))
    assert registered == 2
    audited = db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "event_registration.created"))
    assert audited == 2


def test_one_graduate_registering_twice_at_once_gets_one_seat(app, live_server, db_session):
    officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    graduate = add_user(db_session, "g@example.cn", "毕业生", Role.APPLICANT)
    starts = in_changchun(days=3)
    event = events.create_event(db_session, officer, kind="campus_talk", title="宣讲会", starts_at=starts,
                                ends_at=starts.replace(hour=16), district="220104", venue="礼堂", capacity=50)
    db_session.commit()

    answers = post_all_at_once(f"{live_server.url}/api/v1/events/{event.id}/registrations",
                               [bearer(app, graduate)] * 4)

    assert sorted(status for status, _ in answers) == [201, 409, 409, 409], answers
    db_session.expire_all()
    assert db_session.get(RecruitmentEvent, event.id).registered_count == 1
