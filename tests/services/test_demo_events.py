"""The demo data of recruitment events and training bases: events of each kind, over ones with registrations and
check-ins, coming ones with registrations (the demo graduate among them), two training bases with internships;
loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from talent.clock import now_in_changchun, to_changchun
from talent.models.events import EventRegistration, RecruitmentEvent, TrainingBase
from talent.models.jobs import Job
from talent.services import events, training_bases


def seed_demo_parts(app) -> None:
    from talent.db import db
    from talent.services import demo_events, demo_jobs
    from talent.services.demo import seed_accounts, seed_demo_employer

    with app.app_context(), db.command_transaction() as session:
        users = seed_accounts(session)
        employer = seed_demo_employer(session, users)
        demo_jobs.seed(session, users, employer)
        demo_events.seed(session, users, employer)


def counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (RecruitmentEvent, EventRegistration, TrainingBase, Job))


def test_demo_events_and_training_bases(app, db_session):
    seed_demo_parts(app)
    found = list(db_session.scalars(select(RecruitmentEvent).order_by(RecruitmentEvent.starts_at)))
    assert {event.kind for event in found} == {"campus_talk", "job_fair", "online_session"}
    now = now_in_changchun()
    over = [event for event in found if to_changchun(event.ends_at) < now]
    coming = [event for event in found if to_changchun(event.starts_at) > now]
    assert len(over) == 2 and len(coming) == 3
    tally = events.attendance(db_session, [event.id for event in found])
    for event in over:
        assert 0 < tally[event.id].checked_in < tally[event.id].registered <= event.capacity
    for event in coming:
        assert tally[event.id].checked_in == 0 and tally[event.id].registered == event.registered_count > 0
        assert to_changchun(event.starts_at) - now < dt.timedelta(days=30)
    for event in found:
        assert event.registered_count == tally[event.id].registered
        assert event.posts, event.title
    demo_graduate = db_session.scalar(select(func.count()).select_from(EventRegistration).join(
        EventRegistration.user).where(EventRegistration.user.property.mapper.class_.email == "applicant@demo.talent.cc"))
    assert demo_graduate >= 1

    rows = training_bases.internship_counts(db_session)
    assert len(rows) == 2 and all(row.active and row.posts == 2 and row.headcount > 0 for row in rows)
    assert db_session.scalar(select(func.count()).select_from(Job).where(Job.kind == "internship")) == 4

    before = counts(db_session)
    seed_demo_parts(app)
    db_session.expire_all()
    assert counts(db_session) == before
