"""MatchModel: the graduate–job similarity model with the scikit-learn estimator contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from talent.scoring.explain import (
    MAJOR_RELATION_TEXT,
    RELATED_FIELD_FIT,
    explain_match,
    relation_text,
    resolution_part,
    shared_skill_labels,
    skills_text,
    tail_json,
)
from talent.scoring.features import QUANTUM, FeatureLayout, GraduateProfile, JobProfile, Weights, check_prefer
from talent.scoring.knowledge import DISTRICTS, knowledge
from talent.scoring.records import EDUCATION_LEVELS, Graduate, Job, validate_graduate, validate_job
from talent.scoring.topk import rank_all_pairs

ProgressCallback = Callable[[int], None]
# Graduates per bulk output block (bounds the per-match arrays of the serial path).
_OUTPUT_BLOCK = 5000
# Times the bulk grouping of identical job vectors (`_identical_rows`) met a hash collision and grouped row by
# row instead. Never expected (the tests assert it stays 0): a rise means the bulk path was quietly bypassed.
SLOW_PATH_FALLBACKS: Counter[str] = Counter()
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DISTRICT_RELATIONS = ("preferred", "not_preferred", "no_preference", "unknown")
_SALARY_RELATIONS = ("no_expectation", "unknown", "meets", "below")
_MAJOR_RELATIONS = tuple(MAJOR_RELATION_TEXT)  # same_major, same_class, related_field, same_category, …


@dataclasses.dataclass
class _OutputTables:
    member_start: np.ndarray  # per distinct vector: first entry in member_positions
    member_count: np.ndarray
    member_positions: np.ndarray  # job positions, grouped by distinct vector, (education, id) order
    id_json: np.ndarray  # per job position: the id encoded as JSON
    district: np.ndarray  # per job position: number of the district in DISTRICTS, -1 unknown
    top_pay: np.ndarray  # per job position: salary_max (else salary_min), NaN unknown


@dataclasses.dataclass
class _RankingIndex:
    cuts: list[int]  # columns a graduate of each level may see
    chosen: np.ndarray  # per distinct vector: the position (in job_ids_) of its first job
    members: list[list[int]]
    dense_columns: np.ndarray  # layout columns scored by GEMM (used by some post, after the sparse ones)
    dense_matrix: np.ndarray  # job_matrix_[chosen][:, dense_columns], column-major
    sparse_columns: np.ndarray  # the major, class and category columns some post uses
    sparse_matrix: np.ndarray  # job_matrix_[chosen][:, sparse_columns]
    output: _OutputTables | None = None


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before `fit` (the same bases as scikit-learn's)."""


def check_is_fitted(model: MatchModel) -> None:
    if not hasattr(model, "job_matrix_"):
        raise NotFittedError("This MatchModel instance is not fitted yet; call fit(jobs) first.")


def _light_job(job: Job) -> Job:
    # The description is only needed to build the vector; dropping it keeps 112,000 posts small.
    # (Positional construction: dataclasses.replace of a frozen dataclass is several times slower.)
    return Job(job.id, job.title, "", job.level, job.district, job.salary_min, job.salary_max, job.headcount,
               job.majors, job.is_open, job.occupation_code)


