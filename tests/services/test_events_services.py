"""The events services on their own: the check-in window, a ticket's signature, attendance per event, the count of
applications per event against a real job-applications table, internship counts by year, and the names of the
area (both languages, distinct)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.orm import registry

from talent.clock import CHANGCHUN
from talent.models import Role
from talent.models.jobs import Job
from talent.names import events as names
from talent.services import Conflict, InvalidInput, events, training_bases
from tests.api.test_events_api import in_changchun
from tests.api.test_jobs_api import add_employer, add_job, add_user


@pytest.fixture
def world(app, db_session):
    officer = add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER)
    boss = add_user(db_session, "boss@example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, boss, 1)
    jobs = [add_job(db_session, employer, title=f"岗位{n}") for n in range(3)]
    graduates = [add_user(db_session, f"g{n}@example.cn", f"毕业生{n}", Role.APPLICANT) for n in range(3)]
    starts = in_changchun(2, 9)
    event = events.create_event(db_session, boss, kind="campus_talk", title="宣讲会", starts_at=starts,
                                ends_at=starts + dt.timedelta(hours=3), district="220104", venue="礼堂", capacity=10,
                                job_ids=[jobs[0].id, jobs[1].id])
    db_session.commit()
    return {"officer": officer, "boss": boss, "employer": employer, "jobs": jobs, "graduates": graduates,
            "event": event, "starts": starts}


def test_check_in_opens_two_hours_before_and_closes_two_hours_after(app, db_session, world):
    event, starts = world["event"], world["starts"]
    registration = events.register(db_session, world["graduates"][0], event.id)
    code = events.ticket_code(registration, "k")
    with pytest.raises(events.CheckInRefused) as early:
        events.check_in(db_session, world["boss"], event.id, code, secret="k", now=starts - dt.timedelta(hours=3))
    assert early.value.outcome == "not_open" and early.value.status == 409
    with pytest.raises(Conflict):
        events.check_in(db_session, world["boss"], event.id, code, secret="k", now=starts + dt.timedelta(hours=6))
    done = events.check_in(db_session, world["officer"], event.id, code, secret="k",
                           now=starts - dt.timedelta(minutes=90))
    assert done.registration.checked_in_by_id == world["officer"].id
    # the code does not carry the key: another key's signature is forged
    with pytest.raises(events.CheckInRefused) as forged:
        events.check_in(db_session, world["boss"], event.id, code, secret="another", now=starts)
    assert forged.value.outcome == "forged" and forged.value.status == 422
    assert "Not a valid ticket" in forged.value.text("en") and "签到码无效" in forged.value.text("zh")


def test_registration_closes_at_the_start_and_cancelling_frees_the_seat(app, db_session, world):
    event, starts = world["event"], world["starts"]
    with pytest.raises(Conflict) as late:
        events.register(db_session, world["graduates"][0], event.id, now=starts + dt.timedelta(minutes=1))
    assert late.value.message is names.EVENT_NOT_OPEN
    events.register(db_session, world["graduates"][0], event.id)
    with pytest.raises(Conflict):
        events.cancel_registration(db_session, world["graduates"][0], event.id, now=starts)
    events.cancel_registration(db_session, world["graduates"][0], event.id)
    db_session.refresh(event)
    assert event.registered_count == 0


def test_attendance_and_applications_per_event_against_a_real_table(app, db_session, world):
    event, jobs, graduates = world["event"], world["jobs"], world["graduates"]
    registrations = [events.register(db_session, person, event.id) for person in graduates]
    events.cancel_registration(db_session, graduates[2], event.id)
    events.check_in(db_session, world["boss"], event.id, events.ticket_code(registrations[0], "k"), secret="k",
                    now=world["starts"])
    db_session.commit()
    assert events.attendance(db_session, [event.id])[event.id] == events.Attendance(registered=2, checked_in=1)
    assert events.attendance(db_session, [event.id])[event.id].rate == 0.5

    found = events.job_application_model()
    if found is None:
        # The hiring area's table is not there: a table of the same shape, made for this test and dropped after.
        metadata = MetaData()
        table = Table("test_event_job_applications", metadata, Column("id", Integer, primary_key=True),
                      Column("job_id", Integer), Column("user_id", Integer))

        class Applied:
            pass

        registry(metadata=metadata).map_imperatively(Applied, table)
        engine = db_session.get_bind()
        metadata.create_all(engine)
        try:
            db_session.execute(insert(table), [
                {"job_id": jobs[0].id, "user_id": graduates[0].id},  # registered, presented post: counts
                {"job_id": jobs[1].id, "user_id": graduates[0].id},  # counts
                {"job_id": jobs[1].id, "user_id": graduates[1].id},  # counts
                {"job_id": jobs[2].id, "user_id": graduates[1].id},  # post not presented
                {"job_id": jobs[0].id, "user_id": graduates[2].id},  # registration cancelled
            ])
            db_session.commit()
            assert events.applications_per_event(db_session, [event.id], model=Applied) == {event.id: 3}
        finally:
            db_session.rollback()
            metadata.drop_all(engine)
    else:  # the hiring area is merged: its model is found by itself
        assert events.applications_per_event(db_session, [event.id]) in ({}, {event.id: 0})


def test_internship_counts_by_year(app, db_session, world):
    employer = world["employer"]
    training_bases.designate(db_session, world["officer"], employer.id, reason="实训基地")
    this_year = dt.datetime.now(CHANGCHUN).year
    add_job(db_session, employer, kind="internship", headcount=5)
    add_job(db_session, employer, kind="internship", headcount=7, status="closed",
            updated_at=dt.datetime(this_year - 1, 6, 1, tzinfo=dt.UTC))
    db_session.flush()
    old = db_session.scalars(select(Job).where(Job.status == "closed")).one()
    old.created_at = dt.datetime(this_year - 1, 6, 1, tzinfo=dt.UTC)
    db_session.commit()
    [all_years] = training_bases.internship_counts(db_session)
    assert (all_years.posts, all_years.headcount, all_years.open_posts, all_years.open_headcount) == (2, 12, 1, 5)
    [this] = training_bases.internship_counts(db_session, year=this_year)
    assert (this.posts, this.headcount) == (1, 5)
    with pytest.raises(InvalidInput):
        training_bases.withdraw(db_session, world["officer"], employer.id, reason=" ")


@pytest.mark.parametrize("table", [names.EVENT_KINDS, names.EVENT_STATUSES, names.REGISTRATION_STATUSES,
                                   names.JOB_KINDS, names.AUDIT_ACTIONS, names.CHECK_IN])
def test_every_name_is_in_both_languages_and_distinct(table):
    for language in ("zh", "en"):
        values = [entry[language] for entry in table.values()]
        assert all(values) and len(set(values)) == len(values)


def test_the_names_cover_the_codes():
    from talent.models.events import EVENT_KINDS, EVENT_STATUSES, REGISTRATION_STATUSES
    from talent.models.jobs import JOB_KINDS

    assert tuple(names.EVENT_KINDS) == EVENT_KINDS and tuple(names.EVENT_STATUSES) == EVENT_STATUSES
    assert tuple(names.REGISTRATION_STATUSES) == REGISTRATION_STATUSES and tuple(names.JOB_KINDS) == JOB_KINDS
