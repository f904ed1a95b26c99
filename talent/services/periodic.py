"""Claiming a period of periodic work, so that it runs once however many schedulers and workers run."""

from __future__ import annotations

import os
import socket

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from talent.db import utcnow
from talent.models.periodic import PeriodicRun


def claim_period(session: Session, task: str, period: str) -> bool:
    """Insert the claim of (task, period) in the session's transaction; False when another run holds it.

    `INSERT … ON CONFLICT DO NOTHING`: on PostgreSQL a concurrent claim of the same period waits until the
    first transaction ends, then inserts nothing (it committed) or claims (it rolled back). SQLite serialises
    writers on its database lock to the same effect. The claim is undone with the work when the transaction
    rolls back, so a run that fails half-way is retried by the next attempt.
    """
    values = {"task": task, "period": period, "claimed_at": utcnow(),
              "claimed_by": f"{socket.gethostname()}:{os.getpid()}"[:200]}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(PeriodicRun).values(**values).on_conflict_do_nothing(
            index_elements=["task", "period"])
    elif dialect == "sqlite":
        statement = sqlite.insert(PeriodicRun).values(**values).on_conflict_do_nothing(
            index_elements=["task", "period"])
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL
        statement = insert(PeriodicRun).values(**values)  # a duplicate raises IntegrityError
    return session.execute(statement.returning(PeriodicRun.id)).scalar() is not None


def period_claimed(session: Session, task: str, period: str) -> bool:
    from sqlalchemy import select

    return session.scalar(
        select(PeriodicRun.id).where(PeriodicRun.task == task, PeriodicRun.period == period)) is not None
