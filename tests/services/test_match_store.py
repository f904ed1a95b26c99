"""Stored matches: the consenting graduates in shards, and a shard's sets replaced in one transaction with
exactly what the model ranks (the same posts and scores as ranking the graduate online; the reasons are rebuilt
on read, tests/services/test_matching_service.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from talent.db import utcnow
from talent.models import Role
from talent.models.matches import MatchSet
from talent.scoring import MatchModel
from talent.services import match_store
from talent.services.graduates import graduate_record
from talent.services.jobs import job_record
from tests.api.test_jobs_api import add_employer, add_job, add_profile, add_user


@pytest.fixture
def city(app: Any, db_session: Any) -> dict[str, Any]:
    owner = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 1)
    jobs = [add_job(db_session, employer, title=f"Java开发工程师{n}", salary_max=9000 + 100 * n) for n in range(3)]
    jobs.append(add_job(db_session, employer, title="病房护士", description="护理学专业，持护士执业证书。",
                        majors=["101101"], district="220102"))
    jobs.append(add_job(db_session, employer, title="博士后研究员", min_education="doctor"))
    jobs.append(add_job(db_session, employer, title="已关闭的岗位", status="closed"))
    profiles = []
    for n in range(5):
        user = add_user(db_session, f"g{n}@example.cn", f"毕业生{n}", Role.APPLICANT)
        profiles.append(add_profile(db_session, user, consent_to_match=n != 3,
                                    education="doctor" if n == 4 else "bachelor"))
    inactive = add_user(db_session, "gone@example.cn", "离开者", Role.APPLICANT)
    inactive.is_active = False
    profiles.append(add_profile(db_session, inactive))
    db_session.commit()
    return {"jobs": jobs, "profiles": profiles}


def test_shards_cover_the_consenting_active_graduates_once_in_id_order(city, db_session):
    ids = [p.id for p in city["profiles"]]
    expected = [ids[0], ids[1], ids[2], ids[4]]  # 3 withheld consent, 5 has an inactive account
    assert match_store.graduate_shards(db_session, 3) == [expected[:3], expected[3:]]
    assert match_store.graduate_shards(db_session, 100) == [expected]
    with pytest.raises(ValueError):
        match_store.graduate_shards(db_session, 0)


def test_a_shard_stores_what_the_model_ranks_and_replaces_the_old_sets(city, db_session):
    profiles = city["profiles"]
    computed_at = utcnow()
    count = match_store.refresh_shard(db_session, [p.id for p in profiles], computed_at)
    db_session.commit()
    assert count == 4

    open_jobs = [job for job in city["jobs"] if job.status == "open"]
    model = MatchModel().fit([job_record(job) for job in open_jobs])
    for profile in profiles:
        stored = db_session.get(MatchSet, profile.id)
        if not profile.consent_to_match or profile.id == profiles[5].id:
            assert stored is None
            continue
        expected = model.rank_jobs_for_graduates([graduate_record(profile)], top=50)[0]["matches"]
        assert list(zip(stored.job_ids, stored.scores, strict=True)) == [
            (int(m["job_id"]), m["score"]) for m in expected]
        assert stored.size == len(expected) > 0 and stored.computed_at.replace(tzinfo=dt.UTC) == computed_at
    bachelor_jobs = set(db_session.get(MatchSet, profiles[0].id).job_ids)
    assert city["jobs"][4].id not in bachelor_jobs  # the doctor-only post is never stored for a bachelor
    assert city["jobs"][5].id not in bachelor_jobs  # nor a closed one

    # A second refresh, after a graduate withdrew consent: that set goes, the others are replaced.
    profiles[1].consent_to_match = False
    db_session.commit()
    later = computed_at + dt.timedelta(hours=1)
    assert match_store.refresh_shard(db_session, [p.id for p in profiles], later) == 3
    db_session.commit()
    assert db_session.get(MatchSet, profiles[1].id) is None
    db_session.expire_all()
    assert {r.computed_at.replace(tzinfo=dt.UTC) for r in db_session.scalars(select(MatchSet))} == {later}
    assert db_session.scalar(select(func.count()).select_from(MatchSet)) == 3


def test_a_failed_shard_leaves_the_old_sets(city, db_session, monkeypatch):
    first = city["profiles"][0]
    match_store.refresh_shard(db_session, [first.id], utcnow())
    db_session.commit()
    before = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at, MatchSet.job_ids)).all()
    assert before

    def broken(*args, **kwargs):
        raise RuntimeError("worker killed while writing")

    monkeypatch.setattr(match_store, "_insert_sets", broken)
    with pytest.raises(RuntimeError):
        match_store.refresh_shard(db_session, [first.id], utcnow() + dt.timedelta(minutes=1))
    db_session.rollback()
    assert db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at, MatchSet.job_ids)).all() == before


def test_an_empty_shard_does_nothing(city, db_session):
    assert match_store.refresh_shard(db_session, [], utcnow()) == 0
