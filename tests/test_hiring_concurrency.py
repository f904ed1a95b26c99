"""The last place of a post taken by offers accepted at the same moment: one hire, the others told why (409).

Real concurrent transactions: threads against a live server, each request with its own connection, released
together by a barrier. On PostgreSQL the post's row lock serialises the hires; on SQLite the database's write
lock, taken by the same no-op UPDATE before anything is read, does."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from talent.models import AuditEvent
from talent.models.hiring import JobApplication, Placement
from talent.models.jobs import Job
from tests.api.test_hiring_api import hiring_world, to_offer
from tests.test_apartments_concurrency import post_all_at_once

OFFERS = 4


def test_offers_accepted_at_once_for_the_last_place_make_one_hire(app, db_session, client, live_server):
    world, job = hiring_world(app, db_session, headcount=2, graduates=OFFERS + 1)
    # One place is taken already: the race is for the last one.
    first = to_offer(client, world, job, f"g{OFFERS}")
    assert client.post(f"/api/v1/job-applications/{first}/offer-answer", json={"accept": True},
                       headers=world.headers(f"g{OFFERS}")).status_code == 200
    offers = [to_offer(client, world, job, f"g{n}") for n in range(OFFERS)]

    barrier = threading.Barrier(OFFERS)
    results: list[tuple[int, dict]] = [(0, {})] * OFFERS

    def accept(index: int) -> None:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{live_server.url}/api/v1/job-applications/{offers[index]}/offer-answer",
            data=json.dumps({"accept": True}).encode(), method="POST",
            headers={**world.headers(f"g{index}"), "Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                results[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            results[index] = (error.code, json.loads(error.read()))

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(OFFERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (OFFERS - 1), results
    for status, body in results:
        if status == 409:
            assert "filled" in body["message"], body
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 2
    assert db_session.scalar(select(func.count()).select_from(JobApplication)
                             .where(JobApplication.job_id == job.id, JobApplication.status == "hired")) == 2
    assert db_session.get(Job, job.id).status == "closed"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "job.closed")) == 1
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "job_application.offer_accepted")) == 2


def test_the_same_graduate_applying_twice_at_once_makes_one_application(app, db_session, live_server):
    world, job = hiring_world(app, db_session, headcount=1, graduates=0)
    statuses = post_all_at_once(f"{live_server.url}/api/v1/jobs/{job.id}/applications",
                                [world.headers("grad")] * 4, {})
    assert sorted(statuses) == [201, 409, 409, 409], statuses
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(JobApplication)) == 1
