"""The events services on their own: the check-in window, a ticket's signature, attendance per event, the count of
applications per event through the hiring area's applications, internship counts by year, and the names of the
area (both languages, distinct)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from talent.clock import CHANGCHUN
from talent.models import Role
from talent.models.jobs import GraduateProfile, Job
from talent.names import events as names
from talent.services import Conflict, InvalidInput, events, hiring, training_bases
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

    # Applications through the hiring area: registered graduates applying to presented posts count.
    for person in graduates:
        db_session.add(GraduateProfile(user_id=person.id, major="软件工程", education="bachelor", skills=[],
                                       preferred_districts=[], consent_to_match=False))
    db_session.flush()
    hiring.apply_to_job(db_session, graduates[0], jobs[0].id)  # registered, presented post: counts
    hiring.apply_to_job(db_session, graduates[0], jobs[1].id)  # counts
    hiring.apply_to_job(db_session, graduates[1], jobs[1].id)  # counts
    hiring.apply_to_job(db_session, graduates[1], jobs[2].id)  # post not presented
    hiring.apply_to_job(db_session, graduates[2], jobs[0].id)  # registration cancelled
    db_session.commit()
    assert events.applications_per_event(db_session, [event.id]) == {event.id: 3}
    # An invitation the graduate has not accepted is not an application.
    other = add_user(db_session, "g9@example.cn", "毕业生9", Role.APPLICANT)
    db_session.add(GraduateProfile(user_id=other.id, major="软件工程", education="bachelor", skills=[],
                                   preferred_districts=[], consent_to_match=True))
    db_session.flush()
    events.register(db_session, other, event.id)
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == other.id))
    hiring.invite_candidate(db_session, world["boss"], jobs[0].id, profile.id)
    db_session.commit()
    assert events.applications_per_event(db_session, [event.id]) == {event.id: 3}


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
