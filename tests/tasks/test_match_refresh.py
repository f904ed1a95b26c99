"""`talent match refresh`: the consenting graduates in shards, one task each (here in eager mode, in the calling
process), every graduate's stored set replaced with one shared `computed_at`; the nightly refresh runs once a
day."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import func, select

from talent.cli import main
from talent.models.matches import MatchSet
from talent.models.periodic import PeriodicRun
from talent.tasks import enqueue
from tests.services import test_match_store

city = test_match_store.city  # fixture: 6 posts (one closed), 6 graduate profiles of which 4 may be matched


def cli_env(app) -> dict[str, str]:
    return {"TALENT_DATABASE_URL": app.config["DATABASE_URL"], "TALENT_INSTANCE_PATH": app.config["INSTANCE_PATH"],
            "TALENT_SECRET_KEY": "test-secret-key", "TALENT_REDIS_URL": ""}


def consenting(city) -> list[int]:
    return [p.id for n, p in enumerate(city["profiles"]) if n not in (3, 5)]


def test_refresh_in_shards_stores_every_consenting_graduate_once(app, city, db_session):
    result = CliRunner().invoke(main, ["match", "refresh", "--wait", "--shard-size", "3"], env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert "4 graduate(s) refreshed in 2 shard(s) in this process" in result.output

    sets = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
    assert sorted(profile for profile, _ in sets) == sorted(consenting(city))
    assert len({computed for _, computed in sets}) == 1  # one refresh, one moment
    assert all(size > 0 for size in db_session.scalars(select(MatchSet.size)))

    again = CliRunner().invoke(main, ["match", "refresh"], env=cli_env(app))
    assert again.exit_code == 0, again.output
    db_session.expire_all()
    newer = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
    assert len(newer) == 4 and {c for _, c in newer} != {c for _, c in sets}  # replaced, not added


def test_nothing_to_refresh(app):
    result = CliRunner().invoke(main, ["match", "refresh", "--wait"], env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert "0 graduate(s) refreshed in 0 shard(s)" in result.output


def test_the_nightly_refresh_runs_once_a_day(app, city, db_session):
    with app.app_context():
        first = enqueue("talent.refresh_matches_daily", "2026-12-03").get()
        second = enqueue("talent.refresh_matches_daily", "2026-12-03").get()
    assert first == {"claimed": True, "period": "2026-12-03", "shards": 1, "graduates": 4}
    assert second == {"claimed": False, "period": "2026-12-03"}
    assert db_session.scalar(select(func.count()).select_from(MatchSet)) == 4
    assert db_session.scalar(select(PeriodicRun.task)) == "refresh_matches"


def test_a_shard_task_stores_with_the_given_moment(app, city, db_session):
    moment = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
    ids = consenting(city)[:2]
    with app.app_context():
        assert enqueue("talent.refresh_match_shard", ids, moment.isoformat()).get() == 2
    stored = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
    assert sorted(p for p, _ in stored) == sorted(ids)
    assert all(c.replace(tzinfo=dt.UTC) == moment if c.tzinfo is None else c == moment for _, c in stored)


# --- one graduate's set when the profile is saved ------------------------------------------------------------


def test_saving_a_profile_stores_that_graduates_set_after_the_commit(app, client, db_session, monkeypatch):
    from talent.models.jobs import GraduateProfile
    from talent.scoring import MatchModel
    from talent.services import match_store
    from talent.services.graduates import graduate_record
    from talent.services.jobs import job_record
    from tests.api.test_graduates_api import PROFILE
    from tests.api.test_jobs_api import add_job, build_world

    world = build_world(app, db_session)
    jobs = [add_job(db_session, world.employers["a"], title=f"Java开发工程师{n}", salary_max=9000 + 100 * n)
            for n in range(3)]
    jobs.append(add_job(db_session, world.employers["b"], title="病房护士", majors=["101101"],
                        description="护理学专业，持护士执业证书。"))
    db_session.commit()

    # A refresh earlier today: its fit is saved in the instance folder, and the saved profile is ranked with it
    # (stamped with its moment), not with a new fit.
    moment = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
    with app.app_context():
        assert enqueue("talent.refresh_match_shard", [], moment.isoformat()).get() == 0
        from talent.db import db

        match_store.ranking_model(db.session, moment)
    app.extensions.pop("talent.match_model", None)  # another process of the machine: only the saved fit
    fits = []
    original_fit = match_store.fit_open_posts
    monkeypatch.setattr(match_store, "fit_open_posts", lambda *a: fits.append(1) or original_fit(*a))

    response = client.put("/api/v1/graduates/me", json=PROFILE, headers=world.headers("grad"))
    assert response.status_code == 201, response.get_json()
    profile = db_session.scalar(select(GraduateProfile))
    stored = db_session.get(MatchSet, profile.id)
    assert stored is not None and fits == []
    assert stored.computed_at.replace(tzinfo=dt.UTC) == moment
    assert stored.profile_updated_at == profile.updated_at
    expected = MatchModel().fit([job_record(job) for job in jobs]).rank_jobs_for_graduates(
        [graduate_record(profile)], top=50)[0]["matches"]
    assert list(zip(stored.job_ids, stored.scores, strict=True)) == [(int(m["job_id"]), m["score"])
                                                                      for m in expected]
    # Served as the stored set, with the reasons rebuilt: the same as ranking online.
    served = client.get("/api/v1/graduates/me/matches?limit=3", headers=world.headers("grad")).get_json()["items"]
    assert [(item["job_id"], item["score"], item["why"]) for item in served] == [
        (int(m["job_id"]), m["score"], m["why"]) for m in expected[:3]]

    # Edited: the set follows the new profile at once.
    response = client.put("/api/v1/graduates/me", json={**PROFILE, "major": "护理学", "skills": ["护理"]},
                          headers=world.headers("grad"))
    assert response.status_code == 200
    db_session.expire_all()
    stored = db_session.get(MatchSet, profile.id)
    assert stored.profile_updated_at == db_session.get(GraduateProfile, profile.id).updated_at
    assert stored.job_ids[0] == jobs[3].id

    # Consent withdrawn: the stored set goes with it.
    response = client.put("/api/v1/graduates/me", json={**PROFILE, "consent_to_match": False},
                          headers=world.headers("grad"))
    assert response.status_code == 200
    db_session.expire_all()
    assert db_session.get(MatchSet, profile.id) is None


def test_a_refused_profile_change_sends_no_refresh(app, client, db_session, monkeypatch):
    from tests.api.test_graduates_api import PROFILE
    from tests.api.test_jobs_api import build_world

    world = build_world(app, db_session)
    assert client.put("/api/v1/graduates/me", json={**PROFILE, "consent_to_match": False},
                      headers=world.headers("grad")).status_code == 201
    sent = []
    import talent.tasks as tasks

    monkeypatch.setattr(tasks, "enqueue", lambda name, *a, **k: sent.append(name))
    assert client.put("/api/v1/graduates/me", json={**PROFILE, "preferred_districts": ["南关"]},
                      headers=world.headers("grad")).status_code == 422
    assert sent == []
    assert client.put("/api/v1/graduates/me", json={**PROFILE, "expected_salary": 9000},
                      headers=world.headers("grad")).status_code == 200
    assert sent == ["talent.refresh_graduate_matches"]


def test_a_web_worker_warms_its_recent_posts_model_in_the_background(app, city):
    from talent.services import match_serving

    index = match_serving.recent_posts(app)
    assert not index.started
    match_serving.warm_up(app).join(timeout=60)
    open_ids = {job.id for job in city["jobs"] if job.status == "open"}
    assert index.started and index.rebuilds == 1
    assert {int(job_id) for job_id in index.model.job_ids_} == open_ids
