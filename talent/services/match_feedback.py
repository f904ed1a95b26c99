"""Feedback for matching: what the model showed to whom (impressions, with rank and score) and what came of it
(opened, invited, applied, shortlisted, interview, offer, hired, declined, withdrawn), one row per event in
`match_feedback` (docs/hiring.md, "Feedback for matching", describes the table for a training script).

Impressions are written in the request that shows them, as one INSERT executed for the whole list
(`session.execute(insert(...), rows)`: the driver's executemany — one statement, batched by the driver —
rather than one ORM object and statement per row); tests/api/test_hiring_api.py counts the statements.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from talent.db import utcnow
from talent.models.hiring import FEEDBACK_KINDS, MatchFeedback


def record_impressions(session: Session, surface: str, shown: Iterable[tuple[int, int, float]]) -> int:
    """Record a list shown at once: `(graduate_profile_id, job_id, score)` in the order shown (rank 1 first)."""
    now = utcnow()
    rows = [
        {"at": now, "kind": "impression", "graduate_profile_id": profile_id, "job_id": job_id, "surface": surface,
         "rank": rank, "score": float(score)}
        for rank, (profile_id, job_id, score) in enumerate(shown, start=1)
    ]
    if rows:
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
