"""The learned ranker: the weights of the score's parts fitted with scikit-learn on graded pairs.

The score stays one bilinear form (features.py), so ranking with learned weights costs exactly what ranking
with the hand-set ones does (the exact all-pairs top-k of topk.py). What is learned is how much each part
counts:

1. `pair_parts(model, graduates)`: for every (graduate, indexed post) pair, the value of each part with unit
   weight (same major, same class, same category, any major, field fit, skills, occupation agreement,
   education, district, salary), from the model's own vectors, and whether education allows the pair.
2. `fit_weights(parts, grades)`: a non-negative linear regression (scikit-learn `Ridge(positive=True)`) of the
   grade on the parts, over the eligible pairs. The relevance coefficients are scaled so that they sum to the
   hand-set relevance weights' sum (the preference tolerance keeps its meaning); the preference parts keep the
   hand-set tie-break weights (relevance first: the graded data's preference penalties do not buy district
   or salary more than a tie-break), and skills named in an ad weigh at least the shared class and category
   together plus half the field weight (`EVIDENCE_FIELD_SHARE`, at least `EVIDENCE_MARGIN`): direct
   evidence over a structural relation (a class listing also makes the post's field profile the class's).
3. `cross_validate(...)`: `GroupKFold` by graduate (no graduate in both the training and the held-out part of a
   fold); each fold's weights rank the held-out graduates with a real MatchModel, and the metrics are those of
   the held-out rankings only.

Training data: the graded development set (`grades`: `{graduate_id, job_id, grade}` lines; pairs not listed
are 0), or outcomes (`read_outcomes`, the feedback export of the hiring issue: JSON Lines
`{graduate_id, job_id, impressions, opened, applied, shortlisted, hired}`; a pair shown and not acted on is 0,
applied 1, shortlisted 2, hired 3; only pairs shown are labelled).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from talent.scoring.features import FeatureLayout, Weights
from talent.scoring.model import MatchModel
from talent.scoring.ranker import FORMAT
from talent.scoring.records import Graduate, Job, validate_graduate, validate_job

PARTS = tuple(f.name for f in dataclasses.fields(Weights))
PREFERENCE_PARTS = ("district", "salary")
EVIDENCE_MARGIN = 0.05
EVIDENCE_FIELD_SHARE = 0.5
FOLDS = 5
OUTCOME_FIELDS = ("impressions", "opened", "applied", "shortlisted", "hired")


def pair_parts(model: MatchModel, graduates: list[Graduate]) -> tuple[np.ndarray, np.ndarray]:
    """(parts: graduates × indexed posts × len(PARTS), eligible: graduates × posts) for a fitted model."""
    base = model._graduate_layout()
    profiles = model.graduate_profiles(graduates)
    values = np.zeros((len(graduates), len(model.job_ids_), len(PARTS)), dtype=np.float64)
    for k, part in enumerate(PARTS):
        layout = FeatureLayout(base.kb, Weights(**{name: (1.0 if name == part else 0.0) for name in PARTS}))
        layout.occupations_wanted = base.occupations_wanted
        values[:, :, k] = layout.graduate_matrix(profiles).astype(np.float64) @ model.job_matrix_.T
    levels = np.array([g.level for g in graduates])
    eligible = levels[:, None] >= model.job_levels_[None, :]
    values[~eligible] = 0.0
    return values, eligible


def weights_from_coefficients(coefficients: dict[str, float], reference: Weights | None = None) -> Weights:
    """Learned coefficients → Weights: relevance parts scaled to the reference's relevance sum, preference
    parts as in the reference, skills at least same class + same category + EVIDENCE_MARGIN."""
    reference = reference or Weights()
    relevance = [p for p in PARTS if p not in PREFERENCE_PARTS]
    total = sum(max(coefficients.get(p, 0.0), 0.0) for p in relevance)
    target = sum(getattr(reference, p) for p in relevance)
    values = {p: (max(coefficients.get(p, 0.0), 0.0) * target / total if total > 0 else getattr(reference, p))
              for p in relevance}
    values["skills"] = max(values["skills"], values["same_class"] + values["same_category"]
                           + max(EVIDENCE_MARGIN, EVIDENCE_FIELD_SHARE * values["field"]))
    values.update({p: getattr(reference, p) for p in PREFERENCE_PARTS})
    return Weights(**{p: round(float(values[p]), 4) for p in PARTS})


def fit_weights(parts: np.ndarray, grades: np.ndarray, mask: np.ndarray, alpha: float = 1.0) -> Weights:
    """Non-negative ridge regression of the grades on the parts of the pairs in `mask`."""
    from sklearn.linear_model import Ridge

    features = parts[mask]
    target = grades[mask].astype(np.float64)
    regression = Ridge(alpha=alpha, positive=True, fit_intercept=True).fit(features, target)
    return weights_from_coefficients(dict(zip(PARTS, regression.coef_.tolist(), strict=True)))


def grade_matrix(graduates: list[Graduate], job_ids: list[str], grades: dict[tuple[str, str], int],
                 labelled_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(grades, labelled) graduates × posts; pairs not listed are 0 and, with `labelled_only`, not labelled."""
    position = {job_id: j for j, job_id in enumerate(job_ids)}
    row = {g.id: i for i, g in enumerate(graduates)}
    values = np.zeros((len(graduates), len(job_ids)))
    labelled = np.zeros_like(values, dtype=bool) if labelled_only else np.ones_like(values, dtype=bool)
    for (graduate_id, job_id), grade in grades.items():
        if graduate_id in row and job_id in position:
            values[row[graduate_id], position[job_id]] = grade
            labelled[row[graduate_id], position[job_id]] = True
    return values, labelled


