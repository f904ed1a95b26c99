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
from talent.scoring.knowledge import DISTRICTS, knowledge
from talent.scoring.records import EDUCATION_LEVELS, Graduate, Job, validate_graduate, validate_job
from talent.scoring.topk import rank_all_pairs

ProgressCallback = Callable[[int], None]
# Graduates per bulk output block (bounds the per-match arrays of the serial path).
_OUTPUT_BLOCK = 5000
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DISTRICT_RELATIONS = ("preferred", "not_preferred", "no_preference", "unknown")
_SALARY_RELATIONS = ("no_expectation", "unknown", "meets", "below")


@dataclasses.dataclass
class _OutputTables:
    member_start: np.ndarray  # per distinct vector: first entry in member_positions
    member_count: np.ndarray
    member_positions: np.ndarray  # job positions, grouped by distinct vector, (education, id) order
    id_json: np.ndarray  # per job position: the id encoded as JSON
    district: np.ndarray  # per job position: number of the district in DISTRICTS, -1 unknown
    top_pay: np.ndarray  # per job position: salary_max (else salary_min), NaN unknown
    explain_keys: list[tuple]  # per distinct vector


@dataclasses.dataclass
class _RankingIndex:
    matrix: np.ndarray  # distinct job vectors in (education, id) order of their first job
    cuts: list[int]  # columns a graduate of each level may see
    members: list[list[int]]
    column_profiles: list[JobProfile]
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
               job.majors, job.is_open)


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
        state.pop("_explain_cache", None)
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
        # Posts with the same vector share one read-back profile content (and explanation key);
        # each post's profile is built directly (dataclasses.replace costs several µs a post).
        contents: dict[bytes, JobProfile] = {}
        for job, row in zip(open_jobs, rows, strict=True):
            key = row.tobytes()
            content = contents.get(key)
            if content is None:
                content = contents[key] = layout.profile_from_row(job, row)
                content.explain_key = explanation_key(content)
            profiles.append(JobProfile(
                _light_job(job), content.majors, content.classes, content.categories, content.any_major,
                content.fields, content.skills, content.explain_key,
            ))
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

    def _ordered_index(self) -> _RankingIndex:
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
            chosen = np.array(representatives, dtype=np.int64)
            levels = self.job_levels_[chosen]
            cache = _RankingIndex(
                matrix=self.job_matrix_[chosen],
                cuts=[int(np.searchsorted(levels, level, side="right")) for level in range(4)],
                members=members,
                column_profiles=[self.job_profiles_[position] for position in representatives],
            )
            self._ranking_cache = cache
        return cache

    def _output_tables(self) -> _OutputTables:
        """Per-post arrays the bulk JSON writer gathers from (built once per index, before forking)."""
        index = self._ordered_index()
        if index.output is None:
            encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            counts = np.array([len(m) for m in index.members], dtype=np.int64)
            district_numbers = {code: number for number, code in enumerate(DISTRICTS)}
            jobs = [profile.job for profile in self.job_profiles_]
            index.output = _OutputTables(
                member_start=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(counts) else counts,
                member_count=counts,
                member_positions=np.array([p for m in index.members for p in m], dtype=np.int64),
                id_json=np.array([encode(job.id) for job in jobs] + [""], dtype=object)[:-1],
                district=np.array([district_numbers[job.district] if job.district else -1 for job in jobs],
                                  dtype=np.int64),
                top_pay=np.array([np.nan if (pay := job.salary_max if job.salary_max is not None else job.salary_min)
                                  is None else pay for job in jobs], dtype=np.float64),
                explain_keys=[profile.explain_key for profile in index.column_profiles],
            )
        return index.output

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
        index = self._ordered_index()
        members = index.members
        columns, scores = rank_all_pairs(
            matrix, levels, index.matrix, index.cuts, top,
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
        assembled in bulk: the fast path of `talent match rank`.

        With `n_processes` > 1 the graduates are split among forked worker processes (each ranks
        its share with one thread); lines still come out in input order.
        """
        for block in self._json_blocks(graduates, top, explain, on_progress, encoded=False):
            yield from block

    def rank_jobs_json_bytes(
        self, graduates: Iterable[Any], top: int = 10, *, explain: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[bytes]:
        """`rank_jobs_json_lines` as UTF-8 blocks of many lines (what `talent match rank` writes):
        worker processes encode their share once instead of shipping text to be re-encoded."""
        for block in self._json_blocks(graduates, top, explain, on_progress, encoded=True):
            yield block if isinstance(block, bytes) else "".join(block).encode()

    def _json_blocks(
        self, graduates: Iterable[Any], top: int, explain: bool, on_progress: ProgressCallback | None, *,
        encoded: bool,
    ) -> Iterator[list[str] | bytes]:
        check_is_fitted(self)
        if top < 0:
            raise ValueError("top must be ≥ 0")
        graduates = list(graduates)
        self._output_tables()  # build once, before forking, so workers share it
        if self.n_processes > 1 and len(graduates) >= 2000:
            step = max(500, min(5000, len(graduates) // (4 * self.n_processes) + 1))
            ranges = [(start, min(start + step, len(graduates))) for start in range(0, len(graduates), step)]
            # Workers read their share from the forked copy of the list: only bounds are pickled.
            self._pending_graduates = graduates
            try:
                for data, count in _imap_forked(self, "_json_lines_block", [(r, top, explain) for r in ranges],
                                                self.n_processes):
                    if on_progress:
                        on_progress(count)
                    # (not str.splitlines: a U+2028 inside a JSON string is not a line end)
                    yield data if encoded else [line + "\n" for line in data.decode().split("\n")[:-1]]
            finally:
                del self._pending_graduates
            return
        for start in range(0, len(graduates), _OUTPUT_BLOCK):
            yield self._json_lines_bulk(graduates[start : start + _OUTPUT_BLOCK], top, explain, on_progress)

    def _json_lines_block(self, task: tuple[tuple[int, int], int, bool]) -> tuple[bytes, int]:
        (start, stop), top, explain = task
        lines = self._json_lines_bulk(self._pending_graduates[start:stop], top, explain, None)
        return "".join(lines).encode(), stop - start

    def _json_lines_bulk(
        self, graduates: list[Any], top: int, explain: bool, on_progress: ProgressCallback | None
    ) -> list[str]:
        """JSON lines of one block of graduates, built with NumPy gathers instead of per-match Python.

        Graduates with the same (major, major code, skills) share one profile; the content part of
        an explanation is computed once per (graduate content, distinct job vector), the tail once
        per (education, required level, district relation, district, pay relation) code, and every
        match line is a join of cached pieces, so the output equals `rank_jobs_for_graduates` text.
        """
        layout = self._layout()
        graduates = [g if isinstance(g, Graduate) else validate_graduate(g) for g in graduates]
        if not graduates:
            return []
        n = len(graduates)
        content_of: dict[tuple, int] = {}
        content_ids = np.empty(n, dtype=np.int64)
        representatives: list[Graduate] = []
        for row, graduate in enumerate(graduates):
            key = (graduate.major, graduate.major_code, graduate.skills)
            content = content_of.get(key)
            if content is None:
                content = content_of[key] = len(representatives)
                representatives.append(graduate)
            content_ids[row] = content
        content_profiles = [layout.graduate_profile(g) for g in representatives]
        content_keys = list(content_of)
        matrix = layout.graduate_matrix_grouped(content_profiles, content_ids, graduates)
        levels = np.array([g.level for g in graduates], dtype=np.int8)
        index = self._ordered_index()
        tables = self._output_tables()
        columns, scores = rank_all_pairs(
            matrix, levels, index.matrix, index.cuts, top,
            chunk_rows=self.chunk_rows, n_threads=self.n_threads, on_progress=on_progress,
        )
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
            why = self._why_texts(graduates, content_profiles, content_keys, content_ids, levels, rows,
                                  match_columns, positions, tables)
            pieces = np.empty((len(slot), 7), dtype=object)
            pieces[:, 4] = ',"why":'
            pieces[:, 5] = why
            pieces[:, 6] = "}"
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

    def _why_texts(
        self, graduates: list[Graduate], content_profiles: list[GraduateProfile], content_keys: list[tuple],
        content_ids: np.ndarray, levels: np.ndarray, rows: np.ndarray, match_columns: np.ndarray,
        positions: np.ndarray, tables: _OutputTables,
    ) -> np.ndarray:
        """The `why` JSON of every match (object array), from per-content and per-tail caches."""
        kb = self._layout().kb
        index = self._ordered_index()
        cache = self.__dict__.setdefault("_explain_cache", {})
        if len(cache) > 500_000:
            cache.clear()
        # Content part: per (graduate content, distinct job vector).
        n_columns = max(len(index.column_profiles), 1)
        pairs, pair_of = np.unique(content_ids[rows] * n_columns + match_columns, return_inverse=True)
        pair_parts = []
        for pair in pairs.tolist():
            content, column = divmod(pair, n_columns)
            key = (content_keys[content], tables.explain_keys[column])
            part = cache.get(key)
            if part is None:
                part = cache[key] = major_part_json(
                    major_part(kb, content_profiles[content], index.column_profiles[column]))
            pair_parts.append(part)
        # Tail: education (meets/above) × required level × district relation × district × pay relation.
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
        # 0 preferred, 1 not_preferred, 2 no_preference, 3 unknown (the order of tail_key's tests)
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
        tails = []
        for code in codes.tolist():
            rest, salary = divmod(code, 4)
            rest, district_number = divmod(rest, 16)
            rest, relation = divmod(rest, 4)
            is_above, level = divmod(rest, 4)
            tails.append(tail_json(
                "above" if is_above else "meets", EDUCATION_LEVELS[level], _DISTRICT_RELATIONS[relation],
                district_codes[district_number], _SALARY_RELATIONS[salary],
            ))
        combos, combo_of = np.unique(pair_of * len(codes) + tail_of, return_inverse=True)
        texts = [why_json(pair_parts[combo // len(codes)], tails[combo % len(codes)]) for combo in combos.tolist()]
        return np.array(texts + [""], dtype=object)[:-1][combo_of]

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
