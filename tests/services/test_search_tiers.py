"""Relevance tiers of job search (services.job_search), on SQLite and PostgreSQL, through the API and the service.

Each test makes posts whose tier for the keyword is known by construction (title / title and employer's name /
description only) and whose `created_at` is set at creation (the search document copies it), and compares what
the search answers with the order computed here: tier, then newest first, then the higher id. The windowed
reading (a tier with more hits than COUNT_CAP) is checked against the plain reading page by page, forwards by
`next`, backwards by `previous`/`before`, and by page number (OFFSET).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, select, update

from talent.clock import today_in_changchun
from talent.db import db, utcnow
from talent.models.employers import Employer
from talent.models.jobs import Job
from talent.models.matches import JobSearchDocument
from talent.services import job_search
from talent.services import jobs as job_service
from tests.api.test_jobs_api import add_employer, add_job, build_world

QUIET = "负责日常事务。"  # a description holding none of the keywords searched here


@dataclass
class Post:
    id: int
    tier: int | None  # the tier it must rank in for the keyword it was made for; None: not a hit
    created_at: dt.datetime
    district: str
    min_education: str


@dataclass
class Board:
    """The posts of a test, made at known times before `now`."""

    session: Any
    now: dt.datetime = field(default_factory=utcnow)
    posts: dict[str, Post] = field(default_factory=dict)

    def add(self, name: str, employer: Employer, title: str, *, days: float, tier: int | None,
            description: str = QUIET, district: str = "220173", min_education: str = "bachelor",
            **fields: Any) -> int:
        created = self.now - dt.timedelta(days=days)
        job = add_job(self.session, employer, title=title, description=description, district=district,
                      min_education=min_education, majors=[], updated_at=created, **fields)
        self.posts[name] = Post(job.id, tier, created, district, min_education)
        return job.id

    def expected(self, keep: Callable[[Post], bool] = lambda post: True) -> list[int]:
        """The hits (of those kept) in relevance order: best tier first, newest first within a tier, ties by the
        higher id."""
        hits = [post for post in self.posts.values() if post.tier is not None and keep(post)]
        return [post.id for post in sorted(hits, key=lambda p: (p.tier, p.created_at, p.id), reverse=True)]


def search(client: Any, **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/jobs", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(client: Any, **query: Any) -> list[int]:
    return [item["id"] for item in search(client, **query)["items"]]


def api_pages(client: Any, **query: Any) -> list[list[int]]:
    """Every page of a search through the API, following `next`."""
    pages: list[list[int]] = []
    cursor = None
    for _ in range(100):
        body = search(client, **query, **({"after": cursor} if cursor else {}))
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")


def service_pages(app: Any, **query: Any) -> tuple[list[list[int]], list[list[int]]]:
    """Every page of a search as the /jobs page reads them: forwards by `next` (with the page number shown),
    then from the last page back to the first by `previous` as `before`. Returns (forwards, backwards)."""
    forwards: list[list[int]] = []
    with app.app_context():
        result = job_service.search_jobs(db.session, **query)
        assert result.previous is None  # the first page has none
        forwards.append([job.id for job in result.items])
        page = 1
        while result.next is not None:
            page += 1
            result = job_service.search_jobs(db.session, page=page, after=result.next, **query)
            forwards.append([job.id for job in result.items])
            assert page < 100
        backwards = [forwards[-1]]
        while result.previous is not None:
            page -= 1
            result = job_service.search_jobs(db.session, page=page, before=result.previous, **query)
            backwards.insert(0, [job.id for job in result.items])
            assert result.next is not None  # a page read backwards leads forwards again
        assert page == 1  # back at the first page, which has no previous
    return forwards, backwards


@contextmanager
def statements_of(app: Any) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs meanwhile."""
    engine = app.extensions["talent.engine"]
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def counts(statements: list[str]) -> list[str]:
    return [s for s in statements if "count(" in s.lower()]


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment  # SQLite gives naive UTC


# --- 1. tier order -------------------------------------------------------------------------------------------


