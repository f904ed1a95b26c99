"""Account safety pages in headless Chromium: enrolling and using the officers' second factor, and a password
reset from the e-mailed link."""

from __future__ import annotations

import os
import re
from email import message_from_bytes
from pathlib import Path

import pyotp
import pytest

from tests.browser.layout_support import click_nav_link
from tests.conftest import seed

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("TALENT_SCREENSHOTS")  # a folder to keep screenshots in while developing


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_an_officer_enrols_a_second_factor_and_signs_in_with_it(app, live_server, page):
    seed(app)
    page.goto(live_server.url + "/login")
    page.get_by_label("电子邮箱").fill("officer@demo.talent.cc")
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/officer/")
    # 账号安全 is in the navigation: on the row if it fits, otherwise under "更多", as a person would find it.
    click_nav_link(page, "账号安全")
    page.wait_for_url("**/account/security")
    page.get_by_role("link", name="启用两步验证").click()
    qr = page.get_by_role("img", name="两步验证二维码")
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and box["height"] >= 150
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    _shot(page, "enrol")
    page.get_by_label("动态验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认启用").click()
    page.wait_for_url("**/account/security")
    assert "两步验证：已启用" in page.content()
    _shot(page, "security")
    # The name in the header leads here too, in one click from any page.
    page.goto(live_server.url + "/officer/")
    page.locator(".account-name").click()
    page.wait_for_url("**/account/security")

    page.get_by_role("button", name="退出", exact=True).click()
    page.goto(live_server.url + "/login")
    page.get_by_label("电子邮箱").fill("officer@demo.talent.cc")
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/login/two-factor")
    page.get_by_label("动态验证码").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    assert page.get_by_role("alert").first.inner_text() == "动态验证码不正确"
    page.get_by_label("动态验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/officer/")


def test_a_forgotten_password_is_reset_from_the_mailed_link(app, live_server, page):
    seed(app)
    page.goto(live_server.url + "/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_label("电子邮箱").fill("applicant@demo.talent.cc")
    page.get_by_role("button", name="发送重置链接").click()
    assert page.get_by_role("heading", level=1).inner_text() == "请查收邮件"
    [mail] = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    body = message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    link = re.search(r"(http://\S+/password-reset/\S+)", body).group(1)
    page.goto(link)
    page.get_by_label("新密码", exact=True).fill("brand-new-2027")
    page.get_by_label("确认新密码").fill("brand-new-2027")
    _shot(page, "reset")
    page.get_by_role("button", name="设置新密码").click()
    page.wait_for_url("**/login")
    page.get_by_label("电子邮箱").fill("applicant@demo.talent.cc")
    page.get_by_label("密码").fill("brand-new-2027")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/applicant/")
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "链接无效"
