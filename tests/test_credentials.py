"""Account safety: password change, reset by e-mail (through a real SMTP server in this process), sign out
everywhere, deactivation by an administrator, and the TOTP second factor — each ending the other sessions
and tokens."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from talent import create_app
from talent.models import AuditEvent, User
from talent.models.credentials import PasswordReset
from tests.conftest import empty_all_tables

PASSWORD = "first-pass-2026"
NEW_PASSWORD = "second-pass-2027"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, _Inbox]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest.fixture
def make_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    made = []

    def build(**overrides: Any) -> Any:
        application = create_app({
            "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / f"instance{len(made)}"), "PASSWORD_HASHING": "cheapest",
            "WTF_CSRF_ENABLED": False, **overrides,
        })
        made.append(application)
        return application

    yield build
    for application in made:
        empty_all_tables(application)
        application.extensions["talent.engine"].dispose()


def _account(app: Any, email: str, role: str = "applicant", password: str = PASSWORD) -> int:
    from talent.db import db
    from talent.services.accounts import create_user

    with app.app_context(), db.command_transaction() as session:
        return create_user(session, email=email, password=password, name="测试用户", role=role).id


def _token(client: Any, email: str, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _web_sign_in(app: Any, email: str, password: str = PASSWORD) -> Any:
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert browser.get("/account/security").status_code == 200
    return browser


def _signed_out(browser: Any) -> bool:
    response = browser.get("/account/security")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _events(app: Any, action: str) -> list[AuditEvent]:
    with app.app_context():
        session = app.extensions["talent.db"]()
        try:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        finally:
            session.close()


def _link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"(https?://\S+/password-reset/\S+)", body)
    assert found, body
    return found.group(1)


def test_reset_by_email_through_a_real_smtp_server(make_app, smtp_server):
    smtp_url, inbox = smtp_server
    app = make_app(SMTP_URL=smtp_url, PUBLIC_BASE_URL="https://talent.example.gov.cn")
    _account(app, "reset@example.cn")
    client = app.test_client()
    old_token = _token(client, "reset@example.cn")
    browser = _web_sign_in(app, "reset@example.cn")

    # unknown address: the same answer, no mail
    response = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.cn"})
    assert response.status_code == 202 and inbox.messages == []
    response = client.post("/api/v1/auth/password-reset", json={"email": "Reset@Example.cn"})
    assert response.status_code == 202
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "reset@example.cn"
    link = _link(inbox.messages[0])
    assert link.startswith("https://talent.example.gov.cn/password-reset/")
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        session = app.extensions["talent.db"]()
        stored = session.scalars(select(PasswordReset)).all()
        assert len(stored) == 1 and stored[0].token_digest != token and token not in stored[0].token_digest
        session.close()

    weak = client.post(f"/api/v1/auth/password-reset/{token}", json={"new_password": "short"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]
    assert client.post(f"/api/v1/auth/password-reset/{token}", json={"new_password": NEW_PASSWORD}).status_code == 204
    # single use
    again = client.post(f"/api/v1/auth/password-reset/{token}", json={"new_password": "third-pass-2028"})
    assert again.status_code == 404 and again.get_json()["code"] == 404
    # every earlier session and token ended; the new password works, the old does not
    assert client.get("/api/v1/auth/me", headers=old_token).status_code == 401
    assert _signed_out(browser)
    assert client.post("/api/v1/auth/token", json={"email": "reset@example.cn", "password": PASSWORD}).status_code == 401
    _token(client, "reset@example.cn", NEW_PASSWORD)
    assert len(_events(app, "user.password_reset")) == 1


def test_a_reset_link_expires_after_30_minutes(make_app, smtp_server):
    from datetime import timedelta

    from talent.db import db
    from talent.services import NotFound, credentials

    smtp_url, inbox = smtp_server
    app = make_app(SMTP_URL=smtp_url)
    _account(app, "late@example.cn")
    client = app.test_client()
    assert client.post("/api/v1/auth/password-reset", json={"email": "late@example.cn"}).status_code == 202
    link = _link(inbox.messages[0])
    assert link.startswith("http://localhost/password-reset/")  # no public base URL: this request's address
    token = link.rsplit("/", 1)[1]
    with app.app_context(), db.command_transaction() as session:
        reset = session.scalars(select(PasswordReset)).one()
        credentials.valid_reset(session, token, now=reset.created_at + timedelta(minutes=29))
        with pytest.raises(NotFound):
            credentials.valid_reset(session, token, now=reset.created_at + timedelta(minutes=30, seconds=1))
        reset.expires_at = reset.created_at - timedelta(seconds=1)
    response = client.post(f"/api/v1/auth/password-reset/{token}", json={"new_password": NEW_PASSWORD})
    assert response.status_code == 404
    assert client.get(f"/password-reset/{token}").status_code == 404


def test_reset_pages_with_the_mail_written_to_the_outbox(make_app, tmp_path):
    app = make_app()
    _account(app, "pages@example.cn")
    browser = app.test_client()
    assert "忘记密码" in browser.get("/login").get_data(as_text=True)
    page = browser.post("/password-reset", data={"email": "pages@example.cn"})
    assert page.status_code == 200 and "请查收邮件" in page.get_data(as_text=True)
    outbox = list((tmp_path / "instance0" / "outbox").glob("*.eml"))
    assert len(outbox) == 1
    link = _link(message_from_bytes(outbox[0].read_bytes()))
    path = link.split("localhost", 1)[1]
    assert browser.get(path).status_code == 200
    mismatch = browser.post(path, data={"new_password": NEW_PASSWORD, "confirm": "other-pass-2027"})
    assert mismatch.status_code == 422
    done = browser.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    used = browser.get(path)
    assert used.status_code == 404 and "链接无效" in used.get_data(as_text=True)
    _web_sign_in(app, "pages@example.cn", NEW_PASSWORD)


def test_changing_the_password_ends_every_other_session_and_token(make_app):
    app = make_app()
    _account(app, "change@example.cn")
    client = app.test_client()
    token = _token(client, "change@example.cn")
    other_browser = _web_sign_in(app, "change@example.cn")

    wrong = client.post("/api/v1/auth/password", json={"current_password": "not-it-2026", "new_password": NEW_PASSWORD},
                        headers=token)
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    weak = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "abc"},
                       headers=token)
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]
    assert client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
                       ).status_code == 401
    response = client.post("/api/v1/auth/password",
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=token)
    assert response.status_code == 200
    fresh = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    assert _signed_out(other_browser)

    # the page: this browser stays signed in, the other ends
    browser = _web_sign_in(app, "change@example.cn", NEW_PASSWORD)
    other_browser = _web_sign_in(app, "change@example.cn", NEW_PASSWORD)
    page = browser.post("/account/password", data={"current_password": "wrong-pass-1", "new_password": PASSWORD,
                                                   "confirm": PASSWORD})
    assert page.status_code == 422 and "当前密码不正确" in page.get_data(as_text=True)
    page = browser.post("/account/password", data={"current_password": NEW_PASSWORD, "new_password": PASSWORD,
                                                   "confirm": PASSWORD})
    assert page.status_code == 302
    assert browser.get("/account/security").status_code == 200
    assert _signed_out(other_browser)
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 401
    assert len(_events(app, "user.password_changed")) == 2


def test_sign_out_everywhere(make_app):
    app = make_app()
    _account(app, "everywhere@example.cn")
    client = app.test_client()
    token = _token(client, "everywhere@example.cn")
    browser = _web_sign_in(app, "everywhere@example.cn")
    other = _web_sign_in(app, "everywhere@example.cn")
    assert browser.post("/account/sign-out-everywhere").status_code == 302
    assert browser.get("/account/security").status_code == 200
    assert _signed_out(other)
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    response = client.post("/api/v1/auth/sign-out-everywhere", headers=_token(client, "everywhere@example.cn"))
    assert response.status_code == 200
    assert _signed_out(browser)
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"}
                      ).status_code == 200


def test_an_admin_deactivates_and_reactivates_an_account(make_app, smtp_server):
    smtp_url, inbox = smtp_server
    app = make_app(SMTP_URL=smtp_url)
    user_id = _account(app, "leaver@example.cn")
    admin_id = _account(app, "root@example.cn", role="admin")
    _account(app, "staff@example.cn", role="officer")
    client = app.test_client()
    token = _token(client, "leaver@example.cn")
    browser = _web_sign_in(app, "leaver@example.cn")
    admin = _token(client, "root@example.cn")

    url = f"/api/v1/users/{user_id}/active"
    assert client.post(url, json={"active": False}, headers=_token(client, "staff@example.cn")).status_code == 403
    assert client.post(url, json={"active": False}, headers=token).status_code == 403
    assert client.post(f"/api/v1/users/{admin_id}/active", json={"active": False}, headers=admin).status_code == 409
    assert client.post("/api/v1/users/999999/active", json={"active": False}, headers=admin).status_code == 404
    response = client.post(url, json={"active": False}, headers=admin)
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert _signed_out(browser)
    assert client.post("/api/v1/auth/token", json={"email": "leaver@example.cn", "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/password-reset", json={"email": "leaver@example.cn"}).status_code == 202
    assert inbox.messages == []  # a deactivated account gets no reset link
    listing = client.get("/api/v1/users", headers=admin)
    assert listing.status_code == 200 and {u["email"] for u in listing.get_json()} >= {"leaver@example.cn"}
    assert client.get("/api/v1/users", headers=_token(client, "staff@example.cn")).status_code == 403

    # the page
    admin_browser = _web_sign_in(app, "root@example.cn")
    page = admin_browser.get("/admin/users")
    assert page.status_code == 200 and "leaver@example.cn" in page.get_data(as_text=True)
    assert admin_browser.post(f"/admin/users/{user_id}/active", data={"active": "1"}).status_code == 302
    _token(client, "leaver@example.cn")
    assert [e.after["is_active"] for e in _events(app, "user.deactivated")] == [False]
    assert len(_events(app, "user.activated")) == 1


def _enrol(app: Any, browser: Any) -> str:
    page = browser.get("/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    assert "data:image/png;base64," in html
    wrong = browser.post("/account/two-factor", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 422
    assert browser.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


def test_officers_enrol_a_second_factor_and_then_need_it_to_sign_in(make_app):
    app = make_app()
    officer_id = _account(app, "officer@example.cn", role="officer")
    applicant = _web_sign_in(app, (_account(app, "person@example.cn") and "person@example.cn"))
    assert applicant.get("/account/two-factor").status_code == 403
    client = app.test_client()
    old_token = _token(client, "officer@example.cn")
    browser = _web_sign_in(app, "officer@example.cn")
    secret = _enrol(app, browser)
    assert browser.get("/account/security").status_code == 200  # still signed in after enrolling
    assert client.get("/api/v1/auth/me", headers=old_token).status_code == 401
    with app.app_context():
        session = app.extensions["talent.db"]()
        stored = session.get(User, officer_id).totp_secret
        session.close()
    assert secret not in stored and re.match(r"^k1:", stored)

    # the page asks for the code after the password
    fresh = app.test_client()
    step = fresh.post("/login", data={"email": "officer@example.cn", "password": PASSWORD})
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/two-factor")
    assert _signed_out(fresh)
    assert fresh.post("/login/two-factor", data={"code": "12345x"}).status_code == 422
    done = fresh.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert fresh.get("/account/security").status_code == 200
    # the API asks for it too
    missing = client.post("/api/v1/auth/token", json={"email": "officer@example.cn", "password": PASSWORD})
    assert missing.status_code == 401 and "otp" in missing.get_json()["errors"]
    _token(client, "officer@example.cn", otp=pyotp.TOTP(secret).now())
    assert len(_events(app, "user.second_factor_enrolled")) == 1


def test_wrong_one_time_codes_are_limited(make_app):
    app = make_app(LIMIT_SECOND_FACTOR="2 per 15 minutes")
    _account(app, "officer@example.cn", role="officer")
    secret = _enrol(app, _web_sign_in(app, "officer@example.cn"))
    browser = app.test_client()
    browser.post("/login", data={"email": "officer@example.cn", "password": PASSWORD})
    for _ in range(2):
        assert browser.post("/login/two-factor", data={"code": "000001"}).status_code == 422
    refused = browser.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_in_production_officers_must_enrol_before_anything_else(make_app):
    app = make_app(ENV="production", SECRET_KEY="x" * 48, PUBLIC_BASE_URL="https://talent.example.gov.cn",
                   ID_KEY="k1:" + "A" * 43)
    _account(app, "officer@example.cn", role="officer")
    _account(app, "person@example.cn")
    client = app.test_client()
    refused = client.post("/api/v1/auth/token", json={"email": "officer@example.cn", "password": PASSWORD})
    assert refused.status_code == 403 and "second factor" in refused.get_json()["message"]
    _token(client, "person@example.cn")  # applicants are not asked
    browser = app.test_client()
    assert browser.post("/login", data={"email": "officer@example.cn", "password": PASSWORD}).status_code == 302
    page = browser.get("/officer/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/account/two-factor")
    secret = _enrol(app, browser)
    assert browser.get("/account/security").status_code == 200
    _token(client, "officer@example.cn", otp=pyotp.TOTP(secret).now())
