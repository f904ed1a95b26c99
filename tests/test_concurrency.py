"""Officers acting at the same moment never produce two decisions: 20 concurrent approve requests against a live
server (threads, each with its own HTTP connection) yield exactly one decision; the others answer 409.

Runs on every backend: on PostgreSQL the case row is locked (SELECT … FOR UPDATE) and versioned; on SQLite,
which has no row locks, the version check and the unique (case, round, stage) decision key do the work.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from talent.models import AuditEvent, Role
from talent.models.applications import Application, ReviewDecision, StatusChange
from tests.services.workflow_support import case_in, make_people, make_user, token_for

CONCURRENT_REQUESTS = 20


def approve_all_at_once(url: str, tokens: list[dict[str, str]]) -> list[int]:
    """POST an approval with each token, all released together by a barrier; the status codes."""
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = [0] * len(tokens)
    body = json.dumps({"outcome": "approve", "reason": "符合条件，同意。"}).encode()

    def approve(index: int, headers: dict[str, str]) -> None:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={**headers, "Content-Type": "application/json"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=approve, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def decisions_of(db_session, application_id: int) -> list[tuple[str, str]]:
    rows = db_session.execute(
        select(ReviewDecision.stage, ReviewDecision.outcome).where(ReviewDecision.application_id == application_id)
        .order_by(ReviewDecision.id)
    )
    return [(stage, outcome) for stage, outcome in rows]


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def test_twenty_officers_confirming_at_once_make_one_confirmation(live_server, db_session, people):
    application = case_in(db_session, people, "awaiting_confirmation")
    officers = [make_user(db_session, f"reviewer{n}@example.cn", f"复核员{n}", Role.OFFICER)
                for n in range(CONCURRENT_REQUESTS)]
    db_session.commit()

    statuses = approve_all_at_once(
        f"{live_server.url}/api/v1/applications/{application.id}/decision", [token_for(o) for o in officers]
    )

    assert sorted(statuses) == [200] + [409] * (CONCURRENT_REQUESTS - 1), statuses
    db_session.expire_all()
    assert decisions_of(db_session, application.id) == [("first", "approve"), ("second", "approve")]
    assert db_session.get(Application, application.id).status == "under_notice"
    transitions = db_session.scalars(select(StatusChange.to_status).where(StatusChange.application_id == application.id)
                                     .order_by(StatusChange.id)).all()
    assert transitions == ["awaiting_endorsement", "in_review", "awaiting_confirmation", "under_notice"]
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "application", AuditEvent.entity_id == str(application.id),
        AuditEvent.action == "application.approve")) == 2


def test_twenty_approvals_by_one_officer_make_one_first_approval(live_server, db_session, people):
    application = case_in(db_session, people, "in_review")
    db_session.commit()

    statuses = approve_all_at_once(
        f"{live_server.url}/api/v1/applications/{application.id}/decision",
        [token_for(people.officer)] * CONCURRENT_REQUESTS,
    )

    # the first approval wins; the same officer can never confirm it (four eyes), so every other request is 409
    assert sorted(statuses) == [200] + [409] * (CONCURRENT_REQUESTS - 1), statuses
    db_session.expire_all()
    assert decisions_of(db_session, application.id) == [("first", "approve")]
    refreshed = db_session.get(Application, application.id)
    assert (refreshed.status, refreshed.first_approval_by_id) == ("awaiting_confirmation", people.officer.id)


def test_an_approval_that_waited_for_another_officers_decision_is_refused(app, live_server, db_session, people):
    """Officer A approves first; officer B's approval, sent while A's transaction still holds the case, must not
    silently become the confirmation of A's approval: B decided on a state that no longer holds."""
    application = case_in(db_session, people, "in_review")
    db_session.commit()
    url = f"{live_server.url}/api/v1/applications/{application.id}/decision"

    first_officer = app.extensions["talent.db"]()
    try:
        from talent.services.reviews import decide_application

        officer = first_officer.get(type(people.officer), people.officer.id)
        decide_application(first_officer, officer, application.id, outcome="approve", reason="同意")  # not committed
        statuses: list[int] = []
        second = threading.Thread(target=lambda: statuses.extend(approve_all_at_once(url, [token_for(people.officer2)])))
        second.start()
        wait_until_blocked(app, first_officer, second)
        first_officer.commit()
        second.join(timeout=60)
    finally:
        first_officer.close()

    assert statuses == [409]
    db_session.expire_all()
    assert decisions_of(db_session, application.id) == [("first", "approve")]
    assert db_session.get(Application, application.id).status == "awaiting_confirmation"


def wait_until_blocked(app, blocker, thread: threading.Thread) -> None:
    """Until the request waits for the `blocker` session's transaction (its row lock on PostgreSQL; SQLite offers
    no view of its busy waits, so there a pause long enough for the request to reach its first write)."""
    import time

    from sqlalchemy import text

    engine = app.extensions["talent.engine"]
    if engine.dialect.name != "postgresql":
        time.sleep(1.5)
        return
    blocker_pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and thread.is_alive():
        with engine.connect() as connection:
            waiting = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                {"pid": blocker_pid},
            ).scalar()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second officer's request never waited for the first one's lock")
