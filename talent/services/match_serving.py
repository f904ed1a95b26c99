"""What a web request needs to show matches: small and bounded, whatever the size of the city.

A request never fits the model of every open post. It reads the graduate's stored set (services.match_store,
computed in bulk by `talent match refresh`) and tops it up with the posts changed since the set was computed,
which every process keeps in a small per-process model of the *recently changed* posts (`RecentPosts`):

- it tracks at most `RECENT_POSTS` posts, the most recently changed ones (created, edited, closed), and knows
  the time (`horizon`) after which every change is tracked; older changes are the stored sets' business;
- before use (at most once a second) it asks the database for the posts changed since it last looked, as
  `(id, updated_at)` pairs (the index on jobs.updated_at), at most `RECENT_POSTS + 1` of them: re-reading a
  short window (`LAG`) catches commits that land out of `updated_at` order; a bulk load of more posts than
  it tracks makes it start again from the newest `RECENT_POSTS` (bounded: never a read of every post);
- only the posts whose version changed are read in full and (re)vectorised; posts past their closing date
  are taken out when the day changes.

A graduate's matches are then the stored rows whose post is unchanged since the set was computed (and still
open and within reach), merged by score with the tracked posts changed since then, scored online (one small
product) and explained like the batch path: the same scores and reasons a full refresh would store. A
graduate without a usable stored set (none yet — e.g. consent just given or no consent, which the refresh
does not cover — or a profile edited since) is ranked online against the tracked posts: the newest
`RECENT_POSTS`, bounded in cost, until the next refresh stores the full set (docs/matching.md).

An employer's candidates come from the graduates' side: the graduates whose stored best 50 hold the post
(unchanged since), merged with an online ranking of the consenting graduates the stored sets cannot speak for
(no usable set, or the post changed since their set), at most `CANDIDATE_POOL` of them, newest first.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlalchemy import Float, Integer, and_, func, or_, select, text, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.models import User
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile, Job
from talent.models.matches import MatchSet
from talent.scoring import MatchModel, validate_graduate, validate_job
from talent.scoring.explain import explain_match
from talent.scoring.features import Weights, check_prefer, preference_part
from talent.services.graduates import graduate_record
from talent.services.jobs import job_record
from talent.services.match_store import _GRADUATE_COLUMNS, graduate_line, job_line

log = logging.getLogger(__name__)

RECENT_POSTS = 1000  # posts tracked per process (the most recently changed): about 3 days of the city's posting
LAG = dt.timedelta(seconds=30)  # commits may land this much out of updated_at order
SYNC_SECONDS = 1.0  # a process asks the database for changes at most this often
CANDIDATE_POOL = 2000  # graduates ranked online for one post, at most
POOL_SCAN_FACTOR = 5  # they are looked for among this many times as many most recently updated profiles

_FULL_COLUMNS = (
    Job.id, Job.title, Job.description, Job.min_education, Job.district, Job.salary_min, Job.salary_max,
    Job.headcount, Job.majors, Job.status, Job.closing_date, Job.updated_at, Job.occupation_code,
)


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class GraduateVectors:
    """Vectors of the graduates ranked online for posts, kept per (profile id, version) in one process (at most
    `size`, least recently used out first): a post's candidates then cost one product over the pool, not the
    vectorisation of up to `CANDIDATE_POOL` profiles on every request."""

    def __init__(self, size: int = 4 * CANDIDATE_POOL) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[int, dt.datetime], tuple[Any, np.ndarray]] = OrderedDict()
        self.computed = 0

    def vectors(self, session: Session, model: MatchModel,
                keys: list[tuple[int, dt.datetime]]) -> tuple[list[Any], np.ndarray]:
        """Scoring profiles and vectors of the graduates `keys` (profile id, updated_at); only the profiles not
        cached in that version are read (as columns) and vectorised."""
        layout = model._layout()  # the model's own feature layout
        missing = [key for key in keys if key not in self.entries]
        if missing:
            rows = {row[0]: row for row in session.execute(
                select(*_GRADUATE_COLUMNS).where(GraduateProfile.id.in_([key[0] for key in missing])))}
            present = [key for key in missing if key[0] in rows]
            fresh = model.graduate_profiles([graduate_line(rows[key[0]]) for key in present])
            for key, profile, row in zip(present, fresh, layout.graduate_matrix(fresh), strict=True):
                self.entries[key] = (profile, row)
            self.computed += len(present)
        found = []
        for key in keys:
            if key in self.entries:
                self.entries.move_to_end(key)
                found.append(self.entries[key])
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        if not found:
            return [], np.zeros((0, 0))
        return [entry[0] for entry in found], np.vstack([entry[1] for entry in found])

    def rank_for_job(self, session: Session, model: MatchModel, record: dict[str, Any],
                     keys: list[tuple[int, dt.datetime]], top: int) -> list[tuple[int, float, dict[str, Any]]]:
        """The `top` graduates (profile id, score, why) that fit the post best: MatchModel.rank_graduates_for_job
        over cached vectors (the same scores, order and reasons)."""
        layout = model._layout()
        job = validate_job(record)
        if not job.is_open or not keys or top <= 0:
            return []
        job_vector = layout.job_matrix([layout.job_profile(job)])[0]
        job_profile = layout.profile_from_row(job, job_vector)
        graduate_profiles, matrix = self.vectors(session, model, keys)
        keep = [i for i, p in enumerate(graduate_profiles) if p.graduate.level >= job.level]
        if not keep:
            return []
        scores = matrix[keep] @ job_vector
        ids = np.array([graduate_profiles[i].graduate.id for i in keep], dtype=object)
        order = np.lexsort((ids, -scores))[:top]
        return [
            (int(graduate_profiles[keep[i]].graduate.id), round(float(scores[i]), 4),
             explain_match(layout.kb, graduate_profiles[keep[i]], job_profile, layout.weights.field))
            for i in order
        ]


class RecentPosts:
    """The model of the most recently changed open posts, shared by the requests of one process."""

    def __init__(self, capacity: int = RECENT_POSTS, sync_seconds: float = SYNC_SECONDS) -> None:
        self.graduates = GraduateVectors()
        self.capacity = capacity
        self.sync_seconds = sync_seconds
        self.lock = threading.RLock()
        self.model = MatchModel(n_threads=1).fit([])
        self.versions: dict[int, dt.datetime] = {}  # tracked post → updated_at applied (open or not)
        self.closing: dict[int, dt.date | None] = {}  # tracked open post → closing date
        self.horizon: dt.datetime | None = None  # every change after it is tracked (None: every post is)
        self.watermark: dt.datetime | None = None
        self.started = False
        self.day: dt.date | None = None
        self.synced_at = -1e9
        self.rebuilds = 0
        self.posts_read = 0  # posts read in full and vectorised (what the work costs)

    # --- keeping up -------------------------------------------------------------------------------

    def sync(self, session: Session, *, force: bool = False) -> None:
        with self.lock:
            today = today_in_changchun()
            if not force and self.started and self.day == today and time.monotonic() - self.synced_at < self.sync_seconds:
                return
            query = select(Job.id, Job.updated_at).order_by(Job.updated_at.desc(), Job.id.desc())
            if self.started and self.watermark is not None:
                query = query.where(Job.updated_at > self.watermark - LAG)
            pairs = [(job_id, as_utc(stamp)) for job_id, stamp in session.execute(query.limit(self.capacity + 1))]
            changed = [pair for pair in pairs if self.versions.get(pair[0]) != pair[1]]
            if not self.started or len(changed) > self.capacity:
                self._rebuild(session, pairs, today)
            else:
                if len(pairs) > self.capacity:
                    # Read as far as the bound allows (after a bulk load): older changes are not tracked.
                    self.horizon = max(self.horizon or pairs[self.capacity][1], pairs[self.capacity][1])
                self._apply(session, changed, today)
                if self.day != today:
                    expired = [job_id for job_id, closing in self.closing.items() if closing and closing < today]
                    self.model.remove_jobs([str(job_id) for job_id in expired])
                    for job_id in expired:
                        self.closing.pop(job_id, None)
                self._evict()
            self.day = today
            self.synced_at = time.monotonic()

    def _rebuild(self, session: Session, pairs: list[tuple[int, dt.datetime]], today: dt.date) -> None:
        if len(pairs) > self.capacity:
            # Posts changed at the same instant as the first one left out are not tracked either.
            self.horizon = pairs[self.capacity][1]
            pairs = [pair for pair in pairs if pair[1] > self.horizon]
        else:
            self.horizon = None
        self.model = MatchModel(n_threads=1).fit([])
        self.versions, self.closing = {}, {}
        self.watermark = None
        self.started = True
        self.rebuilds += 1
        self._apply(session, pairs, today)

    def _apply(self, session: Session, pairs: list[tuple[int, dt.datetime]], today: dt.date) -> None:
        if not pairs:
            return
        ids = [job_id for job_id, _ in pairs]
        rows = []
        for start in range(0, len(ids), 1000):
            rows.extend(session.execute(select(*_FULL_COLUMNS).where(Job.id.in_(ids[start : start + 1000]))))
        self.model.remove_jobs([str(job_id) for job_id in ids])
        fresh = []
        for row in rows:
            job_id, status, closing, stamp = row[0], row[9], row[10], as_utc(row[11])
            self.versions[job_id] = stamp
            self.closing.pop(job_id, None)
            if status == "open" and (closing is None or closing >= today):
                fresh.append(job_line(row, occupation_column=12))
                self.closing[job_id] = closing
            if self.watermark is None or stamp > self.watermark:
                self.watermark = stamp
        self.model.add_jobs(fresh)
        self.posts_read += len(rows)

    def _evict(self) -> None:
        if len(self.versions) <= self.capacity:
            return
        ordered = sorted(self.versions.items(), key=lambda item: (item[1], item[0]))
        doomed = ordered[: len(ordered) - self.capacity]
        self.horizon = max(stamp for _, stamp in doomed)
        for job_id, _ in doomed:
            del self.versions[job_id]
            self.closing.pop(job_id, None)
        self.model.remove_jobs([str(job_id) for job_id, _ in doomed])

    # --- scoring ----------------------------------------------------------------------------------

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Per model position: the post id and the applied version (POSIX seconds), rebuilt when the model
        changed (every change of the model's posts makes a new `job_ids_` list; the cache holds the list it
        was built from, so it is never mistaken for another)."""
        job_ids = self.model.job_ids_
        cached = getattr(self, "_arrays_cache", None)
        if cached is None or cached[0] is not job_ids:
            ids = np.array([int(job_id) for job_id in job_ids], dtype=np.int64)
            stamps = np.array([self.versions[int(job_id)].timestamp() for job_id in job_ids])
            cached = self._arrays_cache = (job_ids, ids, stamps)
        return cached[1], cached[2]

    def best_for(self, record: dict[str, Any], since: dt.datetime | None, top: int) -> list[tuple[int, float, dict]]:
        """The `top` tracked open posts changed after `since` (all tracked posts if None) that fit the graduate
        best, as (job id, score, why): the scores and reasons of the batch path."""
        model = self.model
        if not model.job_ids_ or top <= 0:
            return []
        ids, stamps = self._arrays()
        changed = stamps > since.timestamp() if since is not None else None
        if changed is not None and not changed.any():
            return []  # nothing changed since the stored set: nothing to score (the usual case)
        scores = model.score_pairs([record])[0]
        if changed is not None:
            scores = np.where(changed, scores, -np.inf)
        # Best score first; ties by the lower id, like the batch path's (education, id) order within a level.
        order = np.lexsort((ids, -scores))
        order = order[np.isfinite(scores[order])][:top]
        if not len(order):
            return []
        layout = model._layout()  # the model's own feature layout (what explains its scores)
        profile = model.graduate_profiles([record])[0]
        profiles = model.job_profiles_
        return [
            (int(ids[i]), round(float(scores[i]), 4),
             explain_match(layout.kb, profile, profiles[i], layout.weights.field))
            for i in order
        ]


