"""The programme's figures on PostgreSQL at the volume of a year (issue 12, item 5): 100,000 graduates, posts with
112,000 places in all, 300,000 applications, and the pipeline and placements that follow.

    .venv/bin/python bench/programme_figures.py            # generate into database talent_figures, measure, print
    .venv/bin/python bench/programme_figures.py --record   # ... and rewrite the "## Programme figures" section of
                                                          #     docs/benchmarks.md (only that section)

The script (re)creates the database `talent_figures` on the PostgreSQL at --server (default
postgresql://postgres@127.0.0.1:5432, trust), builds the schema with the platform's migrations, and loads the
rows with COPY (seeded, year 2025 in Changchun time). Then, alternating in one run, --repeat times each:

- the statistics API, `GET /api/v1/statistics?year=2025` as an officer through the Flask test client (every
  panel, the programme's four read from the precomputed `programme_figures`);
- the service alone, `services.programme.figures(year=2025)`;
- the baseline, `SELECT count(*) FROM job_applications` (a plain scan of the biggest table) and `SELECT 1`;
- the home page's counters uncounted by the cache, `services.programme.headline()`;

and, fewer times, the rebuild the periodic task does (`refresh_figures`) and the same figures grouped live from
the tables (`compute_rows`), which is what the precomputation avoids. The figures are checked equal to the live
grouping before timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

YEAR = 2025
CST = dt.timezone(dt.timedelta(hours=8))
DISTRICTS = ("220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220171", "220172",
             "220173", "220174", "220182", "220183", "220184")
# employers' industries, roughly as Changchun's: manufacturing first; "" = not given
INDUSTRY_WEIGHTS = {"C": 30, "I": 12, "M": 10, "P": 8, "Q": 8, "F": 6, "J": 5, "E": 4, "G": 3, "L": 3, "A": 2,
                    "D": 2, "K": 1, "R": 1, "S": 1, "": 4}
EDUCATION_WEIGHTS = {"college": 25, "bachelor": 55, "master": 16, "doctor": 4}


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _moment(rnd: random.Random, start: dt.datetime, days: float) -> dt.datetime:
    return start + dt.timedelta(seconds=rnd.uniform(0, days * 86400))


def generate(url: str, graduates: int, place_total: int, applications: int, as_of: dt.date, seed: int = 1) -> dict:
    """Rows straight into the schema with COPY; returns the counts made."""
    import psycopg

    rnd = random.Random(seed)
    year_start = dt.datetime(YEAR, 1, 1, tzinfo=CST)
    now = dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        employers = max(200, graduates // 50)
        users = [(1, "officer@bench.cn", "官员", "x", "officer", True, 1, now)]
        users += [(1 + n, f"hr{n}@bench.cn", f"单位{n}", "x", "employer", True, 1, now) for n in range(1, employers + 1)]
        first_graduate = employers + 2
        users += [(first_graduate + n, f"g{n}@bench.cn", f"毕业生{n}", "x", "applicant", True, 1, now)
                  for n in range(graduates)]
        counts["users"] = _copy(cursor, "users", ["id", "email", "name", "password_hash", "role", "is_active",
                                                  "credential_version", "created_at"], users)
        industries = list(INDUSTRY_WEIGHTS)
        industry_of = rnd.choices(industries, weights=list(INDUSTRY_WEIGHTS.values()), k=employers)
        employer_rows = [(n, f"单位{n}", f"91220100MA{n:08d}", rnd.choice(DISTRICTS), "enterprise",
                          industry_of[n - 1] or None, 1 + n, now, 1, now) for n in range(1, employers + 1)]
        counts["employers"] = _copy(cursor, "employers", ["id", "name", "credit_code", "district", "kind", "industry",
                                                          "owner_id", "verified_at", "verified_by_id", "created_at"],
                                    employer_rows)
        educations = list(EDUCATION_WEIGHTS)
        profile_education = rnd.choices(educations, weights=list(EDUCATION_WEIGHTS.values()), k=graduates)
        counts["graduate_profiles"] = _copy(
            cursor, "graduate_profiles",
            ["id", "user_id", "major", "education", "skills", "preferred_districts", "consent_to_match", "created_at",
             "updated_at"],
            ((n + 1, first_graduate + n, "软件工程", profile_education[n], "[]", "[]", True, now, now)
             for n in range(graduates)))

        jobs: list[tuple[int, int, dt.datetime, int]] = []  # id, employer, created (CST), headcount
        total = 0
        while total < place_total:
            headcount = min(rnd.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10)), place_total - total)
            jobs.append((len(jobs) + 1, rnd.randint(1, employers), _moment(rnd, year_start, 365), headcount))
            total += headcount
        job_rows = []
        for job_id, employer, created, headcount in jobs:
            job_rows.append((job_id, employer, f"岗位{job_id}", "—",
                             rnd.choices(educations, weights=list(EDUCATION_WEIGHTS.values()))[0],
                             rnd.choice(DISTRICTS), 5000, 9000, headcount, "[]", "open", 1 + employer,
                             created.astimezone(dt.UTC), created.astimezone(dt.UTC)))
        counts["jobs"] = _copy(cursor, "jobs", ["id", "employer_id", "title", "description", "min_education",
                                                "district", "salary_min", "salary_max", "headcount", "majors",
                                                "status", "created_by_id", "created_at", "updated_at"], job_rows)
        counts["places"] = total

        # applications: each graduate applies to distinct posts until the total is reached; the pipeline follows
        per_graduate = applications // graduates
        extra = applications - per_graduate * graduates
        filled = {job_id: 0 for job_id, *_ in jobs}
        hired_graduates: set[int] = set()
        application_rows, placement_rows = [], []
        for n in range(graduates):
            wanted = per_graduate + (1 if n < extra else 0)
            for job_id, employer, created, headcount in rnd.sample(jobs, wanted):
                applied = created + dt.timedelta(days=rnd.uniform(0, 45))
                stamps = {"applied_at": applied}
                status = rnd.choices(("applied", "declined", "withdrawn", "go"), weights=(10, 30, 10, 50))[0]
                if status == "go":
                    stamps["shortlisted_at"] = applied + dt.timedelta(days=rnd.uniform(1, 7))
                    status = rnd.choices(("shortlisted", "declined", "go"), weights=(10, 30, 60))[0]
                if status == "go":
                    stamps["interview_set_at"] = stamps["shortlisted_at"] + dt.timedelta(days=rnd.uniform(1, 7))
                    status = rnd.choices(("interview", "declined", "go"), weights=(10, 40, 50))[0]
                if status == "go":
                    stamps["offered_at"] = stamps["interview_set_at"] + dt.timedelta(days=rnd.uniform(1, 10))
                    status = rnd.choices(("offer", "offer_declined", "go"), weights=(10, 20, 70))[0]
                if status == "go":
                    if n in hired_graduates or filled[job_id] >= headcount:
                        status = "offer_declined"
                    else:
                        status = "hired"
                        filled[job_id] += 1
                        hired_graduates.add(n)
                        stamps["hired_at"] = stamps["offered_at"] + dt.timedelta(days=rnd.uniform(1, 10))
                application_id = len(application_rows) + 1
                closed = status in ("hired", "declined", "withdrawn", "offer_declined")
                last = max(stamps.values())
                application_rows.append((
                    application_id, job_id, employer, n + 1, first_graduate + n, status, "graduate",
                    applied.astimezone(dt.UTC),
                    *(stamps[k].astimezone(dt.UTC) if k in stamps else None
                      for k in ("applied_at", "shortlisted_at", "interview_set_at", "offered_at", "hired_at")),
                    last.astimezone(dt.UTC) if closed else None, last.astimezone(dt.UTC), 1))
                if status == "hired":
                    start = stamps["hired_at"].date() + dt.timedelta(days=14)
                    due = start.replace(year=start.year + 1) if (start.month, start.day) != (2, 29) \
                        else dt.date(start.year + 1, 2, 28)
                    if due <= as_of:
                        retention = rnd.choices(("retained", "left", "asked"), weights=(75, 12, 13))[0]
                    else:
                        retention = "pending"
                    decided = dt.datetime.combine(due, dt.time(10), CST).astimezone(dt.UTC) \
                        if retention in ("retained", "left") else None
                    placement_rows.append((len(placement_rows) + 1, application_id, first_graduate + n, employer,
                                           job_id, start, due, retention, decided, now))
        counts["job_applications"] = _copy(
            cursor, "job_applications",
            ["id", "job_id", "employer_id", "graduate_profile_id", "applicant_id", "status", "source", "created_at",
             "applied_at", "shortlisted_at", "interview_set_at", "offered_at", "hired_at", "closed_at", "updated_at",
             "version"], application_rows)
        counts["placements"] = _copy(
            cursor, "placements",
            ["id", "job_application_id", "graduate_id", "employer_id", "job_id", "start_date", "retention_due_on",
             "retention", "retention_decided_at", "created_at"], placement_rows)
        for table in ("users", "employers", "graduate_profiles", "jobs", "job_applications", "placements"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    return counts


def recreate_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="talent_figures")
    parser.add_argument("--graduates", type=int, default=100_000)
    parser.add_argument("--places", type=int, default=112_000)
    parser.add_argument("--applications", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import text

    from talent import create_app
    from talent.clock import today_in_changchun
    from talent.db import db
    from talent.migrate import upgrade
    from talent.models import User
    from talent.services import programme
    from talent.services.accounts import issue_token

    load_start = os.getloadavg()
    started = time.perf_counter()
    url = recreate_database(args.server, args.database)
    secret = "b" * 32
    app = create_app({"DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://", 1), "SECRET_KEY": secret,
                      "INSTANCE_PATH": f"/tmp/talent-bench-figures-{os.getpid()}"})
    import logging

    logging.getLogger("talent.access").setLevel(logging.WARNING)  # one line per request would drown the output
    as_of = today_in_changchun()
    with app.app_context():
        upgrade(app.extensions["talent.engine"])
    counts = generate(url, args.graduates, args.places, args.applications, as_of)
    generated = time.perf_counter() - started
    print(f"generated in {generated:.0f} s: {json.dumps(counts)}", flush=True)

    timings: dict[str, list[float]] = {k: [] for k in ("api", "service", "count", "select1", "headline", "refresh",
                                                       "live")}
    filters = programme.ProgrammeFilters(YEAR, None)
    with app.app_context():
        session = db.session
        for _ in range(args.rebuilds):
            t = time.perf_counter()
            live = programme.compute_rows(session, as_of)
            timings["live"].append(time.perf_counter() - t)
            t = time.perf_counter()
            refresh = programme.refresh_figures(session, as_of)
            session.commit()
            timings["refresh"].append(time.perf_counter() - t)
        # the precomputed figures equal the live grouping
        stored = programme.figures(session, filters)
        assert stored.precomputed
        by_year = {row[0]: row[1:] for row in stored.tables["programme_by_year"].rows}
        totals = [sum(v[programme._SOURCE[c]] for k, v in live.items() if k[0] == YEAR) for c in programme.COLUMNS]
        assert list(by_year[YEAR]) == totals, (by_year, totals)
        session.commit()
        officer = session.get(User, 1)
        headers = {"Authorization": f"Bearer {issue_token(officer, secret)}"}
        client = app.test_client()
        response = client.get(f"/api/v1/statistics?year={YEAR}", headers=headers)
        assert response.status_code == 200, response.data[:500]
        year_row = response.json["panels"]["programme_by_year"]["rows"][0]
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get(f"/api/v1/statistics?year={YEAR}", headers=headers)
            timings["api"].append(time.perf_counter() - t)
            assert response.status_code == 200
            t = time.perf_counter()
            programme.figures(session, filters)
            session.commit()
            timings["service"].append(time.perf_counter() - t)
            t = time.perf_counter()
            session.execute(text("SELECT count(*) FROM job_applications")).scalar()
            session.commit()
            timings["count"].append(time.perf_counter() - t)
            t = time.perf_counter()
            session.execute(text("SELECT 1")).scalar()
            session.commit()
            timings["select1"].append(time.perf_counter() - t)
            t = time.perf_counter()
            programme.headline(session)
            session.commit()
            timings["headline"].append(time.perf_counter() - t)
    load_end = os.getloadavg()

    def ms(values: list[float], share: float) -> str:
        return f"{percentile(values, share) * 1000:,.1f}"

    count_p50 = percentile(timings["count"], 0.5)
    columns = dict(zip(programme.COLUMNS, year_row[1:], strict=True))
    rows = [
        ("`GET /api/v1/statistics?year=2025` (every panel; programme panels precomputed)", "api", args.repeat),
        ("`services.programme.figures(year=2025)` (the four programme panels)", "service", args.repeat),
        ("home counters `services.programme.headline()` uncached (live counts)", "headline", args.repeat),
        ("baseline `SELECT count(*) FROM job_applications`", "count", args.repeat),
        ("baseline `SELECT 1` round trip", "select1", args.repeat),
        ("rebuild `refresh_figures` (the 15-minute task; one transaction)", "refresh", args.rebuilds),
        ("the same figures grouped live from the tables (`compute_rows`)", "live", args.rebuilds),
    ]
    table = ["| measurement | calls | p50 (ms) | p99 (ms) | p50 ÷ count(*) p50 |", "|---|---:|---:|---:|---:|"]
    for label, key, calls in rows:
        table.append(f"| {label} | {calls} | {ms(timings[key], 0.5)} | {ms(timings[key], 0.99)} | "
                     f"{percentile(timings[key], 0.5) / count_p50:.2f}× |")
    command = "python bench/programme_figures.py" + (f" --repeat {args.repeat}" if args.repeat != 100 else "") + \
        (f" --graduates {args.graduates}" if args.graduates != 100_000 else "") + " --record"
    section = "\n".join([
        "## Programme figures",
        "",
        f"- Commit: `{record.commit()}` · command: `{command}`",
        f"- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores (`nproc`), "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, PostgreSQL at "
        f"127.0.0.1 (database `{args.database}`, made by the script); load average at the start "
        f"{load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f}, at the end "
        f"{load_end[0]:.1f} / {load_end[1]:.1f} / {load_end[2]:.1f} (the machine is shared with other work).",
        f"- Data (seeded, COPY in {generated:.0f} s with the migrations): {counts['users']:,} users, "
        f"{counts['graduate_profiles']:,} graduate profiles, {counts['employers']:,} employers (16 industries and "
        f"some not given), {counts['jobs']:,} posts opened in {YEAR} with {counts['places']:,} places, "
        f"{counts['job_applications']:,} applications, {counts['placements']:,} hires with placements; "
        f"`programme_figures` has {refresh.rows:,} rows.",
        f"- The {YEAR} row the API returned: posts developed {columns['posts_developed']:,}, applications "
        f"{columns['applications']:,}, interviews {columns['interviews']:,}, offers {columns['offers']:,}, hires "
        f"{columns['hires']:,}, retained {columns['retained']:,}, left {columns['left']:,}, asked "
        f"{columns['asked']:,}, pending {columns['pending']:,} (applications made after a post's year spill into "
        f"{YEAR + 1}).",
        "- Target (issue 12): the statistics for such a year answer in ≤ 200 ms on PostgreSQL (first row). "
        "Calls alternate (API, service, baselines, counters) in one process through the Flask test client.",
        "",
        *table,
    ])
    print(section)
    if args.record:
        record.write_section("programme_figures", section)


if __name__ == "__main__":
    main()
