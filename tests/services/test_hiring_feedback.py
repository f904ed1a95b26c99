"""The hiring area's numbers for matching: applications in the pipeline per post (fair exposure's "applications
so far") and the feedback table exported in the learned ranker's outcomes format, round-tripped from the demo
season into `talent match train --outcomes`."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from talent.cli import main
from talent.models.hiring import ACTIVE_STATUSES, JOB_APPLICATION_STATUSES, JobApplication, MatchFeedback
from talent.models.jobs import GraduateProfile, Job
from talent.scoring.learn import read_outcomes
from talent.services import hiring, match_feedback
from tests.services.test_demo_hiring import seed_parts
from tests.tasks.test_match_refresh import cli_env


def test_open_applications_by_job_counts_the_active_states_only(app, db_session):
    seed_parts(app)
    job_ids = list(db_session.scalars(select(Job.id)))
    missing = max(job_ids) + 1000
    counts = hiring.open_applications_by_job(db_session, [*job_ids, missing])
    # every state is in the demo season; only applied, shortlisted, interview and offer count
    assert set(db_session.scalars(select(JobApplication.status).distinct())) == set(JOB_APPLICATION_STATUSES)
    for job_id in job_ids:
        direct = db_session.scalar(select(func.count()).select_from(JobApplication).where(
            JobApplication.job_id == job_id, JobApplication.status.in_(ACTIVE_STATUSES)))
        assert counts[job_id] == direct, job_id
    assert counts[missing] == 0
    # the model's job ids are strings; many ids (more than one IN list) are read in one grouped query
    assert hiring.open_applications_by_job(db_session, [str(j) for j in job_ids]) == \
        {j: counts[j] for j in job_ids}
    many = hiring.open_applications_by_job(db_session, [*job_ids, *range(10**6, 10**6 + 6000)])
    assert {j: many[j] for j in job_ids} == {j: counts[j] for j in job_ids} and len(many) == len(job_ids) + 6000
    assert sum(counts.values()) == db_session.scalar(select(func.count()).select_from(JobApplication).where(
        JobApplication.status.in_(("applied", "shortlisted", "interview", "offer"))))
    assert sum(counts.values()) > 0
    assert hiring.open_applications_by_job(db_session, []) == {}


def test_open_applications_move_with_the_pipeline(app, db_session):
    seed_parts(app)
    application = db_session.scalars(select(JobApplication).where(JobApplication.status == "applied")).first()
    job_id = application.job_id
    before = hiring.open_applications_by_job(db_session, [job_id])[job_id]
    employer_user = application.job.employer.owner
    hiring.change_status(db_session, employer_user, application.id, "declined", reason="skills")
    db_session.flush()
    assert hiring.open_applications_by_job(db_session, [job_id])[job_id] == before - 1


def test_the_feedback_table_exports_to_the_outcomes_format_and_trains(app, db_session, tmp_path):
    seed_parts(app)
    # what the matches pages would have shown: every graduate of the season, the posts they applied to and two
    # they did not, as one list each
    profiles = list(db_session.scalars(select(GraduateProfile).order_by(GraduateProfile.id)))
    job_ids = list(db_session.scalars(select(Job.id).order_by(Job.id)))
    for profile in profiles:
        applied = set(db_session.scalars(select(JobApplication.job_id).where(
            JobApplication.graduate_profile_id == profile.id)))
        shown = sorted(applied) + [j for j in job_ids if j not in applied][:2]
        match_feedback.record_impressions(db_session, "graduate_matches",
                                          [(profile.id, job_id, 0.5) for job_id in shown])
    db_session.commit()

    lines = match_feedback.outcome_lines(db_session)
    # the counts are the table's, pair by pair
    for line in lines:
        kinds = dict(db_session.execute(
            select(MatchFeedback.kind, func.count()).where(
                MatchFeedback.graduate_profile_id == int(line["graduate_id"]),
                MatchFeedback.job_id == int(line["job_id"])).group_by(MatchFeedback.kind)).all())
        assert line["impressions"] == kinds.get("impression", 0)
        assert line["applied"] == kinds.get("applied", 0)
        assert line["hired"] == kinds.get("hired", 0)
        assert line["shortlisted"] == sum(kinds.get(k, 0) for k in ("shortlisted", "interview", "offer"))
    hired_pairs = {(str(a.graduate_profile_id), str(a.job_id)) for a in db_session.scalars(
        select(JobApplication).where(JobApplication.status == "hired"))}
    assert hired_pairs and hired_pairs <= {(x["graduate_id"], x["job_id"]) for x in lines if x["hired"]}

    out = {name: tmp_path / f"{name}.jsonl" for name in ("outcomes", "jobs", "graduates")}
    result = CliRunner().invoke(main, ["match", "feedback-export", "--outcomes", str(out["outcomes"]),
                                       "--jobs", str(out["jobs"]), "--graduates", str(out["graduates"])],
                                env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert [json.loads(x) for x in out["outcomes"].read_text().splitlines()] == lines
    grades = read_outcomes(out["outcomes"])
    assert {grade for (g, j), grade in grades.items() if (g, j) in hired_pairs} == {3}
    assert set(grades.values()) == {0, 1, 2, 3}
    job_lines = [json.loads(x) for x in out["jobs"].read_text().splitlines()]
    assert {line["job_id"] for line in lines} <= {job["id"] for job in job_lines}
    assert all(job["status"] == "open" for job in job_lines)  # filled posts stay in the training set

    ranker = tmp_path / "ranker.json"
    trained = CliRunner().invoke(main, ["match", "train", "--jobs", str(out["jobs"]), "--graduates",
                                        str(out["graduates"]), "--outcomes", str(out["outcomes"]), "-o", str(ranker)],
                                 env=cli_env(app))
    assert trained.exit_code == 0, trained.output
    document = json.loads(ranker.read_text())
    assert document["labelled_pairs"] > 0 and document["trained_on"] == "outcomes: outcomes.jsonl"
    assert document["graduates"] == len(out["graduates"].read_text().splitlines())
    assert document["posts"] == len(job_lines)
