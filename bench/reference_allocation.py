"""A second, deliberately plain reading of docs/policy.md §9 (stdlib only, no shared code with talent.allocation).

Used by the differential test (tests/allocation/test_allocation_properties.py) and as the baseline of
bench/apartments.py. It reads the published JSON form of the inputs directly, computes the lottery number
with ``int(hexdigest, 16)`` and, for every applicant, scans the units of each preferred community and type
from the lowest up, skipping the ones taken: simple and quadratic in the size of a community.

    python bench/reference_allocation.py INPUTS.json SEED   # prints the result as JSON
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any


def _natural(text: str) -> list[tuple[int, int, str]]:
    parts: list[tuple[int, int, str]] = []
    current = ""
    for char in text:
        if current and (char in "0123456789") != (current[-1] in "0123456789"):
            parts.append(_part(current))
            current = ""
        current += char
    if current:
        parts.append(_part(current))
    return parts


def _part(run: str) -> tuple[int, int, str]:
    if run[0] in "0123456789":
        return (0, int(run), "")
    return (1, 0, run)


def allocate(inputs: dict[str, Any], seed: str) -> dict[str, Any]:
    max_months = inputs["max_months"]
    excluded = []
    candidates = []
    for application in sorted(inputs["applications"], key=lambda a: a["id"]):
        if not application["eligible"]:
            excluded.append([application["id"], "not_eligible"])
        elif application["months_leased"] >= max_months:
            excluded.append([application["id"], "lease_limit"])
        else:
            number = int(hashlib.sha256((seed + ":" + application["id"]).encode("utf-8")).hexdigest(), 16)
            candidates.append((application["group"], number, application["id"], application))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))

    by_place: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for unit in inputs["units"]:
        by_place.setdefault((unit["community"], unit["type"]), []).append(unit)
    for units in by_place.values():
        units.sort(key=lambda u: (_natural(u["building"]), _natural(u["number"]), u["id"]))

    taken: set[str] = set()
    offers = []
    waiting = []
    for _group, _number, application_id, application in candidates:
        chosen = None
        for community in application["communities"]:
            for unit in by_place.get((community, application["type"]), []):
                if unit["id"] not in taken:
                    chosen = unit
                    break
            if chosen is not None:
                break
        if chosen is None:
            waiting.append(application_id)
        else:
            taken.add(chosen["id"])
            offers.append([application_id, chosen["id"]])
    return {"offers": offers, "waiting": waiting, "excluded": excluded}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print(json.dumps(allocate(json.load(handle), sys.argv[2]), ensure_ascii=False))
