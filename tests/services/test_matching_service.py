"""The matching index between the database and the similarity model: built once, then kept up to date
incrementally from the stored sets and the recently changed posts (post → appears, edit → reflects, close or
expiry → disappears) without any request fitting the model of every open post, and bounded after a bulk load."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from talent.clock import today_in_changchun
from talent.db import db, utcnow
from talent.models import AuditEvent, Employer, Role, User
from talent.models.jobs import GraduateProfile, Job
from talent.services import jobs as job_service
from talent.services import match_serving, match_store, matching
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


def full_fits_are_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """No request may fit the model of every open post (match_store's work)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a request fitted the model of every open post")

    monkeypatch.setattr(match_store, "fit_open_posts", refuse)


def recent(app: Any) -> match_serving.RecentPosts:
    return match_serving.recent_posts(app)


def refresh(app: Any, at: dt.datetime | None = None) -> int:
    with app.app_context(), db.command_transaction() as session:
        ids = [i for shard in match_store.graduate_shards(session, 100) for i in shard]
        return match_store.refresh_shard(session, ids, at or utcnow())


def test_post_edit_and_close_reach_the_matches_without_a_full_fit(app, people, monkeypatch):
    full_fits_are_forbidden(monkeypatch)
    assert [job_id for job_id, _, _ in matches(app, people["graduate"])] == [people["nurse"]]

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
    assert recent(app).rebuilds == 1
    assert recent(app).posts_read == 4  # the nurse post once, then only what changed


def test_a_change_rolled_back_never_reaches_the_matches(app, people, monkeypatch):
    matches(app, people["graduate"])
    with pytest.raises(RuntimeError), app.app_context(), db.command_transaction() as session:
        job_service.post_job(session, session.get(User, people["employer_user"]), **JOB)
        raise RuntimeError("the request failed after the post was written")
    assert [job for job, _, _ in matches(app, people["graduate"])] == [people["nurse"]]


def test_a_post_whose_closing_date_passes_leaves_the_matches_the_next_day(app, people, monkeypatch, db_session):
    today = today_in_changchun()
    employer = db_session.get(Employer, people["employer"])
    expiring = add_job(db_session, employer, closing_date=today + dt.timedelta(days=1))
    db_session.commit()
    refresh(app)  # stored as well as tracked: both must let it go
    assert expiring.id in [job for job, _, _ in matches(app, people["graduate"])]
    for module in (match_serving,):
        monkeypatch.setattr(module, "today_in_changchun", lambda: today + dt.timedelta(days=2))
    assert expiring.id not in [job for job, _, _ in matches(app, people["graduate"])]
    assert expiring.id not in recent(app).closing


def test_changes_written_by_another_process_are_picked_up(app, people, monkeypatch, db_session):
    matches(app, people["graduate"])
    # Another worker posted and committed: this process only sees the row in the database.
    other = add_job(db_session, db_session.get(Employer, people["employer"]), title="Java开发工程师")
    db_session.commit()
    assert other.id in [job for job, _, _ in matches(app, people["graduate"])]


def test_the_stored_set_is_served_and_topped_up_with_the_posts_changed_since(app, people, db_session, monkeypatch):
    employer = db_session.get(Employer, people["employer"])
    long_ago = utcnow() - dt.timedelta(days=3)
    old = [add_job(db_session, employer, title=f"软件开发工程师{n}", salary_max=9000 + 500 * n, updated_at=long_ago)
           for n in range(4)]
    db_session.query(Job).filter(Job.id == people["nurse"]).update({"updated_at": long_ago})
    db_session.commit()
    assert refresh(app, utcnow() - dt.timedelta(days=1)) == 1
    # The stored set is what the graduate sees, without reading or vectorising any of its posts.
    with app.app_context():
        match_serving.recent_posts().sync(db.session, force=True)
    read_before = recent(app).posts_read
    stored = matches(app, people["graduate"], 20)
    assert {job for job, _, _ in stored} == {j.id for j in old} | {people["nurse"]}
    assert recent(app).posts_read == read_before

    # Changes since the set: a new post, an edit of a stored post, a closed stored post.
    new_id = as_employer(app, people["employer_user"], lambda s, u: job_service.post_job(s, u, **JOB).id)
    as_employer(app, people["employer_user"],
                lambda s, u: job_service.update_job(s, u, old[0].id, {"district": "220102", "salary_min": 4000, "salary_max": 5000}))
    as_employer(app, people["employer_user"], lambda s, u: job_service.close_job(s, u, old[1].id))
    topped_up = matches(app, people["graduate"], 20)
    assert old[1].id not in [job for job, _, _ in topped_up]
    assert new_id in [job for job, _, _ in topped_up]
    edited = {job: why for job, _, why in topped_up}[old[0].id]
    assert edited["district"] == "not_preferred" and edited["salary"] == "below"

    # The same answer as a full refresh now would store: scores, order and reasons.
    assert refresh(app) == 1
    assert matches(app, people["graduate"], 20) == topped_up


def test_a_bulk_load_never_makes_a_request_read_more_than_the_bound(app, people, db_session):
    app.config["MATCHING_RECENT_POSTS"] = 5
    app.extensions.pop("talent.recent_posts", None)
    matches(app, people["graduate"])
    employer = db_session.get(Employer, people["employer"])
    bulk = [add_job(db_session, employer, title=f"Java开发工程师{n}", salary_max=9000 + n) for n in range(12)]
    db_session.commit()
    read_before = recent(app).posts_read
    found = [job for job, _, _ in matches(app, people["graduate"], 20)]
    assert recent(app).posts_read - read_before <= 5
    # Without a stored set the graduate is ranked among the newest tracked posts only, until the next refresh.
    assert set(found) <= {job.id for job in bulk[-5:]} and found
    assert refresh(app) == 1
    after = {job for job, _, _ in matches(app, people["graduate"], 20)}
    assert after == {job.id for job in bulk} | {people["nurse"]}


def test_an_edited_profile_is_not_served_its_old_stored_set(app, people, db_session):
    refresh(app)
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == people["graduate"]))
    profile.education = "college"
    profile.updated_at = utcnow()
    db_session.commit()
    assert matches(app, people["graduate"]) == []  # the bachelor-only nurse post is out of reach now


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

    ranked_from: list[set[int]] = []
    vectors = match_serving.GraduateVectors.vectors

    def spy(self, session, model, keys):
        ranked_from[-1].update(profile_id for profile_id, _ in keys)
        return vectors(self, session, model, keys)

    monkeypatch.setattr(match_serving.GraduateVectors, "vectors", spy)

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


