"""Job search through the keyword index (services.job_search), on SQLite and PostgreSQL: Chinese and English
keywords, relevance, salary and date order, filters, and keyset paging that walks every page exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from talent.db import db, utcnow
from talent.models import Employer, User
from talent.models.jobs import Job
from talent.services import job_search
from talent.services import jobs as job_service
from tests.api.test_jobs_api import add_job, build_world


@pytest.fixture
def board(app: Any, db_session: Any) -> dict[str, Any]:
    world = build_world(app, db_session)
    a, b = world.employers["a"], world.employers["b"]  # 长春甲软件有限公司, 长春乙软件有限公司
    start = utcnow() - dt.timedelta(days=1)
    specs = [
        ("title", a, "软件工程师", "负责系统开发。", 9000, "220102"),
        ("description", a, "系统管理员", "维护公司的软件工程项目与服务器。", 12000, "220173"),
        ("split", a, "土木工程技术员", "会用办公软件，熟悉道路施工。", 7000, "220173"),
        ("java", a, "Java后端开发", "Spring Boot 与 MySQL。", 15000, "220102"),
        ("javascript", a, "前端开发（JavaScript）", "React、TypeScript。", 11000, "220173"),
        ("nurse", b, "病房护士", "护理学专业，持护士执业证书。", 6000, "220102"),
    ]
    jobs = {}
    for minutes, (key, employer, title, description, salary, district) in enumerate(specs):
        jobs[key] = add_job(db_session, employer, title=title, description=description, salary_min=4000,
                            salary_max=salary, district=district, majors=[],
                            updated_at=start + dt.timedelta(minutes=minutes))
        jobs[key].created_at = start + dt.timedelta(minutes=minutes)
    jobs["closed"] = add_job(db_session, a, title="软件测试（已关闭）", status="closed")
    db_session.commit()
    return {key: job.id for key, job in jobs.items()}


def ids(client: Any, **query: Any) -> list[int]:
    response = client.get("/api/v1/jobs", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_chinese_keywords_match_words_not_scattered_characters_and_rank_the_title_first(client, board):
    found = ids(client, q="软件工程")
    assert found == [board["title"], board["description"]]  # 软件 … 工程 apart (split) is not 软件工程
    # 软件 is also in both employers' names (甲软件/乙软件) and in the split post's description.
    found = ids(client, q="软件")
    assert found[0] == board["title"] and set(found) == set(board.values()) - {board["closed"]}
    assert ids(client, q="病") == [board["nurse"]]  # one character on its own (病房)
    assert ids(client, q="软件 护理") == [board["nurse"]]  # every keyword must match (乙软件 + 护理)
    assert ids(client, q="区块链") == []


def test_english_keywords_are_case_and_width_insensitive_prefixes(client, board):
    assert set(ids(client, q="java")) == {board["java"], board["javascript"]}
    assert ids(client, q="ＪＡＶＡＳＣＲＩＰＴ") == [board["javascript"]]
    assert ids(client, q="mysql spring") == [board["java"]]
    assert ids(client, q="!!!") == []


def test_sorting_by_date_and_salary_with_filters(client, board):
    assert ids(client, sort="salary", district="220173") == [board["description"], board["javascript"],
                                                             board["split"]]
    newest = ids(client)
    assert newest[:3] == [board["nurse"], board["javascript"], board["java"]]
    assert ids(client, q="软件", sort="salary")[:2] == [board["java"], board["description"]]
    body = client.get("/api/v1/jobs", query_string={"q": "开发", "sort": "newest"}).get_json()
    assert body["sort"] == "newest" and [i["id"] for i in body["items"]] == [board["javascript"], board["java"],
                                                                             board["title"]]
    assert client.get("/api/v1/jobs", query_string={"q": "开发"}).get_json()["sort"] == "relevance"


@pytest.mark.parametrize("query", [{"sort": "newest"}, {"sort": "salary"}, {"q": "软件"}, {"q": "开发", "sort": "salary"}])
def test_keyset_paging_walks_every_result_once_in_order(client, board, query):
    expected = ids(client, per_page=100, **query)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        args = dict(query, per_page=2, **({"after": cursor} if cursor else {}))
        body = client.get("/api/v1/jobs", query_string=args).get_json()
        seen += [item["id"] for item in body["items"]]
        assert body["total"] == len(expected)
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == expected
    # `page` keeps working for the first pages and agrees with the cursor.
    assert ids(client, per_page=2, page=2, **query) == expected[2:4]


def test_hits_are_counted_exactly_up_to_the_cap_only(client, board, monkeypatch):
    body = client.get("/api/v1/jobs", query_string={"q": "软件"}).get_json()
    assert (body["total"], body["total_is_exact"]) == (6, True)
    monkeypatch.setattr(job_search, "COUNT_CAP", 4)
    body = client.get("/api/v1/jobs", query_string={"q": "软件", "per_page": 2}).get_json()
    assert (body["total"], body["total_is_exact"], body["pages"]) == (4, False, 2)
    assert body["next"] and len(body["items"]) == 2  # paging goes on past the counted hits
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/jobs", query_string={"q": "软件", "per_page": 2,
                                                         **({"after": cursor} if cursor else {})}).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    body = client.get("/api/v1/jobs", query_string={"q": "java"}).get_json()
    assert (body["total"], body["total_is_exact"]) == (2, True)
    body = client.get("/api/v1/jobs", query_string={"q": "病房"}).get_json()
    assert (body["total"], body["total_is_exact"]) == (1, True)
    monkeypatch.setattr(job_search, "COUNT_CAP", 2)
    body = client.get("/api/v1/jobs", query_string={"q": "java"}).get_json()
    assert (body["total"], body["total_is_exact"]) == (2, True)  # exactly the cap is still exact


@pytest.mark.parametrize("query, field", [
    ({"sort": "cheapest"}, "sort"),
    ({"after": "not-a-cursor"}, "after"),
    ({"sort": "salary", "after": job_search.encode_cursor("newest", "2026-01-01T00:00:00+00:00", 5)}, "after"),
])
def test_bad_sort_or_cursor_is_refused_naming_the_field(client, board, query, field):
    response = client.get("/api/v1/jobs", query_string=query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_an_edited_post_is_found_by_its_new_words_only(client, board):
    with client.application.app_context(), db.command_transaction() as session:
        owner = session.get(User, session.get(Employer, session.get(Job, board["nurse"]).employer_id).owner_id)
        job_service.update_job(session, owner, board["nurse"], {"title": "药剂师", "description": "药学专业。"})
    assert ids(client, q="药剂") == [board["nurse"]]
    assert ids(client, q="护士") == []


def test_the_document_cuts_chinese_into_characters_and_pairs_and_latin_into_words():
    assert job_search.lexemes("软件工程 Java-8") == ["软", "件", "工", "程", "软件", "件工", "工程", "java", "8"]
    assert job_search.query_terms("软件工程 Ｊava") == [("软件", False), ("件工", False), ("工程", False),
                                                       ("java", True)]
    assert job_search.document("软件", "", "", postgresql=True) == "'软':1A '件':2A '软件':3A"
    assert job_search.tsquery_text([("it's", True)]) == "'it''s':*"


def test_the_jobs_page_sorts_by_salary_and_relevance(client, board):
    page = client.get("/jobs", query_string={"q": "开发", "sort": "salary"}).get_data(as_text=True)
    assert page.index("Java后端开发") < page.index("前端开发（JavaScript）") < page.index("软件工程师")
    assert '<option value="salary" selected>' in page
    english = client.get("/jobs", query_string={"sort": "salary", "lang": "en"}).get_data(as_text=True)
    assert "Highest salary" in english
    odd = client.get("/jobs", query_string={"sort": "cheapest"})
    assert odd.status_code == 200 and "软件工程师" in odd.get_data(as_text=True)
