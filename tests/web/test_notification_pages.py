"""The inbox and the mail preferences through real requests: unread count in the header, mark read (only one's
own messages), preferences saved with an audit event."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from talent.models import AuditEvent
from talent.models.notifications import Notification, NotificationPreference
from talent.services.accounts import hash_password
from tests.services.workflow_support import case_in, make_people

PASSWORD = "pass-word-2026"


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    for user in (found.applicant, found.employer_user, found.officer):
        user.password_hash = hash_password(PASSWORD)
    db_session.commit()
    return found


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def unread_badge(html: str) -> str | None:
    found = re.search(r'<span class="nav-badge" id="unread-count">(\d+)</span>', html)
    return found.group(1) if found else None


def test_the_inbox_shows_messages_in_the_pages_language_and_marks_them_read(client, people, db_session):
    application = case_in(db_session, people, "awaiting_confirmation")
    db_session.commit()
    sign_in(client, people.applicant)
    home = client.get("/applicant/")
    assert unread_badge(home.text) == "2"  # endorsed, then approved by the first officer
    # On phones the count shows on the menu button too (the inbox link is inside the closed menu).
    assert '<span class="nav-badge" aria-hidden="true">2</span><span class="visually-hidden">2 条未读</span>' in home.text

    page = client.get("/notifications/")
    assert page.status_code == 200
    assert f"申请 {application.number}：单位确认。当前状态：审核中。" in page.text
    english = client.get("/notifications/?lang=en")
    assert f"Application {application.number}: Endorsed by the employer. Now: In review." in english.text
    assert f'value="/applicant/cases/{application.id}"' in english.text

    first = db_session.scalar(select(Notification).where(Notification.user_id == people.applicant.id)
                              .order_by(Notification.id))
    response = client.post(f"/notifications/{first.id}/read", data={"next": f"/applicant/cases/{application.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/applicant/cases/{application.id}"
    assert unread_badge(client.get("/notifications/").text) == "1"
    # An address elsewhere is not followed.
    assert client.post(f"/notifications/{first.id}/read",
                       data={"next": "//evil.example/"}).headers["Location"] == "/notifications/"

    response = client.post("/notifications/read", follow_redirects=True)
    assert "Marked 1 message(s) as read." in response.text  # the session is in English since ?lang=en
    assert unread_badge(response.text) is None


def test_nobody_marks_another_persons_message_and_strangers_sign_in_first(client, people, db_session):
    case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()
    employer_note = db_session.scalar(select(Notification).where(Notification.user_id == people.employer_user.id))
    assert client.get("/notifications/").status_code == 302  # to the sign-in page
    sign_in(client, people.applicant)
    assert client.post(f"/notifications/{employer_note.id}/read").status_code == 302
    db_session.expire_all()
    assert db_session.get(Notification, employer_note.id).read_at is None


def test_preferences_are_saved_with_an_audit_event(client, people, db_session):
    sign_in(client, people.employer_user)
    page = client.get("/notifications/preferences?lang=en")
    assert "An application asks my organisation to endorse it" in page.text
    assert "My application changes state" not in page.text  # not a kind that reaches an employer
    response = client.post("/notifications/preferences", data={"email-deadline_near": "on"})
    assert response.status_code == 302
    db_session.expire_all()
    choices = {p.kind: p.email for p in db_session.scalars(select(NotificationPreference))}
    # the kinds not ticked (issue 12 added job_pipeline and retention_check for employers) are off
    off = {"endorsement_requested": False, "deadline_near": True, "job_pipeline": False, "retention_check": False}
    assert choices == off
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "notifications.preferences_changed"))
    assert event.after == {"email": off}
    page = client.get("/notifications/preferences")
    assert 'name="email-endorsement_requested" id="email-endorsement_requested">' in page.text
    assert 'name="email-deadline_near" id="email-deadline_near" checked>' in page.text


def test_inbox_and_preference_forms_need_the_csrf_token(csrf_app, db_session):
    from talent.models import Role
    from talent.services.accounts import create_user

    session = csrf_app.extensions["talent.db"]()
    create_user(session, email="a@example.cn", password=PASSWORD, name="张伟", role=Role.APPLICANT)
    session.commit()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"email": "a@example.cn", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post("/notifications/preferences", data={}).status_code == 400
    assert client.post("/notifications/read").status_code == 400
    assert session.scalar(select(NotificationPreference.kind)) is None
    page = client.get("/notifications/preferences").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/notifications/preferences", data={"csrf_token": token}).status_code == 302
    assert sorted(session.scalars(select(NotificationPreference.kind))) == [
        "case_status", "job_application", "objection_filed", "payment_due", "recruitment_event", "retention_check"]
    session.close()
