"""Registration, sign-in, tokens and role checks: the allowed and the refused cases."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from talent.models import AuditEvent, User
from tests.conftest import seed

STRONG = "correct-horse-42"


def register(client, role="applicant", email="li@example.cn", password=STRONG):
    return client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": "李雷", "role": role}
    )


def token_for(client, email, password=STRONG):
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def test_register_creates_a_hashed_account_with_an_audit_event(client, db_session):
    response = register(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "applicant" and "password" not in body
    user = db_session.get(User, body["id"])
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG not in user.password_hash
    events = db_session.query(AuditEvent).filter_by(entity_type="user", entity_id=str(user.id)).all()
    assert [e.action for e in events] == ["user.created"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": STRONG, "name": "x", "role": "applicant"}, "email"),
        ({"email": "a@example.cn", "password": "short1", "name": "x", "role": "applicant"}, "password"),
        ({"email": "a@example.cn", "password": "onlyletterslong", "name": "x", "role": "applicant"}, "password"),
        ({"email": "a@example.cn", "password": STRONG, "name": "x", "role": "officer"}, "role"),
        ({"email": "a@example.cn", "password": STRONG, "role": "applicant"}, "name"),
        ({"email": "a@example.cn", "password": STRONG, "name": "x", "role": "applicant", "admin": True}, "admin"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(client, payload, field):
    response = client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and field in body["errors"], body


def test_register_refuses_a_duplicate_email_case_insensitively(client):
    assert register(client).status_code == 201
    response = register(client, email="LI@Example.cn")
    assert response.status_code == 409
    assert "email" in response.get_json()["errors"]


def test_token_with_wrong_password_is_refused(client):
    register(client)
    response = client.post("/api/v1/auth/token", json={"email": "li@example.cn", "password": "wrong-password-1"})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_token_for_unknown_email_is_refused_the_same_way(client):
    response = client.post("/api/v1/auth/token", json={"email": "nobody@example.cn", "password": STRONG})
    assert response.status_code == 401


def test_bearer_token_authenticates_and_a_forged_one_does_not(app, client):
    register(client)
    token = token_for(client, "li@example.cn")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_expired_token_is_refused_with_a_clear_message(app, client):
    register(client)
    with app.app_context():
        from talent.db import db

        user = db.session.query(User).filter_by(email="li@example.cn").one()
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="talent.api-token")
        payload = {"uid": user.id, "cv": user.credential_version}
    # sign the token as if it had been issued a day ago
    import time
    from unittest import mock

    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 86400):
        stale = serializer.dumps(payload)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {stale}"})
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_token_signed_with_another_key_is_refused(client):
    register(client)
    other = URLSafeTimedSerializer("another-key", salt="talent.api-token").dumps({"uid": 1, "cv": 1})
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_api_ignores_the_session_cookie(app, client):
    """The API is exempt from CSRF only because a cookie can never authenticate it."""
    seed(app)
    client.post("/login", data={"email": "applicant@demo.talent.cc", "password": "demo-pass-2026"})
    assert client.get("/applicant/").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_page_signs_in_and_routes_each_role_home(app, client):
    seed(app)
    for email, home in [
        ("applicant@demo.talent.cc", "/applicant/"),
        ("employer@demo.talent.cc", "/employer/"),
        ("officer@demo.talent.cc", "/officer/"),
        ("admin@demo.talent.cc", "/officer/"),
    ]:
        c = app.test_client()
        response = c.post("/login", data={"email": email, "password": "demo-pass-2026"})
        assert response.status_code == 302 and response.location.endswith(home), (email, response.location)
        assert c.get(home).status_code == 200


def test_login_with_wrong_password_shows_an_error(app, client):
    seed(app)
    response = client.post("/login", data={"email": "officer@demo.talent.cc", "password": "nope-nope-1"})
    assert response.status_code == 422
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/officer/").status_code == 302  # still not signed in


def test_login_does_not_follow_an_external_next(app, client):
    seed(app)
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"email": "officer@demo.talent.cc", "password": "demo-pass-2026"},
    )
    assert response.location.endswith("/officer/")


@pytest.mark.parametrize(
    ("email", "path", "status"),
    [
        ("applicant@demo.talent.cc", "/officer/", 403),
        ("applicant@demo.talent.cc", "/employer/", 403),
        ("employer@demo.talent.cc", "/applicant/", 403),
        ("employer@demo.talent.cc", "/officer/", 403),
        ("officer@demo.talent.cc", "/applicant/", 403),
        ("officer@demo.talent.cc", "/officer/", 200),
        ("admin@demo.talent.cc", "/officer/", 200),
    ],
)
def test_role_pages_refuse_other_roles(app, email, path, status):
    seed(app)
    c = app.test_client()
    c.post("/login", data={"email": email, "password": "demo-pass-2026"})
    assert c.get(path).status_code == status


def test_pages_redirect_anonymous_visitors_to_sign_in(client):
    response = client.get("/officer/")
    assert response.status_code == 302
    assert "/login?next=" in response.location


def test_logout_needs_post_and_ends_the_session(app, client):
    seed(app)
    client.post("/login", data={"email": "officer@demo.talent.cc", "password": "demo-pass-2026"})
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/officer/").status_code == 302


def test_forms_without_a_csrf_token_are_refused(csrf_app):
    seed(csrf_app)
    c = csrf_app.test_client()
    response = c.post("/login", data={"email": "officer@demo.talent.cc", "password": "demo-pass-2026"})
    assert response.status_code == 400
    assert c.get("/officer/").status_code == 302


def test_forms_with_the_csrf_token_are_accepted(csrf_app):
    seed(csrf_app)
    c = csrf_app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = c.post(
        "/login", data={"email": "officer@demo.talent.cc", "password": "demo-pass-2026", "csrf_token": token}
    )
    assert response.status_code == 302
    assert c.get("/officer/").status_code == 200


def test_registration_page_creates_an_employer_account(client):
    response = client.post(
        "/register",
        data={"role": "employer", "name": "王海燕", "email": "hr@faw.example.cn", "password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 302 and response.location.endswith("/employer/")


def test_registration_page_shows_field_errors(client):
    response = client.post(
        "/register",
        data={"role": "applicant", "name": "", "email": "x@example.cn", "password": "short", "confirm": "other"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写姓名" in page and "两次输入的密码不一致" in page and "至少 10 位" in page


def test_users_create_command_makes_an_officer(app):
    from click.testing import CliRunner

    from talent.cli import main

    runner = CliRunner()
    env = {"TALENT_DATABASE_URL": app.config["DATABASE_URL"], "TALENT_SECRET_KEY": "x" * 32}
    args = ["users", "create", "--role", "officer", "--email", "new@bureau.cn", "--password", STRONG, "--name", "周"]
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, args, env=env).exit_code == 1  # duplicate refused
    weak = runner.invoke(main, [*args[:5], "w@bureau.cn", "--password", "weak", "--name", "周"], env=env)
    assert weak.exit_code == 1 and "password" in weak.output
    c = app.test_client()
    c.post("/login", data={"email": "new@bureau.cn", "password": STRONG})
    assert c.get("/officer/").status_code == 200


def test_seed_demo_is_idempotent(app, db_session):
    from talent.models import Base

    def counts():
        tables = Base.metadata.sorted_tables
        return {t.name: db_session.execute(select(func.count()).select_from(t)).scalar() for t in tables}

    first = seed(app, full=True)
    after_first = counts()
    second = seed(app, full=True)
    assert first == second
    assert counts() == after_first
    assert after_first["users"] >= 5


def test_production_hashing_uses_the_recommended_argon2id_cost(tmp_path):
    from talent import create_app
    from talent.services.accounts import hash_password

    try:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
        assert hash_password("correct-horse-42").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    finally:
        from talent.services.accounts import use_password_profile

        use_password_profile("cheapest")


def test_logout_forgets_what_the_person_typed_but_keeps_the_language(app, client):
    seed(app)
    client.post("/login", data={"email": "applicant@demo.talent.cc", "password": "demo-pass-2026"})
    with client.session_transaction() as session:
        session["eligibility_facts"] = {"employment": {"annual_salary": 600000}}
        session["lang"] = "en"
    client.post("/logout")
    with client.session_transaction() as session:
        assert "eligibility_facts" not in session
        assert session.get("lang") == "en"


def test_registration_page_explains_a_bad_email_in_chinese(client):
    response = client.post(
        "/register",
        data={"role": "applicant", "name": "李", "email": "notanemail", "password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 422
    assert "请填写有效的电子邮箱地址" in response.get_data(as_text=True)


def test_accounts_without_a_password_cannot_sign_in(app, db_session):
    from talent.services.accounts import authenticate, create_user

    user = create_user(db_session, email="grad@example.cn", password=None, name="王", role="applicant")
    db_session.commit()
    assert authenticate(db_session, "grad@example.cn", "") is None
    assert authenticate(db_session, "grad@example.cn", "!unusable") is None
    assert user.password_hash == "!unusable"


def test_a_racing_duplicate_registration_is_a_conflict(app, db_session, monkeypatch):
    from talent.services import Conflict, accounts

    accounts.create_user(db_session, email="race@example.cn", password=STRONG, name="甲", role="applicant")
    db_session.commit()
    # the second registration's existence check ran before the first one committed
    monkeypatch.setattr(accounts, "find_user_by_email", lambda *_args: None)
    with pytest.raises(Conflict):
        accounts.create_user(db_session, email="race@example.cn", password=STRONG, name="乙", role="applicant")


def test_a_savepoint_as_first_write_is_undone_by_a_rollback_on_every_backend(app, db_session):
    """SQLite's driver would otherwise commit a leading SAVEPOINT for real (talent/db.py)."""
    from talent.services.accounts import create_user

    create_user(db_session, email="gone@example.cn", password=STRONG, name="甲", role="applicant")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(User)) == 0
