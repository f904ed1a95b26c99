"""The demo season of hiring: applications in every state, placements with 12-month answers, dates in workflow
order, through the real services; running the seeder again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from talent.models import AuditEvent
from talent.models.hiring import JOB_APPLICATION_STATUSES, JobApplication, Placement, RetentionAnswer
from talent.models.jobs import Job


def seed_parts(app) -> None:
    from talent.db import db
    from talent.services import demo_hiring, demo_jobs
    from talent.services.demo import seed_accounts, seed_demo_employer

    with app.app_context(), db.command_transaction() as session:
        users = seed_accounts(session)
        employer = seed_demo_employer(session, users)
        demo_jobs.seed(session, users, employer)
        demo_hiring.seed(session, users, employer)


def test_a_season_in_every_state_with_placements_and_answers(app, db_session):
    seed_parts(app)
    states = dict(db_session.execute(select(JobApplication.status, func.count()).group_by(JobApplication.status)).all())
    assert set(states) == set(JOB_APPLICATION_STATUSES), states
    placements = list(db_session.scalars(select(Placement)))
    assert len(placements) == states["hired"]
    assert {p.retention for p in placements} >= {"pending", "asked", "retained", "left"}
    assert db_session.scalar(select(func.count()).select_from(RetentionAnswer)) > 0
    # dates in workflow order, each placement's start after its hire was recorded… and posts never over-filled
    for application in db_session.scalars(select(JobApplication)):
        moments = [change.at for change in application.changes]
        assert moments == sorted(moments), application.id
        if application.applied_at and application.shortlisted_at:
            assert application.applied_at <= application.shortlisted_at
    # …and every post was opened before its first application or invitation (the figures' years follow)
    for job_id, first in db_session.execute(select(JobApplication.job_id, func.min(JobApplication.created_at))
                                            .group_by(JobApplication.job_id)):
        assert db_session.get(Job, job_id).created_at <= first, job_id
    for job_id, hires in db_session.execute(select(JobApplication.job_id, func.count())
                                            .where(JobApplication.status == "hired").group_by(JobApplication.job_id)):
        assert hires <= db_session.get(Job, job_id).headcount
    before = (db_session.scalar(select(func.count()).select_from(JobApplication)),
              db_session.scalar(select(func.count()).select_from(AuditEvent)))
    seed_parts(app)
    db_session.expire_all()
    assert (db_session.scalar(select(func.count()).select_from(JobApplication)),
            db_session.scalar(select(func.count()).select_from(AuditEvent))) == before
