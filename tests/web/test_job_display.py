"""How matches and posts read: match quality as a percentage with reasons for and against apart, near-duplicate
posts of one employer grouped in the search, and a post's page with how to apply and similar posts."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from talent.models import Role
from talent.scoring.explain import MAJOR_RELATION_TEXT, tail_text
from talent.scoring.features import Weights
from talent.scoring.ranker import SHIPPED, read_ranker
from talent.web.match_display import best_score, match_percent, match_reasons
from tests.api.test_jobs_api import add_employer, add_job, add_user
from tests.web.test_employer_pages import sign_in, text_of
from tests.web.test_jobs_pages import PROFILE_FORM, board  # noqa: F401  (fixture)


def why(major: str, major_text: tuple[str, str], skills: tuple[str, str], tail: tuple[str, ...]) -> dict[str, Any]:
    """A `why` as talent.scoring.explain writes it."""
    zh, en = tail_text(*tail)
    return {"zh": major_text[0] + skills[0] + "；" + zh, "en": major_text[1] + skills[1] + "; " + en,
            "major": major, "education": tail[0], "district": tail[2], "salary": tail[4]}


def test_match_quality_is_a_percentage_of_the_best_score(monkeypatch):
    # Every part of the weights in use but 专业不限: the shipped learned ranker's, or the hand-set ones without it.
    weights = read_ranker(SHIPPED)[0]
    assert best_score() == sum(getattr(weights, f.name) for f in fields(Weights) if f.name != "any_major")
    best = best_score()
    assert match_percent(best) == 100 and match_percent(best + 0.2) == 100
    assert match_percent(0.87 * best) == 87 and match_percent(0.0) == 0 and match_percent(-0.5) == 0
    monkeypatch.setenv("TALENT_MATCH_RANKER", "none")
    assert round(best_score(), 3) == 1.162 and match_percent(1.0) == 86


def test_reasons_for_and_against_are_told_apart(app):
    weak = why("weak", MAJOR_RELATION_TEXT["weak"], ("", ""), ("above", "bachelor", "not_preferred", "220102", "below"))
    good = why("same_class", ("专业同类（计算机类）", "major in the same class (Computing)"),
               ("；共同技能：Java", "; shared skills: Java"), ("meets", "bachelor", "preferred", "220173", "unknown"))
    with app.test_request_context("/?lang=zh"):
        assert match_reasons(weak) == {
            "for": ["学历高于要求（要求本科）"],
            "against": ["专业关联较弱", "区域不在意向内（南关区）", "薪资低于期望"],
            "notes": [],
        }
        assert match_reasons(good) == {
            "for": ["专业同类（计算机类）", "共同技能：Java", "学历符合（本科）", "区域符合（长春高新技术产业开发区）"],
            "against": [],
            "notes": ["薪资面议"],
        }
    with app.test_request_context("/?lang=en"):
        reasons = match_reasons(weak)
        assert reasons["against"] == ["weak major fit", "outside the preferred districts (Nanguan District)",
                                      "pay below the expectation"]


def test_the_matches_page_shows_percentages_and_reasons_apart(app, client, board, db_session):  # noqa: F811
    from talent.models import Employer

    # A post outside the graduate's preferred districts (220173, 220102): a reason against.
    add_job(db_session, db_session.get(Employer, board["employer"]), title="Java开发工程师（朝阳）", district="220104")
    db_session.commit()
    sign_in(app, client, board["graduate"])
    assert client.post("/graduate/profile", data=PROFILE_FORM).status_code == 302
    html = client.get("/graduate/matches").get_data(as_text=True)
    percents = [int(p) for p in re.findall(r'<span class="score-value">匹配度 (\d+)%</span>', html)]
    assert percents and percents == sorted(percents, reverse=True) and all(0 <= p <= 100 for p in percents)
    assert not re.search(r"匹配度 \d\.\d\d", html)
    cards = html.split('<li class="card job-match">')[1:]
    java = next(card for card in cards if "Java后端开发工程师" in card)
    assert "专业同类（计算机类）" in re.search(r'<ul class="why-list why-for">(.*?)</ul>', java, re.S).group(1)
    elsewhere = next(card for card in cards if "Java开发工程师（朝阳）" in card)
    against = re.search(r'<ul class="why-list why-against">(.*?)</ul>', elsewhere, re.S).group(1)
    assert "区域不在意向内（朝阳区）" in against
    assert "区域不在意向内" not in re.search(r'<ul class="why-list why-for">(.*?)</ul>', elsewhere, re.S).group(1)


def test_near_duplicates_are_grouped_and_a_post_says_how_to_apply(client, db_session):
    owner = add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
    employer = add_employer(db_session, owner, 1, name="长春甲机械有限公司")
    other_owner = add_user(db_session, "hr@b.example.cn", "钱多多", Role.EMPLOYER)
    other = add_employer(db_session, other_owner, 2, name="长春乙装备有限公司")
    first = add_job(db_session, employer, title="机械设计工程师（朝阳区）", district="220104")
    second = add_job(db_session, employer, title="机械设计工程师【南关区】", district="220102")
    finance = add_job(db_session, employer, title="财务专员", district="220104")
    similar = add_job(db_session, other, title="机械设计工程师助理", district="220104")
    db_session.commit()

    html = client.get("/jobs").get_data(as_text=True)
    cards = re.findall(r'<article class="card job-card">', html)
    assert len(cards) == 3  # the two near-duplicates in one card
    assert "本单位另有 1 个相同岗位" in html
    grouped = html[html.index("本单位另有 1 个相同岗位"):].split("</details>")[0]
    assert f'/jobs/{first.id}"' in grouped or f'/jobs/{second.id}"' in grouped
    assert "朝阳区、南关区" in grouped or "南关区、朝阳区" in grouped

    page = text_of(client.get(f"/jobs/{first.id}"))
    assert "如何申请" in page and "在本页投递岗位；长春甲机械有限公司 也可能在候选人名单中看到您并邀请您投递。" in page
    assert "本单位在其他区县发布的相同岗位 机械设计工程师【南关区】" in page
    similar_part = page[page.index("相似岗位"):]
    assert "机械设计工程师助理" in similar_part and "财务专员" not in similar_part
    english = text_of(client.get(f"/jobs/{first.id}?lang=en"))
    assert "How to apply" in english and "Similar posts" in english
    assert f"/jobs/{similar.id}" in client.get(f"/jobs/{first.id}").get_data(as_text=True)
    assert f"/jobs/{finance.id}" not in client.get(f"/jobs/{first.id}").get_data(as_text=True)
