"""Applications for talent recognition and benefits, their timeline, review decisions, evidence and objections.

The state machine that moves `Application.status` lives in `talent.services.workflow`; docs/workflow.md
describes it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.employers import Employer
from talent.models.identities import Identity
from talent.models.people import User

if TYPE_CHECKING:
    from talent.models.cards import Card, Instalment, Revocation


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    # The facts as given, without the ID number (kept encrypted in `identities`, see identity_id).
    facts: Mapped[dict[str, Any]] = mapped_column(JSONType)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"), nullable=True, index=True)
    # The rule engine's decision (docs/policy.md §7, with reasons); it never contains the ID number.
    decision: Mapped[dict[str, Any]] = mapped_column(JSONType)
    policy_id: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(1), nullable=True, index=True)
    # ",privilege_card,housing_subsidy," — the programmes the decision grants, for filtering the queue in SQL.
    programmes: Mapped[str] = mapped_column(String(200), default=",")
    application_date: Mapped[date] = mapped_column(Date)
    review_round: Mapped[int] = mapped_column(Integer, default=1)
    # The owner's id while the case is open, NULL afterwards: the unique constraint makes "one open application
    # per applicant" hold even for two submissions at the same moment.
    open_owner_id: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)

    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    endorsement_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    endorsed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    endorsed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    endorsement_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_approval_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    first_approval_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The reason of the latest officer outcome, which the applicant reads.
    outcome_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The items of the latest request for changes ([{field, problem}]).
    requested_items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    notice_starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    granted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Optimistic lock: an UPDATE that finds another version fails (StaleDataError → 409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    employer: Mapped[Employer] = relationship()
    identity: Mapped[Identity | None] = relationship()
    endorsed_by: Mapped[User | None] = relationship(foreign_keys=[endorsed_by_id])
    first_approval_by: Mapped[User | None] = relationship(foreign_keys=[first_approval_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="application", order_by="StatusChange.id"
    )
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="application", order_by="ReviewDecision.id"
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )
    objections: Mapped[list[Objection]] = relationship(back_populates="application", order_by="Objection.id")
    card: Mapped[Card | None] = relationship(back_populates="application", uselist=False)
    instalments: Mapped[list[Instalment]] = relationship(
        back_populates="application", order_by="(Instalment.due_on, Instalment.programme, Instalment.sequence)"
    )
    revocation: Mapped[Revocation | None] = relationship(back_populates="application", uselist=False)

    @property
    def granted_programmes(self) -> list[str]:
        return [key for key in self.programmes.split(",") if key]

    @property
    def number(self) -> str:
        """The case number shown to people and on the decision letter."""
        return f"TA-{self.submitted_at:%Y}-{self.id:06d}"

    def snapshot(self) -> dict[str, Any]:
        """The state an audit event records. Never the facts: they hold the ID number."""
        return {
            "status": self.status,
            "review_round": self.review_round,
            "tier": self.tier,
            "policy_id": self.policy_id,
            "employer_id": self.employer_id,
            "endorsement_due_on": _iso(self.endorsement_due_on),
            "review_due_on": _iso(self.review_due_on),
            "first_approval_by_id": self.first_approval_by_id,
            "confirmed_by_id": self.confirmed_by_id,
            "notice_starts_on": _iso(self.notice_starts_on),
            "notice_ends_on": _iso(self.notice_ends_on),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class StatusChange(Base):
    """One step of the case's timeline, in words the applicant reads."""

    __tablename__ = "application_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)

    application: Mapped[Application] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()


class ReviewDecision(Base):
    """An officer's decision. One per (case, review round, stage): the database refuses a second one."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("application_id", "review_round", "stage", name="uq_review_decisions_round_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_round: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(8))  # first | second
    outcome: Mapped[str] = mapped_column(String(20))  # approve | reject | request_changes
    reason: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="decisions")
    officer: Mapped[User] = relationship()


class ApplicationDocument(Base):
    """Uploaded evidence. The file lives in storage (talent.storage) as evidence/<stored_name>, a random name."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class Objection(Base):
    """An objection filed during the public notice period."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|upheld|dismissed
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolution_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Optimistic lock, so two officers cannot resolve the same objection twice.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[Application] = relationship(back_populates="objections")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    def snapshot(self) -> dict[str, Any]:
        return {"application_id": self.application_id, "status": self.status}


class PersonRecord(Base):
    """What docs/policy.md §2 G6 needs to remember about a person across applications (and accounts).

    Found by the account and by a digest of the ID number, so a banned person does not escape the ban by
    registering a new account.
    """

    __tablename__ = "person_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True, nullable=True)
    id_digest: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    last_classified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_rejected_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    banned_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    def snapshot(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "last_classified_on": _iso(self.last_classified_on),
            "last_rejected_on": _iso(self.last_rejected_on),
            "revoked_on": _iso(self.revoked_on),
            "banned_until": _iso(self.banned_until),
        }


# The officers' review queue (services.reviews.QUEUE_STATUSES) in its order: the first page is read from the index.
_QUEUE = text("status IN ('in_review', 'awaiting_confirmation')")
Index("ix_applications_queue", Application.submitted_at, Application.id, postgresql_where=_QUEUE, sqlite_where=_QUEUE)
