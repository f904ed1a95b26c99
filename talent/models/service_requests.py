"""Services for card holders (docs/policy.md §10): partner organisations, their staff, requests, uses at the desk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.cards import Card
from talent.models.people import User


class PartnerOrganisation(Base):
    """A hospital, a school-district office, the airport...: created and verified by officers."""

    __tablename__ = "partner_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    services: Mapped[list[str]] = mapped_column(JSONType)  # service codes of docs/policy.md 5.1 it provides
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "services": list(self.services), "verified": self.is_verified}


class PartnerStaff(Base):
    """A `partner` account and the organisation it works for."""

    __tablename__ = "partner_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_organisations.id"), index=True)

    user: Mapped[User] = relationship()
    partner: Mapped[PartnerOrganisation] = relationship()


REQUEST_SUBMITTED = "submitted"
REQUEST_ACCEPTED = "accepted"
REQUEST_INFO_REQUESTED = "info_requested"
REQUEST_COMPLETED = "completed"
REQUEST_DECLINED = "declined"
REQUEST_CLOSED = "closed"  # closed by the platform: the card was revoked or expired
REQUEST_STATUSES = (REQUEST_SUBMITTED, REQUEST_ACCEPTED, REQUEST_INFO_REQUESTED, REQUEST_COMPLETED, REQUEST_DECLINED,
                    REQUEST_CLOSED)
OPEN_REQUEST_STATUSES = (REQUEST_SUBMITTED, REQUEST_ACCEPTED, REQUEST_INFO_REQUESTED)


class ServiceRequest(Base):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    service: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=REQUEST_SUBMITTED, index=True)
    # NULL: the bureau's service officers handle it; otherwise the partner organisation it is routed to.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisations.id"), nullable=True, index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    paused_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # while waiting for the holder
    info_question: Mapped[str | None] = mapped_column(Text, nullable=True)
    info_answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    escalated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    evidence_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    evidence_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    card: Mapped[Card] = relationship()
    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    partner: Mapped[PartnerOrganisation | None] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"card_id": self.card_id, "service": self.service, "status": self.status, "partner_id": self.partner_id,
                "due_on": self.due_on.isoformat(), "paused_on": self.paused_on.isoformat() if self.paused_on else None,
                "escalated_on": self.escalated_on.isoformat() if self.escalated_on else None,
                "rating": self.rating}


class ServiceUse(Base):
    """A card checked at a partner's desk: the holder used a service there."""

    __tablename__ = "service_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_organisations.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
