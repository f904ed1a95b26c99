"""Recruitment events (招聘宣讲: campus talks, job fairs, online sessions), graduates' registrations with their
signed check-in tickets, and the employers officers designate as training bases (实训基地)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, utcnow
from talent.models.employers import Employer
from talent.models.jobs import Job
from talent.models.people import User

EVENT_KINDS = ("campus_talk", "job_fair", "online_session")
# draft: being prepared (only the organiser sees it); published: open for registration; cancelled: called off
# (registered graduates are told). "Past" is not a state: an event whose end has passed is simply over.
EVENT_STATUSES = ("draft", "published", "cancelled")
REGISTRATION_STATUSES = ("registered", "cancelled")


class RecruitmentEvent(Base):
    __tablename__ = "recruitment_events"
    __table_args__ = (Index("ix_recruitment_events_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Where: a district and a venue for campus talks and fairs; an https link for online sessions.
    district: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    venue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats taken, kept by one conditional UPDATE (… WHERE registered_count < capacity), so that two graduates
    # taking the last seat at once never both get it.
    registered_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # The organising employer; None when the talent-service bureau (an officer) organises it.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), nullable=True, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    employer: Mapped[Employer | None] = relationship()
    created_by: Mapped[User] = relationship()
    posts: Mapped[list[EventPost]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPost.job_id"
    )

    @property
    def jobs(self) -> list[Job]:
        return [post.job for post in self.posts]

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.registered_count)

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "starts_at": _iso(self.starts_at),
            "ends_at": _iso(self.ends_at),
            "district": self.district,
            "venue": self.venue,
            "online_url": self.online_url,
            "capacity": self.capacity,
            "status": self.status,
            "employer_id": self.employer_id,
            "job_ids": sorted(post.job_id for post in self.posts),
        }


class EventPost(Base):
    """A post presented at an event: what a later count of "applications per event" counts applications to."""

    __tablename__ = "recruitment_event_posts"

    event_id: Mapped[int] = mapped_column(ForeignKey("recruitment_events.id"), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True, index=True)

    event: Mapped[RecruitmentEvent] = relationship(back_populates="posts")
    job: Mapped[Job] = relationship()


class EventRegistration(Base):
    """One graduate's place at one event. Cancelling keeps the row (and frees the seat; the ticket does not check
    in while cancelled); registering again reuses it, and the same ticket."""

    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_registrations_event_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("recruitment_events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    # Random, signed into the ticket with the id (services.events.ticket_code): never the id alone.
    ticket_nonce: Mapped[str] = mapped_column(String(32))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    event: Mapped[RecruitmentEvent] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def snapshot(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "user_id": self.user_id,
            "status": self.status,
            "checked_in_at": _iso(self.checked_in_at),
        }


class TrainingBase(Base):
    """An employer designated a training base (实训基地) by an officer. One row per employer: withdrawing
    sets `withdrawn_at`; designating again clears it (the audit trail keeps the history)."""

    __tablename__ = "training_bases"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), unique=True)
    designated_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    designated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    designated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    employer: Mapped[Employer] = relationship()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def snapshot(self) -> dict[str, Any]:
        return {
            "employer_id": self.employer_id,
            "designated_on": self.designated_on.isoformat(),
            "reason": self.reason,
            "active": self.is_active,
            "withdrawal_reason": self.withdrawal_reason,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()
