"""The background tasks in eager mode (no TALENT_REDIS_URL): they run in the calling process, through Celery,
each in its own transaction, and periodic work claims its period once."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select

from talent.models import AuditEvent
from talent.models.applications import Application
from talent.models.periodic import PeriodicRun
from talent.tasks import enqueue, queue_configured
from tests.services.workflow_support import case_in, make_people


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def test_without_redis_tasks_run_in_the_calling_process(app):
    with app.app_context():
        assert not queue_configured()
        result = enqueue("talent.overdue_service_clocks", "2026-03-02")
        assert result.get() == {"claimed": True, "as_of": "2026-03-02", "overdue": []}
        # The same day again: claimed already, nothing done.
        assert enqueue("talent.overdue_service_clocks", "2026-03-02").get() == {"claimed": False,
                                                                               "as_of": "2026-03-02"}
        assert enqueue("talent.overdue_service_clocks", "2026-03-03").get()["claimed"] is True


def test_closing_notices_runs_once_a_day_and_stores_the_card_pdfs(app, db_session, people):
    application = case_in(db_session, people, "under_notice")
    db_session.commit()
    day = application.notice_ends_on.isoformat()

    with app.app_context():
        first = enqueue("talent.close_notice_periods", day).get()
        second = enqueue("talent.close_notice_periods", day).get()

    assert first == {"claimed": True, "as_of": day, "granted": [application.id], "left_open": []}
    assert second == {"claimed": False, "as_of": day}
    db_session.expire_all()
    granted = db_session.get(Application, application.id)
    assert granted.status == "granted"
    assert db_session.scalar(select(func.count()).select_from(PeriodicRun)
                             .where(PeriodicRun.task == "close_notice_periods", PeriodicRun.period == day)) == 1
    # The batch of card PDFs went to storage (the default: <instance>/files).
    pdf = Path(app.config["INSTANCE_PATH"]) / "files" / "cards" / f"{granted.card.number}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_a_failed_run_gives_its_claim_back(app, db_session, people, monkeypatch):
    application = case_in(db_session, people, "under_notice")
    db_session.commit()
    day = application.notice_ends_on.isoformat()

    import talent.services.publicity as publicity

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(publicity, "close_notice_periods", broken)
        with app.app_context(), pytest.raises(RuntimeError):
            enqueue("talent.close_notice_periods", day).get()
    assert db_session.scalar(select(func.count()).select_from(PeriodicRun)) == 0
    with app.app_context():
        assert enqueue("talent.close_notice_periods", day).get()["granted"] == [application.id]


def test_overdue_clocks_are_recorded_once_and_mailed(app, db_session, people):
    in_review = case_in(db_session, people, "in_review")
    db_session.commit()
    due = in_review.review_due_on
    late_day = (due + dt.timedelta(days=3)).isoformat()
    next_day = (due + dt.timedelta(days=4)).isoformat()

    with app.app_context():
        result = enqueue("talent.overdue_service_clocks", late_day).get()
        again_next_day = enqueue("talent.overdue_service_clocks", next_day).get()

    assert result["overdue"] == [{"application_id": in_review.id, "kind": "review", "due_on": due.isoformat()}]
    assert again_next_day == {"claimed": True, "as_of": next_day, "overdue": []}  # recorded once
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.clock_overdue")) == 1
    # One digest per officer (three: two officers and the admin), written to the outbox without Redis.
    outbox = sorted((Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"))
    recipients = sorted(message_from_bytes(p.read_bytes())["To"] for p in outbox)
    assert recipients == sorted([people.officer.email, people.officer2.email, people.admin.email])
    assert in_review.number in message_from_bytes(outbox[0].read_bytes()).get_payload(decode=True).decode()


def test_the_schedule_names_registered_tasks_in_changchun_time(app):
    from talent.tasks import celery_for

    celery = celery_for(app)
    assert celery.conf.timezone == "Asia/Shanghai"
    schedule = celery.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "talent.close_notice_periods", "talent.overdue_service_clocks", "talent.refresh_matches_daily"}
    assert all(entry["task"] in celery.tasks for entry in schedule.values())
    assert celery.conf.task_acks_late and celery.conf.task_reject_on_worker_lost
    assert celery.conf.worker_prefetch_multiplier == 1


def test_worker_and_scheduler_need_redis(tmp_path):
    from click.testing import CliRunner

    from talent.cli import main

    env = {"TALENT_REDIS_URL": "", "TALENT_INSTANCE_PATH": str(tmp_path), "TALENT_SECRET_KEY": "k" * 40,
           "TALENT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    for command in ("worker", "scheduler"):
        result = CliRunner().invoke(main, [command], env=env)
        assert result.exit_code == 1 and "needs TALENT_REDIS_URL" in result.output