def ranking_metrics(rankings: dict[str, list[str]], grades: dict[tuple[str, str], int], graduate_ids: list[str],
                    job_ids: list[str], top: int = 10) -> dict[str, float]:
    """nDCG@top (gain 2^g − 1), MRR (first post graded ≥ 2), Recall@top (posts graded ≥ 2) and accuracy@1 (the
    first post graded ≥ 2), averaged over the graduates with any graded post."""
    ndcgs, reciprocal, recalls, first_right = [], [], [], []
    for graduate_id in graduate_ids:
        ranked = rankings.get(graduate_id, [])[:top]
        ideal = sorted((2 ** grades.get((graduate_id, j), 0) - 1 for j in job_ids), reverse=True)[:top]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        if idcg == 0:
            continue
        gains = [2 ** grades.get((graduate_id, job_id), 0) - 1 for job_id in ranked]
        ndcgs.append(sum(g / math.log2(i + 2) for i, g in enumerate(gains)) / idcg)
        first = next((i for i, job_id in enumerate(ranked) if grades.get((graduate_id, job_id), 0) >= 2), None)
        reciprocal.append(0.0 if first is None else 1.0 / (first + 1))
        first_right.append(1.0 if first == 0 else 0.0)
        relevant = {j for j in job_ids if grades.get((graduate_id, j), 0) >= 2}
        if relevant:
            recalls.append(len(relevant & set(ranked)) / len(relevant))
    return {"ndcg@10": float(np.mean(ndcgs)), "mrr": float(np.mean(reciprocal)),
            "recall@10": float(np.mean(recalls)), "accuracy@1": float(np.mean(first_right)),
            "graduates_scored": len(ndcgs)}


def cross_validate(jobs: list[Job], graduates: list[Graduate], grades: dict[tuple[str, str], int], *,
                   labelled_only: bool = False, folds: int = FOLDS, top: int = 10, code_occupations: bool = True,
                   fair_exposure: float = 0.0) -> dict[str, Any]:
    """GroupKFold by graduate: per fold, weights fitted on the other folds' graduates rank the fold's graduates.
    Returns the held-out rankings, their metrics, the folds' weights and the graduate groups of each fold."""
    from sklearn.model_selection import GroupKFold

    model = MatchModel(n_threads=1, code_occupations=code_occupations).fit(jobs)
    parts, eligible = pair_parts(model, graduates)
    values, labelled = grade_matrix(graduates, model.job_ids_, grades, labelled_only)
    groups = np.array([g.id for g in graduates])
    rankings: dict[str, list[str]] = {}
    fold_weights, fold_groups = [], []
    splitter = GroupKFold(n_splits=min(folds, len(set(groups.tolist()))))
    for train, test in splitter.split(np.zeros(len(graduates)), groups=groups):
        mask = np.zeros_like(labelled)
        mask[train] = labelled[train] & eligible[train]
        weights = fit_weights(parts, values, mask)
        fold_weights.append(weights)
        fold_groups.append((sorted(set(groups[train].tolist())), sorted(set(groups[test].tolist()))))
        held = MatchModel(weights=weights, n_threads=1, code_occupations=code_occupations,
                          fair_exposure=fair_exposure).fit(jobs)
        for result in held.rank_jobs_for_graduates([graduates[i] for i in test], top=top, explain=False):
            rankings[result["graduate_id"]] = [m["job_id"] for m in result["matches"]]
    return {"rankings": rankings, "weights": fold_weights, "groups": fold_groups,
            "metrics": ranking_metrics(rankings, grades, [g.id for g in graduates], model.job_ids_, top)}