def _database_key(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def recent_posts(app: Flask | None = None) -> RecentPosts:
    """The recent-posts model of this app's database, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    indexes: dict[str, RecentPosts] = app.extensions.setdefault("talent.recent_posts", {})
    key = _database_key(app.config["DATABASE_URL"])
    if key not in indexes:
        indexes[key] = RecentPosts(
            int(app.config.get("MATCHING_RECENT_POSTS", RECENT_POSTS)),
            # Tests change posts and look at once: no pause between looks there.
            float(app.config.get("MATCHING_SYNC_SECONDS", 0.0 if app.testing else SYNC_SECONDS)),
        )
    return indexes[key]


def warm_up(app: Flask, *, background: bool = True) -> threading.Thread | None:
    """Build this process's recent-posts model: in a background thread (a web worker as it starts; requests that
    need it meanwhile wait for it, its lock, the others are served at once), or here and now (`background`
    false: a preloading gunicorn master, whose workers each start with a copy)."""

    def build() -> None:
        try:
            with app.app_context():
                from talent.db import db

                index = recent_posts(app)
                with index.lock:
                    index.sync(db.session, force=True)
                db.session.rollback()
        except Exception:  # a database not there yet: the first request builds it
            log.exception("warming up the recent-posts model failed")
        # Every graduate's profile names the occupations of their major: the coder is built once per process
        # (about 1 s with its imports), here rather than in the first matches request.
        from talent.occupations import load_coder

        load_coder()

    if not background:
        build()
        return None
    thread = threading.Thread(target=build, name="talent-warm-up", daemon=True)
    thread.start()
    return thread


# --- a graduate's matches ---------------------------------------------------------------------------


@dataclass
class RankedJob:
    job_id: int
    score: float
    why: dict[str, Any] | None  # None: a stored match, explained once it is among those shown


def usable_set(session: Session, profile: GraduateProfile) -> MatchSet | None:
    """The graduate's stored set, if it ranked the profile as it is now."""
    stored = session.get(MatchSet, profile.id)
    if stored is None or as_utc(stored.profile_updated_at) != as_utc(profile.updated_at):
        return None
    return stored


