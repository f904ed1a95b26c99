"""Feedback for matching: what the model showed to whom (impressions, with rank and score) and what came of it
(opened, invited, applied, shortlisted, interview, offer, hired, declined, withdrawn), one row per event in
`match_feedback` (docs/hiring.md, "Feedback for matching", describes the table for a training script).

Impressions are written in the request that shows them, as one INSERT executed for the whole list
(`session.execute(insert(...), rows)`: the driver's executemany — one statement, batched by the driver —
rather than one ORM object and statement per row); tests/api/test_hiring_api.py counts the statements.
Nothing here commits.

`outcome_lines` and `training_records` export the table for training (docs/matching.md, "Training on outcomes";
`talent match feedback-export`): one line per (graduate, post) with the counts the learned ranker's
`learn.read_outcomes` reads, and the job and graduate lines of the same posts and profiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, insert, select, text
from sqlalchemy.orm import Session

from talent.db import utcnow
from talent.models.hiring import FEEDBACK_KINDS, MatchFeedback
from talent.models.jobs import GraduateProfile, Job

# The export's counts (learn.OUTCOME_FIELDS) and the kinds of event each one counts. A pair that reached an
# interview or an offer was at least shortlisted (the employer may skip the shortlist), so those count there;
# "invited" alone is not an outcome of the graduate's (an accepted invitation is written as "applied").
OUTCOME_KINDS: dict[str, tuple[str, ...]] = {
    "impressions": ("impression",),
    "opened": ("opened",),
    "applied": ("applied",),
    "shortlisted": ("shortlisted", "interview", "offer"),
    "hired": ("hired",),
}


def record_impressions(session: Session, surface: str, shown: Iterable[tuple[int, int, float]]) -> int:
    """Record a list shown at once: `(graduate_profile_id, job_id, score)` in the order shown (rank 1 first)."""
    now = utcnow()
    rows = [
        {"at": now, "kind": "impression", "graduate_profile_id": profile_id, "job_id": job_id, "surface": surface,
         "rank": rank, "score": float(score)}
        for rank, (profile_id, job_id, score) in enumerate(shown, start=1)
    ]
    if rows:
        if session.get_bind().dialect.name == "postgresql":
            # Impressions are statistics, not records: the request that serves a list (and writes nothing
            # else) need not wait for the disk at its commit; a crash may lose the last fraction of a second of
            # impressions. The setting is local to this transaction (docs/hiring.md).
            session.execute(text("SET LOCAL synchronous_commit = off"))
        session.execute(insert(MatchFeedback), rows)
    return len(rows)


def record(session: Session, kind: str, graduate_profile_id: int, job_id: int, *, surface: str | None = None,
           rank: int | None = None, score: float | None = None) -> None:
    """One outcome event for a (graduate, post) pair."""
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}")
    session.execute(insert(MatchFeedback), [{
        "at": utcnow(), "kind": kind, "graduate_profile_id": graduate_profile_id, "job_id": job_id,
        "surface": surface, "rank": rank, "score": score}])


@dataclass(frozen=True)
class Shown:
    rank: int | None
    score: float | None


def last_impression(session: Session, graduate_profile_id: int, job_id: int) -> Shown | None:
    """The latest time the post was shown to the graduate (its rank and score), if ever."""
    row = session.execute(
        select(MatchFeedback.rank, MatchFeedback.score)
        .where(MatchFeedback.graduate_profile_id == graduate_profile_id, MatchFeedback.job_id == job_id,
               MatchFeedback.kind == "impression")
        .order_by(MatchFeedback.id.desc()).limit(1)).first()
    return Shown(row[0], row[1]) if row is not None else None


def outcome_lines(session: Session) -> list[dict[str, Any]]:
    """The feedback table as the learned ranker's outcomes: one line per (graduate, post) with at least one event
    counted (`OUTCOME_KINDS`), `{graduate_id, job_id, impressions, opened, applied, shortlisted, hired}`, ids as
    strings (the job and graduate lines' ids), in (graduate, post) order. One grouped query."""
    counts = [func.sum(case((MatchFeedback.kind.in_(kinds), 1), else_=0)).label(name)
              for name, kinds in OUTCOME_KINDS.items()]
    every_kind = [kind for kinds in OUTCOME_KINDS.values() for kind in kinds]
    rows = session.execute(
        select(MatchFeedback.graduate_profile_id, MatchFeedback.job_id, *counts)
        .where(MatchFeedback.kind.in_(every_kind))
        .group_by(MatchFeedback.graduate_profile_id, MatchFeedback.job_id)
        .order_by(MatchFeedback.graduate_profile_id, MatchFeedback.job_id))
    return [{"graduate_id": str(row[0]), "job_id": str(row[1]),
             **{name: int(value or 0) for name, value in zip(OUTCOME_KINDS, row[2:], strict=True)}}
            for row in rows]


def training_records(session: Session, lines: list[dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(outcome lines, job lines, graduate lines) for `talent match train --outcomes`: the posts and profiles the
    lines name that still exist, in the shapes the model reads (services.jobs.job_record,
    services.graduates.graduate_record); lines naming a deleted post or profile are left out (the table has no
    foreign keys). Posts are exported as open: the question is how relevant the post was when it was shown, and
    a post that has since filled and closed is exactly the one that hired."""
    from talent.services.graduates import graduate_record
    from talent.services.jobs import job_record

    job_ids = sorted({int(line["job_id"]) for line in lines})
    profile_ids = sorted({int(line["graduate_id"]) for line in lines})
    jobs: dict[int, Job] = {}
    profiles: dict[int, GraduateProfile] = {}
    for start in range(0, max(len(job_ids), len(profile_ids)), 5000):
        jobs.update((job.id, job) for job in session.scalars(
            select(Job).where(Job.id.in_(job_ids[start:start + 5000]))))
        profiles.update((profile.id, profile) for profile in session.scalars(
            select(GraduateProfile).where(GraduateProfile.id.in_(profile_ids[start:start + 5000]))))
    kept = [line for line in lines if int(line["job_id"]) in jobs and int(line["graduate_id"]) in profiles]
    job_lines = [{**job_record(jobs[job_id]), "status": "open"} for job_id in sorted(jobs)]
    graduate_lines = [graduate_record(profiles[profile_id]) for profile_id in sorted(profiles)]
    return kept, job_lines, graduate_lines
