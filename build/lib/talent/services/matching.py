"""The bridge between the database and the similarity model (talent.scoring).

One fitted `MatchModel` per process and per database (`JobIndex`, kept in `app.extensions`). It is built
once — loaded from `<instance>/models/` when a file signed with the app's SECRET_KEY is there, fitted on
the open posts otherwise — and then kept up to date incrementally: before each use it reads the posts
whose `updated_at` changed since it last looked and applies them with `remove_jobs`/`add_jobs` (a post
that was created, edited, closed or has passed its closing date), without refitting the rest.

Reading changes from the database rather than hooking the services means that a change is seen only once
committed (a rolled-back post never reaches the index), and that every process of a multi-process server,
and the CLI, see each other's changes. Commits can land out of `updated_at` order, so each catch-up
re-reads a window of `CATCH_UP_LAG` before the newest change it has seen and skips posts whose version it
already applied. A cheap check (count and id sum of the open posts) then confirms that the index holds
exactly the open posts; if not (the database was restored or emptied behind it), it is refitted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.models import User
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile, Job
from talent.scoring import MatchModel, ModelFileRejected, load_model, save_model
from talent.services import InvalidInput
from talent.services.graduates import consenting_profiles, graduate_record, require_profile
from talent.services.jobs import job_of_caller, job_record, open_jobs_condition

log = logging.getLogger(__name__)

CATCH_UP_LAG = dt.timedelta(minutes=10)
DEFAULT_SAVE_SECONDS = 60.0  # at most one save of an incrementally updated model per minute
MAX_LIMIT = 100
# At most this many consenting profiles are ranked for one post (the most recently updated ones), so that a
# candidates request costs the same however many graduates the platform holds.
CANDIDATE_POOL = 5_000
STATE_FORMAT = "talent-job-index/1"


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _version(job: Job) -> str:
    return _as_utc(job.updated_at).isoformat()


class JobIndex:
    """The fitted model of one database's open posts, shared by the requests of one process."""

    def __init__(self, model_path: Path, key: str, save_seconds: float = DEFAULT_SAVE_SECONDS) -> None:
        self.model_path = model_path
        self.state_path = model_path.with_name(model_path.name + ".state.json")
        self.key = key
        self.save_seconds = save_seconds
        self.lock = threading.RLock()
        self.model: MatchModel | None = None
        self.versions: dict[str, str] = {}  # job id → the updated_at last applied
        self.watermark: dt.datetime | None = None  # newest updated_at seen
        self.swept_on: dt.date | None = None  # the day expired posts were last taken out
        self.fit_count = 0
        self.loaded_from_file = False
        self.jobs_applied = 0  # posts added, changed or removed incrementally
        self._unsaved = False
        self._saved_at = 0.0

    # --- keeping up with the database -----------------------------------------------------------

    def sync(self, session: Session) -> MatchModel:
        """The model, brought up to date with the committed posts. Call with `self.lock` held when the
        model is then used, so that no other thread changes it in between."""
        with self.lock:
            today = today_in_changchun()
            if self.model is None and not self._load():
                self.refit(session)
                return self.model  # type: ignore[return-value]
            try:
                self._catch_up(session, today)
            except Exception:  # a model the library can no longer update: start afresh rather than fail
                log.exception("incremental update of the job index failed: refitting")
                self.refit(session)
                return self.model  # type: ignore[return-value]
            if not self._holds_exactly_the_open_posts(session, today):
                log.warning("job index out of step with the database: refitting")
                self.refit(session)
            elif self._unsaved and time.monotonic() - self._saved_at >= self.save_seconds:
                self.save()
            return self.model  # type: ignore[return-value]

    def refit(self, session: Session) -> None:
        """Fit the model on every open post (the slow path: first use, or the database changed behind)."""
        with self.lock:
            today = today_in_changchun()
            jobs = list(session.scalars(select(Job).where(open_jobs_condition(today)).order_by(Job.id)))
            model = MatchModel().fit([job_record(job, day=today) for job in jobs])
            newest = session.scalar(select(func.max(Job.updated_at)))
            self.model = model
            self.versions = {str(job.id): _version(job) for job in jobs}
            self.watermark = _as_utc(newest) if newest is not None else None
            self.swept_on = today
            self.fit_count += 1
            self.save()

    def _catch_up(self, session: Session, today: dt.date) -> None:
        model = self.model
        assert model is not None
        query = select(Job)
        if self.watermark is not None:
            query = query.where(Job.updated_at > self.watermark - CATCH_UP_LAG)
        changed = [job for job in session.scalars(query) if self.versions.get(str(job.id)) != _version(job)]
        expired: list[str] = []
        if self.swept_on != today:
            expired = [
                str(job_id)
                for job_id in session.scalars(
                    select(Job.id).where(Job.status == "open", Job.closing_date < today)
                )
            ]
            self.swept_on = today
        if not changed and not expired:
            return
        model.remove_jobs([str(job.id) for job in changed] + expired)
        model.add_jobs([job_record(job, day=today) for job in changed if job.is_open_on(today)])
        for job in changed:
            self.versions[str(job.id)] = _version(job)
            stamp = _as_utc(job.updated_at)
            if self.watermark is None or stamp > self.watermark:
                self.watermark = stamp
        self.jobs_applied += len(changed) + len(expired)
        self._unsaved = True

    def _holds_exactly_the_open_posts(self, session: Session, today: dt.date) -> bool:
        count, id_sum = session.execute(
            select(func.count(Job.id), func.coalesce(func.sum(Job.id), 0)).where(open_jobs_condition(today))
        ).one()
        ids = self.model.job_ids_ if self.model is not None else []
        return count == len(ids) and int(id_sum) == sum(int(job_id) for job_id in ids)

    # --- persistence -----------------------------------------------------------------------------

    def _state_signature(self, state: dict[str, Any]) -> str:
        body = json.dumps(state, sort_keys=True, ensure_ascii=False).encode()
        return hmac.new(self.key.encode(), body, hashlib.sha256).hexdigest()

    def save(self) -> None:
        """Write the model (signed by save_model) and where it stands (signed here) under instance/models."""
        with self.lock:
            if self.model is None:
                return
            try:
                save_model(self.model, self.model_path, self.key, metrics={"n_jobs": len(self.model.job_ids_)})
                state = {
                    "format": STATE_FORMAT,
                    "watermark": self.watermark.isoformat() if self.watermark else None,
                    "model_sha256": hashlib.sha256(self.model_path.read_bytes()).hexdigest(),
                }
                state["hmac_sha256"] = self._state_signature(state)
                self.state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
            except OSError as error:  # a read-only instance folder costs a refit at the next start, nothing else
                log.warning("could not save the job index to %s: %s", self.model_path, error)
                return
            self._unsaved = False
            self._saved_at = time.monotonic()

    def _load(self) -> bool:
        """Take the saved model if both files are there, signed with our key and belong together."""
        if not self.model_path.exists() or not self.state_path.exists():
            return False
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            signature = state.pop("hmac_sha256", "")
            if state.get("format") != STATE_FORMAT or not hmac.compare_digest(
                self._state_signature(state), str(signature)
            ):
                raise ModelFileRejected("index state file not signed with this key")
            if hashlib.sha256(self.model_path.read_bytes()).hexdigest() != state.get("model_sha256"):
                raise ModelFileRejected("index state file belongs to another model file")
            model = load_model(self.model_path, self.key)
            if not isinstance(model, MatchModel):
                raise ModelFileRejected(f"not a MatchModel but {type(model).__name__}")
            # A model pickled by an older MatchModel may lack parameters added since: refuse it here
            # rather than fail in the middle of a request.
            if set(model.get_params()) != set(MatchModel().get_params()) or not all(
                hasattr(model, name) for name in ("job_records_", "job_ids_", "job_matrix_", "job_levels_")
            ):
                raise ModelFileRejected("saved by another version of MatchModel")
        except (ModelFileRejected, OSError, ValueError) as error:
            log.warning("not using the saved job index %s: %s", self.model_path, error)
            return False
        except Exception as error:  # unpickling code of another library version can fail in any way
            log.warning("not using the saved job index %s (%s: %s)", self.model_path, type(error).__name__, error)
            return False
        self.model = model
        self.watermark = dt.datetime.fromisoformat(state["watermark"]) if state.get("watermark") else None
        self.versions = {}  # unknown: the catch-up re-applies the lag window, which is harmless
        self.swept_on = None
        self.loaded_from_file = True
        self._saved_at = time.monotonic()
        return True


