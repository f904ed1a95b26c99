"""The weights the model ranks with: learned ones when a trained ranker is shipped, else the hand-set ones.

A trained ranker (talent.scoring.learn, `talent match train`) is a JSON file of weights, one per part of the
score, with the held-out-fold metrics it reached and what it was trained on. It holds numbers only, so reading
it runs no code (unlike a pickled model, which save_model/load_model authenticate before unpickling). The
shipped file is `data/ranker.json`; `TALENT_MATCH_RANKER` names another one; without a file (or with
`TALENT_MATCH_RANKER=none`) the hand-set `features.Weights()` are used.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from talent.scoring.features import Weights

FORMAT = "talent-match-ranker/1"
SHIPPED = Path(__file__).resolve().parent / "data" / "ranker.json"
_CACHE: dict[str, Weights] = {}


class RankerFileRejected(ValueError):
    """The ranker file is not one this version can use (format, parts, or values)."""


def weights_from_document(document: dict[str, Any]) -> Weights:
    if document.get("format") != FORMAT:
        raise RankerFileRejected("not a talent ranker file (format)")
    values = document.get("weights")
    names = {f.name for f in dataclasses.fields(Weights)}
    if not isinstance(values, dict) or set(values) != names:
        raise RankerFileRejected(f"the weights must name exactly these parts: {', '.join(sorted(names))}")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 2:
            raise RankerFileRejected(f"weight {name} must be a number between 0 and 2")
    return Weights(**{name: float(value) for name, value in values.items()})


def read_ranker(path: str | Path) -> tuple[Weights, dict[str, Any]]:
    """(weights, the whole document) of a ranker file; RankerFileRejected if it cannot be used."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RankerFileRejected(f"cannot read {path}: {error}") from error
    if not isinstance(document, dict):
        raise RankerFileRejected(f"{path}: not a JSON object")
    return weights_from_document(document), document


def default_weights() -> Weights:
    """The learned weights of the ranker file in use, else the hand-set ones (cached per path)."""
    setting = os.environ.get("TALENT_MATCH_RANKER", "")
    if setting.lower() == "none":
        return Weights()
    path = Path(setting) if setting else SHIPPED
    key = str(path)
    if key not in _CACHE:
        _CACHE[key] = read_ranker(path)[0] if setting or path.exists() else Weights()
    return _CACHE[key]
