"""An employer's candidates and the graduates the stored sets cannot speak for (migration 0017).

A refresh records on each profile the version its stored set ranked (`graduate_profiles.match_set_version`);
the partial index `ix_graduate_profiles_unmatched` then holds only the consenting profiles whose version
differs, and a post's candidates rank those online (services.match_serving.rank_for_job) instead of scanning
the newest profiles on every request. Checked here through the real refresh, the real API and the database:
the version follows every refresh, a profile saved since is ranked online with the batch model's score, a
withdrawn consent takes the graduate out, and a post edited after the refresh still gets its candidates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select

from talent.cli import main
from talent.db import db, utcnow
from talent.models import Role, User
from talent.models.jobs import UNMATCHED, GraduateProfile, Job
from talent.models.matches import MatchSet
from talent.scoring import MatchModel
from talent.services import graduates as graduate_service
from talent.services import match_serving, match_store, matching
from talent.services.graduates import graduate_record
from talent.services.jobs import job_record
from tests.api.test_jobs_api import GRADUATE, add_employer, add_job, add_profile, add_user, bearer
from tests.tasks.test_match_refresh import cli_env

LONG_AGO = dt.timedelta(days=3)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else match_serving.as_utc(value)


@pytest.fixture
def city(app: Any, db_session: Any) -> dict[str, Any]:
    """Two posts of one employer and six graduates, everything last changed three days ago: four consenting
    bachelors, one who withheld consent and one consenting graduate whose account is switched off."""
    before = utcnow() - LONG_AGO
    owner = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 1)
    java = add_job(db_session, employer, updated_at=before)
    nurse = add_job(db_session, employer, title="病房护士", description="负责病房护理，护理学专业，持护士执业证书。",
                    majors=["101101"], district="220102", updated_at=before)
    people = []
    for number in range(6):
        user = add_user(db_session, f"g{number}@example.cn", f"毕业生{number}", Role.APPLICANT)
        user.is_active = number != 5
        people.append(add_profile(db_session, user, consent_to_match=number != 4, updated_at=before,
                                  expected_salary=7000 + 100 * number))
    db_session.commit()
    return {"owner": owner, "posts": [java, nurse], "profiles": people}


def unmatched(db_session: Any) -> set[int]:
    """The profiles the partial index holds: its own condition, evaluated by the database."""
    db_session.expire_all()
    return set(db_session.scalars(select(GraduateProfile.id).where(UNMATCHED)))


def versions(db_session: Any) -> dict[int, tuple[dt.datetime | None, dt.datetime]]:
    """profile id → (match_set_version, updated_at), read afresh."""
    db_session.expire_all()
    return {row[0]: (as_utc(row[1]), as_utc(row[2])) for row in db_session.execute(
        select(GraduateProfile.id, GraduateProfile.match_set_version, GraduateProfile.updated_at))}


def refresh(app: Any, ids: list[int], at: dt.datetime) -> int:
    with app.app_context(), db.command_transaction() as session:
        return match_store.refresh_shard(session, ids, at)


class OnlinePool:
    """Which (profile id, version) pairs the online path ranked in each request (GraduateVectors.vectors)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requests: list[set[tuple[int, dt.datetime]]] = []
        vectors = match_serving.GraduateVectors.vectors

        def spy(cache, session, model, keys):
            self.requests[-1].update((profile_id, as_utc(stamp)) for profile_id, stamp in keys)
            return vectors(cache, session, model, keys)

        monkeypatch.setattr(match_serving.GraduateVectors, "vectors", spy)

    @property
    def last(self) -> set[int]:
        return {profile_id for profile_id, _ in self.requests[-1]}


def candidates(client: Any, app: Any, owner: User, post: Job, pool: OnlinePool) -> dict[int, tuple[float, dict]]:
    """GET /api/v1/jobs/{id}/candidates as the post's employer: graduate id → (score, why)."""
    pool.requests.append(set())
    response = client.get(f"/api/v1/jobs/{post.id}/candidates?limit=50", headers=bearer(app, owner))
    assert response.status_code == 200, response.get_json()
    return {item["graduate_id"]: (item["score"], item["why"]) for item in response.get_json()["items"]}


def batch(db_session: Any, post: Job, ids: list[int]) -> dict[int, tuple[float, dict]]:
    """What the batch model gives these graduates for the post as the database has it now."""
    db_session.expire_all()
    post = db_session.get(Job, post.id)
    profiles = [db_session.get(GraduateProfile, profile_id) for profile_id in ids]
    ranked = MatchModel().fit([]).rank_graduates_for_job(job_record(post), [graduate_record(p) for p in profiles],
                                                          top=len(profiles))
    return {int(item["graduate_id"]): (item["score"], item["why"]) for item in ranked}


def no_refresh_on_save(monkeypatch: pytest.MonkeyPatch) -> None:
    """A saved profile is normally refreshed at once (services.graduates): left stale here, as when the task
    queue is behind or the refresh failed, so that only the online path can speak for it."""
    monkeypatch.setattr(graduate_service, "_refresh_matches_after_commit", lambda session, profile: None)


