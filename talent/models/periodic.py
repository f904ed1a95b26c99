"""Periodic work claimed once per period: the row is the claim (unique task and period)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent.db import Base, utcnow


class PeriodicRun(Base):
    """One run of a periodic task for one period (a Changchun date such as 2026-12-03).

    The row is inserted in the same transaction as the task's work: a second scheduler or worker that tries the
    same period waits for that transaction and then finds the row (nothing to do), or, if the first run rolled
    back (a crash, a worker killed), claims the period itself.
    """

    __tablename__ = "periodic_runs"
    __table_args__ = (UniqueConstraint("task", "period", name="uq_periodic_runs_task_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