def _job_vectors(model: MatchModel, records: list[dict[str, Any]]) -> tuple[list[Any], np.ndarray]:
    layout = model._layout()
    validated = [validate_job({**record, "status": "open"}) for record in records]
    return validated, layout.job_matrix([layout.job_profile(job) for job in validated])


def explain_posts(model: MatchModel, record: dict[str, Any], jobs: list[Job]) -> list[dict[str, Any]]:
    """The reasons of a graduate's matches with these posts, as the batch path gives them (the same profiles
    read back from the same vectors): what a stored set would have stored."""
    if not jobs:
        return []
    layout = model._layout()
    graduate = model.graduate_profiles([record])[0]
    validated, rows = _job_vectors(model, [job_record(job) for job in jobs])
    return [explain_match(layout.kb, graduate, layout.profile_from_row(job, row), layout.weights.field)
            for job, row in zip(validated, rows, strict=True)]


def rank_for_graduate(session: Session, profile: GraduateProfile, record: dict[str, Any], limit: int,
                      index: RecentPosts, prefer: str | None = None) -> tuple[list[RankedJob], dict[int, Job]]:
    """The best `limit` open posts within the graduate's reach (stored set topped up with recent changes)
    and the posts themselves (with their employers), read in one query.

    Stored and online scores are relevance first; with `prefer` ("near", "pay") the candidates are reordered
    by the score that choice gives (`with_preference`): only posts of similar relevance change places."""
    today = today_in_changchun()
    allowed = EDUCATION_LEVELS[: EDUCATION_LEVELS.index(profile.education) + 1]
    stored = usable_set(session, profile)
    since = as_utc(stored.computed_at) - LAG if stored is not None else None
    with index.lock:
        index.sync(session)
        online = index.best_for(record, since, limit)
        rescored: set[int] = set()
        if since is not None and index.model.job_ids_:
            tracked, stamps = index._arrays()
            rescored = set(tracked[stamps > since.timestamp()].tolist())
    ranked = [RankedJob(job_id, score, why) for job_id, score, why in online]
    seen = {item.job_id for item in ranked}
    stored_pairs: list[tuple[int, float]] = []
    if stored is not None:
        stored_pairs = [(int(job_id), float(score)) for job_id, score in zip(stored.job_ids, stored.scores,
                                                                               strict=True)]
    ids = seen | {job_id for job_id, _ in stored_pairs}
    within_reach = and_(Job.status == "open", or_(Job.closing_date.is_(None), Job.closing_date >= today),
                        Job.min_education.in_(allowed))
    preferring = check_prefer(prefer) != "relevance"
    jobs: dict[int, Job] = {}
    if preferring and ids:  # every candidate's post is needed to reorder them
        jobs = {job.id: job for job in session.scalars(
            select(Job).where(Job.id.in_(ids), within_reach).options(joinedload(Job.employer)))}
        versions = {job_id: job.updated_at for job_id, job in jobs.items()}
    else:  # only (id, version) of the candidates; the posts shown are read below
        versions = dict(session.execute(select(Job.id, Job.updated_at).where(Job.id.in_(ids), within_reach)).all()
                        ) if ids else {}
    if stored is not None:
        computed_at = as_utc(stored.computed_at)
        for job_id, score in stored_pairs:
            version = versions.get(job_id)
            # A post changed since the set was computed is scored online instead (when tracked; an untracked
            # one changed after the set is left out until the next refresh). Posts changed just before the set
            # (LAG) are kept unless tracked: the refresh most likely saw them.
            if version is None or job_id in rescored or job_id in seen or as_utc(version) > computed_at:
                continue
            ranked.append(RankedJob(job_id, score, None))
    ranked = [item for item in ranked if item.job_id in versions]
    if preferring:
        ranked = with_preference(ranked, jobs, record, index.model._layout().weights, prefer)
    ranked.sort(key=lambda item: (-item.score, item.job_id))
    ranked = ranked[:limit]
    if not preferring and ranked:
        jobs = {job.id: job for job in session.scalars(
            select(Job).where(Job.id.in_([item.job_id for item in ranked]), within_reach)
            .options(joinedload(Job.employer)))}
        # A post closed between the two reads is left out rather than shown.
        ranked = [item for item in ranked if item.job_id in jobs]
    unexplained = [item for item in ranked if item.why is None]
    for item, why in zip(unexplained, explain_posts(index.model, record, [jobs[i.job_id] for i in unexplained]),
                         strict=True):
        item.why = why
    return ranked, jobs


