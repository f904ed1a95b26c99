"""Rate limits (talent/limits.py): sign-in per account and per address before any password hash, registration,
objections (and one pending objection per person per case), the anonymous eligibility API, 429 with
Retry-After in the error envelope or as a page, the proxy setting, and the shared Redis storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from talent import create_app
from tests.api.test_eligibility_api import doctor_of_example_1
from tests.conftest import empty_all_tables, seed
from tests.services.workflow_support import case_in, make_people, token_for

RIGHT = {"email": "officer@demo.talent.cc", "password": "demo-pass-2026"}
WRONG = {"email": "officer@demo.talent.cc", "password": "guess-1234"}


@pytest.fixture
def make_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    """Apps with their own settings (each gets fresh limit counters)."""
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


def _assert_limited(response: Any) -> dict[str, Any]:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 24 * 3600 + 1
    body = response.get_json()
    assert body["code"] == 429 and body["status"] == "Too Many Requests" and body["message"]
    return body


def test_failed_sign_ins_for_one_account_are_refused_before_the_password_is_hashed(app, client, monkeypatch):
    from talent.services import accounts

    seed(app)
    for _ in range(10):
        assert client.post("/api/v1/auth/token", json=WRONG).status_code == 401
    calls = []
    real = accounts.authenticate
    monkeypatch.setattr(accounts, "authenticate", lambda *args: calls.append(args) or real(*args))
    # now even the right password is refused for a while, without computing a hash
    body = _assert_limited(client.post("/api/v1/auth/token", json=RIGHT))
    assert "sign-in" in body["message"]
    page = client.post("/login", data=RIGHT)
    assert page.status_code == 429 and "登录失败次数过多" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0
    assert calls == []
    # the same e-mail typed differently is the same account
    assert client.post("/api/v1/auth/token", json={**RIGHT, "email": " Officer@Demo.Talent.CC"}).status_code == 429
    # another account from the same address is not affected
    assert client.post("/api/v1/auth/token", json={"email": "admin@demo.talent.cc",
                                                   "password": "demo-pass-2026"}).status_code == 200
    assert len(calls) == 1


def test_successful_sign_ins_are_not_counted(app, client):
    seed(app)
    for _ in range(15):
        assert client.post("/api/v1/auth/token", json=RIGHT).status_code == 200
    assert client.get("/login").status_code == 200


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(make_app):
    application = make_app(LIMIT_SIGN_IN_ADDRESS="3 per 15 minutes")
    seed(application)
    client = application.test_client()
    for n in range(3):
        response = client.post("/login", data={"email": f"nobody{n}@example.cn", "password": "guess-1234"})
        assert response.status_code == 422
    _assert_limited(client.post("/api/v1/auth/token", json=RIGHT))
    # another client address still signs in
    other = client.post("/api/v1/auth/token", json=RIGHT, environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_registration_is_limited_per_address(make_app):
    application = make_app(LIMIT_REGISTRATION="2 per hour")
    client = application.test_client()
    for n in range(2):
        response = client.post("/api/v1/auth/register", json={
            "email": f"new{n}@example.cn", "password": "long-pass-2026", "name": "甲", "role": "applicant"})
        assert response.status_code == 201
    _assert_limited(client.post("/api/v1/auth/register", json={
        "email": "new9@example.cn", "password": "long-pass-2026", "name": "甲", "role": "applicant"}))
    page = client.post("/register", data={"role": "applicant", "name": "乙", "email": "p@example.cn",
                                          "password": "long-pass-2026", "confirm": "long-pass-2026"})
    assert page.status_code == 429 and "操作过于频繁" in page.get_data(as_text=True)
    english = client.post("/register?lang=en", data={})
    assert english.status_code == 429 and "Too many requests" in english.get_data(as_text=True)
    assert client.get("/register").status_code == 200  # the form itself is still shown


def test_the_anonymous_eligibility_api_is_limited_per_address(make_app):
    application = make_app(LIMIT_ELIGIBILITY="3 per minute")
    client = application.test_client()
    facts = doctor_of_example_1()
    for _ in range(3):
        assert client.post("/api/v1/eligibility", json=facts).status_code == 200
    body = _assert_limited(client.post("/api/v1/eligibility", json=facts))
    assert int(client.post("/api/v1/eligibility", json=facts).headers["Retry-After"]) <= 61
    assert "try again" in body["message"]


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(make_app):
    facts = doctor_of_example_1()
    direct = make_app(LIMIT_ELIGIBILITY="1 per minute").test_client()
    # without trusted proxies a forged X-Forwarded-For changes nothing
    assert direct.post("/api/v1/eligibility", json=facts, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert direct.post("/api/v1/eligibility", json=facts, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429

    proxied = make_app(LIMIT_ELIGIBILITY="1 per minute", TRUSTED_PROXIES=1).test_client()
    for address in ("198.51.100.1", "198.51.100.2"):
        assert proxied.post("/api/v1/eligibility", json=facts, headers={"X-Forwarded-For": address}).status_code == 200
    assert proxied.post("/api/v1/eligibility", json=facts, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429


def test_one_pending_objection_per_person_per_case_and_a_limit_on_objections(make_app):
    from talent.db import db

    application = make_app(LIMIT_OBJECTIONS="2 per day")
    with application.app_context(), db.command_transaction() as session:
        people = make_people(session)
        case_id = case_in(session, people, "under_notice").id
        objector, other = token_for(people.other_applicant), token_for(people.other_employer_user)
    client = application.test_client()
    url = f"/api/v1/applications/{case_id}/objections"
    assert client.post(url, json={"text": "申请人并非全职"}, headers=objector).status_code == 201
    response = client.post(url, json={"text": "再次提出"}, headers=objector)
    assert response.status_code == 409 and "already have an objection pending" in response.get_json()["message"]
    assert client.post(url, json={"text": "另一人的异议"}, headers=other).status_code == 201
    # the objector's third objection of the day (the refused one counts) is refused, whatever its case
    _assert_limited(client.post("/api/v1/applications/999999/objections", json={"text": "x"}, headers=objector))


def test_limits_are_shared_through_redis_when_configured(make_app):
    redis = pytest.importorskip("redis")
    store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"talent-test-{uuid.uuid4().hex}"
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    try:
        application = make_app(REDIS_URL="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=prefix,
                               LIMIT_ELIGIBILITY="2 per minute")
        assert application.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
        client = application.test_client()
        facts = doctor_of_example_1()
        for _ in range(2):
            assert client.post("/api/v1/eligibility", json=facts).status_code == 200
        _assert_limited(client.post("/api/v1/eligibility", json=facts))
        keys = [key.decode() for key in store.scan_iter(f"*{prefix}*")]
        assert keys and all("eligibility" in key for key in keys)
        assert any(int(store.get(key) or 0) >= 2 for key in keys)
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def test_password_reset_requests_are_limited_per_address_typed_and_per_client(make_app):
    application = make_app(LIMIT_PASSWORD_RESET_ACCOUNT="1 per hour", LIMIT_PASSWORD_RESET_ADDRESS="3 per hour")
    client = application.test_client()
    url = "/api/v1/auth/password-reset"
    assert client.post(url, json={"email": "someone@example.cn"}).status_code == 202
    _assert_limited(client.post(url, json={"email": "SOMEONE@example.cn"}))
    assert client.post(url, json={"email": "other@example.cn"}).status_code == 202
    # the page shares the counters; the client's third attempt of the hour is its last
    page = client.post("/password-reset", data={"email": "third@example.cn"})
    assert page.status_code == 200
    refused = client.post("/password-reset", data={"email": "fourth@example.cn"})
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)
    _assert_limited(client.post("/api/v1/auth/password-reset/some-token", json={"new_password": "long-pass-2026"}))
