"""Matching end to end in headless Chromium, on the full demo data (hundreds of posts and graduates):
the demo employer posts a job; a graduate fills the profile with consent and finds that job among the
matches with its reasons; the employer finds the graduate among the post's candidates."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.layout_support import click_nav_link
from tests.conftest import seed

pytestmark = pytest.mark.browser

TITLE = "光学设计工程师（空间相机方向）"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_a_posted_job_reaches_the_graduate_and_the_graduate_reaches_the_employer(app, live_server, page: Page):
    seed(app, full=True)
    base = live_server.url

    # The demo employer posts a position from the desk.
    sign_in(page, base, "employer@demo.talent.cc")
    page.goto(base + "/employer/")
    page.get_by_role("link", name="发布新岗位").first.click()
    page.get_by_label("岗位名称").fill(TITLE)
    page.get_by_label("岗位描述").fill(
        "负责空间相机光学系统设计与像质评价，使用Zemax、Code V完成公差分析。光电信息科学与工程相关专业。"
    )
    page.get_by_label("最低学历").select_option("master")
    page.get_by_label("工作地点").select_option("220173")
    page.get_by_label("最低月薪（元）").fill("10000")
    page.get_by_label("最高月薪（元）").fill("16000")
    page.get_by_label("招聘人数").fill("2")
    page.get_by_label("专业要求").fill("080705")
    page.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_url("**/employer/jobs")
    expect(page.get_by_role("status").first).to_contain_text("已发布")
    expect(page.get_by_role("row", name=re.compile(re.escape(TITLE)))).to_contain_text("招聘中")
    sign_out(page)

    # A graduate (the demo applicant) fills the profile with consent and sees the post among the matches.
    sign_in(page, base, "applicant@demo.talent.cc")
    click_nav_link(page, "求职意向")
    page.get_by_label("所学专业").fill("光电信息科学与工程")
    page.get_by_label("学历", exact=True).select_option("master")
    page.get_by_label("技能与证书").fill("Zemax、Code V、光学设计")
    page.get_by_label("长春高新技术产业开发区", exact=True).check()
    page.get_by_label("期望月薪（元）").fill("10000")
    page.get_by_label("同意向用人单位展示我的求职意向（姓名隐去部分）").check()
    page.get_by_role("button", name="保存并查看推荐岗位").click()
    page.wait_for_url("**/graduate/matches")
    match = page.locator("li.job-match", has=page.get_by_role("link", name=TITLE))
    expect(match).to_have_count(1)
    # The reasons for the match; a note says how the major was read (the profile stored the catalogue code).
    expect(match.locator(".why-for")).to_contain_text("专业对口（光电信息科学与工程）")
    expect(match.locator(".why-for")).to_contain_text("学历符合")
    expect(match.locator(".why-notes")).to_contain_text("按专业代码：光电信息科学与工程（080705，本科）")
    expect(page.get_by_text("已同意向单位展示")).to_be_visible()

    # The same page in English explains the match in English.
    page.get_by_role("link", name="English").click()
    expect(match.locator(".why-for")).to_contain_text("same major")
    page.get_by_role("link", name="中文").click()
    sign_out(page)

    # The employer sees the graduate, name masked, among the post's candidates.
    sign_in(page, base, "employer@demo.talent.cc")
    page.goto(base + "/employer/jobs")
    page.get_by_role("row", name=re.compile(re.escape(TITLE))).get_by_role("link", name="匹配的毕业生").click()
    candidate = page.locator("li.candidate", has_text="光电信息科学与工程").filter(has_text="李**").first
    expect(candidate).to_be_visible()
    expect(candidate.locator(".why-for")).to_contain_text("专业对口")
    expect(page.locator("main")).not_to_contain_text("李明远")

    # Phone-sized screens: the pages reflow instead of scrolling sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/employer/jobs", "/jobs", page.url.removeprefix(base)):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
