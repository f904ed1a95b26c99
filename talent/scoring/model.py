"""MatchModel: the graduate–job similarity model with the scikit-learn estimator contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from talent.scoring.explain import (
    explain_match,
    explanation_key,
    major_part,
    major_part_json,
    tail_json,
    why_json,
)
from talent.scoring.features import FeatureLayout, GraduateProfile, JobProfile, Weights
from talent.scoring.knowledge import knowledge
from talent.scoring.records import EDUCATION_LEVELS, Graduate, Job, validate_graduate, validate_job
from talent.scoring.topk import rank_all_pairs

ProgressCallback = Callable[[int], None]


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before `fit` (the same bases as scikit-learn's)."""


def check_is_fitted(model: MatchModel) -> None:
    if not hasattr(model, "job_matrix_"):
        raise NotFittedError("This MatchModel instance is not fitted yet; call fit(jobs) first.")


def _light_job(job: Job) -> Job:
    # The description is only needed to build the vector; dropping it keeps 112,000 posts small.
    return dataclasses.replace(job, description="")


class MatchModel:
    """Ranks open jobs for graduates (and graduates for a job) by a recruiter-style fit.

    Parameters are the weights of each part of the judgement (see features.Weights), the rows per
    GEMM chunk (None: about 96 MB of scores per chunk) and the worker threads for ranking.

    `fit(jobs)` takes job dicts (API.md job lines); closed posts are left out. Learned state:
    `job_ids_`, `job_matrix_`, `job_levels_`, `job_profiles_`, `feature_names_`,
    `knowledge_fingerprint_`. The state of a job depends on that job only, so `add_jobs`,
    `update_job` and `remove_jobs` give exactly the model a refit would.

    It follows the scikit-learn estimator contract (constructor stores parameters only, `get_params`
    / `set_params`, `fit` returns self, learned state ends in `_`, not-fitted use raises
    `NotFittedError`), so `sklearn.base.clone` and `sklearn.utils.validation.check_is_fitted` work on
    it, but it does not inherit `BaseEstimator`: importing scikit-learn costs about 2 s of CPU at
    every `talent match rank` start (scipy.stats), a third of a 20,000 × 22,400 run's budget.
    """

    _PARAMETERS = ("weights", "chunk_rows", "n_threads", "as_of", "n_processes")

    def __init__(
        self,
        weights: Weights | None = None,
        chunk_rows: int | None = None,
        n_threads: int = 2,
        as_of: dt.date | None = None,
        n_processes: int = 1,
    ) -> None:
        self.weights = weights
        self.chunk_rows = chunk_rows
        self.n_threads = n_threads
        self.as_of = as_of
        self.n_processes = n_processes

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._PARAMETERS}

    def set_params(self, **params: Any) -> MatchModel:
        for name, value in params.items():
            if name not in self._PARAMETERS:
                raise ValueError(f"invalid parameter {name!r} for MatchModel")
            setattr(self, name, value)
        self.__dict__.pop("_layout_cache", None)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != MatchModel().get_params()[k]}
        return "MatchModel(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def __sklearn_tags__(self) -> Any:
        # Only scikit-learn's own tools ask for tags, so importing it here costs nothing elsewhere.
        from sklearn.utils import InputTags, Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False), requires_fit=True,
                    input_tags=InputTags(dict=True, two_d_array=False))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "job_matrix_")

    # --- fitting and incremental updates --------------------------------------------------------

    def _layout(self) -> FeatureLayout:
        layout = getattr(self, "_layout_cache", None)
        if layout is None:
            layout = FeatureLayout(knowledge(), self.weights or Weights())
            self._layout_cache = layout
        return layout

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_layout_cache", None)  # rebuilt from the shipped knowledge on load
        state.pop("_ranking_cache", None)
        return state

    def _profiles(self, jobs: Iterable[Any]) -> tuple[list[JobProfile], np.ndarray]:
        """Validated open jobs → (profiles, vectors).

        The vectors are the model's state; each profile (what an explanation reads) is read back
        from its vector, so a profile depends on the vector only and both paths below agree. With
        `n_processes` > 1, forked workers build the vectors of a share of the jobs each and send back
        only the float32 rows (cheap to ship, unlike Python objects).
        """
        layout = self._layout()
        open_jobs = []
        for record in jobs:
            job = record if isinstance(record, Job) else validate_job(record, as_of=self.as_of)
            if job.is_open:
                open_jobs.append(job)
        if self.n_processes > 1 and len(open_jobs) >= 4000:
            self._pending_jobs = open_jobs
            try:
                step = len(open_jobs) // self.n_processes + 1
                ranges = [(start, min(start + step, len(open_jobs))) for start in range(0, len(open_jobs), step)]
                rows = np.vstack(list(_imap_forked(self, "_vectorize_range", ranges, self.n_processes)))
            finally:
                del self._pending_jobs
        else:
            rows = self._vectorize(open_jobs)
        profiles = []
        # Posts with the same vector share one read-back profile content (and explanation key).
        contents: dict[bytes, JobProfile] = {}
        for job, row in zip(open_jobs, rows, strict=True):
            content = contents.get(row.tobytes())
            if content is None:
                content = contents[row.tobytes()] = layout.profile_from_row(job, row)
                content.explain_key = explanation_key(content)
            profile = dataclasses.replace(content, job=_light_job(job))
            top_pay = job.salary_max if job.salary_max is not None else job.salary_min
            profile.output_key = (json.dumps(job.id, ensure_ascii=False), job.level, job.district or "", top_pay)
            profiles.append(profile)
        return profiles, rows

    def _vectorize(self, jobs: list[Job]) -> np.ndarray:
        layout = self._layout()
        return layout.job_matrix([layout.job_profile(job) for job in jobs])

    def _vectorize_range(self, bounds: tuple[int, int]) -> np.ndarray:
        return self._vectorize(self._pending_jobs[bounds[0] : bounds[1]])

    def fit(self, jobs: Iterable[Any], y: None = None) -> MatchModel:
        """Index the open jobs among `jobs` (dicts in the job-line shape, or validated Jobs)."""
        layout = self._layout()
        profiles, rows = self._profiles(jobs)
        ids = [p.job.id for p in profiles]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            duplicate = next(i for i in ids if i in seen or seen.add(i))
            raise ValueError(f"duplicate job id {duplicate!r}")
        self.job_profiles_ = profiles
        self.job_ids_ = ids
        self.job_matrix_ = rows
        self.job_levels_ = np.array([p.job.level for p in profiles], dtype=np.int8)
        self.feature_names_ = np.array(layout.names, dtype=object)
        self.knowledge_fingerprint_ = layout.kb.fingerprint
        self._ranking_cache = None
        return self

    def add_jobs(self, jobs: Iterable[Any]) -> MatchModel:
        """Add newly posted jobs (closed ones are ignored) without touching the others."""
        check_is_fitted(self)
        profiles, rows = self._profiles(jobs)
        known = set(self.job_ids_)
        for profile in profiles:
            if profile.job.id in known:
                raise ValueError(f"job {profile.job.id!r} is already indexed; use update_job")
            known.add(profile.job.id)
        if profiles:
            self.job_profiles_ = self.job_profiles_ + profiles
            self.job_ids_ = self.job_ids_ + [p.job.id for p in profiles]
            self.job_matrix_ = np.vstack([self.job_matrix_, rows])
            self.job_levels_ = np.concatenate(
                [self.job_levels_, np.array([p.job.level for p in profiles], dtype=np.int8)]
            )
            self._ranking_cache = None
        return self

    def remove_jobs(self, job_ids: Iterable[str]) -> MatchModel:
        """Take closed or deleted posts out of the index; unknown ids are ignored."""
        check_is_fitted(self)
        doomed = {str(i) for i in job_ids}
        keep = np.array([job_id not in doomed for job_id in self.job_ids_], dtype=bool)
        if not keep.all():
            self.job_profiles_ = [p for p, k in zip(self.job_profiles_, keep, strict=True) if k]
            self.job_ids_ = [i for i, k in zip(self.job_ids_, keep, strict=True) if k]
            self.job_matrix_ = self.job_matrix_[keep]
            self.job_levels_ = self.job_levels_[keep]
            self._ranking_cache = None
        return self

    def update_job(self, job: Any) -> MatchModel:
        """Re-index one edited post; a post now closed is removed, a reopened one added."""
        check_is_fitted(self)
        validated = job if isinstance(job, Job) else validate_job(job, as_of=self.as_of)
        self.remove_jobs([validated.id])
        if validated.is_open:
            self.add_jobs([validated])
        return self

    # --- ranking -----------------------------------------------------------------------------

    def _ordered_index(self) -> tuple[np.ndarray, np.ndarray, list[int], list[list[int]]]:
        """Distinct job vectors, ordered by (minimum education, id) of their first job.

        Ordering by education makes the hard filter a column cut; ties are broken by that order, so
        the ranking does not depend on the order jobs were added in. Posts with identical vectors
        (a company posting the same role in many ads) are scored once: `members[u]` lists the
        positions (in `job_ids_`) of the jobs sharing distinct vector u, in (education, id) order.
        """
        cache = getattr(self, "_ranking_cache", None)
        if cache is None:
            order = sorted(range(len(self.job_ids_)), key=lambda i: (self.job_levels_[i], self.job_ids_[i]))
            first_of: dict[bytes, int] = {}
            members: list[list[int]] = []
            representatives: list[int] = []
            for position in order:
                key = self.job_matrix_[position].tobytes()
                unique = first_of.get(key)
                if unique is None:
                    first_of[key] = len(members)
                    members.append([position])
                    representatives.append(position)
                else:
                    members[unique].append(position)
            matrix = self.job_matrix_[np.array(representatives, dtype=np.int64)] if representatives else \
                self.job_matrix_[:0]
            levels = self.job_levels_[np.array(representatives, dtype=np.int64)] if representatives else \
                self.job_levels_[:0]
            cuts = [int(np.searchsorted(levels, level, side="right")) for level in range(4)]
            cache = (np.array(representatives, dtype=np.int64), matrix, cuts,
                     members)
            self._ranking_cache = cache
        return cache

    def graduate_profiles(self, graduates: Iterable[Any]) -> list[GraduateProfile]:
        layout = self._layout()
        return [
            layout.graduate_profile(g if isinstance(g, Graduate) else validate_graduate(g)) for g in graduates
        ]

    def _rank(
        self, graduates: Iterable[Any], top: int, on_progress: ProgressCallback | None
    ) -> Iterator[tuple[GraduateProfile, list[tuple[JobProfile, float]]]]:
        check_is_fitted(self)
        if top < 0:
            raise ValueError("top must be ≥ 0")
        layout = self._layout()
        profiles = self.graduate_profiles(graduates)
        if not profiles:
            return
        matrix = layout.graduate_matrix(profiles)
        levels = np.array([p.graduate.level for p in profiles], dtype=np.int8)
        _, job_matrix, cuts, members = self._ordered_index()
        columns, scores = rank_all_pairs(
            matrix, levels, job_matrix, cuts, top,
            chunk_rows=self.chunk_rows, n_threads=self.n_threads, on_progress=on_progress,
        )
        job_profiles = self.job_profiles_
        for row, profile in enumerate(profiles):
            matches: list[tuple[JobProfile, float]] = []
            for column, score in zip(columns[row].tolist(), scores[row].tolist(), strict=True):
                if column < 0 or score < -1.0 or len(matches) >= top:
                    break
                rounded = round(score, 4)
                for position in members[column][: top - len(matches)]:
                    matches.append((job_profiles[position], rounded))
            yield profile, matches

    def rank_jobs_for_graduates(
        self,
        graduates: Iterable[Any],
        top: int = 10,
        *,
        explain: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> list[dict[str, Any]]:
        """For each graduate (dict or Graduate), the `top` best open jobs it is eligible for.

        Returns `[{"graduate_id", "matches": [{"job_id", "score", "why"}]}]` in input order.
        A job whose minimum education is above the graduate's is never returned. Equal scores are
        ordered by (minimum education, job id).
        """
        kb = self._layout().kb
        results = []
        for profile, matches in self._rank(graduates, top, on_progress):
            parts: dict[tuple, tuple] = {}
            rendered = []
            for job_profile, score in matches:
                match: dict[str, Any] = {"job_id": job_profile.job.id, "score": score}
                if explain:
                    part = parts.get(job_profile.explain_key)
                    if part is None:
                        part = parts[job_profile.explain_key] = major_part(kb, profile, job_profile)
                    match["why"] = explain_match(kb, profile, job_profile, part)
                rendered.append(match)
            results.append({"graduate_id": profile.graduate.id, "matches": rendered})
        return results

    def rank_jobs_json_lines(
        self, graduates: Iterable[Any], top: int = 10, *, explain: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[str]:
        """The same ranking as `rank_jobs_for_graduates`, as JSON Lines text (one line per graduate),
        built from cached pre-encoded pieces: the fast path of `talent match rank`.

        With `n_processes` > 1 the graduates are split among forked worker processes (each ranks
        its share with one thread); lines still come out in input order.
        """
        graduates = list(graduates)
        if self.n_processes > 1 and len(graduates) >= 2000:
            self._ordered_index()  # build once, before forking, so workers share it
            step = max(500, min(5000, len(graduates) // (4 * self.n_processes) + 1))
            pieces = [graduates[i : i + step] for i in range(0, len(graduates), step)]
            for text, count in _imap_forked(self, "_json_lines_block", [(p, top, explain) for p in pieces],
                                            self.n_processes):
                if on_progress:
                    on_progress(count)
                yield text
            return
        yield from self._json_lines_serial(graduates, top, explain, on_progress)

    def _json_lines_block(self, task: tuple[list[Any], int, bool]) -> tuple[str, int]:
        graduates, top, explain = task
        return "".join(self._json_lines_serial(graduates, top, explain, None)), len(graduates)

    def _json_lines_serial(
        self, graduates: list[Any], top: int, explain: bool, on_progress: ProgressCallback | None
    ) -> Iterator[str]:
        kb = self._layout().kb
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for profile, matches in self._rank(graduates, top, on_progress):
            graduate = profile.graduate
            level, districts, expected = graduate.level, graduate.districts, graduate.expected_salary
            parts: dict[tuple, tuple[str, str, str]] = {}
            rendered = []
            for job_profile, score in matches:
                id_json, job_level, district, top_pay = job_profile.output_key
                if not explain:
                    rendered.append('{"job_id":' + id_json + ',"score":' + repr(score) + "}")
                    continue
                part = parts.get(job_profile.explain_key)
                if part is None:
                    part = parts[job_profile.explain_key] = major_part_json(major_part(kb, profile, job_profile))
                tail = tail_json(
                    "meets" if job_level == level else "above",
                    EDUCATION_LEVELS[job_level],
                    "unknown" if not district else "no_preference" if not districts else
                    "preferred" if district in districts else "not_preferred",
                    district,
                    "no_expectation" if not expected else "unknown" if top_pay is None else
                    "meets" if top_pay >= expected else "below",
                )
                rendered.append('{"job_id":' + id_json + ',"score":' + repr(score) + ',"why":' + why_json(part, tail) + "}")
            yield '{"graduate_id":' + encode(graduate.id) + ',"matches":[' + ",".join(rendered) + "]}\n"

    def rank_graduates_for_job(self, job: Any, graduates: Iterable[Any], top: int = 10) -> list[dict[str, Any]]:
        """The `top` graduates that best fit one job (dict or Job), never one below its minimum
        education. The job need not be in the index. Returns `[{"graduate_id", "score", "why"}]`."""
        check_is_fitted(self)
        layout = self._layout()
        validated = job if isinstance(job, Job) else validate_job(job, as_of=self.as_of)
        if not validated.is_open:
            return []
        job_profile = layout.job_profile(validated)
        job_vector = layout.job_matrix([job_profile])[0]
        profiles = [p for p in self.graduate_profiles(graduates) if p.graduate.level >= validated.level]
        if not profiles or top <= 0:
            return []
        scores = layout.graduate_matrix(profiles) @ job_vector
        ids = np.array([p.graduate.id for p in profiles], dtype=object)
        order = np.lexsort((ids, -scores))[:top]
        return [
            {
                "graduate_id": profiles[i].graduate.id,
                "score": round(float(scores[i]), 4),
                "why": explain_match(layout.kb, profiles[i], job_profile),
            }
            for i in order
        ]

    def score_pairs(self, graduates: Iterable[Any]) -> np.ndarray:
        """Full score matrix (graduates x indexed jobs, in `job_ids_` order); -inf where the
        education filter forbids the pair. For evaluation on small sets."""
        check_is_fitted(self)
        profiles = self.graduate_profiles(graduates)
        matrix = self._layout().graduate_matrix(profiles) @ self.job_matrix_.T
        levels = np.array([p.graduate.level for p in profiles])
        matrix[levels[:, None] < self.job_levels_[None, :]] = -np.inf
        return matrix



# --- process-level parallelism for the batch paths (fork: workers share the fitted model) --------
_WORKER_MODEL: MatchModel | None = None


def _call_worker(method: str, argument: Any) -> Any:
    assert _WORKER_MODEL is not None
    return getattr(_WORKER_MODEL, method)(argument)


def _imap_forked(model: MatchModel, method: str, arguments: list[Any], processes: int) -> Iterator[Any]:
    """`model.method(argument)` for each argument in forked workers, results in order."""
    import functools
    import multiprocessing

    global _WORKER_MODEL
    _WORKER_MODEL = model
    saved_threads = model.n_threads
    # Workers rank with one thread each (set before forking): the processes are the parallelism.
    model.n_threads = 1
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(functools.partial(_call_worker, method), arguments)
    finally:
        model.n_threads = saved_threads
        _WORKER_MODEL = None
