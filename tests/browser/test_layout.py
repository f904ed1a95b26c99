"""The header, the phone menu, sideways scrolling and accessibility in headless Chromium (one browser for all).

Header: one row at 1280 and 1024 px for every role and signed out, in Chinese and English; entries that do not
fit are in "more", none is lost. Phone (390 and 360 px): a menu button with aria-expanded opens a full-width
list, each entry on one line and at least 44 px high. Main pages of every audience, zh and en: axe-core finds
no serious or critical violation at 1280 and 390 px, no page scrolls sideways at 360 px, and the controls are
at least 44 px on phones.
"""

from __future__ import annotations

import pytest

from tests.browser.layout_support import (
    AXE,
    NO_SIDEWAYS_SCROLL,
    SMALL_TARGETS,
    assert_one_row,
    axe_violations,
    seed_with_a_case,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _once(backend):
    # Layout does not depend on the database: these run on SQLite only, to keep the suite fast.
    if backend != "sqlite":
        pytest.skip("layout checks run once, on SQLite")

# 首页 + the role's entries + 账号安全 (signed in) + the public six (talent/web/filters.py NAV; issue 12 added
# 招聘活动 for everyone, 我的活动报名 / 我的招聘活动 / 招聘活动管理 and 实训基地 by role, 我的投递 (applicant)
# and 录用与留长 (employer)).
ENTRIES = {None: 7, "applicant": 15, "employer": 13, "officer": 17, "admin": 17, "analyst": 10, "partner": 9}


def test_the_header_is_one_row_on_wide_screens_for_every_role_and_language(app, live_server, browser):
    seed_with_a_case(app)
    for role, entries in ENTRIES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = context.new_page()
        if role:
            sign_in(page, live_server.url, role)
        for language in ("zh", "en"):
            page.goto(f"{live_server.url}/?lang={language}")
            for width in (1280, 1024, 720):  # and a tablet: the row holds, entries go under "more"
                page.set_viewport_size({"width": width, "height": 800})
                # The navigation has been laid out for this width (static/js/app.js marks it).
                page.wait_for_function(f"() => document.getElementById('site-nav').dataset.layoutWidth === '{width}'",
                                       timeout=2000)
                found = assert_one_row(page, f"{role or 'signed out'} {language} {width}px")
                assert found["inRow"] + found["inMore"] == entries, found
                if width >= 1024:
                    assert found["inRow"] >= 2, f"{role} {language} {width}px: {found}"
        if role == "officer":
            # At 720 px in English some entries are under "more", which opens a list of links and closes on Escape.
            assert found["inMore"] >= 1
            more = page.get_by_role("button", name="More")
            assert more.get_attribute("aria-expanded") == "false"
            more.click()
            assert more.get_attribute("aria-expanded") == "true"
            assert page.locator("#nav-more-list a").first.is_visible()
            page.keyboard.press("Escape")
            assert more.get_attribute("aria-expanded") == "false"
            assert not page.locator("#nav-more-list a").first.is_visible()
        context.close()


def test_the_phone_menu_is_a_button_and_a_full_width_list(app, live_server, browser):
    seed_with_a_case(app)
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "officer")
    for language, menu_name in (("zh", "菜单"), ("en", "Menu")):
        for width in (390, 360):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{live_server.url}/officer/?lang={language}")
            toggle = page.get_by_role("button", name=menu_name)
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not page.locator("#site-nav").is_visible()
            box = toggle.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
            links = page.locator("#site-nav .nav-list a")
            assert links.count() == ENTRIES["officer"]  # every entry, none hidden under "more"
            for i in range(links.count()):
                link = links.nth(i)
                box = link.bounding_box()
                label = f"{language} {width}px {link.inner_text()!r}"
                assert box["width"] >= width - 40, f"{label} is not full width"
                assert 44 <= box["height"] <= 50, f"{label} is {box['height']} px high (split over lines?)"
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
            page.keyboard.press("Escape")
            assert toggle.get_attribute("aria-expanded") == "false"
    context.close()


def _pages(case_id: int) -> dict[str | None, list[str]]:
    return {
        None: ["/", "/eligibility", "/jobs", "/notice", "/register"],
        "applicant": ["/applicant/", f"/applicant/cases/{case_id}", "/notifications/"],
        "employer": ["/employer/", "/employer/jobs", f"/employer/endorsements/{case_id}"],
        "officer": ["/officer/", f"/officer/cases/{case_id}", "/officer/objections", "/officer/close-notices"],
    }


# Every other page without parameters: checked for sideways scrolling at 360 px and target sizes only.
OTHER_PAGES = {
    None: ["/login", "/cards/verify", "/api/v1/docs"],
    "applicant": ["/applicant/apply", "/graduate/profile", "/graduate/matches", "/notifications/preferences"],
    "employer": ["/employer/jobs/new", "/employer/endorsements/", "/notifications/"],
    "officer": ["/officer/employers/", "/notifications/"],
}


def test_main_pages_pass_axe_fit_360_px_and_have_big_enough_targets_on_phones(app, live_server, browser):
    assert AXE.exists(), "axe-core is missing: run `npm ci` in tests/browser/axe (`make test` does)"
    case_id = seed_with_a_case(app)
    problems: list[str] = []
    for role, paths in _pages(case_id).items():
        # bypass_csp: the page's policy allows only the site's own scripts, and axe-core is injected.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        if role:
            sign_in(page, live_server.url, role)
        for path in paths:
            for language in ("zh", "en"):
                page.set_viewport_size({"width": 1280, "height": 900})
                response = page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={language}")
                label = f"{role or 'public'} {path} {language}"
                if response is None or response.status != 200:
                    problems.append(f"{label}: status {response.status if response else '—'}")
                    continue
                problems += [f"{label} 1280px: {v}" for v in axe_violations(page)]
                page.set_viewport_size({"width": 390, "height": 900})
                problems += [f"{label} 390px: {v}" for v in axe_violations(page)]
                problems += [f"{label} 390px small target: {t}" for t in page.evaluate(SMALL_TARGETS)]
                page.set_viewport_size({"width": 360, "height": 900})
                if not page.evaluate(NO_SIDEWAYS_SCROLL):
                    problems.append(f"{label}: scrolls sideways at 360px")
        for path in OTHER_PAGES[role]:
            for language in ("zh", "en"):
                page.set_viewport_size({"width": 390, "height": 900})
                response = page.goto(f"{live_server.url}{path}?lang={language}")
                label = f"{role or 'public'} {path} {language}"
                if response is None or response.status != 200:
                    problems.append(f"{label}: status {response.status if response else '—'}")
                    continue
                problems += [f"{label} 390px small target: {t}" for t in page.evaluate(SMALL_TARGETS)]
                page.set_viewport_size({"width": 360, "height": 900})
                if not page.evaluate(NO_SIDEWAYS_SCROLL):
                    problems.append(f"{label}: scrolls sideways at 360px")
        context.close()
    assert not problems, "\n".join(problems)
