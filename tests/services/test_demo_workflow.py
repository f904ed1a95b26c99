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
