"""From validated jobs and graduates to the two sides of one bilinear score.

score(graduate, job) = g · j, where every block of the vectors is one part of a recruiter's judgement:

    block          graduate side                          job side
    major          weight at own major code               1 at each listed/mentioned major
    class          weight at own major class              1 at each listed class
    category       weight at own category                 1 at each listed category
    occupation     weight x share of each CSCO-2022 中类  1 at the post's 中类 (its occupation code)
                   the coder suggests for the major
    any major      weight                                 1 when the ad says 专业不限
    field          affinity of the major (and skills)     field profile of the ad (sums to 1)
    skills         weight / sqrt(#skills)                 1 / sqrt(#skills) at each skill named
    district       weight at preferred districts          1 at the job's district
    salary         weight x fit(expected, bucket)         1 at the bucket of the offered pay
    education      weight x fit(own level, job level)     1 at the minimum level

Because the score is one matrix product, ranking every graduate against every job is a dense
float32 GEMM in chunks (see topk.py), and the parts can be read back for the explanation.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace

import numpy as np

from talent.scoring.knowledge import CATEGORY_NAMES, DISTRICTS, Knowledge, MajorResolution
from talent.scoring.records import Graduate, Job
from talent.scoring.text import join_text, normalize_text

# Upper edges (monthly yuan) of the salary buckets a job's offered pay falls into.
SALARY_BUCKET_EDGES = (2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 7000, 8000, 9000, 10000,
                       12000, 14000, 16000, 20000, 25000, 30000, 40000, 10_000_000)
TITLE_WEIGHT = 3.0
SKILL_FIELD_WEIGHT = 0.5
SKILL_AFFINITY = 0.6  # a graduate's affinity to the fields of a skill it has, per unit of the skill's field weight  # a skill named in an ad counts half a field word per unit of its field affinity
# Bounds of the caches of scanned titles and of scanned descriptions (cleared when full, as the other
# caches; a description entry takes about 0.7 kB, so that cache stays under 35 MB).
TEXT_CACHE_ENTRIES = 200_000
DESCRIPTION_CACHE_ENTRIES = 50_000
# Both sides are snapped to multiples of 2^-8. Every product is then a multiple of 2^-16 and every
# partial sum (|s| < 2^7) fits float32's 24-bit mantissa exactly, so a score does not depend on the
# order BLAS adds terms in (chunk shape, thread count): rankings are reproducible bit for bit.
QUANTUM = 256.0


def snap(matrix: np.ndarray) -> np.ndarray:
    np.multiply(matrix, QUANTUM, out=matrix)
    np.rint(matrix, out=matrix)
    np.divide(matrix, QUANTUM, out=matrix)
    return matrix


@dataclass(frozen=True)
class Weights:
    """How much each part of the judgement counts (the estimator's hyper-parameters).

    The relevance parts (major relation, field fit, skills, occupation, education) decide the order; district
    and salary are preferences and weigh only as much as a tie-break tolerance (`PREFERENCE_TOLERANCE`): a
    post whose relevance is higher by more than the two preference weights together is never overtaken by
    a better-placed or better-paid one (docs/matching.md, "Relevance first"). Skills named in the ad are
    direct evidence and weigh more than a shared major class (structural relation).
    """

    same_major: float = 0.18
    same_class: float = 0.12
    same_category: float = 0.03
    any_major: float = 0.12
    field: float = 0.38
    skills: float = 0.32
    district: float = 0.016
    salary: float = 0.016
    education: float = 0.06
    occupation: float = 0.04

    def for_preference(self, prefer: str | None) -> Weights:
        """These weights with the preference parts of a `prefer` choice (None or "relevance": as they are)."""
        prefer = check_prefer(prefer)
        if prefer == "near":
            return replace(self, district=max(self.district, PREFERRED_WEIGHT))
        if prefer == "pay":
            return replace(self, salary=max(self.salary, PREFERRED_WEIGHT))
        return self


# The preference parts weigh at most this much together by default (relevance first, preferences break near
# ties) ...
PREFERENCE_TOLERANCE = 0.032
# ... and the part a graduate chose to put first (`prefer="near"` / `"pay"`) this much: it may lift a post over
# others whose relevance is at most this (plus the other part's weight) higher, never over a clearly more
# relevant one (a same-major listing alone is worth 0.18 + 0.12 + 0.03).
PREFERRED_WEIGHT = 0.08
PREFER_CHOICES = ("relevance", "near", "pay")


def check_prefer(prefer: str | None) -> str:
    """None → "relevance"; a choice of PREFER_CHOICES as it is; anything else → ValueError."""
    if prefer is None or prefer == "":
        return "relevance"
    if prefer not in PREFER_CHOICES:
        raise ValueError(f"prefer must be one of {', '.join(PREFER_CHOICES)}, got {prefer!r}")
    return prefer


# What one title or description names: (field counts, skills, majors, classes, says 专业不限). Cached
# and shared between jobs, so never mutated. Tuples of strings and a dict of floats, which the garbage
# collector stops tracking: a cache of sets would be traversed by every full collection.
_TextFindings = tuple[dict[str, float], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]


@dataclass
class JobProfile:
    job: Job
    majors: set[str]
    classes: set[str]
    categories: set[str]
    any_major: bool
    fields: dict[str, float]  # sums to 1 (or empty)
    skills: set[str]
    occupation: str | None = None  # CSCO-2022 中类 (e.g. "2-02") of the post's occupation code, if known


@dataclass
class GraduateProfile:
    graduate: Graduate
    major_code: str | None
    class_code: str | None
    category_code: str | None
    affinities: dict[str, float]
    skills: set[str]
    resolution: MajorResolution | None = None  # how the major was resolved (shown in the explanation)
    occupations: dict[str, float] = field(default_factory=dict)  # 中类 → share, from the occupation coder


def occupation_groups() -> tuple[str, ...]:
    """The 中类 (second level, e.g. "2-02") of the CSCO-2022 catalogue shipped with talent.occupations."""
    global _OCCUPATION_GROUPS
    if _OCCUPATION_GROUPS is None:
        from talent.occupations import read_catalogue

        _OCCUPATION_GROUPS = tuple(sorted({o.code[:4] for o in read_catalogue() if o.level >= 2}))
    return _OCCUPATION_GROUPS


_OCCUPATION_GROUPS: tuple[str, ...] | None = None


def occupation_group(code: str | None) -> str | None:
    """The 中类 of an occupation code ("2-02-10-03" → "2-02"); None for none or a code of no known 中类."""
    if not code:
        return None
    group = str(code).strip()[:4]
    return group if group in set(occupation_groups()) else None


def salary_bucket(job: Job) -> int:
    """Bucket of the pay a graduate would compare with (midpoint of the range); 0 when unknown."""
    if job.salary_min is None and job.salary_max is None:
        return 0
    low = job.salary_min if job.salary_min is not None else job.salary_max
    high = job.salary_max if job.salary_max is not None else job.salary_min
    midpoint = (low + high) / 2
    for index, edge in enumerate(SALARY_BUCKET_EDGES):
        if midpoint < edge:
            return index + 1
    return len(SALARY_BUCKET_EDGES)


def _bucket_centre(index: int) -> float:
    lower = SALARY_BUCKET_EDGES[index - 2] if index >= 2 else 1000
    upper = SALARY_BUCKET_EDGES[index - 1]
    return (lower + min(upper, lower * 1.5)) / 2


def education_fit(graduate_level: int, job_level: int) -> float:
    """A post asking for the graduate's own level fits best; a doctor in a college-level post less."""
    if job_level > graduate_level:
        return -100.0  # hard filter; ranking never even computes these columns (see topk.py)
    return (1.0, 0.75, 0.4, 0.2)[graduate_level - job_level]


class FeatureLayout:
    """Column positions of every block; fixed by the shipped knowledge, not learned."""

    def __init__(self, kb: Knowledge, weights: Weights) -> None:
        self.kb = kb
        self.weights = weights
        names: list[str] = []
        # A column per hand-kept major (majors.tsv); the other catalogue majors count through their
        # class and category (a column for each of the ~1,700 would make every vector 5× wider).
        self.major_index = {code: len(names) + i for i, code in enumerate(kb.scored_majors)}
        names += [f"major:{code}" for code in kb.scored_majors]
        self.class_index = {code: len(names) + i for i, code in enumerate(kb.classes)}
        names += [f"class:{code}" for code in kb.classes]
        self.category_index = {code: len(names) + i for i, code in enumerate(CATEGORY_NAMES)}
        names += [f"category:{code}" for code in CATEGORY_NAMES]
        # Occupation 中类 columns: part of the split product with the major columns (a graduate's occupation
        # shares depend on the major only), so they cost no GEMM column.
        self.occupation_index = {code: len(names) + i for i, code in enumerate(occupation_groups())}
        names += [f"occupation:{code}" for code in occupation_groups()]
        self.any_major_index = len(names)
        names.append("any_major")
        self.field_index = {fid: len(names) + i for i, fid in enumerate(kb.fields)}
        names += [f"field:{fid}" for fid in kb.fields]
        self.skill_index = {sid: len(names) + i for i, sid in enumerate(kb.skills)}
        names += [f"skill:{sid}" for sid in kb.skills]
        self.district_index = {code: len(names) + i for i, code in enumerate(DISTRICTS)}
        names += [f"district:{code}" for code in DISTRICTS]
        self.unknown_district_index = len(names)
        names.append("district:unknown")
        self.salary_start = len(names)
        names += [f"salary:{i}" for i in range(len(SALARY_BUCKET_EDGES) + 1)]
        self.education_start = len(names)
        names += [f"education:{level}" for level in range(4)]
        self.names = names
        # What each column means, to read a profile back from a job vector.
        self._column_meaning: list[tuple[int, str]] = [(9, "")] * len(names)
        for kind, index in enumerate((self.major_index, self.class_index, self.category_index)):
            for key, column in index.items():
                self._column_meaning[column] = (kind, key)
        self._column_meaning[self.any_major_index] = (3, "")
        for key, column in self.field_index.items():
            self._column_meaning[column] = (4, key)
        for key, column in self.skill_index.items():
            self._column_meaning[column] = (5, key)
        for key, column in self.occupation_index.items():
            self._column_meaning[column] = (6, key)
        # Graduate-side occupation shares are computed (the coder loaded) only when some indexed post has an
        # occupation code: the model sets this before ranking.
        self.occupations_wanted = False
        self._occupation_cache: dict[str, dict[str, float]] = {}
        # Title → occupation code from the coder, for posts without one (MatchModel(code_occupations=True)).
        self.title_occupations: dict[str, str] = {}
        self._major_cache: dict[tuple, tuple] = {}
        self._skill_cache: dict[str, tuple] = {}
        # What a title / a description names (`_TextFindings`), keyed by the raw title and by a
        # digest of the raw description (the model drops descriptions once vectors are built; the
        # cache should not keep them alive).
        self._title_cache: dict[str, _TextFindings] = {}
        self._description_cache: dict[bytes, _TextFindings] = {}
        # Half the field affinities of each major, what a post listing it gains (see job_profile);
        # filled on first use.
        self._half_affinities: dict[str, tuple[tuple[str, float], ...]] = {}
        # A job's `majors` field (codes, class prefixes, names) → (major codes, class codes).
        self._reference_cache: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
        # Graduate-side salary and education blocks depend only on (expected pay, level): tables.
        self._salary_centres = np.array([np.nan] + [_bucket_centre(i) for i in range(1, len(SALARY_BUCKET_EDGES) + 1)])
        self._education_rows = np.array(
            [[education_fit(g, j) if education_fit(g, j) < 0 else weights.education * education_fit(g, j)
              for j in range(4)] for g in range(4)], dtype=np.float32)

    @property
    def width(self) -> int:
        return len(self.names)

    # --- profiles -------------------------------------------------------------------------------

    def _text_findings(self, text: str, weight: float) -> _TextFindings:
        """Scan one raw title or description: normalised once, one automaton pass over the whole text
        (majors, classes and 专业不限 count only in clauses that speak of majors, see `Knowledge.scan`)."""
        fields, skills, majors, classes, any_major = self.kb.scan_job_text(normalize_text(text), weight)
        return fields, tuple(skills), tuple(majors), tuple(classes), any_major

    def _title_findings(self, title: str) -> _TextFindings:
        # Titles repeat a lot (数据分析师, 护士 …): each distinct one is scanned once.
        found = self._title_cache.get(title)
        if found is None:
            if len(self._title_cache) >= TEXT_CACHE_ENTRIES:
                self._title_cache.clear()
            found = self._title_cache[title] = self._text_findings(title, TITLE_WEIGHT)
        return found

    def _description_findings(self, description: str) -> _TextFindings:
        # Whole ads repeat in real data (the same post in several districts); a 16-byte digest
        # stands for the text (a collision is as unlikely as a hardware fault).
        key = hashlib.blake2b(description.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = self._description_cache.get(key)
        if found is None:
            if len(self._description_cache) >= DESCRIPTION_CACHE_ENTRIES:
                self._description_cache.clear()
            found = self._description_cache[key] = self._text_findings(description, 1.0)
        return found

    def _listed_majors(self, references: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
        # The same lists recur across posts (["0809"], ["车辆工程", "机械类"]): resolved once each.
        found = self._reference_cache.get(references)
        if found is None:
            majors: set[str] = set()
            classes: set[str] = set()
            for reference in references:
                found_majors, found_classes = self.kb.resolve_major_reference(reference)
                majors |= found_majors
                classes |= found_classes
            if len(self._reference_cache) >= TEXT_CACHE_ENTRIES:
                self._reference_cache.clear()
            found = self._reference_cache[references] = (frozenset(majors), frozenset(classes))
        return found

    def job_profile(self, job: Job) -> JobProfile:
        kb = self.kb
        title_fields, title_skills, title_majors, title_classes, title_any = self._title_findings(job.title)
        fields_found, skills_found, majors_found, classes_found, any_major = self._description_findings(job.description)
        # Title words count TITLE_WEIGHT times (weighted in the title's scan), added before the ad's.
        counts = fields_found
        if title_fields:
            counts = dict(title_fields)
            for fid, count in fields_found.items():
                counts[fid] = counts.get(fid, 0.0) + count
        skills = set(skills_found)
        skills.update(title_skills)
        majors = set(majors_found)
        majors.update(title_majors)
        classes = set(classes_found)
        classes.update(title_classes)
        if job.majors:
            listed_majors, listed_classes = self._listed_majors(job.majors)
            majors |= listed_majors
            classes |= listed_classes
        classes |= {found for code in majors if (found := kb.scoring_class(code))}
        categories = {code[:2] for code in classes}
        # The skills an ad asks for say what the work is about too (Python, MySQL, Linux: software), so a post
        # described by its skills alone is not outweighed by one that only lists a major class.
        if skills:
            counts = dict(counts)
            skill_table = kb.skills
            for sid in skills:
                for fid, weight in skill_table[sid].fields.items():
                    counts[fid] = counts.get(fid, 0.0) + SKILL_FIELD_WEIGHT * weight
        # A listed major says what the work is about as much as the words do.
        raw_fields = {fid: math.sqrt(count) for fid, count in counts.items() if count > 0}
        for code in majors:
            for fid, half_affinity in self._major_half_affinities(code):
                raw_fields[fid] = raw_fields.get(fid, 0.0) + half_affinity / len(majors)
        total = sum(raw_fields.values())
        fields = {fid: value / total for fid, value in raw_fields.items()} if total > 0 else {}
        occupation = occupation_group(getattr(job, "occupation_code", None) or self.title_occupations.get(job.title))
        return JobProfile(job, majors, classes, categories, title_any or any_major, fields, skills, occupation)

    def code_titles(self, titles: list[str]) -> None:
        """Suggest an occupation code (the coder's first) for each distinct title not coded yet, in one batch."""
        missing = sorted({t for t in titles if t and t not in self.title_occupations})
        if not missing:
            return
        from talent.occupations import load_coder

        for title, suggestions in zip(missing, load_coder().code(missing, top=1), strict=True):
            if suggestions:
                self.title_occupations[title] = suggestions[0].code

    def graduate_occupations(self, major: str) -> dict[str, float]:
        """Shares of the 中类 of the coder's three codes for the major's name (as an occupation title)."""
        found = self._occupation_cache.get(major)
        if found is None:
            from talent.occupations import load_coder

            text = normalize_text(major)
            suggestions = load_coder().code([text], top=3)[0] if text else []
            shares: dict[str, float] = {}
            for suggestion in suggestions:
                group = occupation_group(suggestion.code)
                if group:
                    shares[group] = shares.get(group, 0.0) + suggestion.score
            total = sum(shares.values())
            found = {group: value / total for group, value in shares.items()} if total > 0 else {}
            if len(self._occupation_cache) > 200_000:
                self._occupation_cache.clear()
            self._occupation_cache[major] = found
        return found

    def _major_half_affinities(self, code: str) -> tuple[tuple[str, float], ...]:
        found = self._half_affinities.get(code)
        if found is None:
            affinities = self.kb.major_affinities(code, self.kb.scoring_class(code))
            found = self._half_affinities[code] = tuple((fid, 0.5 * affinity) for fid, affinity in affinities.items())
        return found

    def profile_from_row(self, job: Job, row: np.ndarray) -> JobProfile:
        """The profile a job vector encodes (the inverse of `job_matrix` for one row)."""
        columns = np.flatnonzero(row[: self.unknown_district_index])
        majors: set[str] = set()
        classes: set[str] = set()
        categories: set[str] = set()
        fields: dict[str, float] = {}
        skills: set[str] = set()
        any_major = False
        occupation = None
        meaning = self._column_meaning
        for column, value in zip(columns.tolist(), row[columns].tolist(), strict=True):
            kind, key = meaning[column]
            if kind == 4:
                fields[key] = value
            elif kind == 5:
                skills.add(key)
            elif kind == 0:
                majors.add(key)
            elif kind == 1:
                classes.add(key)
            elif kind == 2:
                categories.add(key)
            elif kind == 3:
                any_major = True
            elif kind == 6:
                occupation = key
        return JobProfile(job, majors, classes, categories, any_major, fields, skills, occupation)

    def _major_knowledge(self, major: str, code: str | None, level: int | None = None) -> tuple:
        """(major code, class code, affinities, skills named in the major, resolution) for a major as
        written by a graduate of education `level` (which picks the catalogue when names collide)."""
        key = (major, code, level)
        found = self._major_cache.get(key)
        if found is None:
            kb = self.kb
            major_text = normalize_text(major)
            resolution = kb.resolve_major_detailed(major_text, code, level)
            major_code, class_code = resolution.code, resolution.class_code
            affinities = kb.major_affinities(major_code, class_code)
            # Words of the major itself (汽车检测与维修技术 → automotive) when the catalogue does not know it.
            major_hits = kb.scan(major_text, majors_from_text=False)
            strength = 0.9 if major_code is None else 0.6
            for fid, count in major_hits.fields.items():
                affinities[fid] = max(affinities.get(fid, 0.0), min(1.0, strength * count))
            found = self._major_cache[key] = (
                major_code, class_code, affinities, frozenset(major_hits.skills), resolution)
        return found

    def _skill_knowledge(self, skills_text: str) -> tuple[frozenset[str], dict[str, float]]:
        found = self._skill_cache.get(skills_text)
        if found is None:
            hits = self.kb.scan(join_text(skills_text), majors_from_text=False)
            found = self._skill_cache[skills_text] = (frozenset(hits.skills), hits.fields)
        return found

    def graduate_profile(self, graduate: Graduate) -> GraduateProfile:
        if len(self._major_cache) > 200_000 or len(self._skill_cache) > 200_000:
            self._major_cache.clear()
            self._skill_cache.clear()
        major_code, class_code, major_affinities, major_skills, resolution = self._major_knowledge(
            graduate.major, graduate.major_code, graduate.level)
        skill_ids, skill_fields = self._skill_knowledge(graduate.skills)
        affinities = dict(major_affinities)
        skills = set(skill_ids | major_skills)
        skill_table = self.kb.skills
        for skill_id in skills:
            for fid, weight in skill_table[skill_id].fields.items():
                if SKILL_AFFINITY * weight > affinities.get(fid, 0.0):
                    affinities[fid] = SKILL_AFFINITY * weight
        for fid, count in skill_fields.items():
            affinities[fid] = max(affinities.get(fid, 0.0), min(0.5, 0.4 * count))
        category_code = class_code[:2] if class_code else resolution.category_code
        occupations = self.graduate_occupations(graduate.major) if self.occupations_wanted else {}
        return GraduateProfile(graduate, major_code, class_code, category_code, affinities, skills, resolution,
                               occupations)

    # --- vectors -------------------------------------------------------------------------------

    def job_matrix(self, profiles: list[JobProfile]) -> np.ndarray:
        matrix = np.zeros((len(profiles), self.width), dtype=np.float32)
        for row, profile in enumerate(profiles):
            vector = matrix[row]
            for code in profile.majors:
                if code in self.major_index:
                    vector[self.major_index[code]] = 1.0
            for code in profile.classes:
                vector[self.class_index[code]] = 1.0
            for code in profile.categories:
                vector[self.category_index[code]] = 1.0
            if profile.any_major:
                vector[self.any_major_index] = 1.0
            if profile.occupation:
                vector[self.occupation_index[profile.occupation]] = 1.0
            for fid, share in profile.fields.items():
                vector[self.field_index[fid]] = share
            if profile.skills:
                norm = 1.0 / math.sqrt(len(profile.skills))
                for sid in profile.skills:
                    vector[self.skill_index[sid]] = norm
            district = profile.job.district
            vector[self.district_index[district] if district else self.unknown_district_index] = 1.0
            vector[self.salary_start + salary_bucket(profile.job)] = 1.0
            vector[self.education_start + profile.job.level] = 1.0
        return snap(matrix)

    def graduate_matrix(self, profiles: list[GraduateProfile]) -> np.ndarray:
        return self.graduate_matrix_grouped(profiles, np.arange(len(profiles)), [p.graduate for p in profiles])

    def graduate_matrix_grouped(
        self, content_profiles: list[GraduateProfile], content_ids: np.ndarray, graduates: list[Graduate]
    ) -> np.ndarray:
        """Graduate vectors from the profiles of distinct (major, major code, skills) contents.

        Graduates repeat majors and skill sets a lot; the major/field/skill blocks are written once
        per distinct content and copied by NumPy, the rest (districts, pay, education) per graduate
        in bulk. `content_ids[i]` is graduate i's content in `content_profiles`.
        """
        w = self.weights
        n = len(graduates)
        content = np.zeros((len(content_profiles), self.width), dtype=np.float32)
        major_index, class_index, category_index = self.major_index, self.class_index, self.category_index
        field_index, skill_index, district_index = self.field_index, self.skill_index, self.district_index
        for row, profile in enumerate(content_profiles):
            vector = content[row]
            if profile.major_code in major_index:
                vector[major_index[profile.major_code]] = w.same_major
            if profile.class_code:
                vector[class_index[profile.class_code]] = w.same_class
            if profile.category_code:
                vector[category_index[profile.category_code]] = w.same_category
            for group, share in profile.occupations.items():
                vector[self.occupation_index[group]] = w.occupation * share
            for fid, affinity in profile.affinities.items():
                vector[field_index[fid]] = w.field * affinity
            if profile.skills:
                norm = w.skills / math.sqrt(len(profile.skills))
                for sid in profile.skills:
                    vector[skill_index[sid]] = norm
        matrix = content[content_ids] if len(content_profiles) else np.zeros((n, self.width), dtype=np.float32)
        district_columns = np.array(list(district_index.values()) + [self.unknown_district_index])
        preferred_rows: list[int] = []
        preferred_columns: list[int] = []
        for row, graduate in enumerate(graduates):
            for code in graduate.districts:
                preferred_rows.append(row)
                preferred_columns.append(district_index[code])
        matrix[preferred_rows, preferred_columns] = np.float32(w.district)
        no_preference = np.ones(n, dtype=bool)
        no_preference[preferred_rows] = False
        matrix[:, self.any_major_index] = w.any_major
        # A graduate without preferences is indifferent (half credit everywhere); one with
        # preferences gives a post of unknown district a little credit.
        matrix[np.ix_(no_preference, district_columns)] = 0.5 * w.district
        matrix[~no_preference, self.unknown_district_index] = 0.3 * w.district
        # Salary fit per pay bucket: 1 when the bucket's centre reaches the expectation, falling to 0 at
        # 60 % of it; a post without pay counts half; no expectation fits everything.
        expected = np.array([g.expected_salary or 0 for g in graduates], dtype=np.float64)
        ratio = self._salary_centres[None, 1:] / np.where(expected > 0, expected, 1.0)[:, None]
        fit = np.clip((ratio - 0.6) / 0.4, 0.0, 1.0)
        fit[expected <= 0] = 1.0
        salary = matrix[:, self.salary_start : self.salary_start + len(self._salary_centres)]
        salary[:, 0] = np.where(expected > 0, 0.5, 1.0) * w.salary
        salary[:, 1:] = w.salary * fit
        levels = np.array([g.level for g in graduates], dtype=np.int64)
        matrix[:, self.education_start : self.education_start + 4] = self._education_rows[levels]
        return snap(matrix)


def _snapped(value: float) -> float:
    return float(np.float32(round(value * QUANTUM) / QUANTUM))


def preference_part(weights: Weights, graduate: Graduate, job: Job) -> float:
    """The district and salary part of the score of (graduate, job) under `weights`, exactly as the graduate
    vector's district and salary columns give it (each snapped to 2^-8): the part a `prefer` choice changes,
    so stored scores can be reordered by a preference without the model (services.match_serving)."""
    w_district, w_salary = weights.district, weights.salary
    if graduate.districts:
        district = w_district if job.district in graduate.districts else (0.3 * w_district if job.district is None else 0.0)
    else:
        district = 0.5 * w_district
    expected = graduate.expected_salary or 0
    bucket = salary_bucket(job)
    if expected <= 0:
        salary = w_salary
    elif bucket == 0:
        salary = 0.5 * w_salary
    else:
        fit = min(1.0, max(0.0, (_bucket_centre(bucket) / expected - 0.6) / 0.4))
        salary = w_salary * fit
    return _snapped(float(np.float32(district))) + _snapped(float(np.float32(salary)))
