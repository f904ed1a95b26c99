"""Notifications: who hears of which event, mail only after the commit, preferences, reminders once, the CLI."""

from __future__ import annotations

import email
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from talent.cli import main as talent_command
from talent.db import db
from talent.models.notifications import Notification
from talent.services import InvalidInput, publicity
from talent.services import notifications as service
from tests.services.workflow_support import case_in, make_people


def outbox(app) -> list[email.message.Message]:
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


def kinds_for(session, user) -> list[str]:
    return list(session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                .order_by(Notification.id)))


def test_each_event_reaches_the_people_it_concerns(db_session):
    people = make_people(db_session)
    application = case_in(db_session, people, "under_notice")
    # The applicant submitted it themselves (no message); then the employer endorsed, and two officers approved.
    assert kinds_for(db_session, people.applicant) == ["case_status"] * 3
    texts = [service.message(n, "en") for n in db_session.scalars(
        select(Notification).where(Notification.user_id == people.applicant.id).order_by(Notification.id))]
    assert texts[-1] == (f"Application {application.number}: Approval confirmed; public notice opened. "
                         "Now: Under public notice.")
    assert kinds_for(db_session, people.employer_user) == ["endorsement_requested"]
    endorsement = db_session.scalar(select(Notification).where(Notification.user_id == people.employer_user.id))
    assert service.message(endorsement, "zh").startswith(f"李娜 提交了人才认定申请 {application.number}")
    assert kinds_for(db_session, people.officer) == []

    publicity.file_objection(db_session, people.other_applicant, application.id, text="并非全职。")
    assert kinds_for(db_session, people.applicant)[-1] == "objection_filed"
    for officer in (people.officer, people.officer2, people.admin):
        assert kinds_for(db_session, officer) == ["objection_filed"]
    assert kinds_for(db_session, people.other_applicant) == []  # the objector is not told of their own objection
    officer_note = db_session.scalar(select(Notification).where(Notification.user_id == people.officer.id))
    assert service.message(officer_note, "zh") == f"申请 {application.number} 收到一条公示异议，等待处理。"
    assert "并非全职" not in service.message(officer_note, "zh")


def test_mail_leaves_after_the_commit_and_never_for_a_rolled_back_change(app):
    with app.app_context():
        session = db.session
        people = make_people(session)
        session.commit()
        case_in(session, people, "awaiting_endorsement")
        assert session.scalar(select(Notification.mail_status)) == "pending"
        session.rollback()
        assert outbox(app) == []
        assert session.scalars(select(Notification)).all() == []

        case_in(session, people, "awaiting_endorsement")
        assert outbox(app) == []  # not yet: the transaction is still open
        session.commit()
        sent = outbox(app)
        assert len(sent) == 1
        assert sent[0]["To"] == "hr@faw-demo.example.cn"
        assert sent[0]["Subject"] == "请确认职工的人才认定申请 / Please endorse an application"
        body = sent[0].get_content()
        assert "请在" in body and "please confirm their employment" in body
        assert "Inbox:" not in body  # no address known outside a request without PUBLIC_BASE_URL
        row = session.scalar(select(Notification))
        session.refresh(row)
        assert row.mail_status == "sent" and row.mailed_at is not None
        # Delivering again sends nothing twice.
        assert service.deliver([row.id]) == 0
        assert len(outbox(app)) == 1


def test_a_failed_mail_keeps_the_inbox_row_and_is_tried_again(app, monkeypatch):
    import talent.mail

    with app.app_context():
        session = db.session
        people = make_people(session)
        session.commit()

        def refuse(*_args, **_kwargs):
            raise OSError("mail server down")

        monkeypatch.setattr(talent.mail, "send_mail", refuse)
        case_in(session, people, "awaiting_endorsement")
        session.commit()
        row = session.scalar(select(Notification))
        session.refresh(row)
        assert row.mail_status == "failed"
        monkeypatch.undo()
        assert service.retry_failed(session) == 1
        session.commit()
        session.refresh(row)
        assert row.mail_status == "sent" and len(outbox(app)) == 1