def save_profile(client: Any, app: Any, db_session: Any, profile: GraduateProfile, **changes: Any) -> None:
    user = db_session.get(User, profile.user_id)
    body = {**{k: v for k, v in GRADUATE.items() if k != "major_code"}, "graduation_date": "2026-06-30", **changes}
    response = client.put("/api/v1/graduates/me", json=body, headers=bearer(app, user))
    assert response.status_code == 200, response.get_json()


# --- the version each set ranked ----------------------------------------------------------------------------


def test_a_refresh_records_the_version_each_set_ranked(app, client, city, db_session, monkeypatch):
    profiles = city["profiles"]
    # Nobody was refreshed yet: every consenting profile is unmatched, whatever its account.
    assert unmatched(db_session) == {p.id for n, p in enumerate(profiles) if n != 4}

    result = CliRunner().invoke(main, ["match", "refresh", "--wait"], env=cli_env(app))
    assert result.exit_code == 0, result.output

    stored = {row.graduate_profile_id: row for row in db_session.scalars(select(MatchSet))}
    refreshed = [profiles[n].id for n in range(4)]
    assert sorted(stored) == refreshed
    seen = versions(db_session)
    for profile_id in refreshed:
        version, updated_at = seen[profile_id]
        assert version == as_utc(stored[profile_id].profile_updated_at) == updated_at
    assert seen[profiles[4].id][0] is None  # no consent, no set
    assert seen[profiles[5].id][0] is None  # an inactive account is not refreshed
    # Only the profile the refresh skipped is left to the online path (its account is off: never shown).
    assert unmatched(db_session) == {profiles[5].id}

    pool = OnlinePool(monkeypatch)
    shown = candidates(client, app, city["owner"], city["posts"][0], pool)
    assert set(shown) == set(refreshed)
    assert pool.requests[-1] == set()  # all of them from their stored sets, nobody ranked online


def test_a_profile_saved_after_the_refresh_is_ranked_online_with_the_batch_models_score(
        app, client, city, db_session, monkeypatch):
    profiles, java = city["profiles"], city["posts"][0]
    refresh(app, [p.id for p in profiles], utcnow() - dt.timedelta(days=1))
    pool = OnlinePool(monkeypatch)
    before = candidates(client, app, city["owner"], java, pool)
    assert set(before) == {p.id for p in profiles[:4]} and pool.requests[-1] == set()

    no_refresh_on_save(monkeypatch)
    old_version = versions(db_session)[profiles[1].id][0]
    save_profile(client, app, db_session, profiles[1], expected_salary=20000)
    version, updated_at = versions(db_session)[profiles[1].id]
    assert version == old_version != updated_at  # the stored set ranked the old profile
    assert unmatched(db_session) == {profiles[1].id, profiles[5].id}

    after = candidates(client, app, city["owner"], java, pool)
    assert pool.requests[-1] == {(profiles[1].id, updated_at)}  # the saved version, and only that profile
    expected = batch(db_session, java, [profiles[1].id])[profiles[1].id]
    assert after[profiles[1].id] == expected
    assert expected[1]["salary"] == "below" and before[profiles[1].id][1]["salary"] != "below"
    assert {p: after[p] for p in before if p != profiles[1].id} == {p: s for p, s in before.items() if p != profiles[1].id}

    # The next refresh of that graduate catches up: out of the index, served from the stored set again.
    refresh(app, [profiles[1].id], utcnow())
    assert versions(db_session)[profiles[1].id] == (updated_at, updated_at)
    assert unmatched(db_session) == {profiles[5].id}
    assert set(candidates(client, app, city["owner"], java, pool)) == set(before) and pool.requests[-1] == set()


def test_a_withdrawn_consent_takes_the_graduate_out_and_its_refresh_clears_the_version(
        app, client, city, db_session, monkeypatch):
    profiles, java = city["profiles"], city["posts"][0]
    refresh(app, [p.id for p in profiles], utcnow() - dt.timedelta(days=1))
    pool = OnlinePool(monkeypatch)
    no_refresh_on_save(monkeypatch)

    save_profile(client, app, db_session, profiles[2], consent_to_match=False,
                 expected_salary=profiles[2].expected_salary)
    # Its stored set is still there (no refresh yet), but the graduate is gone from both paths at once.
    assert db_session.get(MatchSet, profiles[2].id) is not None
    assert profiles[2].id not in unmatched(db_session)
    shown = candidates(client, app, city["owner"], java, pool)
    assert set(shown) == {profiles[0].id, profiles[1].id, profiles[3].id} and pool.requests[-1] == set()

    # A refresh of an id that no longer consents drops its set and clears its version.
    refresh(app, [profiles[2].id], utcnow())
    assert db_session.get(MatchSet, profiles[2].id) is None
    assert versions(db_session)[profiles[2].id][0] is None
    assert profiles[2].id not in unmatched(db_session)

    # Consent given again (not refreshed yet): no set, so the online path ranks the graduate at once.
    save_profile(client, app, db_session, profiles[2], consent_to_match=True,
                 expected_salary=profiles[2].expected_salary)
    assert profiles[2].id in unmatched(db_session)
    shown = candidates(client, app, city["owner"], java, pool)
    assert pool.last == {profiles[2].id}
    assert shown[profiles[2].id] == batch(db_session, java, [profiles[2].id])[profiles[2].id]


