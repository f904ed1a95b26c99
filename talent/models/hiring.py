"""Hiring through the platform: graduates' applications to posts (and employers' invitations), each move of an
application, the placements that hires make, the 12-month retention answers, and the matching feedback events.

docs/hiring.md describes the states and who may move them; the tables are meant to be read directly by the
programme's statistics (counts by year, district, industry and education) and by the matching model's training
script (docs/hiring.md, "Feedback for matching"):

- `job_applications`: one row per (post, graduate) — the unique constraint is the "one application per post"
  rule. `status` is the current state; the moments a row first reached each stage are kept in their own columns
  (`applied_at`, `shortlisted_at`, `interview_at_set`, `offered_at`, `hired_at`, `closed_at`) so that a count
  of "reached interview" does not need the history.
- `job_application_changes`: every move, in order (from, to, who, when, the reason code).
- `placements`: one row per hire: the start date, the day the 12-month question is due, and its outcome.
- `retention_answers`: one row per placement and respondent (graduate, employer, social_insurance).
- `match_feedback`: append-only events (impression, opened, invited, applied, shortlisted, interview, offer,
  hired, declined, withdrawn) keyed by (graduate profile, post).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, utcnow
from talent.models.employers import Employer
from talent.models.jobs import GraduateProfile, Job
from talent.models.people import User

# The states of an application (talent.names.hiring.STATUSES names them).
INVITED, APPLIED, SHORTLISTED, INTERVIEW, OFFER, HIRED = "invited", "applied", "shortlisted", "interview", "offer", "hired"
DECLINED, WITHDRAWN, OFFER_DECLINED, INVITATION_DECLINED = "declined", "withdrawn", "offer_declined", "invitation_declined"
JOB_APPLICATION_STATUSES = (INVITED, APPLIED, SHORTLISTED, INTERVIEW, OFFER, HIRED, DECLINED, WITHDRAWN,
                            OFFER_DECLINED, INVITATION_DECLINED)
# Still in the employer's pipeline (the graduate may withdraw; the employer may move it on or decline it).
ACTIVE_STATUSES = (APPLIED, SHORTLISTED, INTERVIEW, OFFER)
FINAL_STATUSES = (HIRED, DECLINED, WITHDRAWN, OFFER_DECLINED, INVITATION_DECLINED)

# Placement.retention
RETENTION_PENDING, RETENTION_ASKED, RETAINED, LEFT = "pending", "asked", "retained", "left"

FEEDBACK_KINDS = ("impression", "opened", "invited", "applied", "shortlisted", "interview", "offer", "hired",
                  "declined", "withdrawn")


class JobApplication(Base):
    """A graduate's application to one post (or an employer's invitation to apply to it)."""

    __tablename__ = "job_applications"
    __table_args__ = (
        UniqueConstraint("job_id", "graduate_profile_id", name="uq_job_applications_job_id_graduate_profile_id"),
        Index("ix_job_applications_job_id_status", "job_id", "status"),
        Index("ix_job_applications_employer_id_status", "employer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    # The post's organisation, copied so that an employer's pipeline and the statistics need no join.
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    graduate_profile_id: Mapped[int] = mapped_column(ForeignKey("graduate_profiles.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # "graduate" (applied on their own) or "employer" (invited first).
    source: Mapped[str] = mapped_column(String(10), default="graduate")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # the graduate's covering note
    invitation_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # An optional CV (PDF), kept in storage under `cv/<cv_stored_name>`.
    cv_stored_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cv_original_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cv_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cv_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The latest interview arranged: when, and where or the online link (at least one of the two).
    interview_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    interview_place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    interview_link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The offer's proposed start date; the hire's start date (placements.start_date) defaults to it.
    offer_start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Why the employer declined (talent.names.hiring.DECLINE_REASONS) and their own words, both shown to the graduate.
    decline_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decline_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The score and rank the post had in the graduate's matches when they applied (None: not from the matches).
    match_score: Mapped[float | None] = mapped_column(Float, nullable=True)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    shortlisted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    interview_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Optimistic lock: two moves of the same application at once → one of them is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    job: Mapped[Job] = relationship()
    employer: Mapped[Employer] = relationship()
    profile: Mapped[GraduateProfile] = relationship()
    applicant: Mapped[User] = relationship()
    changes: Mapped[list[JobApplicationChange]] = relationship(
        back_populates="application", order_by="JobApplicationChange.id")
    placement: Mapped[Placement | None] = relationship(back_populates="application", uselist=False)

    def snapshot(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "graduate_profile_id": self.graduate_profile_id,
            "status": self.status,
            "source": self.source,
            "interview_at": self.interview_at.isoformat() if self.interview_at else None,
            "interview_place": self.interview_place,
            "interview_link": self.interview_link,
            "offer_start_date": self.offer_start_date.isoformat() if self.offer_start_date else None,
            "decline_reason": self.decline_reason,
            "has_cv": self.cv_stored_name is not None,
        }


class JobApplicationChange(Base):
    """One move of an application: the pipeline's history, in order."""

    __tablename__ = "job_application_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_application_id: Mapped[int] = mapped_column(ForeignKey("job_applications.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(20), nullable=True)

    application: Mapped[JobApplication] = relationship(back_populates="changes")


class Placement(Base):
    """A hire made through the platform: who started where and when, and whether they stayed 12 months."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_application_id: Mapped[int] = mapped_column(ForeignKey("job_applications.id"), unique=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    # start_date + 12 months (29 February → 28 February): the day the retention question is asked.
    retention_due_on: Mapped[date] = mapped_column(Date, index=True)
    retention_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # pending (not yet due) | asked (due, no deciding answer) | retained | left (docs/hiring.md: how answers count)
    retention: Mapped[str] = mapped_column(String(10), default=RETENTION_PENDING, index=True)
    retention_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[JobApplication] = relationship(back_populates="placement")
    graduate: Mapped[User] = relationship()
    employer: Mapped[Employer] = relationship()
    job: Mapped[Job] = relationship()
    answers: Mapped[list[RetentionAnswer]] = relationship(back_populates="placement", order_by="RetentionAnswer.id")


class RetentionAnswer(Base):
    """One side's answer to "does the graduate still work in Changchun?" (the latest answer of each side counts)."""

    __tablename__ = "retention_answers"
    __table_args__ = (UniqueConstraint("placement_id", "respondent", name="uq_retention_answers_placement_id_respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"))
    respondent: Mapped[str] = mapped_column(String(20))  # graduate | employer | social_insurance
    still_in_changchun: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # For `social_insurance`: the talent application whose facts said so.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True)

    placement: Mapped[Placement] = relationship(back_populates="answers")


class MatchFeedback(Base):
    """What the matching model showed and what came of it, one row per event (docs/hiring.md).

    Append-only and narrow, so that impressions can be inserted in bulk with the page that shows them and a
    training script can read them in `id` order. `rank` (1-based) and `score` are set on impressions (and on an
    application that came from the matches); `surface` says where: graduate_matches (page), api_matches,
    candidates (an employer's candidate list), job_page, pipeline.
    """

    __tablename__ = "match_feedback"
    __table_args__ = (
        Index("ix_match_feedback_pair", "graduate_profile_id", "job_id"),
        Index("ix_match_feedback_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(12))
    graduate_profile_id: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int] = mapped_column(Integer)
    surface: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