@pytest.fixture
def words(app: Any, db_session: Any) -> Board:
    """Posts for 软件工程, java and 长春: the description-only hits are the newest posts, the title hits the oldest,
    and the ids disagree with the dates, so neither the date nor the id alone gives the expected order."""
    world = build_world(app, db_session)
    a = world.employers["a"]  # 长春甲软件有限公司
    institute = add_employer(db_session, world.users["d"], 11, name="吉林软件工程研究院")
    school = add_employer(db_session, world.users["d"], 12, name="长春Java培训学校")
    board = Board(db_session)
    board.add("se2_new", a, "高级软件工程师", days=8, tier=2)
    board.add("se2_old", a, "软件工程师", days=9, tier=2)
    board.add("se1_all", institute, "测试员", days=6, tier=1)  # 软件工程 wholly in the employer's name
    board.add("se1_part", institute, "软件测试员", days=7, tier=1)  # 软件 in the title, 件工 工程 in the name
    board.add("se0_a", a, "系统管理员", description="维护公司的软件工程项目。", days=1, tier=0)
    board.add("se0_b", a, "运维工程师", description="有软件工程背景者优先。", days=2, tier=0)
    board.add("split", a, "土木工程技术员", description="会用办公软件。", days=0, tier=None)  # no 件工
    board.add("closed", a, "软件工程师（已关闭）", days=0, tier=None, status="closed")
    board.add("expired", a, "软件工程师（已截止）", days=0, tier=None,
              closing_date=today_in_changchun() - dt.timedelta(days=1))
    board.add("java", a, "Java后端开发", days=4, tier=2)
    board.add("javascript", a, "前端开发（JavaScript）", days=5, tier=2)  # java is a prefix
    board.add("changchun_java", a, "长春Java开发", days=10, tier=2)
    board.add("school", school, "讲师", days=3, tier=1)
    board.add("java_text", a, "测试工程师", description="会用Java编写自动化测试。", days=0.5, tier=0)
    db_session.commit()
    return board


def test_title_hits_come_first_then_title_and_employer_then_description_each_newest_first(client, words):
    p = {name: post.id for name, post in words.posts.items()}
    assert ids(client, q="软件工程") == [p["se2_new"], p["se2_old"], p["se1_all"], p["se1_part"], p["se0_a"],
                                         p["se0_b"]]
    assert ids(client, q="java") == [p["java"], p["javascript"], p["changchun_java"], p["school"],
                                     p["java_text"]]
    # Two keywords: tier 2 needs both in the title, tier 1 both in title and name together (长春 is in most names).
    assert ids(client, q="Java 长春") == [p["changchun_java"], p["school"], p["java"], p["javascript"],
                                          p["java_text"]]
    # 软件 and 工程 apart: a title with 工程 at a 软件 company is a title-and-employer hit, newest first.
    assert ids(client, q="软件 工程") == [p["se2_new"], p["se2_old"], p["split"], p["java_text"], p["se0_b"],
                                          p["se1_all"], p["se1_part"], p["se0_a"]]
    # Without the tiers the same posts come newest first.
    assert ids(client, q="软件工程", sort="newest") == [p["se0_a"], p["se0_b"], p["se1_all"], p["se1_part"],
                                                        p["se2_new"], p["se2_old"]]


def test_the_relevance_cursor_carries_the_tier_and_the_date_and_pages_across_tiers(app, client, words):
    p = {name: post.id for name, post in words.posts.items()}
    body = search(client, q="软件工程", per_page=3)
    assert [item["id"] for item in body["items"]] == [p["se2_new"], p["se2_old"], p["se1_all"]]
    (tier, moment), last_id = job_search.decode_cursor(body["next"], "relevance")
    assert (tier, as_utc(moment), last_id) == (1, words.posts["se1_all"].created_at, p["se1_all"])
    assert ids(client, q="软件工程", per_page=3, after=body["next"]) == [p["se1_part"], p["se0_a"], p["se0_b"]]
    assert api_pages(client, q="java", per_page=2) == [[p["java"], p["javascript"]],
                                                        [p["changchun_java"], p["school"]], [p["java_text"]]]
    forwards, backwards = service_pages(app, q="软件 工程", per_page=3)
    assert forwards == backwards == [[p["se2_new"], p["se2_old"], p["split"]],
                                     [p["java_text"], p["se0_b"], p["se1_all"]], [p["se1_part"], p["se0_a"]]]


# --- 2. windows of time ----------------------------------------------------------------------------------------


