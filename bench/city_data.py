"""Load a city-scale data set into PostgreSQL: 112,000 posts, 100,000 graduate profiles, 50,000 applications.

    python bench/city_data.py --database postgresql+psycopg://postgres@127.0.0.1:5432/talent_city [--reset]
        [--jobs 112000] [--graduates 100000] [--applications 50000] [--employers 2000] [--consenting 0.7]

The database is migrated and seeded with the demo (its accounts, employer, posts, graduates and applications
in every state, through the real services); the bulk is then written with COPY (psycopg), not the ORM:
posts from bench/data/generate_varied.py (nearly every post distinct, created over the past year) with their
search documents (services.job_search, the same code the platform uses), graduate accounts and profiles
(70 % consenting, `--consenting`), employer accounts and verified organisations, and applications cloned round-robin from
the demo's applications (so every state the demo has is present, each with a real decision and facts) for
the first graduate accounts. Prints the time of each step and the row counts per table and state.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))
sys.path.insert(0, str(HERE.parent))

from generate_varied import make_graduate, make_job  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

NO_PASSWORD = "!city-benchmark-account-without-password"


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text_value = str(value)
    return text_value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(connection: object, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into a table in 50,000-row chunks; returns the number of rows."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_value(value) for value in row))
            buffer.write("\n")
            count += 1
            if count % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def json_text(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/talent_city")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--jobs", type=int, default=112_000)
    parser.add_argument("--graduates", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--consenting", type=float, default=0.7,
                        help="share of the graduates who consent to matching (the refresh ranks only them); "
                             "1.0 for a refresh of every graduate")
    args = parser.parse_args()

    from talent import create_app
    from talent.db import db, make_engine
    from talent.migrate import upgrade
    from talent.services.demo import seed_demo
    from talent.services.demo_jobs import demo_credit_code
    from talent.services.job_search import document

    url = make_url(args.database)
    started = time.perf_counter()

    def step(label: str) -> None:
        print(f"{time.perf_counter() - started:7.1f} s  {label}", flush=True)

    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database})
        if exists and args.reset:
            connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
            exists = False
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = make_engine(args.database)
    upgrade(engine)
    step("migrated")
    app = create_app({"DATABASE_URL": args.database, "SECRET_KEY": "city-benchmark", "TESTING": False})
    with app.app_context(), db.command_transaction() as session:
        seed_demo(session)
    step("demo seeded through the services")

    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC)
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM users")
            next_user = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM employers")
            next_employer = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM jobs")
            next_job = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM graduate_profiles")
            next_profile = cursor.fetchone()[0] + 1

        # Employer accounts and their verified organisations.
        owner_ids = list(range(next_user, next_user + args.employers))
        copy_rows(connection, "users", ["id", "email", "name", "password_hash", "role", "is_active",
                                        "credential_version", "created_at"],
                  ((uid, f"hr{n}@city-employers.talent.cc", f"招聘专员{n}", NO_PASSWORD, "employer", True, 1, now)
                   for n, uid in enumerate(owner_ids)))
        employer_ids = list(range(next_employer, next_employer + args.employers))
        names = {eid: f"长春{rng.choice(['吉', '春', '汇', '华', '融', '联', '泰'])}{n}号{rng.choice(['科技', '制造', '医药', '农业', '教育', '汽车', '光电'])}有限公司"
                 for n, eid in enumerate(employer_ids)}
        districts = ("220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220171",
                     "220172", "220173", "220174", "220182", "220183", "220184")
        copy_rows(connection, "employers", ["id", "name", "credit_code", "district", "kind", "owner_id",
                                            "verified_at", "created_at"],
                  ((eid, names[eid], demo_credit_code("enterprise", "220173", 100_000 + n), rng.choice(districts),
                    "enterprise", owner_ids[n], now, now) for n, eid in enumerate(employer_ids)))
        step(f"{args.employers:,} employer accounts and verified organisations")

        # Posts, created over the past year, and their search documents.
        job_rows = []
        documents = []
        for n in range(args.jobs):
            job = make_job(rng, str(n))
            job_id = next_job + n
            employer_id = employer_ids[n % len(employer_ids)]
            created = now - dt.timedelta(seconds=rng.randrange(365 * 86400))
            closing = (now + dt.timedelta(days=rng.randrange(10, 200))).date() if rng.random() < 0.5 else None
            job_rows.append((job_id, employer_id, job["title"][:120], job["description"], job["min_education"],
                             job["district"], job.get("salary_min") or 3000,
                             max(job.get("salary_max") or 0, job.get("salary_min") or 3000),
                             job.get("headcount") or 1, json_text(list(job.get("majors") or [])), closing, "open",
                             owner_ids[n % len(owner_ids)], created, created))
            documents.append((job_id, document(job["title"][:120], names[employer_id], job["description"],
                                               postgresql=True),
                              document(job["title"][:120], names[employer_id], "", postgresql=True), created))
        step(f"{args.jobs:,} posts generated with their search documents")
        copy_rows(connection, "jobs", ["id", "employer_id", "title", "description", "min_education", "district",
                                       "salary_min", "salary_max", "headcount", "majors", "closing_date", "status",
                                       "created_by_id", "created_at", "updated_at"], job_rows)
        # The GIN index is built once after the load rather than row by row.
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS ix_job_search_documents_document")
        copy_rows(connection, "job_search_documents", ["job_id", "document", "headline", "created_at"], documents)
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX ix_job_search_documents_document ON job_search_documents "
                           "USING gin (document)")
        del job_rows, documents
        step("posts copied")

        # Graduate accounts and profiles.
        first_graduate = next_user + args.employers
        graduate_users = list(range(first_graduate, first_graduate + args.graduates))
        copy_rows(connection, "users", ["id", "email", "name", "password_hash", "role", "is_active",
                                        "credential_version", "created_at"],
                  ((uid, f"g{n}@city-graduates.talent.cc", f"毕业生{n}", NO_PASSWORD, "applicant", True, 1, now)
                   for n, uid in enumerate(graduate_users)))
        profiles = []
        for n, uid in enumerate(graduate_users):
            graduate = make_graduate(rng, str(n))
            skills = graduate.get("skills") or []
            if isinstance(skills, str):
                skills = [item for item in skills.replace("、", " ").replace(",", " ").split() if item]
            updated = now - dt.timedelta(seconds=rng.randrange(180 * 86400))
            profiles.append((next_profile + n, uid, graduate["major"][:100], graduate.get("major_code"),
                             graduate["education"], json_text(skills),
                             json_text(list(graduate.get("preferred_districts") or [])),
                             graduate.get("expected_salary"), rng.random() < args.consenting, updated, updated, updated))
        copy_rows(connection, "graduate_profiles", ["id", "user_id", "major", "major_code", "education", "skills",
                                                    "preferred_districts", "expected_salary", "consent_to_match",
                                                    "consent_changed_at", "created_at", "updated_at"], profiles)
        del profiles
        step(f"{args.graduates:,} graduate accounts and profiles")

        # Applications: the demo's, cloned round-robin for the first graduate accounts.
        with connection.cursor() as cursor:
            cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'applications' "
                           "AND table_schema = current_schema() AND column_name NOT IN "
                           "('id', 'owner_id', 'open_owner_id')")
            columns = [row[0] for row in cursor.fetchall()]
            listed = ", ".join(f'"{c}"' for c in columns)
            cloned = ", ".join(f's."{c}"' for c in columns)
            cursor.execute(f"""
                WITH src AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM applications),
                     owners AS (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM users
                                WHERE email LIKE '%%@city-graduates.talent.cc' ORDER BY id LIMIT %s)
                INSERT INTO applications ({listed}, owner_id, open_owner_id)
                SELECT {cloned}, o.id, CASE WHEN s.open_owner_id IS NULL THEN NULL ELSE o.id END
                FROM owners o JOIN src s ON s.k = o.i %% (SELECT count(*) FROM src)
            """, (args.applications,))
            for table in ("jobs", "job_search_documents", "graduate_profiles", "users", "employers", "applications"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                               if table != "job_search_documents" else "SELECT 1")
        connection.commit()
        step(f"{args.applications:,} applications cloned from the demo's")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            step("vacuum analyze")
            for table in ("users", "employers", "jobs", "job_search_documents", "graduate_profiles", "applications"):
                cursor.execute(f"SELECT count(*) FROM {table}")
                print(f"  {table}: {cursor.fetchone()[0]:,}")
            cursor.execute("SELECT status, count(*) FROM applications GROUP BY status ORDER BY status")
            print("  applications by state: " + ", ".join(f"{s} {c:,}" for s, c in cursor.fetchall()))
    finally:
        raw.close()
        engine.dispose()


if __name__ == "__main__":
    main()
