"""The eligibility checker pages through the test client: the form, the result, errors next to the fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

VALID_ID = "11010519491231002X"  # POLICY.md example 5: born 1949-12-31, female

# The answers of POLICY.md §8 example 1, as the form posts them.
EXAMPLE_1 = {
    "application_date": "2022-09-15",
    "birth_date": "1991-03-02",
    "education": "doctor",
    "full_time_degree": "yes",
    "graduation_date": "2021-06-30",
    "professional_title": "none",
    "achievements": "0",
    "employer_district": "220173",
    "employer_kind": "enterprise",
    "role_kind": "professional",
    "contract_years": "3",
    "full_time": "yes",
    "annual_salary": "240,000",
    "income_tax_last_year": "12000",
    "enterprise_revenue": "300000000",
    "social_insurance_local": "yes",
    "disciplinary_sanction": "no",
    "credit_blacklisted": "no",
    "owns_home_in_city": "no",
    "has_purchase": "y",
    "purchase_contract_date": "2022-09-01",
    "purchase_price": "1200000",
    "purchase_floor_area_m2": "85",
    "purchase_district": "220104",
    "purchase_new_commodity_housing": "yes",
    "purchase_first_home": "yes",
}


def text_of(response: Any) -> str:
    """The visible text of a page, blanks collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_errors(response: Any, field: str) -> list[str]:
    """Messages rendered as the field's own error (id="<field>-error"), i.e. next to that field."""
    html = response.get_data(as_text=True)
    return re.findall(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', html)


def check(client: Any, **changes: str) -> Any:
    return client.post("/eligibility", data={**EXAMPLE_1, **changes})


def test_form_renders_in_chinese_with_every_section(client):
    response = client.get("/eligibility")
    assert response.status_code == 200
    text = text_of(response)
    assert "人才政策在线测算" in text
    for section in ("申请日期", "身份信息", "学历", "职称、荣誉与业绩", "就业情况", "诚信记录", "住房", "以往办理记录"):
        assert section in text
    assert "中国科学院院士" in text and "全国技术能手" in text  # honours by their Chinese names
    assert "长春高新技术产业开发区（220173）" in text
    html = response.get_data(as_text=True)
    assert f'value="{dt.date.today().isoformat()}"' in html  # the application date defaults to today
    assert 'name="csrf_token"' in html
    assert "js/eligibility.js" in html and "<script>" not in html and "style=" not in html  # CSP: no inline code


def test_form_renders_in_english(client):
    text = text_of(client.get("/eligibility?lang=en"))
    assert "Online talent-policy eligibility check" in text
    assert "Academician of the Chinese Academy of Sciences" in text
    assert "Social insurance paid in Changchun" in text


def test_example_1_submission_shows_the_amounts_in_plain_words(client):
    response = check(client)
    assert response.status_code == 302 and response.location.endswith("/eligibility/result")
    result = client.get("/eligibility/result")
    assert result.status_code == 200
    text = text_of(result)
    assert "CC-2022" in text and "长春市人才政策（2022年版）" in text
    assert "未认定人才层次" in text and "符合毕业生政策" in text
    assert "可获高校毕业生购房补贴 ¥80,000，一次性发放。" in text
    assert "2022-09-15 ¥80,000" in text  # the one instalment with its date
    assert "¥800 × 24 = ¥19,200" in text
    assert "¥17,000" in text
    assert "G1：用人单位位于长春市行政区划内——成立。" in text  # why, rule by rule
    # Answering "first home" the other way would change the result, and the page says so.
    assert "如果“是否首套住房”的回答是“否”" in text


def test_result_in_english_uses_the_english_rule_sentences(client):
    check(client)
    text = text_of(client.get("/eligibility/result?lang=en"))
    assert "A graduate living allowance of ¥800 a month × 24 months = ¥19,200." in text
    assert "G1: The employer is in a Changchun division — held." in text


def test_example_4_tier_b_card_services_and_instalments(client):
    response = check(
        client, application_date="2023-03-01", birth_date="1977-05-20", education="master",
        graduation_date="2002-07-01", annual_salary="1200000", income_tax_last_year="300000",
        enterprise_revenue="6000000000", employer_district="220104", contract_years="5",
        purchase_contract_date="2023-01-10", purchase_price="1500000", purchase_floor_area_m2="140",
    )
    assert response.status_code == 302
    text = text_of(client.get("/eligibility/result"))
    assert "B 类 · 国家级领军人才" in text
    assert "有效期至 2028-03-01" in text and "配偶就业安置" in text and "机场、高铁站贵宾通道" in text
    assert "¥4,000 × 60 = ¥240,000" in text
    assert "可获人才层次购房补贴共 ¥750,000，分 5 年发放。" in text
    for year in range(2023, 2028):
        assert f"{year}-03-01 ¥150,000" in text


def test_unanswered_questions_are_listed_as_missing_with_a_link(client):
    response = check(client, social_insurance_local="unknown", enterprise_revenue="")
    assert response.status_code == 302
    result = client.get("/eligibility/result")
    text = text_of(result)
    assert "还缺少的信息" in text and "是否在长春缴纳社会保险" in text
    assert 'href="/eligibility#social_insurance_local"' in result.get_data(as_text=True)
    assert "暂不符合" in text  # an unknown condition is not assumed to hold


def test_facts_are_kept_in_the_session_without_the_id_number_and_prefill_the_form(client):
    response = check(client, id_number=VALID_ID.lower(), birth_date="", education="none", graduation_date="")
    assert response.status_code == 302
    with client.session_transaction() as session:
        facts = session["eligibility_facts"]
    assert "id_number" not in facts and facts["birth_date"] == "1949-12-31"
    assert facts["employment"]["annual_salary"] == 240000
    assert facts["housing"]["purchase"]["floor_area_m2"] == 85
    for page in (client.get("/eligibility/result"), client.get("/eligibility")):
        assert VALID_ID not in page.get_data(as_text=True).upper()
    form = client.get("/eligibility").get_data(as_text=True)
    assert 'value="1949-12-31"' in form and 'value="240000"' in form
    assert re.search(r'<option selected value="220173">|<option value="220173" selected>', form)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"id_number": "110105194912310021"}, "id_number", "居民身份证号码无效", id="bad check digit"),
        pytest.param({"id_number": VALID_ID}, "birth_date", "与身份证号码中的出生日期不一致", id="ID disagrees"),
        pytest.param({"birth_date": ""}, "birth_date", "无身份证号码时必须填写出生日期", id="no birth date"),
        pytest.param({"application_date": "2019-01-01"}, "application_date", "无有效的政策版本", id="no policy"),
        pytest.param({"graduation_date": ""}, "graduation_date", "毕业日期", id="missing graduation date"),
        pytest.param({"annual_salary": "-100"}, "annual_salary", "金额不能为负数", id="negative amount"),
        pytest.param({"purchase_price": "一百万"}, "purchase_price", "请填写整数", id="not a number"),
        pytest.param({"purchase_floor_area_m2": "85平"}, "purchase_floor_area_m2", "请填写数字", id="bad area"),
        pytest.param({"graduation_date": "2021-02-30"}, "graduation_date", "日期格式", id="impossible date"),
    ],
)
def test_input_errors_are_shown_next_to_their_fields(client, changes, field, message):
    response = check(client, **changes)
    assert response.status_code == 422
    messages = field_errors(response, field)
    assert any(message in text for text in messages), messages
    assert "填写的信息有误" in text_of(response)
    with client.session_transaction() as session:
        assert "eligibility_facts" not in session  # refused facts are not kept


def test_all_problems_are_shown_at_once_and_the_answers_are_kept(client):
    response = check(client, annual_salary="-1", purchase_price="abc", contract_years="3")
    assert response.status_code == 422
    assert field_errors(response, "annual_salary") and field_errors(response, "purchase_price")
    html = response.get_data(as_text=True)
    assert 'value="2021-06-30"' in html and 'value="abc"' in html  # the person adjusts, not retypes


def test_an_invalid_id_number_is_not_written_back_into_the_page(client):
    response = check(client, id_number="110105194912310021")
    assert response.status_code == 422
    assert "110105194912310021" not in response.get_data(as_text=True)


def test_result_without_a_check_goes_back_to_the_form(client):
    response = client.get("/eligibility/result")
    assert response.status_code == 302 and response.location.endswith("/eligibility")


def test_reset_forgets_the_facts(client):
    check(client)
    response = client.post("/eligibility/reset")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "eligibility_facts" not in session


def test_a_post_without_csrf_token_is_refused_not_an_error(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/eligibility", data=EXAMPLE_1)
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "eligibility_facts" not in session


def test_a_post_with_the_csrf_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    form = client.get("/eligibility").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post("/eligibility", data={**EXAMPLE_1, "csrf_token": token})
    assert response.status_code == 302
