"""Apartment allocation benchmark: talent.allocation against the plain reference (bench/reference_allocation.py).

    .venv/bin/python bench/apartments.py            # 20,000 units, 60,000 applications; prints a Markdown table
    .venv/bin/python bench/apartments.py --record   # ... and rewrites the "## Apartment allocation" section
                                                    #     of docs/benchmarks.md (only that section)

Measured on one generated round (nine communities, three unit types, seeded): (1) `allocate` from the
in-memory inputs; (2) the verification re-run as `talent apartments allocate --verify` does it: parse the
published JSON inputs, check the commitment and the inputs' digest, re-run and compare; (3) the reference
reading on the same inputs, whose result must be equal. Best of --repeat runs each.

With --platform, also the whole platform path on a fresh SQLite database (rows bulk-inserted, same sizes, random
preferences): `services.apartments.close_round` (read the inputs, allocate, store seed/inputs/result, move units
and applications, insert the offers; one transaction) and `verify_stored_round` (what `talent apartments allocate
--verify` runs), once each.
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

import record  # bench/record.py: the script's own folder is on sys.path

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


def platform_times(units: int, applications: int) -> tuple[float, float]:
    """close_round and verify_stored_round on a fresh SQLite database filled with bulk inserts."""
    import tempfile

    from sqlalchemy import insert, select

    from talent import create_app
    from talent.db import db
    from talent.migrate import upgrade
    from talent.models import Role, User
    from talent.models.apartments import (
        ApartmentApplication,
        ApartmentBuilding,
        ApartmentCommunity,
        ApartmentUnit,
    )
    from talent.services import apartments
    from talent.services.workflow import today

    rnd = random.Random(2)
    folder = tempfile.mkdtemp(prefix="talent-bench-apartments-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "b" * 32, "INSTANCE_PATH": folder})
    with app.app_context():
        upgrade(app.extensions["talent.engine"])
        with db.command_transaction() as session:
            officer = User(email="officer@bench.cn", name="官员", password_hash="x", role=Role.OFFICER)
            session.add(officer)
            session.flush()
            communities = []
            for n in range(9):
                community = ApartmentCommunity(code=f"C{n}", name_zh=f"社区{n}", name_en=f"C{n}", district="220102")
                session.add(community)
                session.flush()
                communities.append(community.id)
            session.execute(insert(ApartmentBuilding),
                            [{"community_id": c, "name": str(b)} for c in communities for b in range(1, 41)])
            buildings = {(b.community_id, b.name): b.id for b in session.scalars(select(ApartmentBuilding))}
            unit_rows = []
            for n in range(units):
                community = rnd.choice(communities)
                unit_rows.append({"community_id": community, "building_id": buildings[(community, str(rnd.randint(1, 40)))],
                                  "number": f"{n}", "unit_type": rnd.choice(UNIT_TYPES), "area_m2": 30,
                                  "status": "free", "version": 1})
            session.execute(insert(ApartmentUnit), unit_rows)
            session.execute(insert(User), [{"email": f"p{n}@bench.cn", "name": f"张{n}", "password_hash": "x",
                                            "role": "applicant", "is_active": True, "credential_version": 1}
                                           for n in range(applications)])
            people = list(session.scalars(select(User.id).where(User.role == Role.APPLICANT)))
            session.execute(insert(ApartmentApplication), [
                {"applicant_id": p, "open_applicant_id": p, "communities": rnd.sample(communities, rnd.randint(1, 3)),
                 "unit_type": rnd.choice(UNIT_TYPES), "status": "open", "application_date": today(), "eligible": True,
                 "priority_group": rnd.randint(1, 4), "policy_id": "CC-2024", "monthly_rent": 450, "max_months": 36,
                 "version": 1}
                for p in people
            ])
            round_id = apartments.open_round(session, officer, name="bench", closes_on=today()).id
            officer_id = officer.id
        start = time.perf_counter()
        with db.command_transaction() as session:
            apartments.close_round(session, session.get(User, officer_id), round_id)
        close_time = time.perf_counter() - start
        start = time.perf_counter()
        with db.command_transaction() as session:
            check = apartments.verify_stored_round(apartments.get_round(session, round_id))
        verify_time = time.perf_counter() - start
        assert check.ok, check.problems
    return close_time, verify_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--applications", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--platform", action="store_true", help="also time close_round and the stored verification")
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
    if args.platform:
        close_time, stored_verify_time = platform_times(args.units, args.applications)
        rows += [
            ("platform: close_round on SQLite (one transaction, with the writes)", close_time),
            ("platform: verify_stored_round on SQLite (`allocate --verify`)", stored_verify_time),
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
            "Allocation of one youth-apartment round (docs/policy.md §9, `talent.allocation`) against",
            "`bench/reference_allocation.py`, a plain second reading (quadratic scan per community) that the",
            "property tests also use as a differential oracle; both results are checked equal in the run.",
            "",
            f"- Commit: `{record.commit()}` · command: "
            f"`python bench/apartments.py --repeat {args.repeat}{' --platform' if args.platform else ''} --record`",
            f"- Data: {args.units:,} units in 9 communities, {args.applications:,} applications (generated, seed 1);"
            f" {len(result.offers):,} offers, {len(result.waiting):,} waiting, {len(result.excluded):,} left out",
            f"- Machine: {os.cpu_count()} cores (`nproc`), shared with other running work (load average at start "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}), Python {platform.python_version()}",
            f"- Date: {dt.date.today().isoformat()}; best of {args.repeat} runs each",
            "- Target (issue 11): allocation and verification ≤ 5 s each (the first two rows); the platform rows "
            "(once each, SQLite) add reading and writing tens of thousands of rows",
            "",
            *table,
            "",
        ]
    )
    print(section)
    if args.record:
        record.write_section("apartments", section)



if __name__ == "__main__":
    main()