def test_candidates_come_from_the_stored_sets_and_a_pool_of_what_they_cannot_speak_for(app, people, db_session,
                                                                                        monkeypatch):
    employer = db_session.get(Employer, people["employer"])
    long_ago = utcnow() - dt.timedelta(days=3)
    post = add_job(db_session, employer, updated_at=long_ago)
    graduates = []
    for number in range(3):
        user = add_user(db_session, f"grad{number}@example.cn", f"毕业生{number}", Role.APPLICANT)
        graduates.append(add_profile(db_session, user, updated_at=long_ago))
    db_session.commit()
    refresh(app, utcnow() - dt.timedelta(days=1))

    ranked_from: list[set[int]] = []
    vectors = match_serving.GraduateVectors.vectors

    def spy(self, session, model, keys):
        ranked_from[-1].update(profile_id for profile_id, _ in keys)
        return vectors(self, session, model, keys)

    monkeypatch.setattr(match_serving.GraduateVectors, "vectors", spy)

    def candidates() -> list[tuple[int, float, dict]]:
        ranked_from.append(set())
        with app.app_context():
            actor = db.session.get(User, people["employer_user"])
            return [(c.profile.id, c.score, c.why) for c in matching.candidates_for_job(db.session, actor, post.id, 10)[1]]

    stored = candidates()
    # The graduates of the fixture and of this test updated their profiles after the refresh or long before:
    # the three long-standing ones come from their stored sets, without being ranked online.
    assert {g.id for g in graduates} <= {graduate for graduate, _, _ in stored}
    assert not ranked_from[-1] & {g.id for g in graduates}

    # One graduate edits the profile: ranked online from now on; the post itself is edited: all online.
    graduates[0].expected_salary = 20000
    graduates[0].updated_at = utcnow()
    db_session.commit()
    after_edit = candidates()
    assert graduates[0].id in ranked_from[-1] and graduates[1].id not in ranked_from[-1]
    assert {why["salary"] for graduate, _, why in after_edit if graduate == graduates[0].id} == {"below"}
    as_employer(app, people["employer_user"], lambda s, u: job_service.update_job(s, u, post.id, {"headcount": 9}))
    online = candidates()
    assert {g.id for g in graduates} <= ranked_from[-1]
    assert online == after_edit  # the same scores and reasons either way


def test_graduates_ranked_online_are_vectorised_once_per_profile_version(app, people, db_session):
    post = add_job(db_session, db_session.get(Employer, people["employer"]))
    db_session.commit()

    def candidates() -> list[tuple[int, float]]:
        with app.app_context():
            actor = db.session.get(User, people["employer_user"])
            return [(c.profile.id, c.score) for c in matching.candidates_for_job(db.session, actor, post.id, 10)[1]]

    first = candidates()
    cache = recent(app).graduates
    assert cache.computed == 1 and candidates() == first and cache.computed == 1
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == people["graduate"]))
    profile.expected_salary, profile.updated_at = 30000, utcnow()
    db_session.commit()
    changed = candidates()
    assert cache.computed == 2 and changed[0][1] < first[0][1]  # the new version, scored anew