def _database_key(url: str) -> str:
    rendered = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(rendered.encode()).hexdigest()[:16]


def job_index(app: Flask | None = None) -> JobIndex:
    """The index of this app's database, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    indexes: dict[str, JobIndex] = app.extensions.setdefault("talent.job_index", {})
    url = app.config["DATABASE_URL"]
    key = _database_key(url)
    index = indexes.get(key)
    if index is None:
        model_dir = Path(app.config.get("MODEL_PATH") or Path(app.instance_path) / "models")
        index = JobIndex(
            model_dir / f"jobs-{key}.joblib",
            app.config["SECRET_KEY"],
            float(app.config.get("MATCHING_SAVE_SECONDS", DEFAULT_SAVE_SECONDS)),
        )
        indexes[key] = index
    return index


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


def matches_for_graduate(session: Session, actor: User, limit: int = 10) -> list[JobMatch]:
    """The open posts that best fit the caller's graduate profile, best first, each with its why.

    Never a post whose minimum education is above the graduate's, nor a closed or expired one: the model
    filters both, and the posts are checked once more against the database before they are returned."""
    check_limit(limit)
    profile = require_profile(session, actor)
    index = job_index()
    with index.lock:
        model = index.sync(session)
        ranked = model.rank_jobs_for_graduates([graduate_record(profile)], top=limit + 10)[0]["matches"]
    ids = [int(match["job_id"]) for match in ranked]
    if not ids:
        return []
    today = today_in_changchun()
    allowed_levels = EDUCATION_LEVELS[: EDUCATION_LEVELS.index(profile.education) + 1]
    jobs = {
        job.id: job
        for job in session.scalars(
            select(Job)
            .where(Job.id.in_(ids), open_jobs_condition(today), Job.min_education.in_(allowed_levels))
            .options(joinedload(Job.employer))
        )
    }
    results = [
        JobMatch(job=jobs[int(match["job_id"])], score=match["score"], why=match["why"])
        for match in ranked
        if int(match["job_id"]) in jobs
    ]
    return results[:limit]


def candidates_for_job(session: Session, actor: User, job_id: int, limit: int = 10) -> tuple[Job, list[Candidate]]:
    """The consenting graduates who best fit one of the caller's posts, best first, each with its why."""
    check_limit(limit)
    job = job_of_caller(session, actor, job_id)
    # The model would drop graduates below the post's minimum education anyway; asking the database for
    # the others only keeps them from being read at all.
    pool = consenting_profiles(session, min_education=job.min_education, limit=CANDIDATE_POOL)
    profiles = {str(profile.id): profile for profile in pool}
    if not profiles:
        return job, []
    record = job_record(job)
    # A recruiter may still look at who fitted a post after closing it: rank it as the post it was.
    record["status"] = "open"
    index = job_index()
    with index.lock:
        model = index.sync(session)
        ranked = model.rank_graduates_for_job(record, [graduate_record(p) for p in profiles.values()], top=limit)
    # Only the candidates shown need their account (for the masked name): one query for all of them, which
    # leaves them in the session for `profile.user`.
    shown = [profiles[item["graduate_id"]] for item in ranked]
    list(session.scalars(select(User).where(User.id.in_([profile.user_id for profile in shown]))))
    return job, [
        Candidate(profile=profiles[item["graduate_id"]], score=item["score"], why=item["why"]) for item in ranked
    ]
