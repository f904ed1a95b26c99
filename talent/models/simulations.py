"""Saved policy simulations: a reform, the population it was run on, and the result (talent.simulation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, JSONType, utcnow
from talent.models.people import User


class Simulation(Base):
    __tablename__ = "simulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reform_id: Mapped[str] = mapped_column(String(80))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    reform_yaml: Mapped[str] = mapped_column(Text)  # the reform as written, re-checked whenever it is used
    population: Mapped[str] = mapped_column(String(20))  # platform | upload
    population_size: Mapped[int] = mapped_column(Integer)
    years: Mapped[int] = mapped_column(Integer)
    from_year: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    created_by: Mapped[User] = relationship()

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh
