"""How a match reads on the pages: its quality as a percentage, and its reasons sorted into those for the match,
those against it, and plain notes (no "匹配度 1.02", no negative reason looking like a positive one).

The percentage is the score over the best score a post can reach (every part of the weights the model ranks
with — the shipped learned ranker, else the hand-set `features.Weights` — at its full value except 专业不限, which a
post that lists the graduate's own major does not also say), capped at 100.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask import Flask

from talent.scoring.features import Weights
from talent.scoring.ranker import default_weights
from talent.web.job_labels import why_parts


def best_score() -> float:
    """The best score a post can reach with the weights in use (see the module's docstring)."""
    weights = default_weights()
    return sum(getattr(weights, f.name) for f in fields(Weights) if f.name != "any_major")

# The parts of a `why` (talent.scoring.explain) by whether they speak for or against the match.
_AGAINST = {"major": {"weak"}, "district": {"not_preferred"}, "salary": {"below"}}
_NOTES = {"district": {"no_preference", "unknown"}, "salary": {"unknown", "no_expectation"}, "resolution": {None}}


def match_percent(score: float | None) -> int:
    if score is None:
        return 0
    return max(0, min(100, round(float(score) / best_score() * 100)))


def match_reasons(why: dict[str, Any] | None) -> dict[str, list[str]]:
    """{"for": [...], "against": [...], "notes": [...]} in the page's language."""
    sorted_parts: dict[str, list[str]] = {"for": [], "against": [], "notes": []}
    parts = why_parts(why)
    if not why or len(parts) < 4:
        sorted_parts["notes"] = parts
        return sorted_parts
    head, (education, district, salary) = parts[:-3], parts[-3:]
    # After the major's relation, how the major was resolved (talent.scoring.explain.resolution_part): a note.
    resolution = [("resolution", head[1])] if why.get("major_resolution") and len(head) > 1 else []
    keyed = [("major", head[0]), *resolution, *(("skills", part) for part in head[1 + len(resolution):]),
             ("education", education), ("district", district), ("salary", salary)]
    for key, text in keyed:
        value = why.get(key)
        if value in _AGAINST.get(key, ()):
            sorted_parts["against"].append(text)
        elif value in _NOTES.get(key, ()):
            sorted_parts["notes"].append(text)
        else:
            sorted_parts["for"].append(text)
    return sorted_parts


def register(app: Flask) -> None:
    app.jinja_env.globals.update(match_percent=match_percent, match_reasons=match_reasons)
