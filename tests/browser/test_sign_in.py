"""Real pages in headless Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import seed

pytestmark = pytest.mark.browser


def test_officer_signs_in_in_chinese_and_reaches_the_officer_desk(app, live_server, page):
    seed(app)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("电子邮箱").fill("officer@demo.talent.cc")
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/officer/")
    assert page.get_by_role("heading", level=1).inner_text() == "审核工作台"
    assert "赵建国" in page.locator(".nav-account").inner_text()


def test_wrong_password_shows_a_readable_message(app, live_server, page):
    seed(app)
    page.goto(live_server.url + "/login")
    page.get_by_label("电子邮箱").fill("officer@demo.talent.cc")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").first.inner_text() == "邮箱或密码不正确"


def test_language_switch_shows_english(app, live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "In Changchun, talent is valued"
