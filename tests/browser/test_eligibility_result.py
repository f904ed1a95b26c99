"""The checker's three-state result in headless Chromium, on a phone (390 px) and a desktop (1280 px), in Chinese
and English (issue 15): states and reasons readable, the open questions lead back to the form, no horizontal
scrolling, a print layout without the page chrome, and a link that restores the answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEXTS = {
    "zh": {"check": "开始测算", "open": "还不能确定", "no": "不符合", "heading": "测算结果", "salary": "年薪（元）",
           "social": "是否在长春缴纳社会保险", "restore": "恢复这些回答的链接", "print": "打印结果"},
    "en": {"check": "Check", "open": "Can't tell yet", "no": "Not eligible", "heading": "Result",
           "salary": "Annual salary (yuan)", "social": "Social insurance paid in Changchun",
           "restore": "Link that restores these answers", "print": "Print the result"},
}


def fill_graduate(page, base: str, lang: str) -> None:
    """A 2023 master's graduate who leaves the employment and conduct questions blank."""
    page.goto(f"{base}/eligibility?lang={lang}")
    page.locator("#application_date").fill("2025-03-01")
    page.locator("#birth_date").fill("1999-05-01")
    page.locator("#education").select_option("master")
    page.locator("#graduation_date").fill("2023-07-01")
    page.locator("#employer_district").select_option("220102")
    page.locator("#employer_kind").select_option("enterprise")
    page.locator("form[action$='/eligibility'] button[type=submit]").first.click()
    page.wait_for_url("**/eligibility/result")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_three_state_result(live_server, browser, lang: str, width: int) -> None:
    text = TEXTS[lang]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    fill_graduate(page, live_server.url, lang)

    expect(page.locator("#result-tier")).to_have_text(text["open"])
    expect(page.locator("#result-tier-why")).not_to_be_empty()
    card = page.locator("#programme-privilege_card")
    expect(card.locator(".badge.state")).to_have_text(text["open"])
    expect(page.locator("#programme-housing_subsidy .badge.state")).to_have_text(text["no"])
    # a blank answer is "not answered", never "did not hold"
    g5 = page.locator('tr[data-rule="G5"] .reason-outcome')
    expect(g5).to_have_text("未回答" if lang == "zh" else "Not answered")

    questions = page.locator("#what-would-change")
    expect(questions).to_be_visible()
    expect(questions).to_contain_text(text["salary"])
    expect(questions).not_to_contain_text("营业收入" if lang == "zh" else "revenue")

    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    if lang == "en":
        assert "、" not in body
        assert not re.search(r"[\u4e00-\u9fff]", page.locator(".eligibility-result").inner_text())
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # print layout: the result without header, footer and buttons
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator(".result-actions")).to_be_hidden()
    expect(page.locator("#result-tier")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_role("button", name=text["print"])).to_be_visible()

    # the saved link restores the answers in a fresh browser
    href = page.get_by_role("link", name=text["restore"]).get_attribute("href")
    fresh = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    fresh.goto(href + f"&lang={lang}")
    fresh.wait_for_url("**/eligibility/result*")
    expect(fresh.locator("#result-tier-why")).to_have_text(page.locator("#result-tier-why").inner_text())

    # a question leads back to its place in the form, with the answers kept
    questions.get_by_role("link", name=text["social"]).first.click()
    page.wait_for_url("**/eligibility#social_insurance_local")
    expect(page.locator("#education")).to_have_value("master")
    context.close()


def test_the_form_asks_only_questions_that_can_matter(live_server, page) -> None:
    page.goto(live_server.url + "/eligibility")
    revenue = page.locator("#enterprise_revenue")
    salary = page.locator("#annual_salary")
    expect(salary).to_be_visible()  # the kind of employer is not given yet: the salary may matter
    expect(revenue).to_be_hidden()  # the revenue only matters from a salary of 1,000,000
    salary.fill("240000")
    expect(revenue).to_be_hidden()
    salary.fill("1,200,000")
    expect(revenue).to_be_visible()
    page.locator("#employer_kind").select_option("public_institution")
    expect(page.locator("#income_tax_last_year")).to_be_visible()  # answers already given stay in sight
    salary.fill("")
    page.locator("#employer_kind").select_option("government")
    expect(salary).to_be_hidden()
    expect(page.locator("#enterprise-fields-note")).to_contain_text("1,000,000")
