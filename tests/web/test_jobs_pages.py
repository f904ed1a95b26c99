"""Public job search and the graduate's pages (profile with consent, matched jobs) through the test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from talent.clock import today_in_changchun
from talent.models import AuditEvent, Employer, Role, User
from talent.models.jobs import GraduateProfile
from tests.api.test_jobs_api import add_employer, add_job, add_user
from tests.web.test_employer_pages import field_errors, sign_in, text_of


@pytest.fixture
def board(app: Any, db_session: Any) -> dict[str, Any]:
    owner = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 1, name="长春甲软件有限公司")
    graduate = add_user(db_session, "li@example.cn", "李明远", Role.APPLICANT)
    today = today_in_changchun()
    jobs = {
        "java": add_job(db_session, employer),
        "embedded": add_job(db_session, employer, title="嵌入式软件工程师", district="220174", min_education="master",
                            description="负责汽车电子嵌入式软件开发，使用C语言和CAN总线。"),
        "closed": add_job(db_session, employer, title="已关闭的岗位", status="closed"),
        "expired": add_job(db_session, employer, title="已截止的岗位", closing_date=today - dt.timedelta(days=1)),
    }
    for number in range(23):
        add_job(db_session, employer, title=f"客服专员{number:02d}", district="220102", min_education="college",
                description="负责政务热线咨询解答。")
    db_session.commit()
    return {"employer": employer.id, "graduate": graduate.id, "owner": owner.id,
            **{name: job.id for name, job in jobs.items()}}


# --- public search --------------------------------------------------------------------------------------


def test_anyone_searches_open_positions_with_filters(client, board):
    page = text_of(client.get("/jobs"))
    assert "共找到 25 个岗位" in page
    assert "已关闭的岗位" not in page and "已截止的岗位" not in page
    assert "第 1 / 2 页" in page

    second = text_of(client.get("/jobs?page=2"))
    assert "第 2 / 2 页" in second and "上一页" in second

    page = text_of(client.get("/jobs?district=220174"))
    assert "共找到 1 个岗位" in page and "嵌入式软件工程师" in page

    page = text_of(client.get("/jobs?education=bachelor&q=Java"))
    assert "共找到 1 个岗位" in page and "Java后端开发工程师" in page

    page = text_of(client.get("/jobs?education=bachelor"))
    assert "嵌入式软件工程师" not in page  # needs a master's degree


def test_filters_are_kept_in_the_paging_links(client, board):
    html = client.get("/jobs?district=220102&q=客服").get_data(as_text=True)
    assert "page=2" in html and "district=220102" in html


def test_the_pages_go_forward_and_back_by_cursor_without_offset(client, board, monkeypatch):
    import re
    from html import unescape

    from talent.web import jobs_pages

    monkeypatch.setattr(jobs_pages, "PER_PAGE", 4)

    def titles_and_links(address):
        html = client.get(address).get_data(as_text=True)
        titles = re.findall(r"客服专员\d\d|Java后端开发工程师|嵌入式软件工程师", text_of_html(html))
        links = {rel: unescape(href) for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', html)}
        return titles, links, html

    seen, address, pages = [], "/jobs?district=220102", 0
    while address:
        titles, links, html = titles_and_links(address)
        pages += 1
        if pages > 1:
            assert "after=" in address and f"第 {pages} / 6 页" in text_of_html(html)
        seen.extend(titles)
        address = links.get("next")
    assert pages == 6 and len(seen) == 23 and len(set(seen)) == 23  # every post once, newest first
    assert seen == [f"客服专员{n:02d}" for n in range(22, -1, -1)]
    # Back from the last page by the "previous" cursors: the same pages in reverse.
    _, links, _ = titles_and_links(f"/jobs?district=220102&page=6&after={_cursor_before_last(client)}")
    back, address = [], links["prev"]
    while address:
        titles, links, _ = titles_and_links(address)
        back = titles + back
        address = links.get("prev")
    assert back == seen[:20]
    # A hand-edited deep page number without a cursor is read as the deepest page served by number (OFFSET).
    monkeypatch.setattr(jobs_pages, "OFFSET_PAGES", 2)
    assert "第 2 / 6 页" in text_of(client.get("/jobs?district=220102&page=5"))
    # A cursor that is not one of this search: said so, and the first page.
    page = text_of(client.get("/jobs?district=220102&sort=salary&after=bm90LWEtY3Vyc29y"))
    assert "部分筛选条件无法识别，已忽略。" in page and "第 1 / 6 页" in page


def _cursor_before_last(client):
    from talent.db import db
    from talent.services import jobs as job_service

    with client.application.app_context():
        return job_service.search_jobs(db.session, district="220102", per_page=4, page=5).next


def text_of_html(html):
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_count_beyond_the_cap_is_shown_as_more_than(client, board, monkeypatch):
    from talent.services import job_search

    monkeypatch.setattr(job_search, "COUNT_CAP", 10)
    page = text_of(client.get("/jobs"))
    assert "找到超过 10 个岗位" in page and "第 1 页" in page and "下一页" in page
    assert "共找到 1 个岗位" in text_of(client.get("/jobs?district=220174"))
    assert "More than 10 positions found" in text_of(client.get("/jobs?lang=en"))


def test_unknown_filters_from_a_hand_edited_address_are_ignored_and_said_so(client, board):
    response = client.get("/jobs?district=110105&education=phd&page=x")
    assert response.status_code == 200
    page = text_of(response)
    assert "部分筛选条件无法识别，已忽略。" in page and "共找到 25 个岗位" in page


def test_a_positions_page_and_an_unknown_one(client, board):
    page = text_of(client.get(f"/jobs/{board['java']}"))
    assert "Java后端开发工程师" in page and "长春甲软件有限公司" in page and "¥7,000–¥11,000/月" in page
    assert "本科及以上" in page and "长春高新技术产业开发区" in page
    closed = text_of(client.get(f"/jobs/{board['closed']}"))
    assert "已关闭" in closed
    assert client.get("/jobs/424242").status_code == 404


def test_the_search_reads_in_english(client, board):
    page = text_of(client.get("/jobs?lang=en&district=220174"))
    assert "Graduate job search" in page and "1 position found" in page and "1 positions" not in page
    assert "Changchun Automotive Economic and Technological Development Zone" in page
    assert "Master's degree or above" in page
    assert "25 positions found" in text_of(client.get("/jobs?lang=en"))
    assert "No position matches" in text_of(client.get("/jobs?lang=en&q=nothing-like-this"))


def test_education_is_named_from_the_one_code_table(client, board):
    # talent.codes.EDUCATION_NAMES: the graduate's own level as it is named everywhere, a post's minimum
    # phrased around the same name.
    page = text_of(client.get(f"/jobs/{board['java']}"))
    assert "大学本科及以上" in page
    html = client.get("/jobs").get_data(as_text=True)
    assert '<option value="bachelor">大学本科</option>' in html
    assert '<option value="college">大学专科</option>' in html
    english = client.get("/jobs?lang=en").get_data(as_text=True)
    assert "<option value=\"master\">Master&#39;s degree</option>" in english


# --- the graduate's pages ---------------------------------------------------------------------------


PROFILE_FORM = {
    "major": "软件工程",
    "education": "bachelor",
    "graduation_date": "2026-06-30",
    "skills": "Java、Spring Boot，MySQL",
    "preferred_districts": ["220173", "220102"],
    "expected_salary": "8000",
    "consent_to_match": "y",
}


def test_a_graduate_fills_the_profile_and_sees_matched_jobs_with_reasons(app, client, board, db_session):
    sign_in(app, client, board["graduate"])
    assert "先填写求职意向" in text_of(client.get("/graduate/matches"))
    form = client.get("/graduate/profile").get_data(as_text=True)
    assert '<datalist id="major-catalogue">' in form and 'value="软件工程"' in form
    assert "姓名只显示姓氏" in form  # the consent is explained where it is given

    response = client.post("/graduate/profile", data=PROFILE_FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/graduate/matches")
    profile = db_session.query(GraduateProfile).one()
    assert (profile.major_code, profile.skills, profile.preferred_districts, profile.consent_to_match) == (
        "080902", ["Java", "Spring Boot", "MySQL"], ["220173", "220102"], True)

    page = text_of(client.get("/graduate/matches"))
    assert page.index("Java后端开发工程师") < page.index("客服专员")  # best first
    assert "专业同类（计算机类）" in page and "共同技能：Java" in page and "已同意向单位展示" in page
    assert "嵌入式软件工程师" not in page  # needs a master's degree
    assert "已关闭的岗位" not in page and "已截止的岗位" not in page

    english = text_of(client.get("/graduate/matches?lang=en"))
    assert "Why it matches" in english and "shared skills: Java" in english
    assert "in a preferred district (Changchun High-tech Industrial Development Zone)" in english


def test_the_profile_form_is_filled_in_again_and_consent_can_be_withdrawn(app, client, board, db_session):
    sign_in(app, client, board["graduate"])
    client.post("/graduate/profile", data=PROFILE_FORM)
    form = client.get("/graduate/profile").get_data(as_text=True)
    assert 'value="Java、Spring Boot、MySQL"' in form
    assert re.search(r'<input checked id="preferred_districts-\d+" name="preferred_districts" type="checkbox" value="220173">', form)
    without_consent = {k: v for k, v in PROFILE_FORM.items() if k != "consent_to_match"}
    assert client.post("/graduate/profile", data=without_consent).status_code == 302
    db_session.expire_all()
    assert db_session.query(GraduateProfile).one().consent_to_match is False
    actions = [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="graduate_profile").order_by(AuditEvent.id)]
    assert actions == ["graduate_profile.created", "graduate_profile.consent_withdrawn"]
    assert "未向单位展示" in text_of(client.get("/graduate/matches"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"major": ""}, "major", "请填写所学专业"),
        ({"expected_salary": "八千"}, "expected_salary", "请填写整数"),
        ({"expected_salary": "-5"}, "expected_salary", "期望月薪须在 1 至 1,000,000 元/月之间"),
        ({"graduation_date": "2026/06/30"}, "graduation_date", "请按 年-月-日 填写日期"),
        ({"education": "phd"}, "education", "请从列表中选择学历"),
    ],
)
def test_bad_profiles_are_explained_next_to_the_field_and_nothing_is_stored(app, client, board, db_session, changes,
                                                                            field, message):
    sign_in(app, client, board["graduate"])
    response = client.post("/graduate/profile", data={**PROFILE_FORM, **changes})
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert db_session.query(GraduateProfile).count() == 0


def test_a_first_save_racing_another_shows_what_was_saved(app, client, board, db_session, monkeypatch):
    from talent.services import graduates as service
    from talent.web import graduate as graduate_pages

    saved_meanwhile: list[int] = []

    def not_found_yet(session, user):
        if not saved_meanwhile:  # another tab saves first, between this request's look and its insert
            profile = GraduateProfile(user_id=user.id, major="车辆工程", education="bachelor", consent_to_match=False)
            db_session.add(profile)
            db_session.commit()
            saved_meanwhile.append(profile.id)
        return None

    sign_in(app, client, board["graduate"])
    monkeypatch.setattr(service, "profile_of", not_found_yet)
    monkeypatch.setattr(graduate_pages, "profile_of", not_found_yet)
    response = client.post("/graduate/profile", data=PROFILE_FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/graduate/profile")
    monkeypatch.undo()
    page = text_of(client.get("/graduate/profile"))
    assert "求职意向刚刚已在另一处保存" in page
    assert [p.major for p in db_session.query(GraduateProfile)] == ["车辆工程"]
    assert db_session.query(AuditEvent).filter_by(entity_type="graduate_profile").count() == 0


def test_an_unknown_district_among_the_preferences_is_refused(app, client, board, db_session):
    sign_in(app, client, board["graduate"])
    response = client.post("/graduate/profile", data={**PROFILE_FORM, "preferred_districts": ["220173", "110105"]})
    assert response.status_code == 422
    assert "不是长春市的区县代码（GB/T 2260）：110105" in text_of(response)
    assert db_session.query(GraduateProfile).count() == 0


def test_graduate_pages_are_for_applicants(app, client, board):
    assert client.get("/graduate/profile").status_code == 302  # to the sign-in page
    sign_in(app, client, board["owner"])
    assert client.get("/graduate/profile").status_code == 403
    assert client.get("/graduate/matches").status_code == 403


def test_the_applicant_navigation_leads_to_the_job_pages(app, client, board):
    sign_in(app, client, board["graduate"])
    html = client.get("/jobs").get_data(as_text=True)
    assert 'href="/graduate/profile"' in html and 'href="/graduate/matches"' in html


def test_a_closed_organisations_post_owner_is_shown_on_the_public_page(client, board, db_session):
    # the employer's own registered district is shown beside its name
    employer = db_session.get(Employer, board["employer"])
    assert employer.district == "220173"
    assert "长春甲软件有限公司 · 长春高新技术产业开发区" in text_of(client.get(f"/jobs/{board['java']}"))
    assert db_session.get(User, board["owner"]).name not in text_of(client.get(f"/jobs/{board['java']}"))


def test_the_matches_page_offers_the_order_as_a_visible_choice(app, client, board, db_session):
    employer = db_session.get(Employer, board["employer"])
    near = add_job(db_session, employer, title="Java开发工程师（宽城）", district="220103", salary_min=5000,
                   salary_max=6000)
    db_session.commit()
    sign_in(app, client, board["graduate"])
    client.post("/graduate/profile", data={**PROFILE_FORM, "preferred_districts": ["220103"]})
    page = client.get("/graduate/matches").get_data(as_text=True)
    for label in ("相关度优先", "离我近的优先", "薪资高的优先"):
        assert label in page
    assert re.search(r'href="/graduate/matches\?prefer=relevance" aria-current="page"', page)
    text = text_of(client.get("/graduate/matches"))
    assert text.index("Java后端开发工程师") < text.index("Java开发工程师（宽城）")
    chosen = client.get("/graduate/matches?prefer=near").get_data(as_text=True)
    assert re.search(r'href="/graduate/matches\?prefer=near" aria-current="page"', chosen)
    text = text_of(client.get("/graduate/matches?prefer=near"))
    assert text.index("Java开发工程师（宽城）") < text.index("Java后端开发工程师") < text.index("客服专员")
    assert "位于您意向区域的排在前面" in text
    english = text_of(client.get("/graduate/matches?prefer=near&lang=en"))
    assert "Best fit first" in english and "Nearer first" in english and "Better paid first" in english
    bad = client.get("/graduate/matches?prefer=cheapest&lang=zh")
    assert bad.status_code == 422 and "未知的排序方式" in text_of(bad)
    assert near.id
