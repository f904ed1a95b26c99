"""The dashboard and a simulation in headless Chromium, on a phone (390 px) and a desk (1280 px): the charts are
drawn, no page scrolls sideways, and a reform made in the form runs while the page says it is working."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import seed

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2026"


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize(("width", "language"), [(390, "zh"), (1280, "en")])
def test_the_dashboard_and_a_simulation_on_a_phone_and_a_desk(app, live_server, page, width, language):
    seed(app, full=True)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "analyst@demo.talent.cc")
    page.goto(f"{live_server.url}/officer/dashboard/?lang={language}")
    title = "Applications by talent tier" if language == "en" else "申请按人才层次"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    chart = page.locator("#panel-by_tier img")
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.complete && image.naturalWidth") > 0  # the SVG loaded and drew
    assert chart.bounding_box()["width"] <= width
    no_sideways_scroll(page)
    page.locator("#panel-by_tier summary").click()
    expect(page.locator("#table-by_tier")).to_be_visible()

    page.goto(f"{live_server.url}/officer/simulations/?lang={language}")
    no_sideways_scroll(page)
    page.locator("#parameter_1").select_option("tier_c_min_annual_salary")
    page.locator("#date_1").fill("2022-01-01")
    page.locator("#value_1").fill("400000")
    page.locator("#simulation-form button[type=submit]").click()
    page.wait_for_url("**/officer/simulations/*")
    expect(page.locator("#headline")).to_be_visible()
    page.screenshot(path=f"/tmp/sim-{width}.png", full_page=False)
    money = page.locator("figure.chart img")
    expect(money).to_be_visible()
    assert money.evaluate("image => image.complete && image.naturalWidth") > 0
    no_sideways_scroll(page)
