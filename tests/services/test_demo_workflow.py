"""The demo data shows every state of the workflow, through the real services, and loading it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from talent.models import AuditEvent, User
from talent.models.applications import Application, Objection
from talent.models.cards import Card, Instalment
from talent.services.workflow import Status, service_clock


def seed_workflow_demo(app) -> None:
    """The demo accounts and employer, then this area's demo cases (as `talent seed-demo` runs them)."""
    from talent.db import db
    from talent.services import demo_workflow
    from talent.services.demo import seed_accounts, seed_demo_employer

    with app.app_context(), db.command_transaction() as session:
        users = seed_accounts(session)
        demo_workflow.seed(session, users, seed_demo_employer(session, users))


def counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (Application, Card, Instalment, Objection, AuditEvent, User))


def test_demo_applications_cover_every_state_and_seeding_is_idempotent(app, db_session):
    seed_workflow_demo(app)
    first = counts(db_session)
    seed_workflow_demo(app)
    assert counts(db_session) == first

    applications = db_session.scalars(select(Application).order_by(Application.id)).all()
    by_owner = {a.owner.email: a for a in applications}
    assert {a.status for a in applications} == {s.value for s in Status} - {Status.WITHDRAWN}

    main = by_owner["applicant@demo.talent.cc"]
    assert main.status == "granted" and main.card.status == "active" and main.tier == "B"
    assert any(i.status == "paid" for i in main.instalments)

    in_review = [a for a in applications if a.status == "in_review"]
    assert {service_clock(a).state for a in in_review} >= {"due_soon"}
    notice = next(a for a in applications if a.status == "under_notice")
    assert [o.status for o in notice.objections] == ["pending"]
    assert next(a for a in applications if a.status == "changes_requested").requested_items
    revoked = next(a for a in applications if a.status == "revoked")
    assert revoked.card.status == "revoked" and revoked.revocation.refund_owed > 0
    assert {i.status for i in revoked.instalments} == {"paid", "cancelled"}

    # every case has its audit trail and valid, distinct ID numbers
    from talent.services.identities import id_number_of

    ids = [id_number_of(a) for a in applications]
    assert all(ids) and not any("id_number" in a.facts for a in applications)
    assert len(set(ids)) == len(ids)
    audited = set(db_session.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity_type == "application")))
    assert audited == {str(a.id) for a in applications}


def _moment(value):
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local_day(value):
    from talent.clock import to_changchun

    return to_changchun(value).date()


def test_demo_dates_follow_the_workflow_for_every_case(app, db_session):
    """Issue 15: submitted, endorsed, reviewed, notice, issued and paid in that order, on past dates spread over
    the story; the decision letter is dated within the notice period it cites; nothing paid before the notice
    ended; the timeline is not all at the seeding moment."""
    from talent.db import utcnow
    from talent.models.applications import ReviewDecision, StatusChange

    seed_workflow_demo(app)
    now = utcnow()
    applications = db_session.scalars(select(Application).order_by(Application.id)).all()
    assert len(applications) == 10
    for a in applications:
        label = a.owner.email
        steps = [a.submitted_at, a.endorsed_at, a.first_approval_at, a.confirmed_at]
        present = [_moment(s) for s in steps if s is not None]
        assert present == sorted(present), (label, present)
        assert all(moment <= now for moment in present), label
        history = db_session.scalars(select(StatusChange).where(StatusChange.application_id == a.id)
                                     .order_by(StatusChange.id)).all()
        moments = [_moment(change.at) for change in history]
        assert moments == sorted(moments), (label, [(c.action, c.at) for c in history])
        assert moments[0] == _moment(a.submitted_at), label
        decisions = db_session.scalars(select(ReviewDecision).where(ReviewDecision.application_id == a.id)
                                       .order_by(ReviewDecision.id)).all()
        decided = [_moment(d.decided_at) for d in decisions]
        assert decided == sorted(decided) and all(d >= _moment(a.submitted_at) for d in decided), label
        events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "application",
                                                             AuditEvent.entity_id == str(a.id))
                                    .order_by(AuditEvent.id)).all()
        event_moments = [_moment(e.occurred_at) for e in events]
        assert event_moments == sorted(event_moments), (label, [(e.action, e.occurred_at) for e in events])
        if len(history) > 1:
            assert len({m.date() for m in moments}) > 1, (label, "the whole timeline on one day")
        if a.notice_starts_on is not None:
            # the decision (and its letter) falls on the notice's first day, within the period it cites
            assert a.notice_starts_on <= _local_day(a.decided_at) <= a.notice_ends_on, label
            assert _local_day(a.confirmed_at) == a.notice_starts_on, label
        if a.granted_at is not None:
            assert _local_day(a.granted_at) >= a.notice_ends_on, label
            assert _moment(a.granted_at) > _moment(a.confirmed_at), label
        if a.card is not None:
            assert _moment(a.card.issued_at) >= _moment(a.granted_at), label
        for instalment in a.instalments:
            if instalment.status == "paid":
                assert instalment.paid_on > a.notice_ends_on, (label, instalment.paid_on, a.notice_ends_on)
                assert _moment(instalment.paid_at) > _moment(a.granted_at), label
                assert _local_day(instalment.paid_at) == instalment.paid_on, label
        for objection in a.objections:
            assert _local_day(objection.filed_at) >= a.notice_starts_on, label
