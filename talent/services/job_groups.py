"""Posts that belong together: near-duplicates of one employer (the same post published for several districts
or re-posted), and similar posts for a post's page.

Near-duplicates: the same employer, the same minimum education, and titles that are equal once normalised
(full-width folded, case, blanks and punctuation dropped, and any district name or bracketed note such as
"（朝阳区）" or "【急招】" removed). Similar posts: other open posts ranked by the overlap of their titles'
character pairs, with a little extra for a shared listed major and the same district.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from talent.codes import DIVISIONS
from talent.models.jobs import Job

_BRACKETS = re.compile(r"[（(【\[［〔][^）)】\]］〕]*[）)】\]］〕]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DISTRICTS = re.compile("|".join(sorted((re.escape(n) for n in DIVISIONS.values()), key=len, reverse=True)))
SIMILAR_CANDIDATES = 500


def title_key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title or "").lower()
    text = _BRACKETS.sub("", text)
    text = _DISTRICTS.sub("", text)
    return _NOT_WORD.sub("", text)


def near_duplicate_key(job: Job) -> tuple[int, str, str]:
    return job.employer_id, title_key(job.title), job.min_education


@dataclass
class JobGroup:
    job: Job  # the first of the group in the given order
    others: list[Job] = field(default_factory=list)

    @property
    def districts(self) -> list[str]:
        seen: list[str] = []
        for job in [self.job, *self.others]:
            if job.district not in seen:
                seen.append(job.district)
        return seen


def group_near_duplicates(jobs: Iterable[Job]) -> list[JobGroup]:
    """Keep the order of `jobs`; each near-duplicate joins the group of its first occurrence."""
    groups: dict[tuple[int, str, str], JobGroup] = {}
    ordered: list[JobGroup] = []
    for job in jobs:
        key = near_duplicate_key(job)
        if key in groups:
            groups[key].others.append(job)
        else:
            groups[key] = JobGroup(job)
            ordered.append(groups[key])
    return ordered


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similar_jobs(session: Session, job: Job, *, open_condition: object, limit: int = 5) -> tuple[list[Job], list[Job]]:
    """(the same post of this employer published elsewhere, up to `limit` similar posts of any employer);
    only open posts, never `job` itself."""
    candidates = list(session.scalars(
        select(Job).options(joinedload(Job.employer)).where(open_condition, Job.id != job.id)
        .order_by(Job.created_at.desc(), Job.id.desc()).limit(SIMILAR_CANDIDATES)
    ))
    key = near_duplicate_key(job)
    same_post = [c for c in candidates if near_duplicate_key(c) == key]
    own_pairs, own_majors = _pairs(title_key(job.title)), set(job.majors or [])
    scored = []
    for candidate in candidates:
        if near_duplicate_key(candidate) == key:
            continue
        pairs = _pairs(title_key(candidate.title))
        overlap = len(own_pairs & pairs) / len(own_pairs | pairs) if own_pairs | pairs else 0.0
        score = overlap + (0.2 if own_majors & set(candidate.majors or []) else 0.0) \
            + (0.05 if candidate.district == job.district else 0.0)
        if overlap > 0.15:
            scored.append((score, candidate.id, candidate))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    similar: list[Job] = []
    taken: set[tuple[int, str, str]] = set()
    for _score, _id, candidate in scored:
        candidate_key = near_duplicate_key(candidate)
        if candidate_key in taken:  # one of each group of near-duplicates
            continue
        taken.add(candidate_key)
        similar.append(candidate)
        if len(similar) == limit:
            break
    return same_post, similar
