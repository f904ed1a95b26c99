"""Stored matches (each consenting graduate's best open posts, computed in bulk by `talent match refresh`) and
the search document of each post (the keyword index of job search).

`match_sets` says when a graduate's set was computed and for which version of the profile; `stored_matches`
holds its rows. A refresh replaces both for a graduate in one transaction, so a reader sees the old or the new
set, never a mixture. `why` is stored as the JSON text the model produced: it is only ever read back whole.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, SmallInteger, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from talent.db import Base
from talent.models.jobs import Job

# The keyword document: a tsvector on PostgreSQL (GIN-indexed), the same lexemes as plain text on SQLite.
SearchDocument = Text().with_variant(TSVECTOR(), "postgresql")


class MatchSet(Base):
    """One graduate's stored set: when it was computed and the profile version it ranked."""

    __tablename__ = "match_sets"

    graduate_profile_id: Mapped[int] = mapped_column(
        ForeignKey("graduate_profiles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    profile_updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    size: Mapped[int] = mapped_column(Integer)


class StoredMatch(Base):
    """One of a graduate's best open posts at `computed_at`, `rank` 1 the best."""

    __tablename__ = "stored_matches"
    # The employer's side: the graduates whose sets hold a post, best score first.
    __table_args__ = (Index("ix_stored_matches_job_id_score", "job_id", "score"),)

    graduate_profile_id: Mapped[int] = mapped_column(
        ForeignKey("match_sets.graduate_profile_id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    why: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JobSearchDocument(Base):
    """The lexemes of a post's title, employer and description (services.job_search), written with the post."""

    __tablename__ = "job_search_documents"
    # GIN on PostgreSQL; SQLite (development) gets a plain index it does not need, to keep one schema.
    __table_args__ = (Index("ix_job_search_documents_document", "document", postgresql_using="gin"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True,
                                        autoincrement=False)
    document: Mapped[str] = mapped_column(SearchDocument)
    # Title (A) and employer name (B) only: what relevance is ranked by (small, so ranking thousands of hits
    # does not read every hit's whole description).
    headline: Mapped[str] = mapped_column(SearchDocument)


# Job search pages through open posts newest first or best paid first (keyset order: the key, then the id).
Index("ix_jobs_created_at_id", Job.created_at, Job.id)
Index("ix_jobs_salary_max_id", Job.salary_max, Job.id)
