"""Periodic work runs once however many schedulers and workers run: the claim of (task, period) is a row with a
unique key, inserted in the run's transaction. Tested with concurrent sessions on every backend (PostgreSQL:
a second claim waits for the first transaction; SQLite: for the database lock)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from talent.models.periodic import PeriodicRun
from talent.services.periodic import claim_period


def claim_in_thread(app, task: str, period: str, results: list, *, commit: bool = True) -> threading.Thread:
    def run() -> None:
        session = app.extensions["talent.db"]()
        try:
            results.append(claim_period(session, task, period))
            if commit:
                session.commit()
        finally:
            session.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_claim_waits_for_the_first_and_finds_the_period_taken(app, db_session):
    assert claim_period(db_session, "close_notice_periods", "2026-12-03") is True
    results: list[bool] = []
    waiting = claim_in_thread(app, "close_notice_periods", "2026-12-03", results)
    time.sleep(0.5)
    assert waiting.is_alive() and results == []  # blocked on the first, uncommitted claim
    db_session.commit()
    waiting.join(timeout=30)
    assert results == [False]


def test_a_claim_rolled_back_with_its_work_lets_the_next_run_claim(app, db_session):
    assert claim_period(db_session, "close_notice_periods", "2026-12-04") is True
    results: list[bool] = []
    waiting = claim_in_thread(app, "close_notice_periods", "2026-12-04", results)
    time.sleep(0.5)
    db_session.rollback()  # the first run failed (or its worker was killed): its claim goes with its work
    waiting.join(timeout=30)
    assert results == [True]


def test_many_runs_at_once_one_claims(app, db_session):
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def run() -> None:
        session = app.extensions["talent.db"]()
        try:
            barrier.wait()
            results.append(claim_period(session, "overdue_service_clocks", "2026-12-05"))
            time.sleep(0.05)  # the run's work, inside the transaction
            session.commit()
        finally:
            session.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 7 + [True]
    assert db_session.scalar(select(func.count()).select_from(PeriodicRun)) == 1
    # Another task or another day is a separate claim.
    assert claim_period(db_session, "overdue_service_clocks", "2026-12-06") is True
    assert claim_period(db_session, "close_notice_periods", "2026-12-05") is True
