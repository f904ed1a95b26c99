"""Graduate positions posted by verified employers, and graduates' job-seeking profiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.employers import Employer
from talent.models.people import User
from talent.names.codes import EDUCATION

# Minimum education of a post / education of a graduate, lowest first (API.md job and graduate lines).
# The codes of talent.names.codes.EDUCATION above "none", in the reverse of that table's order.
EDUCATION_LEVELS = tuple(code for code in reversed(EDUCATION) if code != "none")
JOB_STATUSES = ("open", "closed")
# job: an ordinary post; internship: a training place (实训岗位), only a designated training base posts these.
JOB_KINDS = ("job", "internship")


class Job(Base):
    """One graduate position. Posts are never deleted: closing keeps them for the audit trail."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_closing_date", "status", "closing_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    min_education: Mapped[str] = mapped_column(String(10))
    district: Mapped[str] = mapped_column(String(6), index=True)
    salary_min: Mapped[int] = mapped_column(Integer)  # monthly, whole yuan
    salary_max: Mapped[int] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer)
    # Accepted majors as the employer wrote them: catalogue codes, class prefixes such as 0809, or names.
    majors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # CSCO-2022 occupation code (2-02-10-03): the platform's suggestion until the employer confirms or changes it.
    occupation_code: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    occupation_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closing_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    kind: Mapped[str] = mapped_column(String(12), default="job", server_default="job", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set on every change: the matching index catches up with the database by this column.
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    employer: Mapped[Employer] = relationship()

    def is_open_on(self, day: dt.date) -> bool:
        return self.status == "open" and (self.closing_date is None or self.closing_date >= day)

    def snapshot(self) -> dict[str, Any]:
        return {
            "employer_id": self.employer_id,
            "title": self.title,
            "description": self.description,
            "min_education": self.min_education,
            "district": self.district,
            "salary_min": self.salary_min,
            "salary_max": self.salary_max,
            "headcount": self.headcount,
            "majors": list(self.majors or []),
            "occupation_code": self.occupation_code,
            "occupation_confirmed": bool(self.occupation_confirmed),
            "closing_date": self.closing_date.isoformat() if self.closing_date else None,
            "status": self.status,
            "kind": self.kind,
        }


class GraduateProfile(Base):
    """What a graduate is looking for, and whether employers may see it (`consent_to_match`)."""

    __tablename__ = "graduate_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    major: Mapped[str] = mapped_column(String(100))
    # Catalogue code (普通高等学校本科专业目录) when the major is one of the catalogue's; free text otherwise.
    major_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    education: Mapped[str] = mapped_column(String(10))
    graduation_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    preferred_districts: Mapped[list[str]] = mapped_column(JSONType, default=list)
    expected_salary: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consent_to_match: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    consent_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Indexed: the candidate pool lists consenting profiles newest first (services.graduates).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # The version (`updated_at`) of this profile that the stored set of matches ranked; None: no stored set.
    # Written with the set (services.match_store); a profile whose version differs is ranked online.
    match_set_version: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user: Mapped[User] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {
            "major": self.major,
            "major_code": self.major_code,
            "education": self.education,
            "graduation_date": self.graduation_date.isoformat() if self.graduation_date else None,
            "skills": list(self.skills or []),
            "preferred_districts": list(self.preferred_districts or []),
            "expected_salary": self.expected_salary,
            "consent_to_match": self.consent_to_match,
        }


# The consenting graduates whose stored set is missing or ranked an older version of the profile: few (a saved
# profile is refreshed at once), found through this index by an employer's candidates (services.match_serving).
UNMATCHED = text("consent_to_match AND (match_set_version IS NULL OR match_set_version <> updated_at)")
Index("ix_graduate_profiles_unmatched", GraduateProfile.updated_at, GraduateProfile.id,
      postgresql_where=UNMATCHED, sqlite_where=UNMATCHED)
