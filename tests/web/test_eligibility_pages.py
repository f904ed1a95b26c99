"""The eligibility checker pages through the test client: the form, the result, errors next to the fields."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
from typing import Any

import pytest

from talent.clock import today_in_changchun

VALID_ID = "11010519491231002X"  # docs/policy.md §8 example 5: born 1949-12-31, female

# The answers of docs/policy.md §8 example 1, as the form posts them.
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
    assert f'value="{today_in_changchun().isoformat()}"' in html  # the application date defaults to today
    assert 'name="csrf_token"' in html
    assert "js/eligibility.js" in html and "<script>" not in html and "style=" not in html  # CSP: no inline code
    assert "css/eligibility.css" in html


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
    # Why, rule by rule: each rule by its name, whether it held, what it says.
    assert "共同条件一：用人单位在长春 成立 用人单位位于长春市行政区划内" in text
    # Answering "first home" the other way would change the result, and the page says so.
    assert "如果“是否首套住房”的回答是“否”" in text


def test_result_in_english_uses_the_english_rule_sentences(client):
    check(client)
    text = text_of(client.get("/eligibility/result?lang=en"))
    assert "A graduate living allowance of ¥800 a month × 24 months = ¥19,200." in text
    assert "Condition 1: employer in Changchun Held The employer is in a Changchun division" in text


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
    assert "还需要回答的问题" in text and "是否在长春缴纳社会保险" in text
    assert 'href="/eligibility#social_insurance_local"' in result.get_data(as_text=True)
    # an unknown condition is neither assumed to hold nor shown as failed
    assert "还不能确定" in text and "暂不符合" not in text


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
        pytest.param({"birth_date": ""}, "birth_date", "出生日期用于计算年龄", id="no birth date"),
        pytest.param({"application_date": "2019-01-01"}, "application_date", "无有效的政策版本", id="no policy"),
        pytest.param({"graduation_date": ""}, "graduation_date", "请同时填写毕业日期", id="missing graduation date"),
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
    # The summary at the top links to each question to correct (far down the page on a phone).
    assert '<a href="#annual_salary">年薪（元）</a>' in response.get_data(as_text=True)
    assert '<a href="#purchase_price">购房总价（元）</a>' in response.get_data(as_text=True)
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


# --- everything in words, in both languages ---------------------------------------------------------------

def reasons_text(response: Any) -> str:
    """The visible text of the result page's "why" table."""
    html = response.get_data(as_text=True)
    table = re.search(r'<table class="table reasons">.*?</table>', html, flags=re.S).group(0)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)))


def check_example_4(client: Any) -> Any:
    """docs/policy.md §8 example 4 (a master's graduate, tier B through the enterprise route)."""
    return check(
        client, application_date="2023-03-01", birth_date="1977-05-20", education="master",
        graduation_date="2002-07-01", annual_salary="1200000", income_tax_last_year="300000",
        enterprise_revenue="6000000000", employer_district="220104", contract_years="5",
        purchase_contract_date="2023-01-10", purchase_price="1500000", purchase_floor_area_m2="140",
    )


def test_the_reasons_name_every_code_in_chinese(client):
    assert check_example_4(client).status_code == 302
    text = reasons_text(client.get("/eligibility/result"))
    assert "最高学历 硕士研究生" in text
    assert "用人单位类型 企业" in text and "岗位类型 专业技术或经营管理岗位" in text
    assert "用人单位所在区域 朝阳区" in text
    assert "符合共同条件 成立" in text and "具备 B 类条件 成立" in text  # the tier table's inputs by name
    # capped at half the price; values the policy computed are marked as derived
    assert "人才层次购房补贴标准 ¥1,000,000" in text and "购房补贴总额（推算） ¥750,000" in text
    assert "按毕业生通道计的学历（推算） 不适用" in text  # a master's graduate of 2002 is not on the graduate track
    assert "年薪（元） ¥1,200,000" in text
    # A policy parameter by its description and value, with the date it applies from.
    assert "B类企业路径：年薪下限 ¥1,000,000 （政策标准，自 2022-01-01 起）" in text
    # No identifier or code of the engine shows through (G1... are policy clause numbers, not shown either).
    assert not re.findall(r"[A-Za-z]+_[A-Za-z_]+", text), re.findall(r"[A-Za-z]+_[A-Za-z_]+", text)
    for code in ("master", "enterprise", "professional", "eligible", "None", "True", "False", "220104"):
        assert not re.search(rf"\b{code}\b", text), code


def test_no_tier_is_not_shown_as_an_unanswered_question(client):
    assert check(client).status_code == 302
    text = reasons_text(client.get("/eligibility/result"))
    assert "人才层次（推算） 未认定人才层次" in text  # the card rule read "no tier" (derived), which is an answer
    assert "上次人才认定日期 从未有过" in text  # history left blank means never
    assert "按毕业生通道计的学历（推算） 博士研究生" in text  # not "最高学历": the graduate tables read the track's degree


def test_the_reasons_name_every_code_in_english(client):
    assert check_example_4(client).status_code == 302
    text = reasons_text(client.get("/eligibility/result?lang=en"))
    assert "Highest education Master's degree" in text
    assert "Kind of employer Enterprise" in text and "Kind of role Professional or business role" in text
    assert "Employer's district Chaoyang District" in text
    assert "Tier B enterprise route: least annual salary ¥1,000,000 (policy standard since 2022-01-01)" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), "Chinese text on the English page"
    assert not re.findall(r"[a-z]+_[a-z_]+", text)


