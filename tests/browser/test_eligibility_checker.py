"""The eligibility checker in headless Chromium: a graduate of docs/policy.md §8 example 1, and the live ID check."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def answer(page, question: str, choice: str) -> None:
    """Pick 是 / 否 / 不清楚 for one yes/no question (a radio group named by its legend)."""
    page.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def test_graduate_of_example_1_sees_the_amounts(live_server, page):
    page.goto(live_server.url + "/eligibility")
    page.get_by_label("申请日期").fill("2022-09-15")
    page.get_by_label("出生日期").fill("1991-03-02")
    page.get_by_label("最高学历").select_option("doctor")
    page.get_by_label("毕业日期").fill("2021-06-30")
    answer(page, "是否全日制学历", "是")
    page.get_by_label("用人单位所在区域").select_option("220173")
    page.get_by_label("用人单位类型").select_option("enterprise")
    page.get_by_label("岗位类型").select_option("professional")
    page.get_by_label("劳动合同期限（年）").fill("3")
    answer(page, "是否全职工作", "是")
    answer(page, "是否在长春缴纳社会保险", "是")
    answer(page, "是否受过党纪政务处分或行政处罚", "否")
    answer(page, "是否被列入失信被执行人等失信名单", "否")
    answer(page, "是否已在长春拥有住房", "否")

    purchase_fields = page.locator("#purchase-fields")
    expect(purchase_fields).to_be_hidden()  # shown only when the person has bought a home
    page.get_by_label("我已签订购房合同，想测算购房补贴").check()
    expect(purchase_fields).to_be_visible()
    page.get_by_label("购房合同签订日期").fill("2022-09-01")
    page.get_by_label("购房总价（元）").fill("1200000")
    page.get_by_label("建筑面积（平方米）").fill("85")
    page.get_by_label("住房所在区域").select_option("220104")
    answer(page, "是否新建商品住房", "是")
    answer(page, "是否首套住房", "是")
    page.get_by_role("button", name="开始测算").click()

    page.wait_for_url("**/eligibility/result")
    expect(page.get_by_role("heading", level=1)).to_have_text("测算结果")
    expect(page.locator("#programme-housing_subsidy")).to_contain_text("¥80,000")
    expect(page.locator("#programme-living_allowance")).to_contain_text("¥800 × 24 = ¥19,200")
    expect(page.locator("#programme-purchase_measure_2022q3")).to_contain_text("¥17,000")
    # title and salary were left blank: whether there is a tier (and so a card) cannot be told yet
    expect(page.locator("#programme-privilege_card")).to_contain_text("还不能确定")
    expect(page.locator(".policy-version")).to_have_text("CC-2022")

    # The answers stay in the form for adjusting and checking again.
    page.get_by_role("link", name="修改信息，重新测算").click()
    expect(page.get_by_label("毕业日期")).to_have_value("2021-06-30")
    expect(page.get_by_label("购房总价（元）")).to_have_value("1200000")


def test_a_bad_id_number_is_reported_while_typing(live_server, page):
    page.goto(live_server.url + "/eligibility")
    id_field = page.get_by_label("居民身份证号码")
    live = page.locator("#id_number-live")

    id_field.press_sequentially("1101051949")
    expect(live).to_have_text("还需输入 8 位")
    id_field.press_sequentially("12310021")  # the check character should be X
    expect(live).to_have_text("校验码不正确：应为 X，请核对号码")
    expect(id_field).to_have_attribute("aria-invalid", "true")

    id_field.fill("11010519491231002x")  # a lower-case x is read as X
    expect(live).to_have_text("号码有效：出生日期 1949-12-31，女")
    expect(id_field).not_to_have_attribute("aria-invalid", "true")

    id_field.fill("110105194902300028")
    expect(live).to_have_text("出生日期不存在：1949-02-30")


def test_the_server_checks_the_id_number_again(live_server, page):
    """Without the page script's help (a wrong number submitted anyway) the server refuses it next to the field."""
    page.goto(live_server.url + "/eligibility")
    page.get_by_label("居民身份证号码").fill("110105194912310021")
    page.get_by_role("button", name="开始测算").click()
    error = page.locator("#id_number-error")
    expect(error).to_contain_text("居民身份证号码无效")
    expect(page.get_by_label("居民身份证号码")).to_have_value("")  # never written back into the page
