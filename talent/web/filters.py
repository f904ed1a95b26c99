"""Template helpers: money, dates, masking, navigation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request, url_for
from werkzeug.datastructures import MultiDict

from talent.clock import to_changchun
from talent.web import job_labels


def yuan(amount: Any) -> str:
    """Integer yuan with thousands separators (money is never a float)."""
    if amount is None:
        return "—"
    return f"¥{int(amount):,}"


def iso_date(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return to_changchun(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def url_with_lang(lang: str) -> str:
    """This page in another language. Only the query keys the page itself reads are kept; anything that could
    clash with url_for's own arguments or the route's variables is dropped."""
    view_args = request.view_args or {}
    if request.endpoint is None or request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return url_for("public.home", lang=lang)
    args = MultiDict(
        (key, value)
        for key, value in request.args.items(multi=True)
        if key != "lang" and not key.startswith("_") and key not in view_args
    )
    query = urlencode([*args.items(multi=True), ("lang", lang)])
    return f"{url_for(request.endpoint, **view_args)}?{query}"


def register_filters(app: Flask) -> None:
    from talent.codes import DIVISIONS, mask_id_number, mask_name

    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["isodate"] = iso_date
    app.jinja_env.globals["url_with_lang"] = url_with_lang
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["mask_name"] = mask_name
    app.jinja_env.globals["DIVISIONS"] = DIVISIONS
    register_globals(app)
    job_labels.register(app)


# Navigation entries per audience: (endpoint, label). Entries whose endpoint is not registered are skipped,
# so an area adds its pages here without touching the base template.
NAV: dict[str, list[tuple[str, Any]]] = {}


def _nav_setup() -> None:
    from flask_babel import lazy_gettext as _l

    NAV.update(
        {
            "anyone": [
                ("eligibility.form", _l("政策测算")),
                ("jobs_pages.search", _l("岗位查询")),
                ("public_notice.index", _l("公示")),
                ("cards_public.verify_form", _l("验证尊享卡")),
            ],
            "applicant": [
                ("applicant.home", _l("我的办理")),
                ("graduate.profile", _l("求职意向")),
                ("graduate.matches", _l("推荐岗位")),
            ],
            "employer": [("employer.home", _l("单位工作台")), ("employer.jobs", _l("我的岗位")),
                         ("endorsements.index", _l("职工申请确认"))],
            "officer": [("officer.home", _l("审核工作台")), ("officer.objections", _l("公示与异议")),
                        ("officer_employers.index", _l("单位认证")), ("dashboard.index", _l("数据看板"))],
            "admin": [("officer.home", _l("审核工作台")), ("officer.objections", _l("公示与异议")),
                      ("officer_employers.index", _l("单位认证")), ("dashboard.index", _l("数据看板"))],
            "analyst": [("dashboard.index", _l("数据看板")), ("simulations.index", _l("政策模拟"))],
            # every signed-in person: password, second factor, sign out everywhere
            "signed_in": [("credentials.security", _l("账号安全"))],
        }
    )
    # Issue 11: youth-talent apartments and card-holder services.
    NAV["anyone"].append(("apartment_pages.index", _l("青年人才公寓")))
    NAV["applicant"] += [("apartment_pages.mine", _l("我的配租")), ("service_pages.mine", _l("尊享卡服务"))]
    NAV["partner"] = [("service_pages.desk", _l("服务受理台"))]
    # Issue 12: hiring through the platform.
    NAV["applicant"].insert(3, ("hiring_pages.mine", _l("我的投递")))
    NAV["employer"].insert(2, ("hiring_pages.placements", _l("录用与留长")))
    for role in ("officer", "admin"):
        NAV[role] += [("apartment_pages.manage", _l("公寓管理")), ("service_pages.desk", _l("服务受理台")),
                      ("service_pages.partners", _l("合作机构"))]
    # Issue 12: recruitment events (招聘宣讲) and training bases (实训基地).
    NAV["anyone"].insert(2, ("event_pages.index", _l("招聘活动")))
    NAV["applicant"].append(("event_pages.mine", _l("我的活动报名")))
    NAV["employer"].append(("event_pages.manage", _l("我的招聘活动")))
    for role in ("officer", "admin"):
        NAV[role] += [("event_pages.manage", _l("招聘活动管理")), ("event_pages.training_bases", _l("实训基地"))]


def nav_items() -> list[dict[str, Any]]:
    from flask import current_app
    from flask_login import current_user

    if not NAV:
        _nav_setup()
    keys = ["anyone"]
    if current_user.is_authenticated:
        keys[:0] = [current_user.role.value, "signed_in"]
    items = []
    seen = set()
    for key in keys:
        for endpoint, label in NAV.get(key, []):
            if endpoint in current_app.view_functions and endpoint not in seen:
                seen.add(endpoint)
                items.append({"url": url_for(endpoint), "label": label, "active": request.endpoint == endpoint})
    return items


def role_label(role: Any) -> str:
    from flask_babel import gettext as _

    labels = {"applicant": _("申请人"), "employer": _("用人单位"), "officer": _("审核人员"), "admin": _("管理员"),
              "analyst": _("数据分析员")}
    labels["partner"] = _("合作机构")  # issue 11
    return labels.get(getattr(role, "value", role), str(role))


def account_url() -> str:
    """Where the signed-in person's name in the header leads: their account's security page (password, second
    factor, signing out elsewhere), one click from every page even when 账号安全 sits under "more"."""
    from flask import current_app

    if "credentials.security" in current_app.view_functions:
        return url_for("credentials.security")
    return url_for("public.account")


def eligibility_url() -> str:
    from flask import current_app

    if "eligibility.form" in current_app.view_functions:
        return url_for("eligibility.form")
    return url_for("public.register")


def register_globals(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, role_label=role_label, eligibility_url=eligibility_url,
                                 account_url=account_url)