def train(jobs: list[Job], graduates: list[Graduate], grades: dict[tuple[str, str], int], *,
          labelled_only: bool = False, code_occupations: bool = True) -> tuple[Weights, dict[str, Any]]:
    """Weights fitted on all the graded pairs, with the held-out-fold metrics of `cross_validate`."""
    report = cross_validate(jobs, graduates, grades, labelled_only=labelled_only, code_occupations=code_occupations)
    model = MatchModel(n_threads=1, code_occupations=code_occupations).fit(jobs)
    parts, eligible = pair_parts(model, graduates)
    values, labelled = grade_matrix(graduates, model.job_ids_, grades, labelled_only)
    weights = fit_weights(parts, values, labelled & eligible)
    return weights, {"metrics_held_out_folds": report["metrics"], "folds": len(report["weights"]),
                     "graduates": len(graduates), "posts": len(model.job_ids_),
                     "labelled_pairs": int((labelled & eligible).sum())}


def write_ranker(path: str | Path, weights: Weights, report: dict[str, Any], source: str) -> Path:
    from talent.scoring.knowledge import knowledge

    document = {"format": FORMAT, "weights": dataclasses.asdict(weights), "trained_on": source,
                "knowledge": knowledge().fingerprint, **report}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def read_json_lines(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def read_grades(path: str | Path) -> dict[tuple[str, str], int]:
    """`{graduate_id, job_id, grade}` lines (grade 0–3) → {(graduate id, job id): grade}."""
    grades: dict[tuple[str, str], int] = {}
    for number, line in enumerate(read_json_lines(path), start=1):
        grade = line.get("grade")
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 3:
            raise ValueError(f"{path} line {number}: grade must be a whole number 0–3")
        grades[(str(line["graduate_id"]), str(line["job_id"]))] = grade
    return grades


def outcome_grade(line: dict[str, Any]) -> int | None:
    """The grade of one outcome line: hired 3, shortlisted 2, applied 1, shown (impressions or opened) 0;
    None for a pair never shown (no evidence either way)."""
    counts = {}
    for name in OUTCOME_FIELDS:
        value = line.get(name, 0) or 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0")
        counts[name] = value
    if counts["hired"]:
        return 3
    if counts["shortlisted"]:
        return 2
    if counts["applied"]:
        return 1
    if counts["impressions"] or counts["opened"]:
        return 0
    return None


def read_outcomes(path: str | Path) -> dict[tuple[str, str], int]:
    """The feedback export (`{graduate_id, job_id, impressions, opened, applied, shortlisted, hired}` lines;
    several lines of one pair add up) → grades of the pairs shown."""
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for number, line in enumerate(read_json_lines(path), start=1):
        try:
            key = (str(line["graduate_id"]), str(line["job_id"]))
            outcome_grade(line)  # checks the counts
        except (KeyError, ValueError) as error:
            raise ValueError(f"{path} line {number}: {error}") from None
        pair = totals.setdefault(key, dict.fromkeys(OUTCOME_FIELDS, 0))
        for name in OUTCOME_FIELDS:
            pair[name] += line.get(name, 0) or 0
    grades = {key: outcome_grade(counts) for key, counts in totals.items()}
    return {key: grade for key, grade in grades.items() if grade is not None}


def read_records(jobs_path: str | Path, graduates_path: str | Path) -> tuple[list[Job], list[Graduate]]:
    return ([validate_job(j) for j in read_json_lines(jobs_path)],
            [validate_graduate(g) for g in read_json_lines(graduates_path)])

