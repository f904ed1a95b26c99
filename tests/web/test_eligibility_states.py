"""The checker's result in three states (issue 15): eligible / not eligible / can't tell yet, each with a plain
sentence; unanswered rules are "not answered", never "did not hold"; the questions that would decide what is
still open, linked to the form; a printable page and a link that restores the answers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from talent.rules import load_engine
from talent.services.eligibility_states import three_state_result
from tests.web.test_eligibility_pages import EXAMPLE_1, text_of

# A 2023 master's graduate who left the employment, conduct and title questions blank.
GRADUATE = {
    "application_date": "2025-03-01", "birth_date": "1999-05-01", "education": "master",
    "graduation_date": "2023-07-01", "full_time_degree": "yes", "employer_district": "220102",
    "employer_kind": "enterprise",
}
# A professor with a provincial honour and a 600,000 salary who left the common conditions blank.
PROFESSOR = {
    "application_date": "2025-03-01", "birth_date": "1975-05-01", "education": "doctor",
    "graduation_date": "2003-07-01", "full_time_degree": "no", "honours": ["provincial_talent_programme"],
    "employer_district": "220102", "employer_kind": "public_institution", "role_kind": "professional",
    "annual_salary": "600000",
}


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, flags=re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2)))


def result_of(client: Any, answers: dict[str, Any], lang: str = "zh") -> Any:
    response = client.post("/eligibility", data=answers)
    assert response.status_code == 302, text_of(response)
    return client.get(f"/eligibility/result?lang={lang}")


def test_blank_answers_are_not_failures(client: Any) -> None:
    page = result_of(client, GRADUATE)
    html = page.get_data(as_text=True)
    text = text_of(page)
    assert "暂不符合" not in text
    # the common condition on sanctions was not answered: the table says so, not "did not hold"
    g5 = re.search(r'<tr data-rule="G5">(.*?)</tr>', html, flags=re.S).group(1)
    assert "未回答" in g5 and "不成立" not in g5
    assert section(html, "result-common").strip() == "还不能确定"
    card = section(html, "programme-privilege_card")
    assert "还不能确定" in card and "共同条件" in card


def test_open_questions_are_the_relevant_ones_and_link_to_the_form(client: Any) -> None:
    html = result_of(client, GRADUATE).get_data(as_text=True)
    asked = section(html, "what-would-change")
    assert "年薪（元）" in asked and "是否在长春缴纳社会保险" in asked
    assert "企业上年度营业收入" not in asked  # a graduate is not asked for the enterprise's revenue
    assert 'href="/eligibility#annual_salary"' in html and 'href="/eligibility#enterprise_revenue"' not in html


def test_the_headline_says_why_no_tier_yet(client: Any) -> None:
    html = result_of(client, PROFESSOR).get_data(as_text=True)
    assert section(html, "result-tier").strip() == "还不能确定"
    why = section(html, "result-tier-why")
    assert "C 类荣誉" in why and "共同条件" in why
    assert "还不能确定" in section(html, "tier-C") and "不符合" in section(html, "tier-A")


def test_english_result_in_three_states(client: Any) -> None:
    html = result_of(client, PROFESSOR, "en").get_data(as_text=True)
    assert "Can&#39;t tell yet" in section(html, "tier-C") or "Can't tell yet" in section(html, "tier-C")
    assert "Tier C honour" in section(html, "result-tier-why")
    assert "Not answered" in re.search(r'<tr data-rule="G3">(.*?)</tr>', html, flags=re.S).group(1)
    assert "、" not in text_of(client.get("/eligibility/result?lang=en"))


def test_answered_failures_say_which_condition_failed(client: Any) -> None:
    html = result_of(client, {**EXAMPLE_1, "social_insurance_local": "no"}).get_data(as_text=True)
    assert section(html, "result-common").strip() == "不符合"
    card = section(html, "programme-privilege_card")
    assert "不符合" in card
    assert "不符合共同条件：共同条件三：在长春缴纳社保" in section(html, "result-tier-why")
    assert 'id="what-would-change"' not in html  # nothing is open


def test_print_button_and_stylesheet(client: Any) -> None:
    html = result_of(client, GRADUATE).get_data(as_text=True)
    assert "data-print" in html
    css = client.get("/static/css/eligibility.css").get_data(as_text=True)
    assert "@media print" in css


def test_the_restore_link_brings_the_answers_back(client: Any, app: Any) -> None:
    html = result_of(client, PROFESSOR).get_data(as_text=True)
    link = re.search(r'id="restore-link"[^>]*|href="([^"]*)" id="restore-link"', html)
    href = re.search(r'<a href="([^"]+)" id="restore-link"', html).group(1)
    assert link and "restore" in href
    assert "11010519" not in href
    fresh = app.test_client()
    response = fresh.get(urlsplit(href.replace("&amp;", "&")).path + "?" + urlsplit(href.replace("&amp;", "&")).query)
    assert response.status_code == 302 and response.headers["Location"].endswith("/eligibility/result")
    restored = fresh.get("/eligibility/result").get_data(as_text=True)
    assert section(restored, "result-tier-why") == section(html, "result-tier-why")


def test_a_broken_restore_link_asks_again(client: Any) -> None:
    response = client.get("/eligibility/restore?answers=not-json")
    assert response.status_code == 302 and response.headers["Location"].endswith("/eligibility")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_states_come_from_the_engine_decision(language: str) -> None:
    """Every programme the engine leaves open is "can't tell yet"; every granted one "eligible"."""
    facts = {"application_date": "2025-03-01", "birth_date": "1999-05-01", "education": "master",
             "graduation_date": "2023-07-01", "full_time_degree": True,
             "employment": {"employer_district": "220102", "employer_kind": "enterprise"}}
    decision = load_engine().decide(facts)
    result = three_state_result(decision, language)
    for verdict in result.programmes:
        programme = decision["programmes"][verdict.key]
        if not programme["in_force"]:
            assert verdict.state == "not_in_force"
        elif programme["eligible"]:
            assert verdict.state == "eligible"
        elif verdict.key in decision["open"]:
            assert verdict.state == "undetermined" and verdict.questions
        else:
            assert verdict.state == "not_eligible"
        assert verdict.why
    assert {reason["rule"] for reason in decision["reasons"] if not reason["answered"]} >= {"G3", "G5"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_messages_say_why_and_show_no_internal_codes(client: Any, lang: str) -> None:
    client.get(f"/eligibility?lang={lang}")
    response = client.post("/eligibility", data={**EXAMPLE_1, "birth_date": "", "graduation_date": ""})
    assert response.status_code == 422
    text = text_of(response)
    for code in ("not none", "id_number", "graduation_date"):
        assert code not in text, text[max(0, text.find(code) - 200):text.find(code) + 50]
    assert ("年龄上限" in text) if lang == "zh" else ("age limits" in text)
