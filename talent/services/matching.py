"""The bridge between the database and the similarity model (talent.scoring), for web requests.

No request fits the model of every open post (that is `talent match refresh`'s work, services.match_store):
a graduate's matches are the stored set topped up with the posts changed since, an employer's candidates the
graduates whose stored sets hold the post plus a bounded online ranking (services.match_serving explains
how, and what each request costs). Every post shown is checked once more against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent.models import User
from talent.models.jobs import GraduateProfile, Job
from talent.services import InvalidInput, match_feedback, match_serving
from talent.services.graduates import graduate_record, require_profile
from talent.services.jobs import job_of_caller, job_record

MAX_LIMIT = 100
# At most this many consenting profiles are ranked online for one post (the most recently updated ones among
# those the stored sets cannot speak for), so that a candidates request costs the same however many graduates
# the platform holds.
CANDIDATE_POOL = match_serving.CANDIDATE_POOL


# --- use cases ------------------------------------------------------------------------------------


@dataclass
class JobMatch:
    job: Job
    score: float
    why: dict[str, Any]


@dataclass
class Candidate:
    profile: GraduateProfile
    score: float
    why: dict[str, Any]


def check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("The limit is not valid.", {"limit": [f"Must be between 1 and {MAX_LIMIT}."]})


PREFER_CHOICES = ("relevance", "near", "pay")


def check_prefer(prefer: str | None) -> str:
    if prefer in (None, ""):
        return "relevance"
    if prefer not in PREFER_CHOICES:
        raise InvalidInput("The order is not valid.", {"prefer": [f"Must be one of: {', '.join(PREFER_CHOICES)}."]})
    return prefer


def matches_for_graduate(session: Session, actor: User, limit: int = 10, prefer: str | None = None, *,
                         surface: str | None = None) -> list[JobMatch]:
    """The open posts that best fit the caller's graduate profile, best first, each with its why.

    Relevance first; `prefer` ("near": preferred districts, "pay": pay at or above the expectation) reorders
    posts of similar relevance only (docs/matching.md, "Relevance first").
    Never a post whose minimum education is above the graduate's, nor a closed or expired one: the posts are
    read from the database with both conditions before they are returned. With `surface` (where they are shown),
    the list is recorded as impressions for the matching feedback, in one INSERT (services.match_feedback)."""
    check_limit(limit)
    prefer = check_prefer(prefer)
    profile = require_profile(session, actor)
    ranked, jobs = match_serving.rank_for_graduate(
        session, profile, graduate_record(profile), limit, match_serving.recent_posts(), prefer)
    if surface is not None:
        match_feedback.record_impressions(session, surface, [(profile.id, item.job_id, item.score) for item in ranked])
    return [JobMatch(job=jobs[item.job_id], score=item.score, why=item.why) for item in ranked]


def candidates_for_job(session: Session, actor: User, job_id: int, limit: int = 10, *,
                       surface: str | None = None) -> tuple[Job, list[Candidate]]:
    """The consenting graduates who best fit one of the caller's posts, best first, each with its why (recorded as
    impressions with `surface`, as for a graduate's matches)."""
    check_limit(limit)
    job = job_of_caller(session, actor, job_id)
    record = job_record(job)
    # A recruiter may still look at who fitted a post after closing it: rank it as the post it was.
    record["status"] = "open"
    ranked = match_serving.rank_for_job(session, job, record, limit, match_serving.recent_posts(),
                                        pool=CANDIDATE_POOL)
    # Only the candidates shown need their account (for the masked name): one query for all of them, which
    # leaves them in the session for `profile.user`.
    list(session.scalars(select(User).where(User.id.in_([item.profile.user_id for item in ranked]))))
    if surface is not None:
        match_feedback.record_impressions(session, surface, [(item.profile.id, job.id, item.score) for item in ranked])
    return job, [Candidate(profile=item.profile, score=item.score, why=item.why) for item in ranked]