def test_the_refresh_on_save_keeps_the_version_current(app, client, city, db_session):
    """The real save path (the one-graduate refresh after the commit, in this process without Redis): the
    saved profile never lingers in the index; a withdrawn consent clears the version with the set."""
    profiles = city["profiles"]
    refresh(app, [p.id for p in profiles], utcnow() - dt.timedelta(days=1))
    save_profile(client, app, db_session, profiles[0], expected_salary=9500)
    version, updated_at = versions(db_session)[profiles[0].id]
    assert version == updated_at > utcnow() - dt.timedelta(minutes=5)
    assert unmatched(db_session) == {profiles[5].id}
    save_profile(client, app, db_session, profiles[0], consent_to_match=False, expected_salary=9500)
    assert versions(db_session)[profiles[0].id][0] is None
    assert db_session.get(MatchSet, profiles[0].id) is None
    assert unmatched(db_session) == {profiles[5].id}


def test_a_post_edited_after_the_refresh_still_gets_its_candidates_online(app, client, city, db_session,
                                                                           monkeypatch):
    profiles, (java, nurse) = city["profiles"], city["posts"]
    refresh(app, [p.id for p in profiles], utcnow() - dt.timedelta(days=1))
    assert unmatched(db_session) == {profiles[5].id}
    pool = OnlinePool(monkeypatch)
    consenting = [p.id for p in profiles[:4]]
    assert set(candidates(client, app, city["owner"], java, pool)) == set(consenting)
    assert pool.requests[-1] == set()

    # Edited through the API: every stored set predates the change, none can speak for the post any more.
    response = client.patch(f"/api/v1/jobs/{java.id}", json={"district": "220102", "salary_max": 7500},
                            headers=bearer(app, city["owner"]))
    assert response.status_code == 200, response.get_json()
    shown = candidates(client, app, city["owner"], java, pool)
    assert pool.last == set(consenting)
    assert shown == batch(db_session, java, consenting)
    assert {why["district"] for _, why in shown.values()} == {"not_preferred"}  # the edited post, not the stored

    # The other post, unchanged since the refresh, is still served from the stored sets alone.
    assert set(candidates(client, app, city["owner"], nurse, pool)) <= set(consenting)
    assert pool.requests[-1] == set()


# --- the unmatched graduates are found through their index, not by a scan -----------------------------------------


def _plan(session: Any, statement: str, parameters: Any) -> str:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        return "\n".join(row[0] for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_unmatched_graduates_are_read_through_their_partial_index(app, client, city, db_session, monkeypatch):
    """With many matched graduates and a few saved since the refresh, the candidates request reads the few
    through ix_graduate_profiles_unmatched (the database's own plan for the very statement it was sent) and
    ranks only them online."""
    profiles, java = city["profiles"], city["posts"][0]
    before = utcnow() - LONG_AGO
    users = [User(email=f"many{n}@example.cn", name=f"学生{n}", password_hash="!", role=Role.APPLICANT)
             for n in range(600)]
    db_session.add_all(users)
    db_session.flush()
    db_session.add_all([GraduateProfile(user_id=user.id, updated_at=before, **GRADUATE) for user in users])
    db_session.commit()
    everyone = list(db_session.scalars(select(GraduateProfile.id)))
    refresh(app, everyone, utcnow() - dt.timedelta(days=1))
    saved = [profiles[0].id, profiles[3].id]
    with app.app_context(), db.command_transaction() as session:
        for profile_id in saved:
            session.get(GraduateProfile, profile_id).updated_at = utcnow()
    with app.extensions["talent.engine"].connect() as connection:
        # What autovacuum keeps up to date: the tables' and the partial index's sizes and statistics.
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE graduate_profiles, users" if connection.dialect.name == "postgresql" else "ANALYZE")
    assert unmatched(db_session) == {*saved, profiles[5].id}

    # PostgreSQL estimates the index's condition (two columns compared) to hold for nearly every profile:
    # it reads the index, newest first, because only the pool's first rows are wanted — at the city's size
    # (2,000 of 100,000 profiles) as here with a pool of 10 among 600. For a few thousand profiles with the
    # full pool it reads the table instead, in about a millisecond.
    monkeypatch.setattr(matching, "CANDIDATE_POOL", 10)
    pool = OnlinePool(monkeypatch)
    sent: list[tuple[str, Any]] = []
    engine = app.extensions["talent.engine"]

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        shown = candidates(client, app, city["owner"], java, pool)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert pool.last == set(saved)  # 600 matched graduates, none of them ranked online
    assert set(saved) <= set(shown)
    lookups = [(statement, parameters) for statement, parameters in sent
               if "match_set_version" in statement and "graduate_profiles.updated_at DESC" in statement]
    assert len(lookups) == 1, [statement for statement, _ in sent]
    plan = _plan(db_session, *lookups[0])
    db_session.rollback()
    assert "ix_graduate_profiles_unmatched" in plan, plan
