"""Writing audit events. Every service that changes state calls `record_event` before it flushes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from talent.models import AuditEvent, User


def record_event(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        note=note,
    )
    session.add(event)
    return event


def events_for(session: Session, entity_type: str, entity_id: Any) -> list[AuditEvent]:
    from sqlalchemy import select

    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return list(session.scalars(query))
