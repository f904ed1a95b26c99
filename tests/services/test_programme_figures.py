"""The programme's figures (issue 12, item 5): every figure equals a count made directly from the rows.

Rows are seeded straight into the tables — posts of three years (one opened at 04:00 on 1 January in Changchun,
still 31 December in UTC), employers with and without an industry, applications in every state (invitations not
accepted, each stage reached and declined after it, withdrawn, offers declined, hires) and placements retained,
left, asked, pending, and due but not yet asked by the daily task. The independent count below walks those rows
in Python (Changchun year by talent.clock.to_changchun), and is compared with the service computed live, after
the precomputed rebuild, through the API and through the dashboard, with and without filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from talent.clock import CHANGCHUN, to_changchun
from talent.models import Employer, Role, User
from talent.models.hiring import JobApplication, Placement
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile, Job
from talent.models.periodic import PeriodicRun
from talent.services import programme
from talent.services.accounts import create_user
from talent.services.programme import COLUMNS, ProgrammeFilters

PASSWORD = "a-long-enough-password-1"
AS_OF = dt.date(2026, 6, 1)
YEARS = (2024, 2025, 2026)
DISTRICTS = ("220102", "220173", "220174")
EDUCATIONS = ("college", "bachelor", "master", "doctor")
INDUSTRIES = ("C", "I", None)


def _utc(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A Changchun wall-clock moment as the UTC moment the platform stores."""
    return dt.datetime(year, month, day, hour, tzinfo=CHANGCHUN).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    programme.clear_headline_cache()
    yield
    programme.clear_headline_cache()