class MatchModel:
    """Ranks open jobs for graduates (and graduates for a job) by a recruiter-style fit.

    Parameters are the weights of each part of the judgement (see features.Weights), the rows per
    GEMM chunk (None: about 12 MB of scores per chunk) and the worker threads for ranking.

    `fit(jobs)` takes job dicts (API.md job lines); closed posts are left out. Learned state:
    `job_records_` (the jobs without their descriptions), `job_ids_`, `job_matrix_`, `job_levels_`,
    `feature_names_`, `knowledge_fingerprint_`; `job_profiles_` is derived from them on first use. The state of a job depends on that job only, so `add_jobs`,
    `update_job` and `remove_jobs` give exactly the model a refit would.

    It follows the scikit-learn estimator contract (constructor stores parameters only, `get_params`
    / `set_params`, `fit` returns self, learned state ends in `_`, not-fitted use raises
    `NotFittedError`), so `sklearn.base.clone` and `sklearn.utils.validation.check_is_fitted` work on
    it, but it does not inherit `BaseEstimator`: importing scikit-learn costs about 2 s of CPU at
    every `talent match rank` start (scipy.stats), a third of a 20,000 × 22,400 run's budget.
    """

    _PARAMETERS = ("weights", "chunk_rows", "n_threads", "as_of", "n_processes", "code_occupations",
                   "fair_exposure")

    def __init__(
        self,
        weights: Weights | None = None,
        chunk_rows: int | None = None,
        n_threads: int = 2,
        as_of: dt.date | None = None,
        n_processes: int = 1,
        code_occupations: bool = False,
        fair_exposure: float = 0.0,
    ) -> None:
        self.weights = weights
        self.chunk_rows = chunk_rows
        self.n_threads = n_threads
        self.as_of = as_of
        self.n_processes = n_processes
        self.code_occupations = code_occupations
        self.fair_exposure = fair_exposure

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._PARAMETERS}

    def set_params(self, **params: Any) -> MatchModel:
        for name, value in params.items():
            if name not in self._PARAMETERS:
                raise ValueError(f"invalid parameter {name!r} for MatchModel")
            setattr(self, name, value)
        self.__dict__.pop("_layout_cache", None)
        self.__dict__.pop("_preference_layouts", None)
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

    def _layout(self, prefer: str | None = None) -> FeatureLayout:
        """The feature layout of the model's weights; with `prefer` ("near", "pay") the layout whose graduate
        vectors carry that choice's preference weights (the job vectors do not depend on weights)."""
        layout = getattr(self, "_layout_cache", None)
        if layout is None:
            from talent.scoring.ranker import default_weights

            layout = FeatureLayout(knowledge(), self.weights or default_weights())
            self._layout_cache = layout
        prefer = check_prefer(prefer)
        if prefer == "relevance":
            return layout
        layouts = self.__dict__.setdefault("_preference_layouts", {})
        variant = layouts.get(prefer)
        if variant is None:
            variant = layouts[prefer] = FeatureLayout(layout.kb, layout.weights.for_preference(prefer))
            variant.title_occupations = layout.title_occupations
        variant.occupations_wanted = layout.occupations_wanted
        return variant

    def _graduate_layout(self, prefer: str | None = None) -> FeatureLayout:
        """`_layout(prefer)`, told whether graduates need occupation shares (some indexed post has a code)."""
        base = self._layout()
        if hasattr(self, "job_matrix_"):
            # Once per matrix (every change of the posts makes a new one): the test reads a column block of every
            # row, which for a city's memory-mapped matrix means reading the whole file again on every call.
            cached = getattr(self, "_occupations_cache", None)
            if cached is None or cached[0] is not self.job_matrix_:
                columns = list(base.occupation_index.values())
                wanted = bool(columns) and bool(
                    self.job_matrix_[:, columns[0] : columns[-1] + 1].any()) and base.weights.occupation > 0
                cached = self._occupations_cache = (self.job_matrix_, wanted)
            base.occupations_wanted = cached[1]
        return self._layout(prefer)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_layout_cache", None)  # rebuilt from the shipped knowledge on load
        state.pop("_preference_layouts", None)
        state.pop("_ranking_cache", None)
        state.pop("_occupations_cache", None)
        state.pop("_profile_cache", None)
        return state

    def _vectors(self, jobs: Iterable[Any], meanwhile: Callable[[], None] | None = None) -> tuple[list[Job], np.ndarray]:
        """Validated open jobs → (jobs without their description, vectors).

        With `n_processes` > 1, forked workers build the vectors of a share of the jobs each and send
        back only the float32 rows (cheap to ship, unlike Python objects).
        """
        open_jobs = []
        for record in jobs:
            job = record if isinstance(record, Job) else validate_job(record, as_of=self.as_of)
            if job.is_open:
                open_jobs.append(job)
        if self.code_occupations:
            # Posts without an occupation code get the coder's first suggestion for their title (one batch).
            self._layout().code_titles([job.title for job in open_jobs if not getattr(job, "occupation_code", None)])
        if self.n_processes > 1 and len(open_jobs) >= 4000:
            self._pending_jobs = open_jobs
            try:
                step = len(open_jobs) // self.n_processes + 1
                ranges = [(start, min(start + step, len(open_jobs))) for start in range(0, len(open_jobs), step)]
                rows = np.vstack(list(_imap_forked(self, "_vectorize_range", ranges, self.n_processes, meanwhile)))
                meanwhile = None
            finally:
                del self._pending_jobs
        else:
            rows = self._vectorize(open_jobs)
        if meanwhile is not None:
            meanwhile()
        return [_light_job(job) for job in open_jobs], rows

    def _vectorize(self, jobs: list[Job]) -> np.ndarray:
        layout = self._layout()
        return layout.job_matrix([layout.job_profile(job) for job in jobs])

    def _vectorize_range(self, bounds: tuple[int, int]) -> np.ndarray:
        return self._vectorize(self._pending_jobs[bounds[0] : bounds[1]])

    def _read_back(self, jobs: list[Job], rows: np.ndarray) -> list[JobProfile]:
        """The profile each vector encodes (what an explanation reads), so a profile depends on the
        vector only. Posts with the same vector share the read-back sets."""
        layout = self._layout()
        contents: dict[bytes, JobProfile] = {}
        profiles = []
        for job, row in zip(jobs, rows, strict=True):
            key = row.tobytes()
            content = contents.get(key)
            if content is None:
                content = contents[key] = layout.profile_from_row(job, row)
            # (positional construction: dataclasses.replace costs several µs a post)
            profiles.append(JobProfile(job, content.majors, content.classes, content.categories,
                                       content.any_major, content.fields, content.skills, content.occupation))
        return profiles

    @property
    def job_profiles_(self) -> list[JobProfile]:
        """Per indexed job, its profile read back from its vector (built on first use: the batch
        output path does not need it)."""
        check_is_fitted(self)
        profiles = self.__dict__.get("_profile_cache")
        if profiles is None:
            profiles = self._profile_cache = self._read_back(self.job_records_, self.job_matrix_)
        return profiles

    def fit(self, jobs: Iterable[Any], y: None = None, *, meanwhile: Callable[[], None] | None = None) -> MatchModel:
        """Index the open jobs among `jobs` (dicts in the job-line shape, or validated Jobs).

        `meanwhile`, if given, is called once while worker processes build the job vectors (when
        there are none, after the vectors are built), before the model's state is set, so that a
        caller's own work (`talent match rank` reads and checks the graduates) uses the parent's time
        instead of waiting; an exception from it ends the fit and leaves the model as it was. It must
        not use this model.
        """
        layout = self._layout()
        records, rows = self._vectors(jobs, meanwhile)
        ids = [job.id for job in records]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            duplicate = next(i for i in ids if i in seen or seen.add(i))
            raise ValueError(f"duplicate job id {duplicate!r}")
        self.job_records_ = records
        self.job_ids_ = ids
        self.job_matrix_ = rows
        self.job_levels_ = np.array([job.level for job in records], dtype=np.int8)
        self.feature_names_ = np.array(layout.names, dtype=object)
        self.knowledge_fingerprint_ = layout.kb.fingerprint
        self._ranking_cache = None
        self._profile_cache = None
        return self

    def add_jobs(self, jobs: Iterable[Any]) -> MatchModel:
        """Add newly posted jobs (closed ones are ignored) without touching the others."""
        check_is_fitted(self)
        records, rows = self._vectors(jobs)
        known = set(self.job_ids_)
        for job in records:
            if job.id in known:
                raise ValueError(f"job {job.id!r} is already indexed; use update_job")
            known.add(job.id)
        if records:
            cached = self.__dict__.get("_profile_cache")
            self.job_records_ = self.job_records_ + records
            self.job_ids_ = self.job_ids_ + [job.id for job in records]
            self.job_matrix_ = np.vstack([self.job_matrix_, rows])
            self.job_levels_ = np.concatenate(
                [self.job_levels_, np.array([job.level for job in records], dtype=np.int8)]
            )
            self._ranking_cache = None
            self._profile_cache = None if cached is None else cached + self._read_back(records, rows)
        return self

    def remove_jobs(self, job_ids: Iterable[str]) -> MatchModel:
        """Take closed or deleted posts out of the index; unknown ids are ignored."""
        check_is_fitted(self)
        doomed = {str(i) for i in job_ids}
        keep = np.array([job_id not in doomed for job_id in self.job_ids_], dtype=bool)
        if not keep.all():
            cached = self.__dict__.get("_profile_cache")
            self.job_records_ = [job for job, k in zip(self.job_records_, keep, strict=True) if k]
            self.job_ids_ = [i for i, k in zip(self.job_ids_, keep, strict=True) if k]
            self.job_matrix_ = self.job_matrix_[keep]
            self.job_levels_ = self.job_levels_[keep]
            self._ranking_cache = None
            self._profile_cache = None if cached is None else [p for p, k in zip(cached, keep, strict=True) if k]
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

    def _ordered_index(self) -> _RankingIndex:
        """Distinct job vectors, ordered by (minimum education, id) of their first job.

        Ordering by education makes the hard filter a column cut; ties are broken by that order, so
        the ranking does not depend on the order jobs were added in. Posts with identical vectors
        (a company posting the same role in many ads) are scored once: `members[u]` lists the
        positions (in `job_ids_`) of the jobs sharing distinct vector u, in (education, id) order.
        """
        cache = getattr(self, "_ranking_cache", None)
        if cache is None:
            levels_list = self.job_levels_.tolist()
            ids = self.job_ids_
            order = np.array(sorted(range(len(ids)), key=lambda i: (levels_list[i], ids[i])), dtype=np.int64)
            group = _identical_rows(self.job_matrix_, order)  # per position in `order`: its distinct vector
            chosen = order[np.flatnonzero(np.r_[True, group[1:] > np.maximum.accumulate(group)[:-1]])] \
                if len(order) else order
            members: list[list[int]] = [[] for _ in range(len(chosen))]
            for position, unique in zip(order.tolist(), group.tolist(), strict=True):
                members[unique].append(position)
            levels = self.job_levels_[chosen]
            sparse_end = self._sparse_end()
            # Columns no post uses add nothing to any score.
            used = np.flatnonzero(self.job_matrix_[:, sparse_end:].any(axis=0)) + sparse_end
            sparse_used = np.flatnonzero(self.job_matrix_[:, :sparse_end].any(axis=0))
            cache = _RankingIndex(
                chosen=chosen,
                cuts=[int(np.searchsorted(levels, level, side="right")) for level in range(4)],
                members=members,
                dense_columns=used,
                # Column-major, so that the transposed D × m matrix the GEMMs read is this array's
                # memory (rank_all_pairs then copies nothing per call).
                dense_matrix=np.asfortranarray(self.job_matrix_[np.ix_(chosen, used)]),
                sparse_columns=sparse_used,
                sparse_matrix=self.job_matrix_[np.ix_(chosen, sparse_used)],
            )
            self._ranking_cache = cache
        return cache

    def prepare_ranking(self) -> None:
        """Build now what ranking reads (the index of distinct post vectors, the output tables, whether posts carry
        occupation codes) instead of on the first ranking call; afterwards ranking reads the index's own copies of
        the vectors, not `job_matrix_`."""
        self._ordered_index()
        self._output_tables()
        self._graduate_layout()

    def _sparse_end(self) -> int:
        """The major, class and category columns (a graduate has at most one of each) are the
        layout's first columns, up to this one."""
        layout = self._layout()
        end = layout.any_major_index
        if sorted([*layout.major_index.values(), *layout.class_index.values(),
                   *layout.category_index.values(), *layout.occupation_index.values()]) != list(range(end)):
            raise AssertionError("the major, class, category and occupation blocks must come first in the layout")
        return end

    def _rank_matrix(self, matrix: np.ndarray, levels: np.ndarray, top: int,
                     on_progress: ProgressCallback | None) -> tuple[np.ndarray, np.ndarray]:
        """`rank_all_pairs` of graduate vectors against the index, with the same scores as one GEMM
        over all columns but far fewer multiplications: the major/class/category part of a
        graduate's score depends only on its (major, class, category) values, which few graduates
        differ in, so it is one precomputed score row per distinct combination (a small GEMM) added
        to the GEMM over the other, used columns. All values lie on the 2^-8 grid (features.snap),
        so every partial sum is exact and the split changes no score, not even in the last bit."""
        index = self._ordered_index()
        from threadpoolctl import threadpool_limits

        sparse_part = matrix[:, index.sparse_columns]
        # (a dict of row bytes: np.unique(axis=0) sorts the rows, ten times slower here)
        number_of: dict[bytes, int] = {}
        combination_of = np.array([number_of.setdefault(row.tobytes(), len(number_of)) for row in sparse_part],
                                  dtype=np.int64)
        first = _first_occurrences(combination_of, len(number_of))
        with threadpool_limits(limits=1 if _WORKER_MODEL is self else None, user_api="blas"):
            table = sparse_part[first] @ index.sparse_matrix.T
        return rank_all_pairs(
            np.ascontiguousarray(matrix[:, index.dense_columns]), levels, index.dense_matrix, index.cuts, top,
            chunk_rows=self.chunk_rows, n_threads=self.n_threads, on_progress=on_progress,
            row_offsets=(table, combination_of), blas_threads=1 if _WORKER_MODEL is self else None,
        )

    def _output_tables(self) -> _OutputTables:
        """Per-post arrays the bulk JSON writer gathers from (built once per index, before forking)."""
        index = self._ordered_index()
        if index.output is None:
            encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            counts = np.array([len(m) for m in index.members], dtype=np.int64)
            district_numbers = {code: number for number, code in enumerate(DISTRICTS)}
            jobs = self.job_records_
            index.output = _OutputTables(
                member_start=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(counts) else counts,
                member_count=counts,
                member_positions=np.array([p for m in index.members for p in m], dtype=np.int64),
                id_json=np.array([encode(job.id) for job in jobs] + [""], dtype=object)[:-1],
                district=np.array([district_numbers[job.district] if job.district else -1 for job in jobs],
                                  dtype=np.int64),
                top_pay=np.array([np.nan if (pay := job.salary_max if job.salary_max is not None else job.salary_min)
                                  is None else pay for job in jobs], dtype=np.float64),
            )
        return index.output

    def graduate_profiles(self, graduates: Iterable[Any], prefer: str | None = None) -> list[GraduateProfile]:
        layout = self._graduate_layout(prefer)
        return [
            layout.graduate_profile(g if isinstance(g, Graduate) else validate_graduate(g)) for g in graduates
        ]

    def _rank(
        self, graduates: Iterable[Any], top: int, on_progress: ProgressCallback | None, prefer: str | None = None,
    ) -> Iterator[tuple[GraduateProfile, list[tuple[int, float]]]]:
        """Per graduate, its profile and its matches as (position in job_ids_, rounded score)."""
        check_is_fitted(self)
        if top < 0:
            raise ValueError("top must be ≥ 0")
        layout = self._graduate_layout(prefer)
        profiles = self.graduate_profiles(graduates, prefer)
        if not profiles:
            return
        matrix = layout.graduate_matrix(profiles)
        levels = np.array([p.graduate.level for p in profiles], dtype=np.int8)
        members = self._ordered_index().members
        columns, scores = self._rank_matrix(matrix, levels, top, on_progress)
        for row, profile in enumerate(profiles):
            matches: list[tuple[int, float]] = []
            for column, score in zip(columns[row].tolist(), scores[row].tolist(), strict=True):
                if column < 0 or score < -1.0 or len(matches) >= top:
                    break
                rounded = round(score, 4)
                for position in members[column][: top - len(matches)]:
                    matches.append((position, rounded))
            yield profile, matches

    def rank_jobs_for_graduates(
        self,
        graduates: Iterable[Any],
        top: int = 10,
        *,
        explain: bool = True,
        on_progress: ProgressCallback | None = None,
        prefer: str | None = None,
        applications: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """For each graduate (dict or Graduate), the `top` best open jobs it is eligible for.

        Returns `[{"graduate_id", "matches": [{"job_id", "score", "why"}]}]` in input order.
        A job whose minimum education is above the graduate's is never returned. Equal scores are
        ordered by the (minimum education, job id) of the first post with the same vector, and posts
        with identical vectors by (minimum education, job id) among themselves (they are scored once).

        Relevance comes first; `prefer` ("near": preferred districts, "pay": pay at or above the expectation)
        reorders posts of similar relevance only (features.PREFERRED_WEIGHT). With `fair_exposure` > 0 the
        posts shown to many graduates relative to their headcount (and `applications` so far, job id → count)
        lose up to that much score, among each graduate's best `exposure.CANDIDATES` (scoring.exposure).
        """
        layout = self._layout()
        kb, field_weight = layout.kb, layout.weights.field
        check_is_fitted(self)
        results = []
        ids = self.job_ids_
        job_profiles = self.job_profiles_ if explain else None  # read back only when explaining
        ranked: Iterable[tuple[GraduateProfile, list[tuple[int, float]]]]
        if self.fair_exposure > 0:
            from talent.scoring.exposure import CANDIDATES, rerank

            pairs = list(self._rank(graduates, max(top, CANDIDATES), on_progress, prefer))
            headcount = np.array([job.headcount or 1 for job in self.job_records_], dtype=np.float64)
            applied = np.zeros(len(ids))
            for position, job_id in enumerate(ids):
                applied[position] = (applications or {}).get(job_id, 0)
            reordered = rerank([m for _, m in pairs], headcount, applied, top, self.fair_exposure)
            ranked = [(profile, matches) for (profile, _), matches in zip(pairs, reordered, strict=True)]
        else:
            ranked = self._rank(graduates, top, on_progress, prefer)
        for profile, matches in ranked:
            rendered = []
            for position, score in matches:
                match: dict[str, Any] = {"job_id": ids[position], "score": score}
                if job_profiles is not None:
                    match["why"] = explain_match(kb, profile, job_profiles[position], field_weight)
                rendered.append(match)
            results.append({"graduate_id": profile.graduate.id, "matches": rendered})
        return results

    def rank_jobs_json_lines(
        self, graduates: Iterable[Any], top: int = 10, *, explain: bool = True,
        on_progress: ProgressCallback | None = None, prefer: str | None = None,
    ) -> Iterator[str]:
        """The same ranking as `rank_jobs_for_graduates`, as JSON Lines text (one line per graduate),
        assembled in bulk: the fast path of `talent match rank`.

        With `n_processes` > 1 the graduates are split among forked worker processes (each ranks
        its share with one thread); lines still come out in input order.
        """
        for block in self._json_blocks(graduates, top, explain, on_progress, encoded=False, prefer=prefer):
            yield from block

    def rank_jobs_json_bytes(
        self, graduates: Iterable[Any], top: int = 10, *, explain: bool = True,
        on_progress: ProgressCallback | None = None, prefer: str | None = None,
    ) -> Iterator[bytes]:
        """`rank_jobs_json_lines` as UTF-8 blocks of many lines (what `talent match rank` writes):
        worker processes encode their share once instead of shipping text to be re-encoded."""
        for block in self._json_blocks(graduates, top, explain, on_progress, encoded=True, prefer=prefer):
            yield block if isinstance(block, bytes) else "".join(block).encode()

    def _json_blocks(
        self, graduates: Iterable[Any], top: int, explain: bool, on_progress: ProgressCallback | None, *,
        encoded: bool, prefer: str | None = None,
    ) -> Iterator[list[str] | bytes]:
        check_is_fitted(self)
        if top < 0:
            raise ValueError("top must be ≥ 0")
        prefer = check_prefer(prefer)
        self._graduate_layout(prefer)  # built before forking, so workers share it
        graduates = list(graduates)
        self._output_tables()  # build once, before forking, so workers share it
        if self.n_processes > 1 and len(graduates) >= 2000:
            step = max(500, min(5000, len(graduates) // (4 * self.n_processes) + 1))
            ranges = [(start, min(start + step, len(graduates))) for start in range(0, len(graduates), step)]
            # Workers read their share from the forked copy of the list: only bounds are pickled.
            self._pending_graduates = graduates
            try:
                for data, count in _imap_forked(self, "_json_lines_block", [(r, top, explain, prefer) for r in ranges],
                                                self.n_processes):
                    if on_progress:
                        on_progress(count)
                    # (not str.splitlines: a U+2028 inside a JSON string is not a line end)
                    yield data if encoded else [line + "\n" for line in data.decode().split("\n")[:-1]]
            finally:
                del self._pending_graduates
            return
        for start in range(0, len(graduates), _OUTPUT_BLOCK):
            yield self._json_lines_bulk(graduates[start : start + _OUTPUT_BLOCK], top, explain, on_progress, prefer)

    def _json_lines_block(self, task: tuple[tuple[int, int], int, bool, str]) -> tuple[bytes, int]:
        (start, stop), top, explain, prefer = task
        lines = self._json_lines_bulk(self._pending_graduates[start:stop], top, explain, None, prefer)
        return "".join(lines).encode(), stop - start

    def _json_lines_bulk(
        self, graduates: list[Any], top: int, explain: bool, on_progress: ProgressCallback | None,
        prefer: str | None = None,
    ) -> list[str]:
        """JSON lines of one block of graduates, built with NumPy gathers instead of per-match Python.

        Graduates with the same (major, major code, resolution of the major, skills) share one profile; the parts of every
        explanation are computed for all matches at once (`_why_pieces`) and every match line is a
        join of small tables' pieces, so the output equals `rank_jobs_for_graduates` text.
        """
        layout = self._graduate_layout(prefer)
        graduates = [g if isinstance(g, Graduate) else validate_graduate(g) for g in graduates]
        if not graduates:
            return []
        n = len(graduates)
        content_of: dict[tuple, int] = {}
        content_ids = np.empty(n, dtype=np.int64)
        representatives: list[Graduate] = []
        major_knowledge = layout._major_knowledge
        for row, graduate in enumerate(graduates):
            # The level matters only through how the major resolves (it picks the catalogue of a shared name).
            resolution = major_knowledge(graduate.major, graduate.major_code, graduate.level)[4]
            key = (graduate.major, graduate.major_code, resolution, graduate.skills)
            content = content_of.get(key)
            if content is None:
                content = content_of[key] = len(representatives)
                representatives.append(graduate)
            content_ids[row] = content
        content_profiles = [layout.graduate_profile(g) for g in representatives]
        matrix = layout.graduate_matrix_grouped(content_profiles, content_ids, graduates)
        levels = np.array([g.level for g in graduates], dtype=np.int8)
        tables = self._output_tables()
        columns, scores = self._rank_matrix(matrix, levels, top, on_progress)
        encode = _ENCODE
        heads = ['{"graduate_id":' + encode(g.id) + ',"matches":[' for g in graduates]
        slots = columns.shape[1]
        if slots == 0:
            return [head + "]}\n" for head in heads]

        # Expand each selected distinct vector into its posts, at most `top` per graduate, in order.
        valid = np.logical_and.accumulate((columns >= 0) & (scores >= -1.0), axis=1)
        safe_columns = np.where(valid, columns, 0)
        counts = np.where(valid, tables.member_count[safe_columns] if len(tables.member_count) else 0, 0)
        before = np.cumsum(counts, axis=1) - counts
        take = np.clip(top - before, 0, counts).ravel()
        slot = np.repeat(np.arange(take.size), take)
        offset = np.arange(slot.size) - np.repeat(np.cumsum(take) - take, take)
        match_columns = safe_columns.ravel()[slot]
        positions = tables.member_positions[tables.member_start[match_columns] + offset]
        rows = slot // slots
        per_row = np.bincount(rows, minlength=n)

        values, score_of = np.unique(scores.ravel()[slot], return_inverse=True)
        score_text = np.array([repr(round(value, 4)) for value in values.tolist()] + [""], dtype=object)[:-1]
        first = np.ones(len(slot), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        opening = np.where(first, '{"job_id":', ',{"job_id":').astype(object)
        if explain:
            why = self._why_pieces(graduates, content_profiles, content_ids, matrix, levels, rows,
                                   match_columns, positions, tables)
            pieces = np.empty((len(slot), 4 + why.shape[1]), dtype=object)
            pieces[:, 4:] = why
        else:
            pieces = np.empty((len(slot), 5), dtype=object)
            pieces[:, 4] = "}"
        pieces[:, 0] = opening
        pieces[:, 1] = tables.id_json[positions]
        pieces[:, 2] = ',"score":'
        pieces[:, 3] = score_text[score_of]
        flat = pieces.ravel().tolist()
        width = pieces.shape[1]
        ends = (np.cumsum(per_row) * width).tolist()
        lines = []
        begin = 0
        for head, end in zip(heads, ends, strict=True):
            lines.append(head + "".join(flat[begin:end]) + "]}\n")
            begin = end
        return lines

    def _why_pieces(
        self, graduates: list[Graduate], content_profiles: list[GraduateProfile], content_ids: np.ndarray,
        matrix: np.ndarray, levels: np.ndarray, rows: np.ndarray, match_columns: np.ndarray,
        positions: np.ndarray, tables: _OutputTables,
    ) -> np.ndarray:
        """`,"why":{…}}` of every match as a row of JSON pieces (object array, one row per match).

        The same definitions as `explain.major_part` and `explain.tail_key`, for all matches at once:
        field fit and top fields from the products of the graduate's and the post's field blocks
        (exact on the vectors' 2^-8 grid, so both paths agree to the bit), the major relation from
        the post's major/class/category columns at the graduate's codes, shared skills as a bit mask.
        Texts are made once per distinct relation, skill set, field pair, fit value and tail.
        """
        layout = self._layout()
        kb, field_weight = layout.kb, layout.weights.field
        index = self._ordered_index()
        jobs = self.job_matrix_
        match_columns = index.chosen[match_columns]  # rows of job_matrix_ from here on
        n = len(rows)
        contents = content_ids[rows]
        every = np.arange(n)

        # Field fit and the two fields that contribute most (ties: catalogue order, as argmax).
        fields_from, fields_to = _block(layout.field_index)
        first_row = _first_occurrences(content_ids, len(content_profiles))
        graduate_fields = matrix[first_row, fields_from:fields_to].astype(np.float64)
        products = graduate_fields[contents] * jobs[:, fields_from:fields_to][match_columns].astype(np.float64)
        fit = products.sum(axis=1) / field_weight if field_weight > 0 else np.zeros(n)
        if products.shape[1]:
            best = products.argmax(axis=1)
            best_value = products[every, best]
            products[every, best] = -1.0
            second = products.argmax(axis=1)
            second_value = products[every, second]
        else:
            best = second = np.zeros(n, dtype=np.int64)
            best_value = second_value = np.zeros(n)
        best = np.where(best_value > 0, best, -1)
        second = np.where(second_value > 0, second, -1)
        if products.shape[1] >= 63 or jobs.shape[1] >= 4096:  # the key encodings below
            raise AssertionError("too many fields or columns for the explanation keys")
        field_pair = (best + 1) * 64 + (second + 1)

        # The major relation, in the order of explain.major_relation.
        def listed(codes: list[str | None], column_of: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
            column = np.array([column_of.get(c, -1) if c else -1 for c in codes], dtype=np.int64)[contents]
            found = np.zeros(n, dtype=bool)
            known = column >= 0
            found[known] = jobs[match_columns[known], column[known]] > 0
            return found, column

        same_major, major_column = listed([p.major_code for p in content_profiles], layout.major_index)
        same_class, class_column = listed([p.class_code for p in content_profiles], layout.class_index)
        same_category, category_column = listed([p.category_code for p in content_profiles], layout.category_index)
        any_major = jobs[match_columns, layout.any_major_index] > 0
        relation = np.select(
            [same_major, same_class, fit >= RELATED_FIELD_FIT, same_category, any_major], [0, 1, 2, 3, 4], 5)
        # What the relation's sentence depends on: the major / class / category, or the field pair.
        parameter = np.select([relation == 0, relation == 1, relation == 2, relation == 3],
                              [major_column, class_column, field_pair, category_column], 0)
        relation_keys, relation_of = np.unique(relation * 4096 + parameter, return_inverse=True)
        field_ids = list(kb.fields)
        representative = _first_occurrences(relation_of, len(relation_keys))
        relation_zh, relation_en, relation_json = [], [], []
        for key, match in zip(relation_keys.tolist(), representative.tolist(), strict=True):
            name = _MAJOR_RELATIONS[key // 4096]
            pair = int(field_pair[match])
            fields = [field_ids[f - 1] for f in (pair // 64, pair % 64) if f > 0]
            zh, en = relation_text(kb, name, content_profiles[contents[match]], fields)
            relation_zh.append(_ENCODE(zh)[1:-1])
            relation_en.append(_ENCODE(en)[1:-1])
            relation_json.append(_ENCODE(name))

        # Shared skills as a bit mask per match.
        skills_from, skills_to = _block(layout.skill_index)
        skill_ids = list(layout.skill_index)
        graduate_skills = np.zeros((len(content_profiles), len(skill_ids)), dtype=bool)
        skill_number = {sid: number for number, sid in enumerate(skill_ids)}
        for content, profile in enumerate(content_profiles):
            for sid in profile.skills:
                graduate_skills[content, skill_number[sid]] = True
        shared = graduate_skills[contents] & (jobs[:, skills_from:skills_to][match_columns] > 0)
        packed = np.packbits(shared, axis=1)
        masks, mask_of = np.unique(np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel(),
                                   return_inverse=True)
        skills_zh, skills_en, skills_json = [], [], []
        for mask in masks.tolist():
            bits = np.unpackbits(np.frombuffer(mask, dtype=np.uint8))[: len(skill_ids)]
            labels = shared_skill_labels(kb, [skill_ids[b] for b in np.flatnonzero(bits).tolist()])
            zh, en = skills_text(labels)
            skills_zh.append(_ENCODE(zh)[1:-1])
            skills_en.append(_ENCODE(en)[1:-1])
            skills_json.append(',"shared_skills":' + _ENCODE(labels) + ",")

        fit_values, fit_of = np.unique(fit, return_inverse=True)
        fit_json = [',"field_fit":' + _ENCODE(round(value, 3)) + ',"fields":' for value in fit_values.tolist()]
        pair_values, pair_of = np.unique(field_pair, return_inverse=True)
        pair_json = [_ENCODE([field_ids[f - 1] for f in (pair // 64, pair % 64) if f > 0])
                     for pair in pair_values.tolist()]

        # How each distinct graduate content's major was resolved (explain.resolution_part).
        resolution_zh, resolution_en, resolution_json = [], [], []
        for profile in content_profiles:
            zh, en, part = resolution_part(kb, profile)
            resolution_zh.append(_ENCODE(zh)[1:-1])
            resolution_en.append(_ENCODE(en)[1:-1])
            resolution_json.append(',"major_resolution":' + _ENCODE(part) if part else "")

        tails = self._tail_pieces(graduates, levels, rows, positions, tables)
        pieces = np.empty((n, 15), dtype=object)
        pieces[:, 0] = ',"why":{"zh":"'
        pieces[:, 1] = _table(relation_zh)[relation_of]
        pieces[:, 2] = _table(resolution_zh)[contents]
        pieces[:, 3] = _table(skills_zh)[mask_of]
        pieces[:, 4] = tails[0]
        pieces[:, 5] = _table(relation_en)[relation_of]
        pieces[:, 6] = _table(resolution_en)[contents]
        pieces[:, 7] = _table(skills_en)[mask_of]
        pieces[:, 8] = tails[1]
        pieces[:, 9] = _table(relation_json)[relation_of]
        pieces[:, 10] = _table(resolution_json)[contents]
        pieces[:, 11] = _table(fit_json)[fit_of]
        pieces[:, 12] = _table(pair_json)[pair_of]
        pieces[:, 13] = _table(skills_json)[mask_of]
        pieces[:, 14] = tails[2]
        return pieces

    def _tail_pieces(
        self, graduates: list[Graduate], levels: np.ndarray, rows: np.ndarray, positions: np.ndarray,
        tables: _OutputTables,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per match: `；<zh tail>","en":"`, `; <en tail>","major":` and `<tail fields>}}` pieces.
        A tail is education (meets/above) × required level × district relation × district × pay
        relation, the order of explain.tail_key's tests."""
        job_levels = self.job_levels_[positions].astype(np.int64)
        above = (job_levels != levels[rows]).astype(np.int64)
        district = tables.district[positions]
        preferences = np.zeros((len(graduates), len(DISTRICTS)), dtype=bool)
        district_numbers = {code: number for number, code in enumerate(DISTRICTS)}
        has_preference = np.zeros(len(graduates), dtype=bool)
        for row, graduate in enumerate(graduates):
            if graduate.districts:
                has_preference[row] = True
                for code in graduate.districts:
                    preferences[row, district_numbers[code]] = True
        preferred = preferences[rows, np.maximum(district, 0)]
        # 0 preferred, 1 not_preferred, 2 no_preference, 3 unknown
        district_relation = np.where(district < 0, 3, np.where(~has_preference[rows], 2, np.where(preferred, 0, 1)))
        expected = np.array([g.expected_salary or 0 for g in graduates], dtype=np.float64)[rows]
        top_pay = tables.top_pay[positions]
        with np.errstate(invalid="ignore"):
            meets = top_pay >= expected
        # 0 no_expectation, 1 unknown, 2 meets, 3 below
        salary_relation = np.where(expected == 0, 0, np.where(np.isnan(top_pay), 1, np.where(meets, 2, 3)))
        tail_code = (((above * 4 + job_levels) * 4 + district_relation) * 16 + (district + 1)) * 4 + salary_relation
        codes, tail_of = np.unique(tail_code, return_inverse=True)
        district_codes = ("", *DISTRICTS)
        zh, en, fragment = [], [], []
        for code in codes.tolist():
            rest, salary = divmod(code, 4)
            rest, district_number = divmod(rest, 16)
            rest, relation = divmod(rest, 4)
            is_above, level = divmod(rest, 4)
            tail_zh, tail_en, tail_fragment = tail_json(
                "above" if is_above else "meets", EDUCATION_LEVELS[level], _DISTRICT_RELATIONS[relation],
                district_codes[district_number], _SALARY_RELATIONS[salary],
            )
            zh.append("；" + tail_zh + '","en":"')
            en.append("; " + tail_en + '","major":')
            fragment.append(tail_fragment + "}}")
        return _table(zh)[tail_of], _table(en)[tail_of], _table(fragment)[tail_of]

    def rank_graduates_for_job(self, job: Any, graduates: Iterable[Any], top: int = 10, *,
                               prefer: str | None = None) -> list[dict[str, Any]]:
        """The `top` graduates that best fit one job (dict or Job), never one below its minimum
        education. The job need not be in the index. Returns `[{"graduate_id", "score", "why"}]`.
        `prefer` weighs the graduates' own preferences as in `rank_jobs_for_graduates`."""
        check_is_fitted(self)
        validated = job if isinstance(job, Job) else validate_job(job, as_of=self.as_of)
        if not validated.is_open:
            return []
        base = self._layout()
        job_vector = base.job_matrix([base.job_profile(validated)])[0]
        job_profile = base.profile_from_row(validated, job_vector)  # what the score sees
        layout = self._graduate_layout(prefer)
        if job_profile.occupation and base.weights.occupation > 0:
            layout.occupations_wanted = True
        profiles = [layout.graduate_profile(g if isinstance(g, Graduate) else validate_graduate(g))
                    for g in graduates]
        profiles = [p for p in profiles if p.graduate.level >= validated.level]
        if not profiles or top <= 0:
            return []
        scores = layout.graduate_matrix(profiles) @ job_vector
        ids = np.array([p.graduate.id for p in profiles], dtype=object)
        order = np.lexsort((ids, -scores))[:top]
        return [
            {
                "graduate_id": profiles[i].graduate.id,
                "score": round(float(scores[i]), 4),
                "why": explain_match(layout.kb, profiles[i], job_profile, layout.weights.field),
            }
            for i in order
        ]

    def score_pairs(self, graduates: Iterable[Any], prefer: str | None = None) -> np.ndarray:
        """Full score matrix (graduates x indexed jobs, in `job_ids_` order); -inf where the
        education filter forbids the pair. For evaluation on small sets."""
        check_is_fitted(self)
        profiles = self.graduate_profiles(graduates, prefer)
        matrix = self._layout(prefer).graduate_matrix(profiles) @ self.job_matrix_.T
        levels = np.array([p.graduate.level for p in profiles])
        matrix[levels[:, None] < self.job_levels_[None, :]] = -np.inf
        return matrix



def _identical_rows(matrix: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For the rows `matrix[order]`, the number of the distinct row each is, numbered by first occurrence.

    Rows are grouped by a hash computed in bulk (the vectors are on the 2^-8 grid, so ×256 they are
    integers; two wrapping int32 dot products with random weights make a 64-bit key), instead of
    hashing each row's bytes in Python; the grouping is then checked exactly (rows grouped together
    must equal their group's first row), and a hash collision falls back to grouping by bytes.
    """
    if len(order) == 0:
        return np.zeros(0, dtype=np.int64)
    weights = np.random.default_rng(12345).integers(-(2**31), 2**31 - 1, size=(matrix.shape[1], 2), dtype=np.int32)
    keys = np.empty((len(matrix), 2), dtype=np.int32)
    for start in range(0, len(matrix), 8192):
        block = np.rint(matrix[start : start + 8192] * np.float32(QUANTUM)).astype(np.int32)
        with np.errstate(over="ignore"):
            keys[start : start + 8192] = block @ weights  # wraps around: a hash
    _, first, inverse = np.unique(keys[order].view(np.int64).reshape(-1), return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    # Number the groups by their first occurrence in `order`.
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    duplicates = np.flatnonzero(first[inverse] != np.arange(len(order)))
    if len(duplicates) and not np.array_equal(matrix[order[duplicates]], matrix[order[first[inverse[duplicates]]]]):
        SLOW_PATH_FALLBACKS["identical_rows"] += 1
        first_of: dict[bytes, int] = {}
        return np.array([first_of.setdefault(matrix[i].tobytes(), len(first_of)) for i in order.tolist()],
                        dtype=np.int64)
    return rank[inverse]


def _first_occurrences(labels: np.ndarray, count: int) -> np.ndarray:
    """For labels 0..count-1 (each present in `labels`), the index of each label's first occurrence."""
    first = np.zeros(count, dtype=np.int64)
    first[labels[::-1]] = np.arange(len(labels))[::-1]  # in a repeated index the last write wins
    return first


def _block(column_of: dict[str, int]) -> tuple[int, int]:
    """(first, end) columns of a block of the layout (its columns are consecutive)."""
    columns = list(column_of.values())
    if not columns:
        return 0, 0
    if columns != list(range(columns[0], columns[0] + len(columns))):
        raise AssertionError("layout block is not contiguous")
    return columns[0], columns[-1] + 1


def _table(texts: list[str]) -> np.ndarray:
    """An object array of strings (NumPy would make a fixed-width string array of a plain list)."""
    table = np.empty(len(texts), dtype=object)
    table[:] = texts
    return table


# --- process-level parallelism for the batch paths (fork: workers share the fitted model) --------
_WORKER_MODEL: MatchModel | None = None


def _call_worker(method: str, argument: Any) -> Any:
    assert _WORKER_MODEL is not None
    return getattr(_WORKER_MODEL, method)(argument)


def _imap_forked(
    model: MatchModel, method: str, arguments: list[Any], processes: int, meanwhile: Callable[[], None] | None = None
) -> Iterator[Any]:
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
            results = pool.imap(functools.partial(_call_worker, method), arguments)
            if meanwhile is not None:
                meanwhile()  # the workers are already at work
            yield from results
    finally:
        model.n_threads = saved_threads
        _WORKER_MODEL = None
