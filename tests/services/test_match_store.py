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


def test_shards_keep_the_graduates_of_one_major_together(city, db_session):
    # A shard ranks one score row per post for each distinct major it holds: graduates of one major share shards.
    profiles = city["profiles"]
    for profile, (code, name) in zip(profiles, [("120203K", "会计学"), ("080902", "软件工程"), ("120203K", "会计学"),
                                                (None, "自定专业"), (None, "古籍修复")], strict=False):
        profile.major_code, profile.major = code, name
    db_session.commit()
    ids = [p.id for p in profiles]
    # By code (080902 before 120203K; no code last on SQLite and PostgreSQL alike), then name, then id.
    assert match_store.graduate_shards(db_session, 100) == [[ids[1], ids[0], ids[2], ids[4]]]
    assert match_store.graduate_shards(db_session, 2) == [[ids[1], ids[0]], [ids[2], ids[4]]]


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


def test_a_refresh_spreads_identical_graduates_over_equally_fitting_posts(app, db_session):
    owner = add_user(db_session, "hr@b.example.cn", "赵海", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 2)
    posts = [add_job(db_session, employer, title=f"Java开发工程师{n}", headcount=1) for n in range(12)]
    nurse = add_job(db_session, employer, title="病房护士", description="护理学专业，持护士执业证书。",
                    majors=["101101"], district="220102", headcount=50)
    profiles = [add_profile(db_session, add_user(db_session, f"s{n}@example.cn", f"学生{n}", Role.APPLICANT))
                for n in range(30)]
    db_session.commit()
    ids = [p.id for p in profiles]

    def first_posts(strength):
        match_store.refresh_shard(db_session, ids, utcnow(), fair_exposure=strength)
        db_session.commit()
        return [db_session.get(MatchSet, i).job_ids[0] for i in ids]

    assert len(set(first_posts(0.0))) == 1  # relevance alone: everyone sees the same post first
    spread = first_posts(match_store.FAIR_EXPOSURE)
    assert len(set(spread)) >= 6 and nurse.id not in spread
    # The stored scores are the lowered ones, by at most the strength, and stay in rank order.
    model = MatchModel().fit([job_record(job) for job in [*posts, nurse]])
    relevance = {int(m["job_id"]): m["score"]
                 for m in model.rank_jobs_for_graduates([graduate_record(profiles[-1])], top=50)[0]["matches"]}
    stored = db_session.get(MatchSet, ids[-1])
    rows = list(zip(stored.job_ids, stored.scores, strict=True))
    assert [score for _, score in rows] == sorted((score for _, score in rows), reverse=True)
    assert all(0 <= relevance[int(job_id)] - score <= match_store.FAIR_EXPOSURE + 1e-9 for job_id, score in rows)
    assert int(rows[-1][0]) == nurse.id  # the irrelevant post stays last


def test_applications_so_far_count_in_the_fair_exposure_of_a_refresh(app, db_session):
    """Posts whose places already have a long pipeline of applications are shown first to fewer graduates than
    the same posts without them (services.hiring.open_applications_by_job feeds the loads)."""
    from talent.models.hiring import JobApplication

    owner = add_user(db_session, "hr@c.example.cn", "钱海", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 3)
    posts = [add_job(db_session, employer, title=f"Java开发工程师{n}", headcount=1) for n in range(12)]
    profiles = [add_profile(db_session, add_user(db_session, f"t{n}@example.cn", f"学生{n}", Role.APPLICANT))
                for n in range(24)]
    db_session.commit()
    ids = [p.id for p in profiles]
    crowded = {post.id for post in posts[:6]}

    def firsts_on_crowded():
        match_store.refresh_shard(db_session, ids, utcnow(), fair_exposure=match_store.FAIR_EXPOSURE)
        db_session.commit()
        return sum(int(db_session.get(MatchSet, i).job_ids[0]) in crowded for i in ids)

    before = firsts_on_crowded()
    assert before >= 6  # spread over all twelve posts, these six among them
    applicants = [add_profile(db_session, add_user(db_session, f"a{n}@example.cn", f"投递{n}", Role.APPLICANT))
                  for n in range(20)]
    for post in posts[:6]:
        for profile in applicants:  # 20 applications in the pipeline for one place: twice the expected load
            db_session.add(JobApplication(job_id=post.id, employer_id=employer.id, graduate_profile_id=profile.id,
                                          applicant_id=profile.user_id, status="applied", applied_at=utcnow()))
    db_session.commit()
    assert firsts_on_crowded() < before
