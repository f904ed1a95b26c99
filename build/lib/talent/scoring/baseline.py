"""The plain baseline the model is measured against (issue 5): character 2–3-gram TF-IDF of the
texts, cosine similarity, the education filter, chunked sparse product + argpartition.

Run as `python -m talent.scoring.baseline --jobs J --graduates G --top K` (same input and output
shapes as `talent match rank`, without `why`), so benchmarks time both as whole processes.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from talent.scoring.records import Graduate, Job, validate_graduate, validate_job


def job_text(job: Job) -> str:
    return f"{job.title} {job.description} {' '.join(job.majors)}"


def graduate_text(graduate: Graduate) -> str:
    return f"{graduate.major} {graduate.skills}"


class TfidfBaseline:
    """Character n-gram TF-IDF cosine with the hard education filter."""

    def __init__(self, chunk_rows: int = 1000) -> None:
        self.chunk_rows = chunk_rows

    def fit(self, jobs: list[Job]) -> TfidfBaseline:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.jobs_ = [job for job in jobs if job.is_open]
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)
        self.job_vectors_ = self.vectorizer_.fit_transform([job_text(job) for job in self.jobs_]).T.tocsr()
        self.job_levels_ = np.array([job.level for job in self.jobs_], dtype=np.int8)
        return self

    def rank(self, graduates: list[Graduate], top: int) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.vectorizer_.transform([graduate_text(g) for g in graduates])
        levels = np.array([g.level for g in graduates], dtype=np.int8)
        k = min(top, len(self.jobs_))
        out_cols = np.full((len(graduates), k), -1, dtype=np.int64)
        out_vals = np.full((len(graduates), k), -np.inf, dtype=np.float32)
        for start in range(0, len(graduates), self.chunk_rows):
            stop = min(start + self.chunk_rows, len(graduates))
            scores = (vectors[start:stop] @ self.job_vectors_).toarray()
            scores[levels[start:stop, None] < self.job_levels_[None, :]] = -np.inf
            part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            values = np.take_along_axis(scores, part, axis=1)
            order = np.argsort(-values, axis=1, kind="stable")
            out_cols[start:stop] = np.take_along_axis(part, order, axis=1)
            out_vals[start:stop] = np.take_along_axis(values, order, axis=1)
        return out_cols, out_vals

    def score_pairs(self, graduates: list[Graduate]) -> np.ndarray:
        vectors = self.vectorizer_.transform([graduate_text(g) for g in graduates])
        scores = (vectors @ self.job_vectors_).toarray()
        levels = np.array([g.level for g in graduates])
        scores[levels[:, None] < self.job_levels_[None, :]] = -np.inf
        return scores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="plain TF-IDF baseline ranking")
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--graduates", required=True)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--output", default="-")
    args = parser.parse_args(argv)
    with open(args.jobs, encoding="utf-8") as handle:
        jobs = [validate_job(json.loads(line)) for line in handle if line.strip()]
    with open(args.graduates, encoding="utf-8") as handle:
        graduates = [validate_graduate(json.loads(line)) for line in handle if line.strip()]
    model = TfidfBaseline().fit(jobs)
    columns, scores = model.rank(graduates, args.top)
    out: Any = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    for graduate, row_cols, row_vals in zip(graduates, columns, scores, strict=True):
        matches = [{"job_id": model.jobs_[c].id, "score": round(float(v), 4)}
                   for c, v in zip(row_cols, row_vals, strict=True) if c >= 0 and np.isfinite(v)]
        out.write(json.dumps({"graduate_id": graduate.id, "matches": matches}, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