def test_every_name_a_policy_can_report_has_a_label_in_both_languages():
    import datetime

    from talent.rules import load_engine
    from talent.services.eligibility import parameter_label, step_label, value_label

    engine = load_engine()
    unlabelled = []
    for summary in engine.policies():
        policy = engine.policy_on(datetime.date.fromisoformat(summary["effective_from"]).toordinal())
        for step in policy.steps:
            names: list[str] = []
            if step.kind == "rule":
                names = [name for name in step.reads if name not in policy.parameters]
            elif step.kind == "table":
                names = [put.name for put in step.table.inputs] + list(step.table.output_names())
            else:
                continue
            for language in ("zh", "en"):
                if step_label(step.name, language) == step.name:
                    unlabelled.append((policy.id, "step", step.name, language))
                unlabelled += [(policy.id, step.name, name, language) for name in names
                               if value_label(name, language, step.name) == name]
        for name in policy.parameters:
            for language in ("zh", "en"):
                if parameter_label(policy.id, name, language) == name:
                    unlabelled.append((policy.id, "parameter", name, language))
    assert not unlabelled


@pytest.mark.parametrize(
    ("name", "value", "zh", "en"),
    [
        pytest.param("tier", None, "未认定人才层次", "No talent tier", id="no tier"),
        pytest.param("tier", "B", "B 类 · 国家级领军人才", "Tier B · national leading talent", id="tier"),
        pytest.param("annual_salary", None, "未填写", "Not answered", id="unanswered fact"),
        pytest.param("last_rejected_on", None, "从未有过", "Never", id="no history"),
        pytest.param("education", "master", "硕士研究生", "Master's degree", id="education"),
        pytest.param("professional_title", "full_senior", "正高级职称", "Full senior title", id="title"),
        pytest.param("employer_kind", "public_institution", "事业单位", "Public institution", id="employer kind"),
        pytest.param("role_kind", "civil_servant", "公务员（含参照管理）", "Civil servant", id="role kind"),
        pytest.param("employer_district", "220173", "长春高新技术产业开发区",
                     "Changchun High-tech Industrial Development Zone", id="district"),
        pytest.param("purchase_district", "000000", "长春市以外", "Outside Changchun", id="outside Changchun"),
        pytest.param("honours", ["nobel_prize", "fields_medal"], "诺贝尔奖、菲尔兹奖", "Nobel Prize; Fields Medal",
                     id="honours"),
        pytest.param("honours", [], "无", "None", id="no honours"),
        pytest.param("card_services", "['airport_rail_vip']", "机场、高铁站贵宾通道",
                     "VIP lanes at the airport and railway stations", id="services reported as text"),
        pytest.param("G3", False, "不成立", "Did not hold", id="rule"),
        pytest.param("full_time", True, "是", "Yes", id="yes/no fact"),
        pytest.param("housing_total", 80000, "¥80,000", "¥80,000", id="amount"),
        pytest.param("track", None, "不适用", "Not applicable", id="no track"),
    ],
)
def test_value_text_names_values_in_both_languages(name, value, zh, en):
    from talent.services.eligibility import value_text

    assert (value_text(name, value, "zh"), value_text(name, value, "en")) == (zh, en)


def test_the_english_form_names_districts_and_codes_in_english(client):
    html = client.get("/eligibility?lang=en").get_data(as_text=True)
    assert "Changchun High-tech Industrial Development Zone (220173)" in html
    assert "Lüyuan District (220106)" in html
    assert ">Master&#39;s degree<" in html or ">Master's degree<" in html
    assert ">Full senior title<" in html and ">Public institution<" in html
    options = " ".join(re.findall(r"<option[^>]*>([^<]*)</option>", html))
    assert not re.search(r"[\u4e00-\u9fff]", options), options


def test_the_default_application_date_is_changchuns_date_not_the_servers(client, monkeypatch):
    """At 07:30 on 2024-06-01 in Changchun the UTC server still says 2024-05-31 (the previous policy version)."""
    import talent.clock

    class ServerClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - the signature of datetime.now
            moment = dt.datetime(2024, 5, 31, 23, 30, tzinfo=dt.UTC)
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

        @classmethod
        def utcnow(cls):  # noqa: ANN206
            return dt.datetime(2024, 5, 31, 23, 30)

    monkeypatch.setattr(talent.clock.dt, "datetime", ServerClock)
    html = client.get("/eligibility").get_data(as_text=True)
    assert 'name="application_date" type="date" value="2024-06-01"' in html, re.findall(r'application_date"[^>]*', html)


def test_programme_names_keep_their_capitals_in_english(client):
    assert check_example_4(client).status_code == 302
    text = text_of(client.get("/eligibility/result?lang=en"))
    # Answered the other way, "social insurance paid in Changchun" would lose the card, among others.
    assert re.search(r"you would no longer qualify for the Changchun talent privilege card, the housing subsidy(,| or)",
                     text), text
    assert "changchun talent" not in text


def test_the_checker_styles_live_in_their_own_stylesheet(client):
    app_css = client.get("/static/css/app.css").get_data(as_text=True)
    own_css = client.get("/static/css/eligibility.css")
    assert own_css.status_code == 200 and ".honour-groups" in own_css.get_data(as_text=True)
    assert ".honour-groups" not in app_css and ".programmes" not in app_css
    for page in ("/eligibility", "/eligibility/result"):
        check(client)
        assert "css/eligibility.css" in client.get(page).get_data(as_text=True)
