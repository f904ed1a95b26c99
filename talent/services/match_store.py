"""Stored matches: each consenting graduate's best open posts, computed in bulk and kept in the database.

`graduate_shards` splits the consenting graduates into lists of ids; `refresh_shard` ranks one list against
every open post with the model of talent.scoring and replaces those graduates' stored sets (one `match_sets`
row per graduate: the post ids best first and their scores). The Celery task and `talent match refresh`
(services of another area) call these two with one shared `computed_at` per city-wide refresh and commit each
shard's transaction. The reasons are not stored: services.match_serving rebuilds them for the posts it shows
(they depend only on the profile and the post, both unchanged whenever a stored set is used).

The model is fitted once per refresh (keyed by the database and `computed_at`), from the open posts read as
plain columns (not ORM objects): a worker process that handles many shards of one refresh fits once, and the
processes of one machine share that fit — the first one to need it fits and saves the fitted state in the
instance folder (`match-models/`, under a file lock), the others wait for the lock and load it, the post
vectors memory-mapped (one copy in the page cache for all of them). Posts created, edited or closed after
`computed_at` are the readers' business (services.match_serving tops the stored sets up with them), so a model
fitted a little after `computed_at` is still right.

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

import ctypes
import datetime as dt
import fcntl
import gc
import hashlib
import io
import logging
import mmap
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from talent.clock import today_in_changchun
from talent.models import User
from talent.models.jobs import GraduateProfile, Job
from talent.models.matches import MatchSet
from talent.scoring import MatchModel
from talent.services.hiring import open_applications_by_job
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
_cached: dict[str, Any] = {}  # without an application: "key" → (database, computed_at, day), "model" → MatchModel


def _model_cache() -> dict[str, Any]:
    """The fitted model this process keeps: per application (a worker has one; each test its own)."""
    try:
        from flask import current_app

        return current_app.extensions.setdefault("talent.match_model", {})  # type: ignore[no-any-return]
    except RuntimeError:
        return _cached


def _consenting() -> Any:
    return (GraduateProfile.consent_to_match.is_(True)) & (User.is_active.is_(True))


def graduate_shards(session: Session, shard_size: int) -> list[list[int]]:
    """The ids of the consenting graduates' profiles (active accounts), in lists of at most `shard_size`,
    ordered by major (code — profiles without one last, on every database — then name), then id: the graduates of one shard share few majors, and a shard's
    ranking keeps one score row per post for each distinct major it holds (MatchModel._rank_matrix) — with the
    city's majors mixed in id order that table alone took some 350 MB per shard of 2,000."""
    if isinstance(shard_size, bool) or not isinstance(shard_size, int) or shard_size < 1:
        raise ValueError("shard_size must be a whole number ≥ 1")
    ids = list(
        session.scalars(
            select(GraduateProfile.id)
            .join(User, GraduateProfile.user_id == User.id)
            .where(_consenting())
            .order_by(GraduateProfile.major_code.is_(None), GraduateProfile.major_code, GraduateProfile.major,
                      GraduateProfile.id)
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
    # Streamed (a server-side cursor on PostgreSQL): the rows and their job lines are not all held at once.
    rows = session.execute(select(*_JOB_COLUMNS).where(open_jobs_condition(day)).order_by(Job.id)
                           .execution_options(yield_per=2000))
    # One thread: the parallelism of a refresh is its worker processes.
    return MatchModel(n_threads=1).fit(job_line(row) for row in rows)


# The fitted state saved for the other processes of the machine: everything but the post vectors is pickled,
# the vectors are one .npy file loaded memory-mapped (read-only, shared through the page cache).
_SAVED_STATE = ("job_records_", "job_ids_", "job_levels_", "feature_names_", "knowledge_fingerprint_")


def _model_folder() -> Path | None:
    try:
        from flask import current_app

        folder = current_app.config.get("MATCH_MODEL_FOLDER") or Path(current_app.config["INSTANCE_PATH"]) / "match-models"
    except (RuntimeError, KeyError):  # no application (a script): fit in this process only
        return None
    return Path(folder)


def _save_fitted(model: MatchModel, stem: Path, key: tuple[str, dt.datetime, dt.date]) -> None:
    state = {name: getattr(model, name) for name in _SAVED_STATE}
    # Which refresh it is, readable without loading the rest (services.match_store.latest_model).
    stem.with_suffix(".json").write_text(orjson.dumps(
        {"database": key[0], "computed_at": key[1].isoformat(), "day": key[2].isoformat()}).decode())
    matrix_tmp = stem.with_suffix(".npy.tmp")
    with open(matrix_tmp, "wb") as handle:
        np.save(handle, np.ascontiguousarray(model.job_matrix_))
    state_tmp = stem.with_suffix(".pickle.tmp")
    with open(state_tmp, "wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(matrix_tmp, stem.with_suffix(".npy"))
    os.replace(state_tmp, stem.with_suffix(".pickle"))  # last: its presence means both files are whole


def _load_fitted(stem: Path) -> MatchModel | None:
    state_path = stem.with_suffix(".pickle")
    if not state_path.exists():
        return None
    with open(state_path, "rb") as handle:
        state = pickle.load(handle)  # noqa: S301 — written by this code into the instance folder
    model = MatchModel(n_threads=1)
    if state["knowledge_fingerprint_"] != model._layout().kb.fingerprint:
        return None  # saved by a process with other knowledge (a deploy in between): fit afresh
    for name, value in state.items():
        setattr(model, name, value)
    model.job_matrix_ = np.load(stem.with_suffix(".npy"), mmap_mode="r")
    model._ranking_cache = None
    model._profile_cache = None
    return model


def _release_pages(array: Any) -> None:
    """Tell the kernel this process no longer needs the resident pages of a memory-mapped array (np.load with
    mmap_mode): they stop counting in its memory and are read from the file again if used."""
    mapped = getattr(array, "_mmap", None)
    if mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


def _return_freed_memory() -> None:
    """Give the memory the fit freed back to the system (glibc keeps freed heap for reuse otherwise: the fitting
    worker would stay some hundreds of MB above the others for the rest of the refresh)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def shared_fit(session: Session, key: tuple[str, dt.datetime, dt.date]) -> MatchModel:
    """The model of the open posts for this refresh: loaded if another process of this machine has fitted it,
    else fitted here and saved for the others (a file lock makes the others wait instead of fitting too)."""
    folder = _model_folder()
    if folder is None:
        return fit_open_posts(session, key[2])
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    stem = folder / f"refresh-{digest}"
    with open(folder / "fit.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            model = _load_fitted(stem)
            if model is not None:
                return model
            fitted = fit_open_posts(session, key[2])
            _save_fitted(fitted, stem, key)
            # Used as the others use it (the vectors memory-mapped): what the fit left behind is freed.
            del fitted
            gc.collect()
            _return_freed_memory()
            model = _load_fitted(stem)
            assert model is not None
            # Earlier refreshes' files go (a process still using one keeps its mapping until it lets go).
            for old in folder.glob("refresh-*"):
                if not old.name.startswith(stem.name):
                    old.unlink(missing_ok=True)
            return model
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _database(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=True)


def ranking_model(session: Session, computed_at: dt.datetime) -> MatchModel:
    """The model of the open posts for the refresh of `computed_at`, fitted once per refresh and machine."""
    key = (_database(session), computed_at, today_in_changchun())
    cache = _model_cache()
    with _lock:
        if cache.get("key") != key:
            cache.clear()  # free the previous refresh's model before fitting the next
            started = time.perf_counter()
            model = shared_fit(session, key)
            # The ranking reads the model's own copies of the vectors (its index, built here once for every
            # shard); the memory-mapped matrix they were copied from is then let go of by this process (its pages
            # are read back from the file if anything needs them): some 290 MB less resident per worker.
            model.prepare_ranking()
            _release_pages(model.job_matrix_)
            log.info("model of %d open posts for the refresh of %s ready in %.1f s", len(model.job_ids_),
                     computed_at.isoformat(), time.perf_counter() - started)
            cache.update(key=key, model=model)
        return cache["model"]


def latest_model(session: Session) -> tuple[MatchModel, dt.datetime]:
    """A model of the open posts and the moment its posts were read: the one this process holds, else the
    newest this machine saved (the last refresh's), else one fitted now (and saved for the others).

    A set ranked with it and stored with that moment is as right as the refresh's sets: the readers top it up
    with the posts changed since (services.match_serving)."""
    database = _database(session)
    cache = _model_cache()
    with _lock:
        key = cache.get("key")
        if key is not None and key[0] == database:
            return cache["model"], key[1]
        folder = _model_folder()
        newest: tuple[dt.datetime, dt.date, Path] | None = None
        for meta in (folder.glob("refresh-*.json") if folder is not None and folder.exists() else []):
            try:
                saved = orjson.loads(meta.read_bytes())
                moment, day = dt.datetime.fromisoformat(saved["computed_at"]), dt.date.fromisoformat(saved["day"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if saved["database"] == database and (newest is None or moment > newest[0]):
                newest = (moment, day, meta.with_suffix(""))
        if newest is not None:
            model = _load_fitted(newest[2])
            if model is not None:
                cache.clear()
                cache.update(key=(database, newest[0], newest[1]), model=model)
                return model, newest[0]
    moment = dt.datetime.now(dt.UTC)
    return ranking_model(session, moment), moment


def refresh_graduates(session: Session, graduate_ids: list[int]) -> int:
    """Store these graduates' sets now (a profile saved, consent given or withdrawn), ranked with
    `latest_model` and stamped with its moment. Flushes; the caller commits."""
    model, computed_at = latest_model(session)
    return refresh_shard(session, graduate_ids, computed_at, model=model)


def rank_rows(model: MatchModel, rows: list[Any], fair_exposure: float = 0.0,
              applications: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """The stored sets of these profiles (read as `_GRADUATE_COLUMNS`): the rows of `match_sets` to write.
    With `fair_exposure` > 0 the sets are re-ranked for fair exposure (`_fair`; `applications`: the posts'
    applications in the pipeline so far)."""
    updated = {row[0]: row[7] for row in rows}
    sets: list[dict[str, Any]] = []
    # Ranked without the reasons (they are rebuilt on read): the model's bulk path, parsed back. One BLAS
    # thread: the parallelism of a refresh is its worker processes (two processes with a thread per core each
    # would fight over the cores).
    with threadpool_limits(limits=1, user_api="blas"):
        blocks = list(model.rank_jobs_json_bytes([graduate_line(row) for row in rows], top=STORED_TOP,
                                                 explain=False))
    ranked_lines = [orjson.loads(line) for block in blocks for line in block.splitlines()]
    if fair_exposure > 0:
        ranked_lines = _fair(model, ranked_lines, fair_exposure, applications or {})
    for ranked in ranked_lines:
        graduate_id = int(ranked["graduate_id"])
        matches = ranked["matches"]
        sets.append({"graduate_profile_id": graduate_id, "profile_updated_at": updated[graduate_id],
                     "size": len(matches), "job_ids": [int(m["job_id"]) for m in matches],
                     "scores": [m["score"] for m in matches]})
    return sets


def refresh_shard(session: Session, graduate_ids: list[int], computed_at: dt.datetime,
                  model: MatchModel | None = None, fair_exposure: float | None = None) -> int:
    """Rank these graduates against every open post and replace their stored sets; returns how many
    graduates got a set. Ids of profiles that no longer consent (or are gone) lose their stored set.
    `model`: a model of the open posts to rank with (default: the refresh's, `ranking_model`).
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
    sets: list[dict[str, Any]] = []
    strength = FAIR_EXPOSURE if fair_exposure is None else fair_exposure
    if rows:
        model = model or ranking_model(session, computed_at)
        applications = open_applications_by_job(session, model.job_ids_) if strength > 0 else None
        sets = rank_rows(model, rows, strength, applications)
        for entry in sets:
            entry["computed_at"] = computed_at
    # Replace, in the caller's transaction: the old rows go and the new ones are written.
    session.execute(delete(MatchSet).where(MatchSet.graduate_profile_id.in_(ids)))
    _insert_sets(session, sets)
    # Each profile records the version its set ranked (None: no set): the index of the profiles the stored sets
    # cannot speak for (models.jobs.UNMATCHED) then holds the few saved since, not every graduate.
    session.execute(
        update(GraduateProfile)
        .where(GraduateProfile.id.in_(ids))
        .values(match_set_version=select(MatchSet.profile_updated_at)
                .where(MatchSet.graduate_profile_id == GraduateProfile.id).scalar_subquery())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(sets)


def _fair(model: MatchModel, ranked_lines: list[dict[str, Any]], strength: float,
          applications: dict[int, int]) -> list[dict[str, Any]]:
    """The shard's ranked lines re-ranked for fair exposure (scoring.exposure.rerank), scores lowered. A post's
    load counts the shard's exposure and its applications in the pipeline so far against its headcount."""
    from talent.scoring.exposure import rerank

    position = {job_id: k for k, job_id in enumerate(model.job_ids_)}
    headcount = np.array([job.headcount or 1 for job in model.job_records_], dtype=np.float64)
    applied = np.array([applications.get(int(job_id), 0) for job_id in model.job_ids_], dtype=np.float64)
    candidates = [[(position[m["job_id"]], m["score"]) for m in line["matches"]] for line in ranked_lines]
    reranked = rerank(candidates, headcount, applied, STORED_TOP, strength)
    result = []
    for line, chosen in zip(ranked_lines, reranked, strict=True):
        by_position = {position[m["job_id"]]: m for m in line["matches"]}
        result.append({"graduate_id": line["graduate_id"],
                       "matches": [{**by_position[k], "score": score} for k, score in chosen]})
    return result


def _insert_sets(session: Session, sets: list[dict[str, Any]]) -> None:
    if not sets:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: faster than a multi-row INSERT for thousands of rows with two arrays each.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        buffer = io.StringIO()
        for entry in sets:
            job_ids = ",".join(str(job_id) for job_id in entry["job_ids"])
            scores = ",".join(repr(float(score)) for score in entry["scores"])
            buffer.write(f"{entry['graduate_profile_id']}\t{entry['computed_at'].isoformat()}\t"
                         f"{entry['profile_updated_at'].isoformat()}\t{entry['size']}\t{{{job_ids}}}\t{{{scores}}}\n")
        with cursor.copy(
            "COPY match_sets (graduate_profile_id, computed_at, profile_updated_at, size, job_ids, scores) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        return
    session.execute(insert(MatchSet), sets)
