"""Youth-talent apartments (docs/policy.md §9): communities, buildings, units, applications, rounds, offers, leases.

Races are settled by the database: a unit has at most one pending offer (`ApartmentOffer.open_unit_id` unique)
and at most one running lease (`ApartmentLease.active_unit_id` unique); a person has at most one open
application (`ApartmentApplication.open_applicant_id` unique). Rounds and offers carry a version column, so a
second close or a second answer that slipped past the row lock fails at flush.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.people import User

UNIT_FREE = "free"
UNIT_OFFERED = "offered"
UNIT_LET = "let"
UNIT_MAINTENANCE = "maintenance"
UNIT_STATUSES = (UNIT_FREE, UNIT_OFFERED, UNIT_LET, UNIT_MAINTENANCE)


class ApartmentCommunity(Base):
    __tablename__ = "apartment_communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(6))  # GB/T 2260 division code
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    buildings: Mapped[list[ApartmentBuilding]] = relationship(back_populates="community", order_by="ApartmentBuilding.id")

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en, "district": self.district,
                "address": self.address}


class ApartmentBuilding(Base):
    __tablename__ = "apartment_buildings"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_apartment_buildings_community_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("apartment_communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))

    community: Mapped[ApartmentCommunity] = relationship(back_populates="buildings")


class ApartmentUnit(Base):
    __tablename__ = "apartment_units"
    __table_args__ = (UniqueConstraint("building_id", "number", name="uq_apartment_units_building_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("apartment_buildings.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("apartment_communities.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    unit_type: Mapped[str] = mapped_column(String(10))  # studio | one_bed | two_bed
    area_m2: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    status: Mapped[str] = mapped_column(String(12), default=UNIT_FREE, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    building: Mapped[ApartmentBuilding] = relationship()
    community: Mapped[ApartmentCommunity] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"community_id": self.community_id, "building_id": self.building_id, "number": self.number,
                "unit_type": self.unit_type, "area_m2": str(self.area_m2), "status": self.status}


APPLICATION_OPEN = "open"  # waiting for the next round's draw
APPLICATION_OFFERED = "offered"
APPLICATION_WAITING = "waiting"  # on a round's waiting list (and in the next round's draw)
APPLICATION_HOUSED = "housed"
APPLICATION_DECLINED = "declined"
APPLICATION_WITHDRAWN = "withdrawn"
APPLICATION_EXCLUDED = "excluded"
OPEN_APPLICATION_STATUSES = (APPLICATION_OPEN, APPLICATION_OFFERED, APPLICATION_WAITING)


class ApartmentApplication(Base):
    __tablename__ = "apartment_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The applicant's id while the application is open, NULL afterwards: one open application per person.
    open_applicant_id: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    communities: Mapped[list[int]] = mapped_column(JSONType)  # up to 3 community ids, in order of preference
    unit_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=APPLICATION_OPEN, index=True)
    application_date: Mapped[date] = mapped_column(Date)
    # From the rule engine's decision on the application date.
    eligible: Mapped[bool] = mapped_column(default=False)
    priority_group: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(1), nullable=True)
    education: Mapped[str | None] = mapped_column(String(12), nullable=True)
    policy_id: Mapped[str] = mapped_column(String(16))
    monthly_rent: Mapped[int] = mapped_column(Integer)
    max_months: Mapped[int] = mapped_column(Integer)
    source_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    applicant: Mapped[User] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"applicant_id": self.applicant_id, "communities": list(self.communities), "unit_type": self.unit_type,
                "status": self.status, "priority_group": self.priority_group, "eligible": self.eligible,
                "application_date": self.application_date.isoformat()}


ROUND_OPEN = "open"  # commitment published, taking applications
ROUND_ALLOCATED = "allocated"  # closed: seed, inputs and result published


class ApartmentRound(Base):
    __tablename__ = "apartment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default=ROUND_OPEN, index=True)
    closes_on: Mapped[date] = mapped_column(Date)
    # The secret seed is kept from the public until the round closes; the commitment binds it from the start.
    secret_seed: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64), nullable=True)  # published when closed
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    inputs_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    allocated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "closes_on": self.closes_on.isoformat(),
                "commitment": self.commitment, "seed": self.seed, "inputs_digest": self.inputs_digest}


class ApartmentRoundUnit(Base):
    """A unit a round offers (a unit is in at most one open round: checked when the round opens)."""

    __tablename__ = "apartment_round_units"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", name="uq_apartment_round_units_round_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("apartment_rounds.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("apartment_units.id"), index=True)


OFFER_PENDING = "pending"
OFFER_ACCEPTED = "accepted"
OFFER_DECLINED = "declined"
OFFER_EXPIRED = "expired"


class ApartmentOffer(Base):
    __tablename__ = "apartment_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("apartment_rounds.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("apartment_applications.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("apartment_units.id"), index=True)
    # Set while pending: a unit has at most one pending offer, an application at most one.
    open_unit_id: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    open_application_id: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    source: Mapped[str] = mapped_column(String(12))  # draw | reoffer
    status: Mapped[str] = mapped_column(String(12), default=OFFER_PENDING, index=True)
    offered_on: Mapped[date] = mapped_column(Date)
    respond_by: Mapped[date] = mapped_column(Date, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[ApartmentApplication] = relationship()
    unit: Mapped[ApartmentUnit] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"round_id": self.round_id, "application_id": self.application_id, "unit_id": self.unit_id,
                "source": self.source, "status": self.status, "offered_on": self.offered_on.isoformat(),
                "respond_by": self.respond_by.isoformat()}


class ApartmentLease(Base):
    __tablename__ = "apartment_leases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("apartment_units.id"), index=True)
    # The unit's id while the lease runs, NULL after the move-out: never two leases on one unit at once.
    active_unit_id: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("apartment_applications.id"), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("apartment_offers.id"), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day of the lease
    months: Mapped[int] = mapped_column(Integer)
    monthly_rent: Mapped[int] = mapped_column(Integer)  # integer yuan
    moved_out_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    move_out_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[ApartmentUnit] = relationship()
    tenant: Mapped[User] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "application_id": self.application_id, "tenant_id": self.tenant_id,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(), "months": self.months,
                "monthly_rent": self.monthly_rent,
                "moved_out_on": self.moved_out_on.isoformat() if self.moved_out_on else None}