@pytest.fixture
def year(app: Any, db_session: Any) -> Board:
    """27 hits of 数据 over 400 days (11 in titles, 6 in an employer's name only, 10 in descriptions only), with
    posts of the same moment within a tier and across tiers, and a closed and an expired hit."""
    world = build_world(app, db_session)
    a = world.employers["a"]  # 长春甲软件有限公司
    data_company = add_employer(db_session, world.users["d"], 11, name="长春数据集团有限公司")
    board = Board(db_session)
    for n, days in enumerate([0.5, 1, 1, 15, 16, 100, 101, 102, 250, 399]):
        board.add(f"title{n}", a, f"数据工程师{n:02d}", days=days, tier=2)
    board.add("title_and_name", data_company, "数据分析师", days=30, tier=2)
    for n, days in enumerate([0.2, 2, 45, 46, 200, 380]):
        board.add(f"name{n}", data_company, f"运维专员{n:02d}", days=days, tier=1)
    for n, days in enumerate([0, 1, 5, 60, 61, 62, 63, 300, 301, 400]):
        board.add(f"text{n}", a, f"客服专员{n:02d}", description="整理客户数据。", days=days, tier=0)
    board.add("sales", a, "销售代表", days=1, tier=None)
    board.add("closed", a, "数据工程师（已关闭）", days=0.1, tier=None, status="closed")
    board.add("expired", a, "客服专员（已截止）", description="整理客户数据。", days=3, tier=None,
              closing_date=today_in_changchun() - dt.timedelta(days=1))
    db_session.commit()
    return board


@pytest.mark.parametrize("per_page", [2, 5])
def test_windowed_reading_gives_the_same_pages_as_reading_each_tier_whole(app, client, db_session, year, monkeypatch,
                                                                          per_page):
    expected = year.expected()
    assert len(expected) == 27
    documents = db_session.execute(select(JobSearchDocument.job_id, JobSearchDocument.created_at)).all()
    assert {job_id: as_utc(moment) for job_id, moment in documents} == {
        post.id: post.created_at for post in year.posts.values()}  # copied from the post by after_insert
    monkeypatch.setattr(job_search, "WINDOWS_DAYS", (2, 20, 90))
    read: dict[int, tuple[Any, ...]] = {}
    for cap in (1000, 3):  # every tier read whole; then every tier (all have more than 3 hits) within windows
        monkeypatch.setattr(job_search, "COUNT_CAP", cap)
        with statements_of(app) as statements:
            pages = api_pages(client, q="数据", per_page=per_page)
        windowed = [s for s in statements if "job_search_documents.created_at >" in s]
        assert bool(windowed) == (cap == 3)
        assert [row for page in pages for row in page] == expected
        assert all(len(page) == per_page for page in pages[:-1]) and 0 < len(pages[-1]) <= per_page
        forwards, backwards = service_pages(app, q="数据", per_page=per_page)
        assert forwards == backwards == pages
        by_number = [ids(client, q="数据", per_page=per_page, page=n) for n in range(1, len(pages) + 1)]
        assert by_number == pages  # page=N without a cursor: one OFFSET query over the tiers
        with app.app_context():  # and the cursors of a page read by number lead to its neighbours
            for n in range(2, len(pages)):
                shown = job_service.search_jobs(db.session, q="数据", per_page=per_page, page=n)
                before = job_service.search_jobs(db.session, q="数据", per_page=per_page, page=n - 1,
                                                 before=shown.previous)
                after = job_service.search_jobs(db.session, q="数据", per_page=per_page, page=n + 1,
                                                after=shown.next)
                assert [[job.id for job in r.items] for r in (before, shown, after)] == pages[n - 2 : n + 1]
        read[cap] = (pages, forwards, backwards, by_number)
    assert read[3] == read[1000]


def test_windows_that_hold_the_whole_page_answer_it_without_the_whole_history(app, client, year, monkeypatch):
    """The first page of each tier lies within 20 days: read from the windows alone (no fenced subquery), and
    the same posts as the whole reading."""
    monkeypatch.setattr(job_search, "WINDOWS_DAYS", (2, 20, 90))
    monkeypatch.setattr(job_search, "COUNT_CAP", 3)
    with statements_of(app) as statements:
        assert ids(client, q="数据", per_page=2) == year.expected()[:2]
    windowed = [s for s in statements if "job_search_documents.created_at >" in s]
    # Two counts and one read: three title hits within 2 days (the page and one more) answer from the first
    # window, without wider windows or the whole history.
    assert len(windowed) == 1 and len(statements) == 3


# --- 3. counting ---------------------------------------------------------------------------------------------------


