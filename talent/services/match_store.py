"""Stored matches: each consenting graduate's best open posts, computed in bulk and kept in the database.

`graduate_shards` splits the consenting graduates into lists of ids; `refresh_shard` ranks one list against
every open post with the model of talent.scoring and replaces those graduates' stored sets (`match_sets`
and their `stored_matches` rows). The Celery task and `talent match refresh` (services of another area) call
these two with one shared `computed_at` per city-wide refresh and commit each shard's transaction.

The model is fitted once per process and per refresh (keyed by the database and `computed_at`), from the
open posts read as plain columns (not ORM objects): a worker that handles many shards of one refresh fits
once. Posts created, edited or closed after `computed_at` are the readers' business (services.match_serving
tops the stored sets up with them), so a model fitted a little after `computed_at` is still right.

What is stored is relevance first (the model's default, `prefer` unset): a graduate's choice of "nearer first"
or "better paid first" reorders the stored set when it is served (services.match_serving), among posts of
similar relevance. With fair exposure (`FAIR_EXPOSURE` > 0, the default) each graduate's best `STORED_TOP`
posts are re-ranked by scoring.exposure.rerank before they are stored: a post shown to many graduates of the
shard relative to its headcount loses up to `FAIR_EXPOSURE` of its score, and the stored score is the lowered
one (so the serving path, which merges by score, keeps the order). Exposure is counted per shard (graduates
in id order), a sample of the city: loads are shares, so a shard measures them as the whole city would.

Atomicity: the old rows of the shard's graduates are deleted and the new ones inserted in the caller's
transaction, so a reader (READ COMMITTED on PostgreSQL, one writer at a time on SQLite) sees either the old
or the new set of each graduate, never a mixture; a worker killed in the middle leaves the old sets.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from typing import Any

import numpy as np
import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from talent.clock import today_in_changchun
from talent.models import User
from talent.models.jobs import GraduateProfile, Job
from talent.models.matches import MatchSet, StoredMatch
from talent.scoring import MatchModel
from talent.services.jobs import open_jobs_condition

log = logging.getLogger(__name__)

STORED_TOP = 50  # posts kept per graduate
FAIR_EXPOSURE = 0.2  # scoring.exposure.DEFAULT_STRENGTH; 0 stores the pure relevance ranking
_JOB_COLUMNS = (
    Job.id, Job.title, Job.description, Job.min_education, Job.district, Job.salary_min, Job.salary_max,
    Job.headcount, Job.majors, Job.occupation_code,
)
_GRADUATE_COLUMNS = (
    GraduateProfile.id, GraduateProfile.major, GraduateProfile.major_code, GraduateProfile.education,
    GraduateProfile.skills, GraduateProfile.preferred_districts, GraduateProfile.expected_salary,
    GraduateProfile.updated_at,
)

_lock = threading.Lock()
_cached: dict[str, Any] = {}  # "key" → (database, computed_at, day), "model" → MatchModel


def _consenting() -> Any:
    return (GraduateProfile.consent_to_match.is_(True)) & (User.is_active.is_(True))


def graduate_shards(session: Session, shard_size: int) -> list[list[int]]:
    """The ids of the consenting graduates' profiles (active accounts), in id order, in lists of at most
    `shard_size`."""
    if isinstance(shard_size, bool) or not isinstance(shard_size, int) or shard_size < 1:
        raise ValueError("shard_size must be a whole number ≥ 1")
    ids = list(
        session.scalars(
            select(GraduateProfile.id)
            .join(User, GraduateProfile.user_id == User.id)
            .where(_consenting())
            .order_by(GraduateProfile.id)
        )
    )
    return [ids[start : start + shard_size] for start in range(0, len(ids), shard_size)]


def job_line(row: Any, status: str = "open", occupation_column: int = 9) -> dict[str, Any]:
    """A post read as plain columns (id, title, description, min_education, district, salary_min, salary_max,
    headcount, majors, and the occupation code at `occupation_column`) in the job-line shape the model reads."""
    line = {
        "id": str(row[0]), "title": row[1], "description": row[2], "min_education": row[3], "district": row[4],
        "salary_min": row[5], "salary_max": row[6], "headcount": row[7], "majors": list(row[8] or []),
        "status": status,
    }
    code = row[occupation_column] if len(row) > occupation_column else None
    if code:
        line["occupation_code"] = code
    return line


def graduate_line(row: Any) -> dict[str, Any]:
    """A profile read as plain columns (`_GRADUATE_COLUMNS` order) in the graduate-line shape."""
    record: dict[str, Any] = {
        "id": str(row[0]), "major": row[1], "education": row[3], "skills": list(row[4] or []),
        "preferred_districts": list(row[5] or []), "expected_salary": row[6],
    }
    if row[2]:
        record["major_code"] = row[2]
    return record


def fit_open_posts(session: Session, day: dt.date) -> MatchModel:
    """A model of every post open on `day`, read in bulk as columns."""
    rows = session.execute(select(*_JOB_COLUMNS).where(open_jobs_condition(day)).order_by(Job.id))
    # One thread: the parallelism of a refresh is its worker processes.
    return MatchModel(n_threads=1).fit([job_line(row) for row in rows])


def ranking_model(session: Session, computed_at: dt.datetime) -> MatchModel:
    """The model of the open posts for the refresh of `computed_at`, fitted once per process."""
    bind = session.get_bind()
    key = (bind.url.render_as_string(hide_password=True), computed_at, today_in_changchun())
    with _lock:
        if _cached.get("key") != key:
            _cached.clear()  # free the previous refresh's model before fitting the next
            started = dt.datetime.now(dt.UTC)
            model = fit_open_posts(session, key[2])
            log.info("fitted %d open posts for the refresh of %s in %.1f s", len(model.job_ids_),
                     computed_at.isoformat(), (dt.datetime.now(dt.UTC) - started).total_seconds())
            _cached.update(key=key, model=model)
        return _cached["model"]


def refresh_shard(session: Session, graduate_ids: list[int], computed_at: dt.datetime,
                  fair_exposure: float | None = None) -> int:
    """Rank these graduates against every open post and replace their stored sets; returns how many
    graduates got a set. Ids of profiles that no longer consent (or are gone) lose their stored set.
    Flushes; the caller commits (one transaction per shard)."""
    ids = sorted({int(graduate_id) for graduate_id in graduate_ids})
    if not ids:
        return 0
    if computed_at.tzinfo is None:
        computed_at = computed_at.replace(tzinfo=dt.UTC)
    rows = list(
        session.execute(
            select(*_GRADUATE_COLUMNS)
            .join(User, GraduateProfile.user_id == User.id)
            .where(GraduateProfile.id.in_(ids), _consenting())
            .order_by(GraduateProfile.id)
        )
    )
    model = ranking_model(session, computed_at) if rows else None
    strength = FAIR_EXPOSURE if fair_exposure is None else fair_exposure
    sets: list[dict[str, Any]] = []
    matches: list[tuple[int, int, int, float, str]] = []
    if model is not None:
        updated = {row[0]: row[7] for row in rows}
        ranked_lines = [orjson.loads(line)
                        for block in model.rank_jobs_json_bytes([graduate_line(row) for row in rows], top=STORED_TOP)
                        for line in block.splitlines()]
        if strength > 0:
            ranked_lines = _fair(model, ranked_lines, strength)
        for ranked in ranked_lines:
            graduate_id = int(ranked["graduate_id"])
            for rank, match in enumerate(ranked["matches"], start=1):
                matches.append(
                    (graduate_id, rank, int(match["job_id"]), match["score"], orjson.dumps(match["why"]).decode())
                )
            sets.append({"graduate_profile_id": graduate_id, "computed_at": computed_at,
                         "profile_updated_at": updated[graduate_id], "size": len(ranked["matches"])})
    # Replace: the stored rows go with their set (ON DELETE CASCADE is not relied on: SQLite may run
    # without foreign keys), then the new sets and rows are written, all in the caller's transaction.
    session.execute(delete(StoredMatch).where(StoredMatch.graduate_profile_id.in_(ids)))
    session.execute(delete(MatchSet).where(MatchSet.graduate_profile_id.in_(ids)))
    if sets:
        session.execute(insert(MatchSet), sets)
        _insert_matches(session, matches, computed_at)
    session.flush()
    return len(sets)


def _fair(model: MatchModel, ranked_lines: list[dict[str, Any]], strength: float) -> list[dict[str, Any]]:
    """The shard's ranked lines re-ranked for fair exposure (scoring.exposure.rerank), scores lowered."""
    from talent.scoring.exposure import rerank

    position = {job_id: k for k, job_id in enumerate(model.job_ids_)}
    headcount = np.array([job.headcount or 1 for job in model.job_records_], dtype=np.float64)
    # Applications so far are not stored by the platform yet (the feedback table of the hiring issue): the
    # loads are the shard's exposure against headcount alone until then.
    applications = np.zeros(len(headcount))
    candidates = [[(position[m["job_id"]], m["score"]) for m in line["matches"]] for line in ranked_lines]
    reranked = rerank(candidates, headcount, applications, STORED_TOP, strength)
    result = []
    for line, chosen in zip(ranked_lines, reranked, strict=True):
        by_position = {position[m["job_id"]]: m for m in line["matches"]}
        result.append({"graduate_id": line["graduate_id"],
                       "matches": [{**by_position[k], "score": score} for k, score in chosen]})
    return result


def _insert_matches(session: Session, matches: list[tuple[int, int, int, float, str]],
                    computed_at: dt.datetime) -> None:
    if not matches:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: several times faster than a multi-row INSERT for the 50 rows of each graduate.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        stamp = computed_at.isoformat()
        buffer = io.StringIO()
        for graduate_id, rank, job_id, score, why in matches:
            escaped = why.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            buffer.write(f"{graduate_id}\t{rank}\t{job_id}\t{score!r}\t{escaped}\t{stamp}\n")
        with cursor.copy(
            "COPY stored_matches (graduate_profile_id, rank, job_id, score, why, computed_at) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        return
    session.execute(
        insert(StoredMatch),
        [
            {"graduate_profile_id": g, "rank": r, "job_id": j, "score": s, "why": w, "computed_at": computed_at}
            for g, r, j, s, w in matches
        ],
    )