def with_preference(ranked: list[RankedJob], jobs: dict[int, Job], record: dict[str, Any], weights: Weights,
                    prefer: str | None) -> list[RankedJob]:
    """The candidates with the scores the model gives under `prefer`: the default preference part of each score
    replaced by that choice's (features.preference_part, exactly the model's district and salary columns)."""
    graduate = validate_graduate(record)
    chosen = weights.for_preference(prefer)
    result = []
    for item in ranked:
        job = validate_job({**job_record(jobs[item.job_id]), "status": "open"})
        change = preference_part(chosen, graduate, job) - preference_part(weights, graduate, job)
        result.append(RankedJob(item.job_id, round(item.score + change, 4), item.why))
    return result


# --- an employer's candidates ----------------------------------------------------------------------


@dataclass
class RankedGraduate:
    profile: GraduateProfile
    score: float
    why: dict[str, Any]


def _stored_candidates(session: Session, job: Job, eligible: Any, set_speaks: Any,
                       limit: int) -> list[tuple[float, GraduateProfile]]:
    """(score, profile) of the graduates whose usable stored sets hold the post, best first."""
    base = (
        select(MatchSet.graduate_profile_id)
        .join(GraduateProfile, GraduateProfile.id == MatchSet.graduate_profile_id)
        .join(User, User.id == GraduateProfile.user_id)
        .where(eligible, set_speaks)
    )
    if session.get_bind().dialect.name == "postgresql":
        # The GIN index finds the sets holding the post; its score is the element at the same position.
        job_ids = type_coerce(MatchSet.job_ids, ARRAY(Integer))
        score = type_coerce(MatchSet.scores, ARRAY(Float))[func.array_position(job_ids, job.id)]
        pairs = [(float(value), profile_id) for profile_id, value in session.execute(
            base.add_columns(score.label("score"))
            .where(job_ids.contains([job.id]))
            .order_by(score.desc(), MatchSet.graduate_profile_id)
            .limit(limit)
        )]
    else:
        # SQLite (development, small data): the sets are read and searched here.
        pairs = []
        for profile_id, job_ids, scores in session.execute(base.add_columns(MatchSet.job_ids, MatchSet.scores)):
            if job.id in job_ids:
                pairs.append((float(scores[job_ids.index(job.id)]), profile_id))
        pairs.sort(key=lambda pair: (-pair[0], pair[1]))
        pairs = pairs[:limit]
    if not pairs:
        return []
    profiles = {profile.id: profile for profile in session.scalars(
        select(GraduateProfile).where(GraduateProfile.id.in_([profile_id for _, profile_id in pairs])))}
    return [(score, profiles[profile_id]) for score, profile_id in pairs]


