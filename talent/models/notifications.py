"""Notifications: the in-site inbox (one row per message to one person), which is also the mail outbox, and each
person's choice of which kinds of message also come by e-mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.people import User

# mail_status: pending (to be sent after the transaction commits) | sending | sent | failed | off (not wanted)
MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_OFF = "pending", "sending", "sent", "failed", "off"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # A reminder is sent once per person and subject (e.g. one instalment, one deadline).
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_id_dedupe_key"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    mail_status: Mapped[str] = mapped_column(String(12), default=MAIL_OFF, index=True)
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), nullable=True)

    user: Mapped[User] = relationship()


class NotificationPreference(Base):
    """One row per person and kind they have chosen about; no row means the default (mail on)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
