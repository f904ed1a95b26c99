"""What recording impressions costs a graduate's matches (issue 12, docs/hiring.md "Feedback for matching").

    .venv/bin/python bench/hiring_impressions.py            # prints a Markdown section
    .venv/bin/python bench/hiring_impressions.py --record   # ... and rewrites "## Matching feedback: impressions"
                                                            #     in docs/benchmarks.md (only that section)

On a fresh SQLite database with --posts open posts (written straight to the table) and one graduate profile,
serves the graduate's best --limit matches (`services.matching.matches_for_graduate`, the path of
`GET /api/v1/graduates/me/matches` and /graduate/matches) --repeat times with impressions recorded
(`surface=...`: one INSERT executed for the whole list) and, in the same run and alternating, without them (the
baseline); each call is followed by its commit, as a request's is. Median per call of each, and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import record  # bench/record.py: the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "hiring_impressions"
TITLE = "## Matching feedback: impressions"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from talent import create_app
    from talent.db import db, utcnow
    from talent.migrate import upgrade
    from talent.models import Employer, Role, User
    from talent.models.hiring import MatchFeedback
    from talent.models.jobs import GraduateProfile, Job
    from talent.services.matching import matches_for_graduate

    load = os.getloadavg()
    folder = tempfile.mkdtemp(prefix="bench-impressions-")
    url = f"sqlite:///{folder}/bench.db"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "INSTANCE_PATH": folder, "TESTING": True})
    upgrade(app.extensions["talent.engine"])
    with app.app_context():
        session = db.session
        owner = User(email="hr@bench.example.cn", name="王海燕", password_hash="!", role=Role.EMPLOYER)
        graduate = User(email="li@bench.example.cn", name="李明远", password_hash="!", role=Role.APPLICANT)
        session.add_all([owner, graduate])
        session.flush()
        employer = Employer(name="长春测试科技有限公司", credit_code="91220101MA17XK2B2Y", district="220173",
                            owner_id=owner.id, verified_at=utcnow())
        session.add(employer)
        session.flush()
        now = utcnow()
        titles = ["Java后端开发工程师", "嵌入式软件工程师", "数据分析师", "机械设计工程师", "会计", "Python开发工程师"]
        session.add_all([
            # distinct moments: the per-process index tracks the most recently changed posts by updated_at
            Job(employer_id=employer.id, created_by_id=owner.id, status="open",
                created_at=now - dt.timedelta(seconds=n), updated_at=now - dt.timedelta(seconds=n),
                title=f"{titles[n % len(titles)]}{n}", description="负责软件开发与维护，计算机类相关专业。",
                min_education="bachelor", district="220173", salary_min=6000 + n % 5 * 500,
                salary_max=9000 + n % 7 * 500, headcount=2, majors=["0809"])
            for n in range(args.posts)])
        session.add(GraduateProfile(user_id=graduate.id, major="软件工程", major_code="080902", education="bachelor",
                                    skills=["Java", "Python"], preferred_districts=["220173"],
                                    expected_salary=8000, consent_to_match=True))
        session.commit()
        graduate_id = graduate.id

    def serve(surface: str | None) -> float:
        with app.app_context():
            session = db.session
            user = session.get(User, graduate_id)
            started = time.perf_counter()
            served = matches_for_graduate(session, user, args.limit, surface=surface)
            session.commit()
            elapsed = time.perf_counter() - started
            assert len(served) == args.limit
            return elapsed

    serve(None)  # warm the per-process index of recent posts
    serve("bench")
    with_feedback: list[float] = []
    baseline: list[float] = []
    for _ in range(args.repeat):
        baseline.append(serve(None))
        with_feedback.append(serve("bench"))
    with app.app_context():
        written = db.session.scalar(select(func.count()).select_from(MatchFeedback))
    assert written == (args.repeat + 1) * args.limit, written
    measured = statistics.median(with_feedback) * 1000
    base = statistics.median(baseline) * 1000
    section = "\n".join([
        TITLE,
        "",
        "A graduate's matches served with their impressions recorded (`services.match_feedback`, one INSERT",
        "executed for the list) against the same call without them, alternating in one run; each call followed by",
        "its commit, as in a request. SQLite, one process. Without impressions the request only reads and its",
        "commit writes nothing; with them it inserts the list's rows and commits a writing transaction (one",
        "statement whatever the number of matches in the list).",
        "",
        f"- Commit: `{record.commit()}` · command: `python bench/hiring_impressions.py --posts {args.posts} "
        f"--limit {args.limit} --repeat {args.repeat} --record`",
        f"- Data: {args.posts:,} open posts, one graduate, {args.limit} matches per call, {args.repeat} calls each; "
        f"{written:,} impression rows written",
        f"- Machine: {os.cpu_count()} cores (`nproc`), shared with other running work (load average at start "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}), Python {platform.python_version()}",
        "",
        "| call | median per call | ÷ baseline |",
        "|---|---:|---:|",
        f"| matches, impressions recorded | {measured:.2f} ms | {measured / base:.2f}× |",
        f"| matches, nothing recorded (baseline) | {base:.2f} ms | 1.00× |",
        "",
    ])
    print(section)
    if args.record:
        record.write_section(SECTION, section)


if __name__ == "__main__":
    main()
