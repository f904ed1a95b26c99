"""The background tasks in eager mode (no TALENT_REDIS_URL): they run in the calling process, through Celery,
each in its own transaction, and periodic work claims its period once."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email import policy as email_policy
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
    unendorsed = case_in(db_session, people, "awaiting_endorsement", owner=people.other_applicant)
    db_session.commit()
    due = max(in_review.review_due_on, unendorsed.endorsement_due_on)
    late_day = (due + dt.timedelta(days=3)).isoformat()
    next_day = (due + dt.timedelta(days=4)).isoformat()

    with app.app_context():
        result = enqueue("talent.overdue_service_clocks", late_day).get()
        again_next_day = enqueue("talent.overdue_service_clocks", next_day).get()

    assert result["overdue"] == [
        {"application_id": in_review.id, "kind": "review", "due_on": in_review.review_due_on.isoformat()},
        {"application_id": unendorsed.id, "kind": "endorsement", "due_on": unendorsed.endorsement_due_on.isoformat()},
    ]
    assert again_next_day == {"claimed": True, "as_of": next_day, "overdue": []}  # recorded once
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.clock_overdue")) == 2
    # Without Redis the e-mails are written to the outbox at once: one digest per officer (two officers and
    # the admin) naming the late review, and one message to the employer about the late endorsement.
    outbox = sorted((Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"))
    messages = [message_from_bytes(p.read_bytes(), policy=email_policy.default) for p in outbox]
    by_recipient = {m["To"]: m.get_body(("plain",)).get_content() for m in messages}
    assert sorted(by_recipient) == sorted([people.officer.email, people.officer2.email, people.admin.email,
                                           people.employer_user.email])
    assert in_review.number in by_recipient[people.officer.email]
    assert unendorsed.number in by_recipient[people.employer_user.email]
    assert unendorsed.number not in by_recipient[people.officer.email]


def test_mail_delivery_is_retried_when_the_server_fails(app, monkeypatch):
    """The worker's task retries a message the mail server refused (here in eager mode: at once)."""
    import smtplib

    from talent import mail
    from talent.tasks import celery_for

    attempts: list[str] = []

    def flaky(message, url):
        attempts.append(message["Subject"])
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("the server went away")
        return url

    monkeypatch.setattr(mail, "_deliver_smtp", flaky)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:2525"
    message = mail.build_message("a@example.cn", "重试", "text")
    celery = celery_for(app)
    # Eager mode hands errors straight to the caller; let the task's own retries run as a worker would.
    celery.conf.task_eager_propagates = False  # (this test's app only)
    with app.app_context():
        result = celery.tasks["talent.deliver_mail"].apply(args=[message.as_string()])
    assert result.get() == "smtp://127.0.0.1:2525"
    assert attempts == ["重试"] * 3


def test_the_schedule_names_registered_tasks_in_changchun_time(app):
    from talent.tasks import celery_for

    celery = celery_for(app)
    assert celery.conf.timezone == "Asia/Shanghai"
    schedule = celery.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "talent.close_notice_periods", "talent.overdue_service_clocks", "talent.refresh_matches_daily",
        "talent.daily_services", "talent.retention_checks", "talent.refresh_programme_figures"}
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


def test_the_daily_service_work_runs_once_a_day(app, db_session, people):
    """Unanswered apartment offers, expired cards' requests, escalation and reminders: one run per Changchun date."""
    with app.app_context():
        first = enqueue("talent.daily_services", "2026-03-02").get()
        assert first["claimed"] is True and first["as_of"] == "2026-03-02"
        assert {key: value for key, value in first.items()
                if type(value) is int and key != "deadline_reminders"} \
            == {"offers_expired": 0, "requests_closed": 0, "requests_escalated": 0, "payment_reminders": 0,
                "mails_retried": 0}
        assert enqueue("talent.daily_services", "2026-03-02").get() == {"claimed": False, "as_of": "2026-03-02"}
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(PeriodicRun)
                             .where(PeriodicRun.task == "daily_services")) == 1
