"""The programme's figures, precomputed (talent.services.programme, docs/statistics.md).

`programme_figures` holds one row per (year, district, industry, education) with every count of the programme:
posts opened and their headcount, applications made, interviews arranged, offers made, hires, and the 12-month
retention of those hires (retained, left, asked, pending). It is rebuilt as a whole by `refresh_figures` (the
periodic task `talent.refresh_programme_figures`, every 15 minutes), so the statistics read a few thousand rows
instead of grouping hundreds of thousands; `programme_figure_refreshes` keeps the moment of the last rebuild,
which the pages and the API show ("as of").
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from talent.db import Base
from talent.models.jobs import Job

# The home page's counter of posts opened this year sums the headcount of posts by their opening moment.
Index("ix_jobs_created_at", Job.__table__.c.created_at)

MEASURES = ("posts", "headcount", "applications", "interviews", "offers", "hires",
            "retained", "left", "asked", "pending")


class ProgrammeFigure(Base):
    """The counts of one (year, district, industry, education); "" for an employer without an industry."""

    __tablename__ = "programme_figures"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(6), primary_key=True)
    industry: Mapped[str] = mapped_column(String(1), primary_key=True)
    education: Mapped[str] = mapped_column(String(10), primary_key=True)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    applications: Mapped[int] = mapped_column(Integer, default=0)
    interviews: Mapped[int] = mapped_column(Integer, default=0)
    offers: Mapped[int] = mapped_column(Integer, default=0)
    hires: Mapped[int] = mapped_column(Integer, default=0)
    retained: Mapped[int] = mapped_column(Integer, default=0)
    left: Mapped[int] = mapped_column(Integer, default=0)
    asked: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)


class ProgrammeFigureRefresh(Base):
    """The last rebuild of `programme_figures` (one row, id 1)."""

    __tablename__ = "programme_figure_refreshes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The Changchun date the retention states were worked out for (asked = due on or before it, no answer).
    as_of: Mapped[dt.date] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
