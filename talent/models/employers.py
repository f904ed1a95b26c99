"""Employer organisations, identified by their unified social credit code (GB 32100)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, utcnow
from talent.models.people import User

EMPLOYER_KINDS = ("enterprise", "public_institution", "government")


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True, index=True)
    district: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(24), default="enterprise")
    # GB/T 4754-2017 section letter (A–T, talent.names.industries); optional: None is shown as "not given".
    industry: Mapped[str | None] = mapped_column(String(1), nullable=True)
    # The employer account that registered the organisation and acts for it.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def snapshot(self) -> dict[str, object]:
        return {
            "name": self.name,
            "credit_code": self.credit_code,
            "district": self.district,
            "kind": self.kind,
            "industry": self.industry,
            "verified": self.is_verified,
        }