def seed(session: Any, rnd: random.Random | None = None) -> dict[str, Any]:
    rnd = rnd or random.Random(12)
    officer = create_user(session, email="officer@example.cn", password=PASSWORD, name="赵建国", role=Role.OFFICER)
    analyst = create_user(session, email="analyst@example.cn", password=PASSWORD, name="周晓琳", role=Role.ANALYST)
    graduate_user = create_user(session, email="g0@example.cn", password=PASSWORD, name="李明", role=Role.APPLICANT)
    boss = create_user(session, email="hr@example.cn", password=PASSWORD, name="王海燕", role=Role.EMPLOYER)
    employers = []
    for n, industry in enumerate(INDUSTRIES):
        employer = Employer(name=f"单位{n}", credit_code=f"91220100MA{n:08d}", district=DISTRICTS[n], kind="enterprise",
                            industry=industry, owner_id=boss.id, verified_at=_utc(2024, 1, 1))
        session.add(employer)
        employers.append(employer)
    graduates = []
    for n in range(12):
        user = graduate_user if n == 0 else User(email=f"g{n}@example.cn", name=f"毕业生{n}", password_hash="x",
                                                 role=Role.APPLICANT)
        session.add(user)
        session.flush()
        profile = GraduateProfile(user_id=user.id, major="软件工程", education=EDUCATIONS[n % 4], skills=[],
                                  preferred_districts=[])
        session.add(profile)
        graduates.append((user, profile))
    session.flush()
    jobs = []
    for n in range(18):
        year = YEARS[n % 3]
        created = _utc(year, 1 + n % 12, 1 + n % 27)
        if n == 0:
            created = _utc(2025, 1, 1, hour=4)  # 2024-12-31 20:00 UTC: a 2025 post in Changchun
        job = Job(employer_id=employers[n % 3].id, title=f"岗位{n}", description="—", min_education=EDUCATIONS[n % 4],
                  district=DISTRICTS[(n // 3) % 3], salary_min=5000, salary_max=8000, headcount=1 + n % 5,
                  majors=[], status="open" if n % 4 else "closed", created_by_id=boss.id, created_at=created,
                  updated_at=created)
        session.add(job)
        jobs.append(job)
    session.flush()
    # every state: (status, stages reached); the stamps follow the stages
    paths = [
        ("invited", ()), ("invitation_declined", ()), ("applied", ("applied",)), ("withdrawn", ("applied",)),
        ("declined", ("applied",)), ("shortlisted", ("applied", "shortlisted")),
        ("declined", ("applied", "shortlisted")), ("interview", ("applied", "shortlisted", "interview")),
        ("declined", ("applied", "shortlisted", "interview")),
        ("offer", ("applied", "shortlisted", "interview", "offer")),
        ("offer_declined", ("applied", "shortlisted", "interview", "offer")),
        ("hired", ("applied", "shortlisted", "interview", "offer", "hired")),
    ]
    stamp = {"applied": "applied_at", "shortlisted": "shortlisted_at", "interview": "interview_set_at",
             "offer": "offered_at", "hired": "hired_at"}
    retention_cases = [  # (stored retention, due relative to AS_OF)
        ("retained", -30), ("left", -20), ("asked", -10), ("pending", 40), ("pending", -1), ("retained", -300),
    ]
    pairs = [(job, graduate) for job in jobs for graduate in graduates]
    rnd.shuffle(pairs)
    count = 0
    for job, (user, profile) in pairs[:150]:
        status, stages = paths[count % len(paths)]
        count += 1
        created = to_changchun(job.created_at)
        moment = created + dt.timedelta(days=rnd.choice((1, 20, 200)))  # some cross into the next year
        application = JobApplication(job_id=job.id, employer_id=job.employer_id, graduate_profile_id=profile.id,
                                     applicant_id=user.id, status=status, source="graduate" if stages else "employer",
                                     created_at=moment.astimezone(dt.UTC), updated_at=moment.astimezone(dt.UTC))
        if not stages:
            application.invited_at = moment.astimezone(dt.UTC)
        for stage in stages:
            setattr(application, stamp[stage], moment.astimezone(dt.UTC))
            moment += dt.timedelta(days=rnd.choice((1, 3, 40)))
        session.add(application)
        session.flush()
        if status == "hired":
            retention, offset = retention_cases[(count // len(paths)) % len(retention_cases)]
            due = AS_OF + dt.timedelta(days=offset)
            session.add(Placement(job_application_id=application.id, graduate_id=user.id, employer_id=job.employer_id,
                                  job_id=job.id, start_date=due.replace(year=due.year - 1), retention_due_on=due,
                                  retention=retention))
    # one more hire in the last days of 2025 in Changchun (but 2025-12-31 18:00 UTC is 2026-01-01 02:00 there)
    job, (user, profile) = jobs[1], graduates[11]
    late = dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)
    if session.scalar(select(JobApplication).where(JobApplication.job_id == job.id,
                                                   JobApplication.graduate_profile_id == profile.id)) is None:
        application = JobApplication(job_id=job.id, employer_id=job.employer_id, graduate_profile_id=profile.id,
                                     applicant_id=user.id, status="hired", applied_at=late, shortlisted_at=late,
                                     interview_set_at=late, offered_at=late, hired_at=late, created_at=late,
                                     updated_at=late)
        session.add(application)
        session.flush()
        session.add(Placement(job_application_id=application.id, graduate_id=user.id, employer_id=job.employer_id,
                              job_id=job.id, start_date=dt.date(2026, 1, 5), retention_due_on=dt.date(2027, 1, 5)))
    session.commit()
    return {"officer": officer, "analyst": analyst, "graduate": graduate_user, "boss": boss}


def year_of(moment: dt.datetime | None) -> int | None:
    return None if moment is None else to_changchun(moment).year


def independent_count(session: Any, as_of: dt.date, year: int | None = None,
                      district: str | None = None) -> dict[str, dict[Any, dict[str, int]]]:
    """The figures by dimension, counted row by row from the tables (no GROUP BY, no summary table)."""
    jobs = {job.id: job for job in session.scalars(select(Job))}
    industry = {e.id: e.industry or "none" for e in session.scalars(select(Employer))}
    result: dict[str, dict[Any, dict[str, int]]] = {d: defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
                                                     for d in programme.DIMENSIONS}

    def add(job: Job, when: int | None, column: str, amount: int = 1) -> None:
        if when is None or (year is not None and when != year) or (district and job.district != district):
            return
        keys = {"year": when, "district": job.district, "industry": industry[job.employer_id],
                "education": job.min_education}
        for dimension, key in keys.items():
            result[dimension][key][column] += amount

    for job in jobs.values():
        if job.kind == "internship":
            continue  # a training base's internships are counted apart (training_bases.internship_counts)
        add(job, year_of(job.created_at), "posts_developed", job.headcount)
        add(job, year_of(job.created_at), "posts_opened")
    placements = {p.job_application_id: p for p in session.scalars(select(Placement))}
    for application in session.scalars(select(JobApplication)):
        job = jobs[application.job_id]
        add(job, year_of(application.applied_at), "applications")
        add(job, year_of(application.interview_set_at), "interviews")
        add(job, year_of(application.offered_at), "offers")
        add(job, year_of(application.hired_at), "hires")
        placement = placements.get(application.id)
        if placement is not None:
            if placement.retention in ("retained", "left"):
                state = placement.retention
            else:
                state = "asked" if placement.retention_due_on <= as_of else "pending"
            add(job, year_of(application.hired_at), state)
    return {dimension: {k: dict(v) for k, v in values.items()} for dimension, values in result.items()}


def as_counts(figures: programme.Figures) -> dict[str, dict[Any, dict[str, int]]]:
    return {dimension: {row[0]: dict(zip(COLUMNS, row[1:], strict=True))
                        for row in figures.tables[f"programme_by_{dimension}"].rows}
            for dimension in programme.DIMENSIONS}


@pytest.fixture
def world(app, db_session):
    return seed(db_session)


def test_the_seed_covers_every_state_year_and_kind(db_session, world):
    statuses = set(db_session.scalars(select(JobApplication.status)))
    assert statuses == {"invited", "invitation_declined", "applied", "withdrawn", "declined", "shortlisted",
                        "interview", "offer", "offer_declined", "hired"}
    counted = independent_count(db_session, AS_OF)
    assert set(counted["year"]) >= {2024, 2025, 2026}
    assert set(counted["industry"]) == {"C", "I", "none"}
    assert set(counted["education"]) == set(EDUCATIONS)
    totals = {c: sum(v[c] for v in counted["year"].values()) for c in ("retained", "left", "asked", "pending")}
    assert all(totals.values()), totals


@pytest.mark.parametrize("precomputed", [False, True])
def test_every_figure_equals_a_count_made_from_the_rows(db_session, world, monkeypatch, precomputed):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    if precomputed:
        run = programme.refresh_figures(db_session, AS_OF)
        db_session.commit()
        assert run.rows > 0
    figures = programme.figures(db_session, ProgrammeFilters())
    assert figures.precomputed is precomputed and figures.as_of == AS_OF
    assert as_counts(figures) == independent_count(db_session, AS_OF)
    # posts developed is the headcount of the posts, not their number
    headcount = sum(job.headcount for job in db_session.scalars(select(Job)))
    assert sum(row[1] for row in figures.tables["programme_by_year"].rows) == headcount
    assert sum(row[2] for row in figures.tables["programme_by_year"].rows) == 18
    # educations lowest first, as the levels go (not in the codes' alphabetical order)
    assert [row[0] for row in figures.tables["programme_by_education"].rows] == \
        [level for level in EDUCATION_LEVELS if level in {job.min_education for job in db_session.scalars(select(Job))}]


@pytest.mark.parametrize("precomputed", [False, True])
def test_year_and_district_filters(db_session, world, monkeypatch, precomputed):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    if precomputed:
        programme.refresh_figures(db_session, AS_OF)
        db_session.commit()
    for year, district in ((2025, None), (None, "220173"), (2026, "220102"), (2031, None)):
        figures = programme.figures(db_session, ProgrammeFilters(year, district))
        expected = independent_count(db_session, AS_OF, year, district)
        assert as_counts(figures) == expected, (year, district)
    assert as_counts(programme.figures(db_session, ProgrammeFilters(2031, None)))["year"] == {}


def test_the_changchun_new_year_decides_the_year(db_session, world):
    first = db_session.scalar(select(Job).where(Job.title == "岗位0"))
    assert first.created_at.replace(tzinfo=None) == dt.datetime(2024, 12, 31, 20, 0)
    figures = programme.figures(db_session, ProgrammeFilters(2025, DISTRICTS[0]))
    row = next(r for r in figures.tables["programme_by_year"].rows)
    assert row[0] == 2025 and row[1] >= first.headcount
    late = db_session.scalar(select(JobApplication).where(
        JobApplication.hired_at == dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)))
    assert year_of(late.hired_at) == 2026
    # the SQL year agrees with Python's Changchun year for both edge rows
    assert db_session.scalar(select(programme.changchun_year(db_session, Job.created_at))
                             .where(Job.id == first.id)) == 2025
    assert db_session.scalar(select(programme.changchun_year(db_session, JobApplication.hired_at))
                             .where(JobApplication.id == late.id)) == 2026


def test_empty_data(app, db_session):
    figures = programme.figures(db_session, ProgrammeFilters())
    assert all(table.rows == [] for table in figures.tables.values())
    run = programme.refresh_figures(db_session)
    db_session.commit()
    assert run.rows == 0
    figures = programme.figures(db_session, ProgrammeFilters(2025, None))
    assert figures.precomputed and all(table.rows == [] for table in figures.tables.values())
    headline = programme.headline(db_session)
    assert (headline.posts_developed, headline.hires, headline.retained, headline.decided) == (0, 0, 0, 0)


def test_a_rebuild_replaces_the_figures_and_the_stale_ones_stay_until_then(db_session, world, monkeypatch):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    programme.refresh_figures(db_session, AS_OF)
    db_session.commit()
    before = as_counts(programme.figures(db_session, ProgrammeFilters(2026)))
    boss = db_session.scalar(select(User).where(User.email == "hr@example.cn"))
    employer = db_session.scalar(select(Employer).where(Employer.industry == "C"))
    db_session.add(Job(employer_id=employer.id, title="新岗位", description="—", min_education="bachelor",
                       district="220173", salary_min=5000, salary_max=8000, headcount=40, majors=[],
                       created_by_id=boss.id, created_at=_utc(2026, 3, 3), updated_at=_utc(2026, 3, 3)))
    db_session.commit()
    assert as_counts(programme.figures(db_session, ProgrammeFilters(2026))) == before  # as of the last rebuild
    programme.refresh_figures(db_session, AS_OF)
    db_session.commit()
    after = as_counts(programme.figures(db_session, ProgrammeFilters(2026)))
    assert after["year"][2026]["posts_developed"] == before["year"][2026]["posts_developed"] + 40
    assert after == independent_count(db_session, AS_OF, 2026)


def test_the_periodic_task_rebuilds_once_per_quarter_hour(app, db_session, world):
    from talent.tasks import enqueue

    with app.app_context():
        first = enqueue("talent.refresh_programme_figures", "2026-06-01", "2026-06-01T10:15").get()
        second = enqueue("talent.refresh_programme_figures", "2026-06-01", "2026-06-01T10:15").get()
    assert first["claimed"] is True and first["rows"] > 0 and second == {"claimed": False,
                                                                         "period": "2026-06-01T10:15"}
    assert db_session.scalar(select(PeriodicRun.task).where(PeriodicRun.period == "2026-06-01T10:15")) \
        == "programme_figures"
    assert programme.figures(db_session, ProgrammeFilters()).precomputed


def test_retention_rate_counts_only_decided_placements():
    assert programme.retention_rate(3, 1) == 0.75
    assert programme.retention_rate(0, 0) is None


# --- the API ---------------------------------------------------------------------------------------------------


def token(user: User) -> dict[str, str]:
    from tests.services.workflow_support import token_for

    return token_for(user)


def test_the_api_gives_the_figures_to_officers_and_analysts(client, db_session, world, monkeypatch):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    for user in (world["officer"], world["analyst"]):
        response = client.get("/api/v1/statistics?year=2025", headers=token(user))
        assert response.status_code == 200, response.json
        body = response.json
        expected = independent_count(db_session, AS_OF, 2025)
        for dimension in programme.DIMENSIONS:
            panel = body["panels"][f"programme_by_{dimension}"]
            assert panel["columns"] == [dimension, *COLUMNS]
            got = {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in panel["rows"]}
            assert got == expected[dimension]
        assert body["filters"]["year"] == 2025 and body["filters"]["from"] == "2025-01-01"
        assert body["programme"]["targets"] == {"posts_developed": 112000, "graduates_retained": 100000}
        assert body["programme"]["as_of"] == AS_OF.isoformat() and body["programme"]["precomputed"] is False
        # the existing panels keep their shape
        assert body["panels"]["posts"]["columns"] == ["year", "posts", "headcount", "open_headcount"]


def test_the_api_refuses_others_and_bad_years(client, world):
    assert client.get("/api/v1/statistics?year=2025").status_code == 401
    for user in (world["graduate"], world["boss"]):
        assert client.get("/api/v1/statistics?year=2025", headers=token(user)).status_code == 403
    for bad in ("1999", "abc", "20255"):
        response = client.get(f"/api/v1/statistics?year={bad}", headers=token(world["officer"]))
        assert response.status_code == 422 and "year" in str(response.json["errors"])


def test_the_api_district_filter(client, db_session, world, monkeypatch):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    response = client.get("/api/v1/statistics?district=220173", headers=token(world["officer"]))
    expected = independent_count(db_session, AS_OF, None, "220173")
    rows = response.json["panels"]["programme_by_district"]["rows"]
    assert [row[0] for row in rows] == ["220173"]
    assert dict(zip(COLUMNS, rows[0][1:], strict=True)) == expected["district"]["220173"]


# --- the dashboard ---------------------------------------------------------------------------------------------


def sign_in(client: Any, user: User) -> Any:
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_dashboard_shows_the_programme_in_both_languages(client, db_session, world, monkeypatch, language):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    page = sign_in(client, world["analyst"]).get(f"/officer/dashboard/?lang={language}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for key in programme.PANEL_KEYS:
        assert f'id="panel-{key}"' in text
        assert f"/officer/dashboard/{key}.svg" in text
    if language == "zh":
        assert "项目成效：按用人单位行业" in text and "C 制造业" in text and "未填写" in text
        assert "开发岗位（招聘人数）" in text and "满12个月留长" in text
    else:
        assert "Programme results by employer" in text and "C Manufacturing" in text and "Not given" in text
        assert "Posts developed (places)" in text and "Retained at 12 months" in text
    svg = client.get(f"/officer/dashboard/programme_by_industry.svg?lang={language}&year=2025")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    download = client.get(f"/officer/dashboard/programme_by_industry.csv?lang={language}")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    expected = independent_count(db_session, AS_OF)["industry"]
    assert len(rows) == 1 + len(expected)
    body = {row[0]: [int(n) for n in row[1:]] for row in rows[1:]}
    not_given = "未填写" if language == "zh" else "Not given"
    assert body[not_given] == [expected["none"][c] for c in COLUMNS]
    by_year = client.get(f"/officer/dashboard/programme_by_year.csv?lang={language}&year=2025")
    rows = list(csv.reader(io.StringIO(by_year.data.decode("utf-8-sig"))))
    assert rows[1] == ["2025", *(str(independent_count(db_session, AS_OF, 2025)["year"][2025][c]) for c in COLUMNS)]
    xlsx = client.get(f"/officer/dashboard/programme_by_year.xlsx?lang={language}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_dashboard_refuses_a_bad_year_and_others(client, world):
    page = sign_in(client, world["officer"]).get("/officer/dashboard/?year=12")
    assert page.status_code == 422 and "2000" in page.get_data(as_text=True)
    assert client.get("/officer/dashboard/programme_by_year.csv?year=abc").status_code == 422
    client.get("/logout")
    sign_in(client, world["graduate"])
    assert client.get("/officer/dashboard/").status_code == 403
    assert client.get("/officer/dashboard/programme_by_year.csv").status_code == 403


# --- the home page's counters ------------------------------------------------------------------------------------


def test_the_home_counters_count_this_year_and_are_cached(client, db_session, world, monkeypatch):
    today = dt.date(2026, 6, 1)
    monkeypatch.setattr(programme, "today_in_changchun", lambda: today)
    jobs = list(db_session.scalars(select(Job)))
    posts = sum(j.headcount for j in jobs if year_of(j.created_at) == 2026)
    hires = sum(1 for a in db_session.scalars(select(JobApplication)) if year_of(a.hired_at) == 2026)
    placements = [p for p in db_session.scalars(select(Placement))
                  if dt.date(2026, 1, 1) <= p.retention_due_on <= today]
    retained = sum(1 for p in placements if p.retention == "retained")
    decided = sum(1 for p in placements if p.retention in ("retained", "left"))
    assert posts and hires and retained
    headline = programme.headline(db_session, today)
    assert (headline.year, headline.posts_developed, headline.hires, headline.retained, headline.decided) == \
        (2026, posts, hires, retained, decided)

    for language in ("zh", "en"):
        page = client.get(f"/?lang={language}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert f"{posts:,}" in text and f"{hires:,}" in text and "112,000" in text and "100,000" in text
        assert ("截至" if language == "zh" else "As of") in text
    employer = db_session.scalar(select(Employer).where(Employer.industry == "I"))
    db_session.add(Job(employer_id=employer.id, title="新岗位", description="—", min_education="bachelor",
                       district="220173", salary_min=5000, salary_max=8000, headcount=1000, majors=[],
                       created_by_id=world["boss"].id, created_at=_utc(2026, 3, 3), updated_at=_utc(2026, 3, 3)))
    db_session.commit()
    assert f"{posts + 1000:,}" not in client.get("/").get_data(as_text=True)  # cached for 60 s
    programme.clear_headline_cache()
    assert f"{posts + 1000:,}" in client.get("/").get_data(as_text=True)


def test_the_home_counters_use_redis_when_configured(app, db_session, world, monkeypatch):
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    key = programme.headline_cache_key(db_session)
    client.delete(key)
    first = programme.cached_headline(db_session, url)
    assert 0 < client.ttl(key) <= 60
    stored = programme.Headline.from_dict({**first.as_dict(), "posts_developed": 987654})
    client.set(key, json.dumps(stored.as_dict()), ex=60)
    assert programme.cached_headline(db_session, url).posts_developed == 987654
    client.delete(key)
    # a Redis that does not answer: counted here
    assert programme.cached_headline(db_session, "redis://127.0.0.1:1/0").posts_developed == first.posts_developed


def test_the_command_rebuilds_the_figures(app, db_session, world, monkeypatch):
    from click.testing import CliRunner

    from talent import cli_figures

    monkeypatch.setattr("talent.create_app", lambda *a, **k: app)
    result = CliRunner().invoke(cli_figures.figures, ["refresh", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"as of {AS_OF.isoformat()}" in result.output
    db_session.expire_all()
    figures = programme.figures(db_session, ProgrammeFilters())
    assert figures.precomputed and figures.as_of == AS_OF
    assert as_counts(figures) == independent_count(db_session, AS_OF)
    bad = CliRunner().invoke(cli_figures.figures, ["refresh", "--as-of", "2026-13-01"])
    assert bad.exit_code != 0


def test_internships_are_not_posts_developed_but_their_applications_count(db_session, world, monkeypatch):
    monkeypatch.setattr(programme, "today_in_changchun", lambda: AS_OF)
    before = as_counts(programme.figures(db_session, ProgrammeFilters()))
    headline_before = programme.headline(db_session, dt.date(2026, 6, 1))
    employer = db_session.scalar(select(Employer).where(Employer.industry == "I"))
    internship = Job(employer_id=employer.id, title="实训生", description="—", min_education="bachelor", kind="internship",
                     district="220173", salary_min=3000, salary_max=4000, headcount=40, majors=[],
                     created_by_id=world["boss"].id, created_at=_utc(2026, 3, 3), updated_at=_utc(2026, 3, 3))
    db_session.add(internship)
    db_session.flush()
    user = world["graduate"]
    profile = db_session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == user.id))
    db_session.add(JobApplication(job_id=internship.id, employer_id=employer.id, applicant_id=user.id,
                                  graduate_profile_id=profile.id,
                                  status="applied", created_at=_utc(2026, 3, 5), updated_at=_utc(2026, 3, 5),
                                  applied_at=_utc(2026, 3, 5)))
    db_session.commit()
    after = as_counts(programme.figures(db_session, ProgrammeFilters()))
    assert after == independent_count(db_session, AS_OF)
    assert after["year"][2026]["posts_developed"] == before["year"][2026]["posts_developed"]
    assert after["year"][2026]["posts_opened"] == before["year"][2026]["posts_opened"]
    assert after["year"][2026]["applications"] == before["year"][2026]["applications"] + 1
    assert programme.headline(db_session, dt.date(2026, 6, 1)).posts_developed == headline_before.posts_developed
