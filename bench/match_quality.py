"""Ranking quality of the model and of the plain TF-IDF baseline on the labelled development set.

    python bench/match_quality.py [--data bench/data] [--top 10] [--record]

With --record the section `bench:match-quality` of docs/benchmarks.md is rewritten (bench/record.py).

Reports nDCG@10 (graded gain 2^g − 1), MRR (first job graded ≥ 2) and Recall@10 (share of the jobs
graded ≥ 2 found in the top 10), and counts education violations (must be 0). Grades missing from
devset_grades.jsonl are 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from talent.scoring.baseline import TfidfBaseline
from talent.scoring.model import MatchModel
from talent.scoring.records import validate_graduate, validate_job

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402  (bench/record.py)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def metrics(rankings: dict[str, list[str]], grades: dict[tuple[str, str], int], graduate_ids: list[str],
            all_job_ids: list[str], top: int) -> dict[str, float]:
    ndcgs, reciprocal_ranks, recalls = [], [], []
    for graduate_id in graduate_ids:
        ranked = rankings.get(graduate_id, [])[:top]
        gains = [2 ** grades.get((graduate_id, job_id), 0) - 1 for job_id in ranked]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted((2 ** grades.get((graduate_id, j), 0) - 1 for j in all_job_ids), reverse=True)[:top]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        if idcg == 0:
            continue  # nobody could do anything right for this graduate
        ndcgs.append(dcg / idcg)
        first = next((i for i, job_id in enumerate(ranked) if grades.get((graduate_id, job_id), 0) >= 2), None)
        reciprocal_ranks.append(0.0 if first is None else 1.0 / (first + 1))
        relevant = {j for j in all_job_ids if grades.get((graduate_id, j), 0) >= 2}
        if relevant:
            recalls.append(len(relevant & set(ranked)) / len(relevant))
    return {"ndcg@10": float(np.mean(ndcgs)), "mrr": float(np.mean(reciprocal_ranks)),
            "recall@10": float(np.mean(recalls)), "graduates_scored": len(ndcgs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--prefix", default="devset")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--record", action="store_true", help="rewrite its section of docs/benchmarks.md")
    args = parser.parse_args()
    run = record.provenance("match_quality.py")
    jobs = [validate_job(j) for j in read_lines(args.data / f"{args.prefix}_jobs.jsonl")]
    graduates = [validate_graduate(g) for g in read_lines(args.data / f"{args.prefix}_graduates.jsonl")]
    grades = {(g["graduate_id"], g["job_id"]): g["grade"] for g in read_lines(args.data / f"{args.prefix}_grades.jsonl")}
    job_level = {j.id: j.level for j in jobs}
    graduate_ids, job_ids = [g.id for g in graduates], [j.id for j in jobs if j.is_open]
    print(f"{len(graduates)} graduates x {len(jobs)} jobs, {len(grades)} non-zero grades")

    started = time.perf_counter()
    model = MatchModel(n_threads=1).fit(jobs)
    ranked = model.rank_jobs_for_graduates(graduates, top=args.top, explain=False)
    model_rankings = {r["graduate_id"]: [m["job_id"] for m in r["matches"]] for r in ranked}
    model_seconds = time.perf_counter() - started

    started = time.perf_counter()
    baseline = TfidfBaseline().fit(jobs)
    columns, scores = baseline.rank(graduates, args.top)
    baseline_rankings = {
        g.id: [baseline.jobs_[c].id for c, v in zip(cols, vals, strict=True) if c >= 0 and np.isfinite(v)]
        for g, cols, vals in zip(graduates, columns, scores, strict=True)
    }
    baseline_seconds = time.perf_counter() - started

    level = {g.id: g.level for g in graduates}
    print(f"{'method':<10} {'nDCG@10':>8} {'MRR':>6} {'R@10':>6} {'edu violations':>15} {'seconds':>8}")
    rows = []
    for name, label, rankings, seconds in (("model", "model", model_rankings, model_seconds),
                                           ("baseline", "TF-IDF baseline", baseline_rankings, baseline_seconds)):
        result = metrics(rankings, grades, graduate_ids, job_ids, args.top)
        violations = sum(job_level[j] > level[g] for g, ranked_ids in rankings.items() for j in ranked_ids)
        print(f"{name:<10} {result['ndcg@10']:>8.3f} {result['mrr']:>6.3f} {result['recall@10']:>6.3f} "
              f"{violations:>15d} {seconds:>8.2f}")
        rows.append((label, result, violations))
    if args.record:
        record.write_section("match-quality", render_section(run, rows, len(graduates), len(jobs), grades, args))


def render_section(run: dict, rows: list, graduates: int, jobs: int, grades: dict, args) -> str:
    graded = sum(1 for grade in grades.values() if grade > 0)
    table = ["| method | nDCG@10 | MRR | Recall@10 | posts above the graduate's education ranked |",
             "|---|---:|---:|---:|---:|"]
    table += [f"| {label} | {result['ndcg@10']:.3f} | {result['mrr']:.3f} | {result['recall@10']:.3f} | {violations} |"
              for label, result, violations in rows]
    gain = rows[0][1]["ndcg@10"] - rows[1][1]["ndcg@10"]
    return f"""## Matching quality (labelled development set)

Similarity model (`talent/scoring`) against the plain baseline (`talent.scoring.baseline`: character
2–3-gram TF-IDF, cosine, education filter). Method and data: [matching.md](matching.md).

- Commit: `{run['commit']}` · command: `{run['command']}` (every row of the table below; the data files
  come from `python bench/data/make_devset.py`)
- Data: {graduates} graduates × {jobs} posts ({graduates * jobs:,} pairs, {graded:,} graded 1–3), graded by the
  recruiter rules in matching.md; all posts and graduates ranked, top {args.top}.
- Date: {run['date']}

{chr(10).join(table)}

{gain:+.3f} nDCG@10 over the baseline in the same run. The same person wrote the grading judgements and the
model's knowledge files, so this is a regression check more than a held-out estimate.
"""


if __name__ == "__main__":
    main()