def test_preferences_turn_a_kind_of_mail_off_but_keep_the_inbox(app):
    with app.app_context():
        session = db.session
        people = make_people(session)
        assert service.preferences(session, people.employer_user) == {"endorsement_requested": True,
                                                                      "deadline_near": True, "job_pipeline": True,
                                                                      "retention_check": True}
        service.set_preferences(session, people.employer_user, {"endorsement_requested": False,
                                                                "deadline_near": True})
        with pytest.raises(InvalidInput) as refused:
            service.set_preferences(session, people.employer_user, {"payment_due": True})
        assert "email" in refused.value.errors
        session.commit()
        case_in(session, people, "awaiting_endorsement")
        session.commit()
        row = session.scalar(select(Notification).where(Notification.user_id == people.employer_user.id))
        assert row.mail_status == "off"
        assert outbox(app) == []
        # The applicant still gets mail, with a link to the inbox at the configured address.
        app.config["PUBLIC_BASE_URL"] = "https://talent.example.cn/"
        from talent.services.applications import endorse_application
        endorse_application(session, people.employer_user, row.application_id, endorse=True, comment="属实")
        session.commit()
        sent = outbox(app)
        assert [m["To"] for m in sent] == ["li.na@example.cn"]
        assert "站内消息 / Inbox: https://talent.example.cn/notifications/" in sent[0].get_content()
        assert service.unread_count(session, people.employer_user) == 1


def test_reminders_go_once_per_instalment_and_deadline(db_session):
    from talent.services.workflow import today

    people = make_people(db_session)
    granted = case_in(db_session, people, "granted")
    first = min(granted.instalments, key=lambda i: (i.due_on, i.id))
    counts = service.send_reminders(db_session, first.due_on - timedelta(days=3))
    due_then = [i for i in granted.instalments
                if first.due_on - timedelta(days=3) <= i.due_on <= first.due_on + timedelta(days=4)]
    assert counts.payment_due == len(due_then) >= 1
    assert service.send_reminders(db_session, first.due_on - timedelta(days=3)).payment_due == 0
    assert service.send_reminders(db_session, first.due_on - timedelta(days=30)).payment_due == 0  # too early

    in_review = case_in(db_session, people, "in_review", owner=people.other_applicant)
    assert service.send_reminders(db_session, today()).deadline_near == 0  # 10 working days left
    counts = service.send_reminders(db_session, in_review.review_due_on)
    assert counts.deadline_near == 3  # two officers and the admin
    assert service.send_reminders(db_session, in_review.review_due_on).deadline_near == 0
    note = db_session.scalar(select(Notification).where(Notification.user_id == people.officer.id,
                                                        Notification.kind == "deadline_near"))
    assert service.message(note, "en") == (f"The review of application {in_review.number} is due on "
                                           f"{in_review.review_due_on.isoformat()} (0 working days left).")


def test_the_reminder_command(app, database_url, monkeypatch):
    monkeypatch.setenv("TALENT_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENT_INSTANCE_PATH", app.config["INSTANCE_PATH"])
    monkeypatch.setenv("TALENT_SECRET_KEY", "test-secret-key")
    with app.app_context():
        session = db.session
        people = make_people(session)
        application = case_in(session, people, "in_review")
        due = application.review_due_on
        session.commit()
    result = CliRunner().invoke(talent_command, ["notifications", "send-reminders", "--as-of", due.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"As of {due.isoformat()}: 0 payment reminder(s), 3 deadline reminder(s); "
                                     "0 failed mail(s) tried again.")
    subjects = [m["Subject"] for m in outbox(app)]
    assert subjects.count("办理时限提醒 / Deadline reminder") == 3
    result = CliRunner().invoke(talent_command, ["notifications", "send-reminders", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
