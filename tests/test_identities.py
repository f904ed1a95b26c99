"""Identity: an ID number is required, belongs to the first account that applied with it, is stored encrypted
(AES-GCM, key id with each value) and found by a keyed digest; history follows the ID number; `talent keys
rotate` re-encrypts under a new key and `talent init-db` moves plain-text numbers of older versions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from talent import create_app
from talent.keys import KeyProblem, Keyring, development_key_file, new_key_text
from talent.models import AuditEvent
from talent.models.applications import Application, PersonRecord
from talent.models.identities import Identity
from talent.services import applications as applications_service
from talent.services import identities, reviews
from tests.conftest import empty_all_tables
from tests.services.workflow_support import (
    DEMO_EMPLOYER_CODE,
    case_in,
    id_number,
    make_people,
    tier_b_facts,
    token_for,
    years_ago,
)

OLD_KEY = "old:" + base64.urlsafe_b64encode(b"o" * 32).decode().rstrip("=")
NEW_KEY = "new:" + base64.urlsafe_b64encode(b"n" * 32).decode().rstrip("=")


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def _apply(client, user, facts):
    return client.post("/api/v1/applications", json={"facts": facts, "employer_credit_code": DEMO_EMPLOYER_CODE},
                       headers=token_for(user))


def _raw_facts(db_session, application_id: int) -> str:
    return str(db_session.execute(text("SELECT facts FROM applications WHERE id = :id"), {"id": application_id}).scalar())


def test_the_id_number_is_stored_encrypted_and_found_by_a_keyed_digest(app, client, people, db_session):
    facts = tier_b_facts()
    number = facts["id_number"]
    response = _apply(client, people.applicant, facts)
    assert response.status_code == 201
    body = response.get_json()
    assert body["facts"]["id_number"] == number[:6] + "********" + number[-4:] and number not in response.text
    application = db_session.get(Application, body["id"])
    assert number not in _raw_facts(db_session, application.id) and "id_number" not in application.facts
    identity = db_session.get(Identity, application.identity_id)
    assert identity.owner_id == people.applicant.id and identity.key_id == "k1"
    assert identity.id_cipher.startswith("k1:") and number not in identity.id_cipher
    assert identity.id_digest != hashlib.sha256(f"talent.person:{number}".encode()).hexdigest()
    assert identity.id_digest != hashlib.sha256(number.encode()).hexdigest()
    ring = app.extensions["talent.keys"]
    assert ring.decrypt(identity.id_cipher, "id_number") == number and ring.digest(number) == identity.id_digest
    # the officer's view masks it as before
    officer_view = client.get(f"/api/v1/applications/{application.id}", headers=token_for(people.officer))
    assert officer_view.get_json()["facts"]["id_number"].startswith(number[:6]) and number not in officer_view.text


def test_the_id_number_is_required(client, people):
    facts = tier_b_facts()
    del facts["id_number"]
    facts["birth_date"] = "1980-01-01"
    response = _apply(client, people.applicant, facts)
    assert response.status_code == 422 and "facts.id_number" in response.get_json()["errors"]
    response = _apply(client, people.applicant, {**tier_b_facts(), "id_number": "  "})
    assert response.status_code == 422 and "facts.id_number" in response.get_json()["errors"]


def test_another_account_using_the_id_number_is_refused_and_officers_see_the_attempt(app, client, people, db_session):
    facts = tier_b_facts()
    assert _apply(client, people.applicant, facts).status_code == 201
    lower = {**facts, "id_number": facts["id_number"].lower()}
    refused = _apply(client, people.other_applicant, lower)
    assert refused.status_code == 422
    messages = refused.get_json()["errors"]["facts.id_number"]
    assert any("another account" in message for message in messages)
    db_session.expire_all()
    assert db_session.scalar(select(Application).where(Application.owner_id == people.other_applicant.id)) is None
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "identity.refused")))
    assert len(events) == 1 and events[0].actor_id == people.other_applicant.id
    assert events[0].after["owner_id"] == people.applicant.id
    assert facts["id_number"] not in json.dumps(events[0].after) and events[0].after["id_number"].endswith(facts["id_number"][-4:])
    # officers see the attempt (API and page), with the number masked; applicants do not
    listed = client.get("/api/v1/identity-refusals", headers=token_for(people.officer))
    assert listed.status_code == 200 and facts["id_number"] not in listed.text
    [entry] = listed.get_json()
    assert entry["refused_account"]["email"] == people.other_applicant.email
    assert entry["owner_account"]["email"] == people.applicant.email
    assert entry["id_number"] == facts["id_number"][:6] + "********" + facts["id_number"][-4:]
    assert client.get("/api/v1/identity-refusals", headers=token_for(people.applicant)).status_code == 403
    from talent.services.accounts import hash_password

    people.officer.password_hash = hash_password("officer-pass-2026")
    db_session.commit()
    browser = app.test_client()
    assert browser.post("/login", data={"email": people.officer.email, "password": "officer-pass-2026"}).status_code == 302
    page = browser.get("/officer/identity-refusals")
    assert page.status_code == 200 and entry["id_number"] in page.text and facts["id_number"] not in page.text


def test_the_web_form_requires_the_id_number_and_refuses_another_accounts(app, client, people, db_session):
    applicant = people.other_applicant
    from talent.services.accounts import hash_password

    applicant.password_hash = hash_password("page-pass-2026")
    db_session.commit()
    assert client.post("/login", data={"email": applicant.email, "password": "page-pass-2026"}).status_code == 302
    checked = tier_b_facts()
    number = checked.pop("id_number")
    with client.session_transaction() as session:
        session["eligibility_facts"] = checked
    page = client.post("/applicant/apply", data={"employer_credit_code": DEMO_EMPLOYER_CODE, "confirm": "y"})
    assert page.status_code == 422 and "请填写居民身份证号码" in page.text
    case_in(db_session, people, "awaiting_endorsement", facts=tier_b_facts(number))
    db_session.commit()
    page = client.post("/applicant/apply", data={"employer_credit_code": DEMO_EMPLOYER_CODE, "id_number": number,
                                                 "confirm": "y"})
    assert page.status_code == 422 and "该身份证号码已被另一个账号使用" in page.text
    db_session.expire_all()
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.refused")) is not None


def test_history_follows_the_id_number_and_touches_no_one_else(app, people, db_session):
    mine = tier_b_facts(id_number("220104", years_ago(45), 101))
    theirs = tier_b_facts(id_number("220104", years_ago(40), 202))
    rejected = case_in(db_session, people, "awaiting_confirmation", facts=mine)
    other_case = case_in(db_session, people, "awaiting_endorsement", facts=theirs, owner=people.other_applicant)
    reviews.decide_application(db_session, people.officer2, rejected.id, outcome="reject", reason="材料不实。")
    records = list(db_session.scalars(select(PersonRecord)))
    assert len(records) == 1 and records[0].id_digest == rejected.identity.id_digest
    assert records[0].last_rejected_on is not None
    assert identities.person_record(db_session, other_case) is None
    again = applications_service.submit_application(db_session, people.applicant, facts=mine,
                                                    employer_credit_code=DEMO_EMPLOYER_CODE)
    assert again.facts["history"]["last_rejected_on"] == records[0].last_rejected_on.isoformat()
    assert again.identity_id == rejected.identity_id


def test_the_development_key_is_made_once_atomically_and_kept(tmp_path):
    first = development_key_file(tmp_path)
    assert development_key_file(tmp_path) == first
    assert stat.S_IMODE(os.stat(tmp_path / "id_key").st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["id_key"]  # no temporary file left behind
    ring = Keyring.parse(first)
    assert ring.decrypt(ring.encrypt("x", "id_number"), "id_number") == "x"
    with pytest.raises(KeyProblem):
        Keyring.parse("k1:c2hvcnQ")  # too short
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM refuses a value moved to another purpose
        ring.decrypt(ring.encrypt("x", "id_number"), "totp")


def _cli(monkeypatch, database_url: str, instance: Any, key: str, *args: str):
    from talent.cli import main

    monkeypatch.setenv("TALENT_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENT_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("TALENT_ID_KEY", key)
    monkeypatch.setenv("TALENT_SECRET_KEY", "test-secret-key")
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_keys_rotate_reencrypts_everything_under_the_new_key(monkeypatch, database_url, tmp_path):
    from talent.db import db

    old_app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                          "INSTANCE_PATH": str(tmp_path), "PASSWORD_HASHING": "cheapest", "ID_KEY": OLD_KEY})
    try:
        with old_app.app_context(), db.command_transaction() as session:
            people = make_people(session)
            rejected = case_in(session, people, "awaiting_confirmation")
            reviews.decide_application(session, people.officer2, rejected.id, outcome="reject", reason="不符。")
            number = identities.id_number_of(rejected)
            old_digest = rejected.identity.id_digest
        output = _cli(monkeypatch, database_url, tmp_path, f"{NEW_KEY},{OLD_KEY}", "keys", "rotate")
        assert "Current key new: 1 ID numbers re-encrypted" in output
        with old_app.app_context():
            session = db.session
            identity = session.scalars(select(Identity)).one()
            new_ring = Keyring.parse(NEW_KEY)  # the old key is no longer needed
            assert identity.key_id == "new" and identity.id_cipher.startswith("new:")
            assert new_ring.decrypt(identity.id_cipher, "id_number") == number
            assert identity.id_digest == new_ring.digest(number) != old_digest
            assert session.scalars(select(PersonRecord)).one().id_digest == identity.id_digest
            identity_id = identity.id
        # running it again changes nothing
        assert "0 ID numbers re-encrypted" in _cli(monkeypatch, database_url, tmp_path, f"{NEW_KEY},{OLD_KEY}",
                                                   "keys", "rotate")
        new_app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                              "INSTANCE_PATH": str(tmp_path), "PASSWORD_HASHING": "cheapest", "ID_KEY": NEW_KEY})
        with new_app.app_context(), db.command_transaction() as session:
            application = session.get(Application, rejected.id)
            assert identities.id_number_of(application) == number
            owner = application.owner
            # the history is still found by the re-keyed digest
            again = applications_service.submit_application(session, owner, facts=tier_b_facts(number),
                                                            employer_credit_code=DEMO_EMPLOYER_CODE)
            assert again.facts["history"]["last_rejected_on"] is not None and again.identity_id == identity_id
        new_app.extensions["talent.engine"].dispose()
    finally:
        empty_all_tables(old_app)
        old_app.extensions["talent.engine"].dispose()


def test_init_db_moves_plain_text_id_numbers_of_older_versions(monkeypatch, database_url, tmp_path):
    from talent.db import db

    key = new_key_text("k7")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                      "INSTANCE_PATH": str(tmp_path), "PASSWORD_HASHING": "cheapest", "ID_KEY": key})
    try:
        with app.app_context(), db.command_transaction() as session:
            people = make_people(session)
            application = case_in(session, people, "in_review")
            number = identities.id_number_of(application)
            # as an older version left it: the number in the facts, an unkeyed digest on the history record
            application.facts = {**application.facts, "id_number": number}
            application.identity_id = None
            session.flush()
            session.delete(session.scalars(select(Identity)).one())
            session.add(PersonRecord(user_id=None, last_rejected_on=years_ago(0),
                                     id_digest=hashlib.sha256(f"talent.person:{number}".encode()).hexdigest()))
            case_id = application.id
        output = _cli(monkeypatch, database_url, tmp_path, key, "init-db")
        assert "Moved 1 ID numbers into encrypted storage." in output
        with app.app_context():
            session = db.session
            assert number not in _raw_facts(session, case_id)
            moved = session.get(Application, case_id)
            assert moved.identity is not None and moved.identity.owner_id == moved.owner_id
            assert identities.id_number_of(moved) == number
            ring = app.extensions["talent.keys"]
            assert session.scalars(select(PersonRecord)).one().id_digest == ring.digest(number)
    finally:
        empty_all_tables(app)
        app.extensions["talent.engine"].dispose()


def test_two_accounts_racing_for_a_new_id_number_one_wins(app, people, db_session, monkeypatch):
    """The second account's existence check ran before the first committed: the unique digest decides."""
    facts = tier_b_facts()
    applications_service.submit_application(db_session, people.applicant, facts=facts,
                                            employer_credit_code=DEMO_EMPLOYER_CODE)
    db_session.commit()
    real_scalar = db_session.scalar
    calls = []

    def first_lookup_misses(statement, *args, **kwargs):
        if "identities" in str(statement) and not calls:
            calls.append(statement)
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db_session, "scalar", first_lookup_misses)
    with pytest.raises(identities.IdentityTaken):
        identities.identity_for(db_session, people.other_applicant, facts["id_number"])
    assert calls