@pytest.fixture
def counted(app: Any, db_session: Any) -> Board:
    world = build_world(app, db_session)
    a = world.employers["a"]
    data_company = add_employer(db_session, world.users["d"], 11, name="长春数据集团有限公司")
    board = Board(db_session)
    board.add("title0", a, "数据工程师", days=1, tier=2, district="220102")
    board.add("title1", a, "数据分析师", days=2, tier=2)
    board.add("name0", data_company, "运维专员", days=3, tier=1)
    board.add("name1", data_company, "行政专员", days=4, tier=1)
    board.add("text0", a, "客服专员", description="整理客户数据。", days=5, tier=0, district="220102")
    board.add("text1", a, "前台接待", description="登记访客数据。", days=6, tier=0)
    board.add("nurse0", a, "病房护士", days=1, tier=None)
    board.add("nurse1", a, "门诊护士", days=2, tier=None)
    db_session.commit()
    return board


def close(db_session: Any, *job_ids: int) -> None:
    """Close posts as another process would (committed, behind the app's back)."""
    db_session.execute(update(Job).where(Job.id.in_(job_ids)).values(status="closed"))
    db_session.commit()


class Clock:
    """`time` for job_search, `seconds` ahead of the real one."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def monotonic(self) -> float:
        return time.monotonic() + self.seconds


def test_a_count_beyond_the_cap_is_reused_for_a_minute_and_smaller_ones_are_always_fresh(app, client, counted,
                                                                                       db_session, monkeypatch):
    p = {name: post.id for name, post in counted.posts.items()}
    monkeypatch.setattr(job_search, "COUNT_CAP", 3)
    with statements_of(app) as statements:
        body = search(client, q="数据", per_page=2)
    assert (body["total"], body["total_is_exact"], body["pages"]) == (3, False, 2)
    assert [item["id"] for item in body["items"]] == [p["title0"], p["title1"]] and body["next"]
    assert len(counts(statements)) == 2  # the hits, and those in title and employer's name (how to read tiers)
    # Another search (a district more) is counted on its own, exactly.
    body = search(client, q="数据", district="220102")
    assert (body["total"], body["total_is_exact"]) == (2, True)
    assert [item["id"] for item in body["items"]] == [p["title0"], p["text0"]]

    close(db_session, p["title0"], p["title1"], p["name0"], p["name1"])  # two hits left, both in descriptions
    monkeypatch.setattr(job_search, "time", Clock(job_search.COUNT_SECONDS / 2))  # half a minute later
    with statements_of(app) as statements:
        body = search(client, q="数据", per_page=2)
    assert (body["total"], body["total_is_exact"]) == (3, False)  # "3+": the count of a moment ago
    assert counts(statements) == []  # neither the hits nor the title and employer hits counted again
    assert [item["id"] for item in body["items"]] == [p["text0"], p["text1"]]  # the page itself is read afresh
    assert body["next"] is None

    monkeypatch.setattr(job_search, "time", Clock(job_search.COUNT_SECONDS + 1))  # a minute later
    with statements_of(app) as statements:
        body = search(client, q="数据", per_page=2)
    assert (body["total"], body["total_is_exact"], body["pages"]) == (2, True, 1)
    assert len(counts(statements)) == 2
    assert [item["id"] for item in body["items"]] == [p["text0"], p["text1"]]

    # Counts within the cap are never remembered: a post closed shows in the very next total.
    assert search(client, q="数据", district="220102")["total"] == 1
    assert search(client, q="护士")["total"] == 2
    close(db_session, p["nurse0"])
    body = search(client, q="护士")
    assert (body["total"], body["total_is_exact"], [item["id"] for item in body["items"]]) == (1, True,
                                                                                                [p["nurse1"]])
    close(db_session, p["text1"])
    assert search(client, q="数据")["total"] == 1


def test_the_remembered_counts_belong_to_one_app(app, client, counted, database_url, tmp_path, monkeypatch):
    from talent import create_app

    monkeypatch.setattr(job_search, "COUNT_CAP", 3)
    assert search(client, q="数据")["total_is_exact"] is False
    remembered = app.extensions["talent.search_counts"].entries
    assert len(remembered) == 2 and all(value == 4 for _, value in remembered.values())  # counted to cap + 1
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                        "INSTANCE_PATH": str(tmp_path / "other")})
    try:
        with statements_of(other) as statements:
            assert search(other.test_client(), q="数据")["total_is_exact"] is False
        assert len(counts(statements)) == 2
    finally:
        other.extensions["talent.engine"].dispose()


# --- 4. nothing found ----------------------------------------------------------------------------------------------


def test_a_keyword_without_hits_reads_no_tier_and_punctuation_reads_nothing(app, client, counted):
    p = {name: post.id for name, post in counted.posts.items()}
    with statements_of(app) as statements:
        body = search(client, q="区块链")
    assert body["items"] == [] and (body["total"], body["total_is_exact"], body["pages"], body["next"]) == (
        0, True, 1, None)
    assert len(statements) == len(counts(statements)) == 1  # counted (none), no tier read
    for q in ("!!!", "，。、——", " - "):
        with statements_of(app) as statements:
            body = search(client, q=q)
        assert body["items"] == [] and (body["total"], body["next"]) == (0, None)
        assert statements == []
    # Hits only in descriptions: the title and employer's name hold none, so tiers 2 and 1 are not read.
    with statements_of(app) as statements:
        assert ids(client, q="访客") == [p["text1"]]
    assert len(counts(statements)) == 2 and len(statements) == 3


# --- 5. filters in every tier --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cap", [1000, 1])
def test_district_and_education_filter_every_tier(app, client, db_session, monkeypatch, cap):
    world = build_world(app, db_session)
    a = world.employers["a"]
    data_company = add_employer(db_session, world.users["d"], 11, name="长春数据集团有限公司")
    board = Board(db_session)
    places = [("220102", "bachelor"), ("220102", "master"), ("220173", "college"), ("220173", "doctor")]
    for n, (district, education) in enumerate(places):
        common = {"district": district, "min_education": education}
        board.add(f"title{n}", a, f"数据专员{n}", days=10 * n + 1, tier=2, **common)
        board.add(f"name{n}", data_company, f"运维专员{n}", days=10 * n + 2, tier=1, **common)
        board.add(f"text{n}", a, f"客服专员{n}", description="整理客户数据。", days=10 * n + 3, tier=0, **common)
    db_session.commit()
    monkeypatch.setattr(job_search, "COUNT_CAP", cap)
    monkeypatch.setattr(job_search, "WINDOWS_DAYS", (5, 15))

    southern = board.expected(lambda post: post.district == "220102")
    up_to_bachelor = board.expected(lambda post: post.min_education in ("college", "bachelor"))
    both = board.expected(lambda post: post.district == "220102" and post.min_education == "bachelor")
    assert len(southern) == len(up_to_bachelor) == 6
    assert [board.posts[name].id for name in ("title0", "name0", "text0")] == both
    for query, hits in (({"district": "220102"}, southern), ({"education": "bachelor"}, up_to_bachelor),
                        ({"district": "220102", "education": "bachelor"}, both)):
        body = search(client, q="数据", **query)
        assert [item["id"] for item in body["items"]] == hits, query
        assert body["total_is_exact"] == (len(hits) <= cap)
        assert [row for page in api_pages(client, q="数据", per_page=2, **query) for row in page] == hits
        assert ids(client, q="数据", per_page=2, page=2, **query) == hits[2:4]
        forwards, backwards = service_pages(app, q="数据", per_page=2, **query)
        assert forwards == backwards and [row for page in forwards for row in page] == hits


def test_a_post_whose_creation_time_changes_keeps_its_place_in_the_windows(app, client, db_session, words,
                                                                            monkeypatch):
    # The windows read the search document's copy of created_at: a post re-dated (the demo back-dates posts)
    # must move in them exactly as it does in the whole reading and in the cursors made from the post itself.
    p = {name: post.id for name, post in words.posts.items()}
    job = db_session.get(Job, p["se2_old"])
    job.created_at = words.now - dt.timedelta(days=0.1)  # now the newest title hit
    db_session.commit()
    copied = db_session.scalar(select(JobSearchDocument.created_at).where(JobSearchDocument.job_id == job.id))
    assert as_utc(copied) == as_utc(job.created_at)
    monkeypatch.setattr(job_search, "COUNT_CAP", 1)  # every tier read within windows
    monkeypatch.setattr(job_search, "WINDOWS_DAYS", (1, 5))
    expected = [p["se2_old"], p["se2_new"], p["se1_all"], p["se1_part"], p["se0_a"], p["se0_b"]]
    assert [i for page in api_pages(client, q="软件工程", per_page=2) for i in page] == expected


@pytest.mark.parametrize("moment", ["0001-01-02T00:00:00", "9999-12-30T00:00:00+00:00"])
def test_a_made_up_cursor_far_in_time_is_refused_not_an_error(client, words, monkeypatch, moment):
    monkeypatch.setattr(job_search, "COUNT_CAP", 1)  # the windows would start from the cursor's moment
    cursor = job_search.encode_cursor("relevance", (2, dt.datetime.fromisoformat(moment)), 1)
    response = client.get("/api/v1/jobs", query_string={"q": "java", "after": cursor})
    assert response.status_code == 422 and "after" in response.get_json()["errors"], response.get_json()
