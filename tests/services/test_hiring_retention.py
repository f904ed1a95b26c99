"""Placement and retention with the clock moved (talent.clock): a hire records the start date; 12 months later the
daily task (claimed once per date) asks both sides; answers count by the documented rules; a later talent
application with local social insurance confirms; a graduate hired through the platform finds the employment
facts prefilled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from talent import clock
from talent.models import AuditEvent
from talent.models.hiring import Placement
from talent.models.notifications import Notification
from talent.models.periodic import PeriodicRun
from talent.services import Conflict, hiring, retention
from talent.services.jobs import post_job
from talent.tasks import enqueue
from tests.api.test_jobs_api import GRADUATE, JOB, add_profile
from tests.services.workflow_support import graduate_facts, id_number, make_people, years_ago


def move_clock(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Every `today_in_changchun()` (services, tasks) now answers `day`, and so does the case workflow's own
    `today()` (talent.services.workflow, imported by name by the applications service)."""
    from talent.services import applications, workflow

    monkeypatch.setattr(clock, "now_in_changchun",
                        lambda: dt.datetime.combine(day, dt.time(10, 0), tzinfo=clock.CHANGCHUN))
    monkeypatch.setattr(workflow, "today", lambda: day)
    monkeypatch.setattr(applications, "local_today", lambda: day)


def hire(db_session: Any, people: Any, start: dt.date) -> Placement:
    add_profile(db_session, people.applicant, **{k: v for k, v in GRADUATE.items()})
    job = post_job(db_session, people.employer_user, **{**JOB, "headcount": 2})
    application = hiring.apply_to_job(db_session, people.applicant, job.id)
    hiring.change_status(db_session, people.employer_user, application.id, "offer", start_date=start)
    hiring.answer_offer(db_session, people.applicant, application.id, accept=True)
    db_session.commit()
    return application.placement


@pytest.fixture
def placed(app, db_session):
    people = make_people(db_session)
    start = clock.today_in_changchun() + dt.timedelta(days=10)
    placement = hire(db_session, people, start)
    return people, placement


def test_the_hire_records_the_start_date_and_the_day_of_the_question(placed):
    _people, placement = placed
    assert placement.retention == "pending"
    start = placement.start_date
    assert placement.retention_due_on == start.replace(year=start.year + 1)


def test_leap_day_start_is_asked_on_28_february():
    assert retention.retention_due_on(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_twelve_months_later_both_sides_are_asked_once(app, db_session, placed, monkeypatch):
    people, placement = placed
    due = placement.retention_due_on
    day_before = due - dt.timedelta(days=1)
    move_clock(monkeypatch, day_before)
    with app.app_context():
        assert enqueue("talent.retention_checks", day_before.isoformat()).get()["asked"] == 0
    with pytest.raises(Conflict):
        retention.answer_retention(db_session, people.applicant, placement.id, still_in_changchun=True)
    db_session.rollback()

    move_clock(monkeypatch, due)
    with app.app_context():
        first = enqueue("talent.retention_checks").get()
        assert first == {"claimed": True, "as_of": due.isoformat(), "asked": 1, "confirmed_by_insurance": 0}
        assert enqueue("talent.retention_checks").get() == {"claimed": False, "as_of": due.isoformat()}
        # the next day's run asks nobody again
        assert enqueue("talent.retention_checks", (due + dt.timedelta(days=1)).isoformat()).get()["asked"] == 0
    db_session.expire_all()
    assert db_session.get(Placement, placement.id).retention == "asked"
    asked = list(db_session.scalars(select(Notification).where(Notification.kind == "retention_check")))
    assert {(n.user_id, n.params["text"]) for n in asked} == {
        (people.applicant.id, "retention_check.graduate"), (people.employer_user.id, "retention_check.employer")}
    assert db_session.scalar(select(func.count()).select_from(PeriodicRun)
                             .where(PeriodicRun.task == "retention_checks")) == 3  # three dates, one run each
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "placement.retention_asked")) == 1


def test_answers_count_the_graduate_first_then_the_employer(app, db_session, placed, monkeypatch):
    people, placement = placed
    move_clock(monkeypatch, placement.retention_due_on + dt.timedelta(days=3))
    retention.answer_retention(db_session, people.employer_user, placement.id, still_in_changchun=False)
    db_session.commit()
    assert db_session.get(Placement, placement.id).retention == "left"
    # the graduate moved to another Changchun employer: their answer is about the city, and counts
    retention.answer_retention(db_session, people.applicant, placement.id, still_in_changchun=True)
    db_session.commit()
    assert db_session.get(Placement, placement.id).retention == "retained"
    retention.answer_retention(db_session, people.applicant, placement.id, still_in_changchun=False)
    db_session.commit()
    assert db_session.get(Placement, placement.id).retention == "left"
    # each answer tells the other side, and is audited
    told = [n.params["text"] for n in db_session.scalars(select(Notification).where(
        Notification.kind == "retention_check").order_by(Notification.id))]
    assert told == ["retention_check.answered"] * 3
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "placement.retention_answered")) == 3
    with pytest.raises(Exception) as refused:
        retention.answer_retention(db_session, people.other_applicant, placement.id, still_in_changchun=True)
    assert getattr(refused.value, "status", None) == 403


def test_a_later_talent_application_with_local_social_insurance_confirms(app, db_session, placed, monkeypatch):
    from talent.services.applications import submit_application
    from tests.services.workflow_support import DEMO_EMPLOYER_CODE

    people, placement = placed
    day = placement.retention_due_on + dt.timedelta(days=30)
    move_clock(monkeypatch, day)
    retention.answer_retention(db_session, people.employer_user, placement.id, still_in_changchun=False)
    facts = graduate_facts(id_number("220102", years_ago(31, day), 42), on=day)
    submit_application(db_session, people.applicant, facts=facts, employer_credit_code=DEMO_EMPLOYER_CODE)
    db_session.commit()
    with app.app_context():
        result = enqueue("talent.retention_checks", day.isoformat()).get()
    assert result["confirmed_by_insurance"] == 1
    db_session.expire_all()
    settled = db_session.get(Placement, placement.id)
    assert settled.retention == "retained"
    assert retention.answer_of(settled, "social_insurance") is True
    assert retention.answer_of(settled, "employer") is False


def test_an_application_before_the_twelve_months_does_not_confirm(app, db_session, placed, monkeypatch):
    from talent.services.applications import submit_application
    from tests.services.workflow_support import DEMO_EMPLOYER_CODE

    people, placement = placed
    early = placement.retention_due_on - dt.timedelta(days=60)
    move_clock(monkeypatch, early)
    facts = graduate_facts(id_number("220102", years_ago(31, early), 42), on=early)
    submit_application(db_session, people.applicant, facts=facts, employer_credit_code=DEMO_EMPLOYER_CODE)
    db_session.commit()
    due = placement.retention_due_on
    move_clock(monkeypatch, due)
    with app.app_context():
        result = enqueue("talent.retention_checks", due.isoformat()).get()
    assert result == {"claimed": True, "as_of": due.isoformat(), "asked": 1, "confirmed_by_insurance": 0}
    db_session.expire_all()
    assert db_session.get(Placement, placement.id).retention == "asked"


def test_employment_facts_of_a_hire_are_offered_to_forms(db_session, placed):
    people, placement = placed
    facts = hiring.employment_facts(db_session, people.applicant)
    assert facts["employer_credit_code"] == people.employer.credit_code
    assert facts["start_date"] == placement.start_date
    assert facts["employment"] == {"employer_district": "220174", "employer_kind": "enterprise", "full_time": True}
    assert hiring.employment_facts(db_session, people.other_applicant) is None
