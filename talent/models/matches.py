"""Stored matches (each consenting graduate's best open posts, computed in bulk by `talent match refresh`) and
the search document of each post (the keyword index of job search).

`match_sets` holds one row per graduate: when the set was computed, for which version of the profile, and the
set itself as two parallel arrays (post ids best first, their scores) — an integer and a float array on
PostgreSQL (the post ids GIN-indexed for the employer's side), JSON lists on SQLite. A refresh replaces the row
in one statement, so a reader sees the old or the new set, never a mixture. The reasons (`why`) are not stored:
they are a function of the profile and the post, both unchanged since the set was computed whenever the set is
used, and are rebuilt for the few posts a request shows (services.match_serving).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from talent.db import Base
from talent.models.jobs import Job

# The keyword document: a tsvector on PostgreSQL (GIN-indexed), the same lexemes as plain text on SQLite.
SearchDocument = Text().with_variant(TSVECTOR(), "postgresql")
# A set's post ids and scores: arrays on PostgreSQL, JSON lists on SQLite.
IdArray = JSON().with_variant(ARRAY(Integer), "postgresql")
ScoreArray = JSON().with_variant(ARRAY(Float), "postgresql")


class MatchSet(Base):
    """One graduate's stored set: when it was computed, the profile version it ranked, and its posts (best first)
    with their scores."""

    __tablename__ = "match_sets"
    # The employer's side: the sets that hold a post (`job_ids @> ARRAY[post]`, GIN on PostgreSQL).
    __table_args__ = (Index("ix_match_sets_job_ids", "job_ids", postgresql_using="gin"),)

    graduate_profile_id: Mapped[int] = mapped_column(
        ForeignKey("graduate_profiles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # Indexed: an employer's candidates ask whether any set predates the post's last change.
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    profile_updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    size: Mapped[int] = mapped_column(Integer)
    job_ids: Mapped[list[Any]] = mapped_column(IdArray)
    scores: Mapped[list[Any]] = mapped_column(ScoreArray)


class JobSearchDocument(Base):
    """The lexemes of a post's title, employer and description (services.job_search), written with the post."""

    __tablename__ = "job_search_documents"
    # GIN on PostgreSQL; SQLite (development) gets a plain index it does not need, to keep one schema.
    __table_args__ = (Index("ix_job_search_documents_document", "document", postgresql_using="gin"),
                      Index("ix_job_search_documents_headline", "headline", postgresql_using="gin"))

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True,
                                        autoincrement=False)
    document: Mapped[str] = mapped_column(SearchDocument)
    # Title (A) and employer name (B) only: what relevance is ranked by (small, so ranking thousands of hits
    # does not read every hit's whole description).
    headline: Mapped[str] = mapped_column(SearchDocument)
    # The post's creation time, copied: search reads a keyword's hits newest first within windows of this date
    # (services.job_search), through this index together with the keyword's.
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


# Job search pages through open posts newest first or best paid first (keyset order: the key, then the id).
Index("ix_jobs_created_at_id", Job.created_at, Job.id)
Index("ix_jobs_salary_max_id", Job.salary_max, Job.id)
