"""Privilege cards, the payment schedule of a grant, and revocations (POLICY.md 5.1 and 6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.applications import Application
from talent.models.people import User

CARD_ACTIVE = "active"
CARD_REVOKED = "revoked"
CARD_EXPIRED = "expired"  # derived from valid_until, never stored


class Card(Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # Random and unguessable: the only key of the public verification page.
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    tier: Mapped[str] = mapped_column(String(1))
    services: Mapped[list[str]] = mapped_column(JSONType)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=CARD_ACTIVE)  # active | revoked
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    application: Mapped[Application] = relationship(back_populates="card")
    holder: Mapped[User] = relationship()

    def effective_status(self, today: date) -> str:
        """active, revoked, or expired (an active card past its valid_until)."""
        if self.status == CARD_REVOKED:
            return CARD_REVOKED
        if self.valid_until < today:
            return CARD_EXPIRED
        return CARD_ACTIVE

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "application_id": self.application_id,
            "tier": self.tier,
            "status": self.status,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
        }


INSTALMENT_DUE = "due"
INSTALMENT_PAID = "paid"
INSTALMENT_CANCELLED = "cancelled"


class Instalment(Base):
    """One payment of a grant: a housing-subsidy instalment, a month of living allowance, the purchase grant."""

    __tablename__ = "instalments"
    __table_args__ = (
        UniqueConstraint("application_id", "programme", "sequence", name="uq_instalments_programme_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    programme: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(12), nullable=True)  # tier | graduate
    sequence: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)  # integer yuan
    status: Mapped[str] = mapped_column(String(12), default=INSTALMENT_DUE)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[Application] = relationship(back_populates="instalments")

    def snapshot(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "programme": self.programme,
            "sequence": self.sequence,
            "due_on": self.due_on.isoformat(),
            "amount": self.amount,
            "status": self.status,
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
        }


class Revocation(Base):
    """The revocation of a grant, with the refund owed (POLICY.md section 6)."""

    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    revoked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    fraud: Mapped[bool] = mapped_column(Boolean, default=False)
    months_served: Mapped[int] = mapped_column(Integer)
    paid_total: Mapped[int] = mapped_column(Integer)
    vested: Mapped[int] = mapped_column(Integer)
    refund_owed: Mapped[int] = mapped_column(Integer)
    cancelled_instalments: Mapped[int] = mapped_column(Integer, default=0)

    application: Mapped[Application] = relationship(back_populates="revocation")
    card: Mapped[Card | None] = relationship()
    revoked_by: Mapped[User] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "card_id": self.card_id,
            "revoked_on": self.revoked_on.isoformat(),
            "left_on": self.left_on.isoformat(),
            "fraud": self.fraud,
            "months_served": self.months_served,
            "paid_total": self.paid_total,
            "vested": self.vested,
            "refund_owed": self.refund_owed,
            "cancelled_instalments": self.cancelled_instalments,
        }
