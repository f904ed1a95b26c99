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
