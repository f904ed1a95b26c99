"""Apartment allocation benchmark: talent.allocation against the plain reference (bench/reference_allocation.py).

    .venv/bin/python bench/apartments.py            # 20,000 units, 60,000 applications; prints a Markdown table
    .venv/bin/python bench/apartments.py --record   # ... and rewrites the "## Apartment allocation" section
                                                    #     of docs/benchmarks.md (only that section)

Measured on one generated round (nine communities, three unit types, seeded): (1) `allocate` from the
in-memory inputs; (2) the verification re-run as `talent apartments allocate --verify` does it: parse the
published JSON inputs, check the commitment and the inputs' digest, re-run and compare; (3) the reference
reading on the same inputs, whose result must be equal. Best of --repeat runs each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from talent.allocation import (  # noqa: E402
    UNIT_TYPES,
    ApplicationInput,
    RoundInputs,
    UnitInput,
    allocate,
    commitment_of,
    inputs_digest,
    verify_round,
)

DOCS = ROOT / "docs" / "benchmarks.md"
SECTION_TITLE = "## Apartment allocation"
COMMUNITIES = [f"community-{n}" for n in range(1, 10)]


def generate(units: int, applications: int, seed: int = 1) -> RoundInputs:
    rnd = random.Random(seed)
    unit_rows = []
    for index in range(units):
        unit_rows.append(
            UnitInput(
                id=str(index + 1),
                community=rnd.choice(COMMUNITIES),
                building=str(rnd.randint(1, 40)),
                number=f"{rnd.randint(1, 30)}{rnd.randint(1, 12):02d}",
                unit_type=rnd.choices(UNIT_TYPES, weights=(5, 3, 2))[0],
            )
        )
    application_rows = []
    for index in range(applications):
        application_rows.append(
            ApplicationInput(
                id=str(index + 1),
                group=rnd.choices((1, 2, 3, 4), weights=(3, 10, 30, 57))[0],
                communities=tuple(rnd.sample(COMMUNITIES, rnd.randint(1, 3))),
                unit_type=rnd.choices(UNIT_TYPES, weights=(4, 4, 2))[0],
                eligible=rnd.random() > 0.01,
                months_leased=rnd.choice((0,) * 18 + (12, 36)),
            )
        )
    return RoundInputs(units=tuple(unit_rows), applications=tuple(application_rows), max_months=36)


def _best(repeat: int, run):  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--applications", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    spec = importlib.util.spec_from_file_location("reference_allocation", ROOT / "bench" / "reference_allocation.py")
    assert spec and spec.loader
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)

    inputs = generate(args.units, args.applications)
    seed = "5eed" * 16
    published_json = json.dumps(inputs.to_json(), ensure_ascii=False)
    commitment = commitment_of(seed)
    digest = inputs_digest(inputs)
    load = os.getloadavg()

    allocate_time, result = _best(args.repeat, lambda: allocate(inputs, seed))

    def verify():  # type: ignore[no-untyped-def]
        parsed = RoundInputs.from_json(json.loads(published_json))
        return verify_round(parsed, seed, commitment, result, digest)

    verify_time, verification = _best(args.repeat, verify)
    assert verification.ok, verification.problems
    data = json.loads(published_json)
    reference_time, reference_result = _best(args.repeat, lambda: reference.allocate(data, seed))
    assert reference_result == result.to_json(), "the reference disagrees"

    rows = [
        ("allocate (in memory)", allocate_time),
        ("verify: parse published JSON, commitment, digest, re-run, compare", verify_time),
    ]
    table = [
        "| measurement | talent.allocation | reference | talent ÷ reference |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in rows:
        table.append(f"| {name} | {seconds:.2f} s | {reference_time:.2f} s | {seconds / reference_time:.2f}× |")
    section = "\n".join(
        [
            SECTION_TITLE,
            "",
            "Allocation of one youth-apartment round (POLICY.md §9, `talent.allocation`) against",
            "`bench/reference_allocation.py`, a plain second reading (quadratic scan per community) that the",
            "property tests also use as a differential oracle; both results are checked equal in the run.",
            "",
            f"- Command: `python bench/apartments.py --repeat {args.repeat} --record`",
            f"- Data: {args.units:,} units in 9 communities, {args.applications:,} applications (generated, seed 1);"
            f" {len(result.offers):,} offers, {len(result.waiting):,} waiting, {len(result.excluded):,} left out",
            f"- Machine: {os.cpu_count()} cores (`nproc`), shared with other running work (load average at start "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}), Python {platform.python_version()}",
            f"- Date: {dt.date.today().isoformat()}; best of {args.repeat} runs each",
            "- Target (issue 11): allocation and verification ≤ 5 s each",
            "",
            *table,
            "",
        ]
    )
    print(section)
    if args.record:
        text = DOCS.read_text(encoding="utf-8")
        start = text.find(SECTION_TITLE)
        if start == -1:
            text = text.rstrip("\n") + "\n\n" + section
        else:
            end = text.find("\n## ", start + len(SECTION_TITLE))
            text = text[:start] + section + ("" if end == -1 else text[end:])
        DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
