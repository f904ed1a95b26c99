"""The matching index between the database and the similarity model: built once, then kept up to date
incrementally (post → appears, edit → reflects, close or expiry → disappears) without a full refit; saved
under the instance folder, signed with the app's key, and loaded instead of refitted by the next process."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from talent import create_app
from talent.clock import today_in_changchun
from talent.db import db, utcnow
from talent.models import AuditEvent, Employer, Role, User
from talent.models.jobs import GraduateProfile, Job
from talent.scoring import MatchModel
from talent.services import jobs as job_service
from talent.services import matching
from talent.services.accounts import UNUSABLE_PASSWORD, authenticate
from tests.api.test_jobs_api import JOB, add_employer, add_job, add_profile, add_user
from tests.conftest import seed


@pytest.fixture
def people(app: Any, db_session: Any) -> dict[str, int]:
    employer_user = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, employer_user, 1)
    graduate = add_user(db_session, "li@example.cn", "李明远", Role.APPLICANT)
    add_profile(db_session, graduate)
    nurse = add_job(db_session, employer, title="病房护士", description="负责病房护理，护理学专业，持护士执业证书。",
                    majors=["101101"], district="220102")
    db_session.commit()
    return {"employer_user": employer_user.id, "employer": employer.id, "graduate": graduate.id, "nurse": nurse.id}


def matches(app: Any, user_id: int, limit: int = 10) -> list[tuple[int, float, dict]]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return [(m.job.id, m.score, m.why) for m in matching.matches_for_graduate(db.session, user, limit)]


def as_employer(app: Any, user_id: int, action: Any) -> Any:
    """Run a service as the employer in one committed transaction (like one request)."""
    with app.app_context(), db.command_transaction() as session:
        return action(session, session.get(User, user_id))


def refits_are_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self, *args, **kwargs):
        raise AssertionError("the index was refitted although only an incremental update was needed")

    monkeypatch.setattr(MatchModel, "fit", refuse)


def test_post_edit_and_close_reach_the_matches_without_a_full_refit(app, people, monkeypatch):
    index = matching.job_index(app)
    assert [job_id for job_id, _, _ in matches(app, people["graduate"])] == [people["nurse"]]
    assert index.fit_count == 1
    refits_are_forbidden(monkeypatch)

    job_id = as_employer(app, people["employer_user"], lambda s, u: job_service.post_job(s, u, **JOB).id)
    ranked = matches(app, people["graduate"])
    assert ranked[0][0] == job_id  # posted → appears, ahead of the nurse post
    first_score, first_why = ranked[0][1], ranked[0][2]
    assert first_why["district"] == "preferred"

    as_employer(app, people["employer_user"],
                lambda s, u: job_service.update_job(s, u, job_id, {"district": "220102", "salary_max": 7500}))
    edited = dict((job, (score, why)) for job, score, why in matches(app, people["graduate"]))
    assert edited[job_id][1]["district"] == "not_preferred"  # edited → the explanation follows
    assert edited[job_id][1]["salary"] == "below"
    assert edited[job_id][0] < first_score

    as_employer(app, people["employer_user"], lambda s, u: job_service.close_job(s, u, job_id))
    assert [job for job, _, _ in matches(app, people["graduate"])] == [people["nurse"]]  # closed → gone

    assert index.fit_count == 1
    assert index.jobs_applied == 3


def test_a_change_rolled_back_never_reaches_the_index(app, people, monkeypatch):
    matches(app, people["graduate"])
    refits_are_forbidden(monkeypatch)
    with pytest.raises(RuntimeError), app.app_context(), db.command_transaction() as session:
        job_service.post_job(session, session.get(User, people["employer_user"]), **JOB)
        raise RuntimeError("the request failed after the post was written")
    assert [job for job, _, _ in matches(app, people["graduate"])] == [people["nurse"]]


def test_a_post_whose_closing_date_passes_leaves_the_index_the_next_day(app, people, monkeypatch, db_session):
    today = today_in_changchun()
    employer = db_session.get(Employer, people["employer"])
    expiring = add_job(db_session, employer, closing_date=today + dt.timedelta(days=1))
    db_session.commit()
    assert expiring.id in [job for job, _, _ in matches(app, people["graduate"])]
    refits_are_forbidden(monkeypatch)
    monkeypatch.setattr(matching, "today_in_changchun", lambda: today + dt.timedelta(days=2))
    assert expiring.id not in [job for job, _, _ in matches(app, people["graduate"])]
    assert matching.job_index(app).fit_count == 1


def test_changes_written_by_another_process_are_picked_up(app, people, monkeypatch, db_session):
    matches(app, people["graduate"])
    refits_are_forbidden(monkeypatch)
    # Another worker posted and committed: this process only sees the row in the database.
    other = add_job(db_session, db_session.get(Employer, people["employer"]), title="Java开发工程师")
    db_session.commit()
    assert other.id in [job for job, _, _ in matches(app, people["graduate"])]


def test_an_index_out_of_step_with_the_database_is_refitted(app, people, db_session):
    employer = db_session.get(Employer, people["employer"])
    java = add_job(db_session, employer)
    db_session.commit()
    assert {job for job, _, _ in matches(app, people["graduate"])} == {java.id, people["nurse"]}
    # The database is restored from an older copy behind the index's back.
    db_session.delete(db_session.get(Job, java.id))
    db_session.commit()
    assert [job for job, _, _ in matches(app, people["graduate"])] == [people["nurse"]]
    assert matching.job_index(app).fit_count == 2


def _app_like(app: Any, **overrides: Any) -> Any:
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH")}
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **config, **overrides})


def test_the_next_process_loads_the_saved_index_instead_of_refitting(app, people, db_session):
    java = add_job(db_session, db_session.get(Employer, people["employer"]))
    db_session.commit()
    expected = matches(app, people["graduate"])
    index = matching.job_index(app)
    assert index.model_path.exists() and index.state_path.exists()
    assert Path(index.model_path).parent == Path(app.instance_path) / "models"

    later = _app_like(app)
    try:
        assert matches(later, people["graduate"]) == expected
        assert matching.job_index(later).loaded_from_file and matching.job_index(later).fit_count == 0
        assert java.id in [job for job, _, _ in expected]
    finally:
        later.extensions["talent.engine"].dispose()


def test_a_saved_index_is_refused_when_altered_or_signed_with_another_key(app, people):
    matches(app, people["graduate"])
    path = matching.job_index(app).model_path

    other_key = _app_like(app, SECRET_KEY="another-secret-key")
    try:
        matches(other_key, people["graduate"])
        assert not matching.job_index(other_key).loaded_from_file
        assert matching.job_index(other_key).fit_count == 1
    finally:
        other_key.extensions["talent.engine"].dispose()

    # The refit under the other key was saved with that key; a byte changed in it is refused too.
    path.write_bytes(path.read_bytes() + b"tampered")
    tampered = _app_like(app, SECRET_KEY="another-secret-key")
    try:
        matches(tampered, people["graduate"])
        assert not matching.job_index(tampered).loaded_from_file
        assert matching.job_index(tampered).fit_count == 1
    finally:
        tampered.extensions["talent.engine"].dispose()


def test_the_demo_data_is_idempotent_and_the_demo_applicant_has_matches(app, db_session):
    users = seed(app, full=True)

    def counts() -> tuple[int, ...]:
        return tuple(
            db_session.scalar(select(func.count()).select_from(model))
            for model in (Job, GraduateProfile, Employer, User)
        )

    first = counts()
    assert first[0] >= 250 and first[1] >= 150
    consenting = db_session.scalar(
        select(func.count()).select_from(GraduateProfile).where(GraduateProfile.consent_to_match.is_(True))
    )
    assert consenting > first[1] // 2
    seed(app, full=True)
    assert counts() == first

    found = matches(app, users["applicant@demo.talent.cc"], 5)
    assert len(found) == 5
    assert all(why["zh"] and why["en"] for _, _, why in found)

    # The fictional owners and graduates were made by accounts.create_user without a password: they cannot
    # sign in, and their creation is audited like any other account's.
    graduate = db_session.scalar(select(User).where(User.email == "graduate001@demo-graduates.talent.cc"))
    assert graduate.password_hash == UNUSABLE_PASSWORD
    with app.app_context():
        assert authenticate(db.session, graduate.email, UNUSABLE_PASSWORD) is None
    created = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.created", AuditEvent.entity_id == str(graduate.id))
    )
    assert created.after["can_sign_in"] is False


def test_a_saved_index_from_another_version_of_the_model_is_refitted(app, people, monkeypatch):
    matches(app, people["graduate"])
    index = matching.job_index(app)
    # As if pickled by an older MatchModel that lacked one of today's parameters (signed with our key).
    missing = sorted(MatchModel().get_params())[0]
    pickled_state = MatchModel.__getstate__
    monkeypatch.setattr(MatchModel, "__getstate__",
                        lambda self: {k: v for k, v in pickled_state(self).items() if k != missing})
    index.save()
    monkeypatch.undo()

    later = _app_like(app)
    try:
        assert [job for job, _, _ in matches(later, people["graduate"])] == [people["nurse"]]
        assert not matching.job_index(later).loaded_from_file
        assert matching.job_index(later).fit_count == 1
    finally:
        later.extensions["talent.engine"].dispose()


def test_candidates_are_ranked_from_a_bounded_pool_the_database_filters(app, people, db_session, monkeypatch):
    """Only consenting graduates of active accounts whose education reaches the post's minimum are read from
    the database at all, and at most CANDIDATE_POOL of them (the most recently updated)."""
    employer = db_session.get(Employer, people["employer"])
    post = add_job(db_session, employer, min_education="master")
    profiles = {}
    for number, (education, consent, active) in enumerate(
        [("master", True, True), ("doctor", True, True), ("bachelor", True, True), ("master", False, True),
         ("doctor", True, False)]
    ):
        user = add_user(db_session, f"grad{number}@example.cn", f"毕业生{number}", Role.APPLICANT)
        user.is_active = active
        profiles[number] = add_profile(db_session, user, education=education, consent_to_match=consent,
                                       updated_at=utcnow() + dt.timedelta(minutes=number))
    db_session.commit()

    ranked_from: list[set[str]] = []
    record = matching.graduate_record

    def spy(profile):
        ranked_from[-1].add(profile.id)
        return record(profile)

    monkeypatch.setattr(matching, "graduate_record", spy)

    def candidates() -> list[int]:
        ranked_from.append(set())
        with app.app_context():
            actor = db.session.get(User, people["employer_user"])
            return [c.profile.id for c in matching.candidates_for_job(db.session, actor, post.id, 10)[1]]

    assert set(candidates()) == {profiles[0].id, profiles[1].id}
    assert ranked_from[-1] == {profiles[0].id, profiles[1].id}  # the bachelor was never read

    monkeypatch.setattr(matching, "CANDIDATE_POOL", 1)
    assert candidates() == [profiles[1].id]  # the doctor updated the profile last
    assert ranked_from[-1] == {profiles[1].id}