# The consenting profiles whose stored set is missing or out of date, as the partial index states it (table-qualified:
# the queries join users).
_UNMATCHED = text("graduate_profiles.consent_to_match AND (graduate_profiles.match_set_version IS NULL"
                  " OR graduate_profiles.match_set_version <> graduate_profiles.updated_at)")


def rank_for_job(session: Session, job: Job, record: dict[str, Any], limit: int, index: RecentPosts,
                 pool: int = CANDIDATE_POOL) -> list[RankedGraduate]:
    """The consenting graduates who fit the post best: those whose stored best 50 hold it (unchanged since),
    merged by score with an online ranking of at most `pool` graduates the stored sets cannot speak for."""
    levels = EDUCATION_LEVELS[EDUCATION_LEVELS.index(job.min_education):]
    changed_at = as_utc(job.updated_at) + LAG  # a set computed before this may not know the post as it is
    eligible = and_(
        GraduateProfile.consent_to_match.is_(True), User.is_active.is_(True), GraduateProfile.education.in_(levels)
    )
    set_speaks = and_(
        MatchSet.profile_updated_at == GraduateProfile.updated_at, MatchSet.computed_at >= changed_at
    )
    stored = _stored_candidates(session, job, eligible, set_speaks, limit)
    # Only (id, version) of the pool is read: the vectors of the versions seen before are cached. The graduates
    # the stored sets cannot speak for are (1) those whose set is missing or ranked an older version of their
    # profile: few (a saved profile is refreshed at once), read through their own partial index
    # (models.jobs.UNMATCHED) — not found by scanning thousands of profiles on every request; and (2) when the post
    # changed after some sets were computed, the graduates holding such a set: the most recently updated ones,
    # looked for among POOL_SCAN_FACTOR × pool profiles only.
    newest_first = (GraduateProfile.updated_at.desc(), GraduateProfile.id.desc())
    pairs = select(GraduateProfile.id, GraduateProfile.updated_at).join(User, User.id == GraduateProfile.user_id)
    found = dict(session.execute(pairs.where(eligible, _UNMATCHED).order_by(*newest_first).limit(pool)).all())
    # The oldest set's time, from the end of its index (a plan that does not depend on the table's statistics).
    oldest = session.scalar(select(func.min(MatchSet.computed_at))) if len(found) < pool else None
    if oldest is not None and as_utc(oldest) < changed_at:
        recent = select(GraduateProfile.id).order_by(*newest_first).limit(POOL_SCAN_FACTOR * pool).scalar_subquery()
        found.update(session.execute(
            pairs.join(MatchSet, MatchSet.graduate_profile_id == GraduateProfile.id)
            .where(GraduateProfile.id.in_(recent), eligible, MatchSet.computed_at < changed_at)
            .order_by(*newest_first)
            .limit(pool)  # some may be among those found already: the merge keeps `pool` distinct ones
        ).all())
    others = sorted(((profile_id, as_utc(stamp)) for profile_id, stamp in found.items()),
                    key=lambda pair: (pair[1], pair[0]), reverse=True)[:pool]
    ranked: list[RankedGraduate] = []
    if stored:
        model = index.model
        layout = model._layout()
        validated, rows = _job_vectors(model, [record])
        job_profile = layout.profile_from_row(validated[0], rows[0])
        graduates = model.graduate_profiles([graduate_record(profile) for _, profile in stored])
        ranked = [RankedGraduate(profile, score, explain_match(layout.kb, graduate, job_profile, layout.weights.field))
                  for (score, profile), graduate in zip(stored, graduates, strict=True)]
    if others:
        with index.lock:  # the cache is shared by the threads of a threaded server
            online = index.graduates.rank_for_job(session, index.model, record, others, limit)
        shown = {profile.id: profile for profile in session.scalars(
            select(GraduateProfile).where(GraduateProfile.id.in_([item[0] for item in online])))}
        ranked.extend(RankedGraduate(shown[profile_id], score, why) for profile_id, score, why in online
                      if profile_id in shown)
    ranked.sort(key=lambda item: (-item.score, item.profile.id))
    return ranked[:limit]
