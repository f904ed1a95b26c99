"""The bureau's dashboard (officers, administrators and analysts): every panel as a chart, a table, and CSV/XLSX.

The numbers come from talent.services.dashboard; this module only names the codes in the page's language and
draws them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from talent.auth import requires
from talent.clock import to_changchun
from talent.codes import DIVISIONS, division_label, is_changchun_division
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.names.codes import EDUCATION, code_label
from talent.names.industries import industry_label
from talent.services import dashboard as dashboard_service
from talent.services import programme as programme_service
from talent.services.dashboard import Filters, Table
from talent.services.programme import ProgrammeFilters
from talent.web.case_labels import install_template_helpers, programme_name, status_name
from talent.web.charts import bar_chart, line_chart, svg_response

bp = Blueprint("dashboard", __name__, url_prefix="/officer/dashboard")
install_template_helpers(bp)

READERS = (Role.OFFICER, Role.ANALYST)


def _titles() -> dict[str, str]:
    return {
        "by_status": _("申请按办理状态"),
        "by_tier": _("申请按人才层次"),
        "by_programme": _("申请按享受项目"),
        "by_district": _("申请按用人单位所在区"),
        "by_month": _("申请按月份"),
        "clocks": _("办理时长（工作日）"),
        "money": _("资金：承诺与已发放（元）"),
        "cards": _("尊享卡持卡人"),
        "posts": _("发布岗位与招聘人数"),
        "apartments": _("青年人才公寓：各社区房源状态"),
        "programme_by_year": _("项目成效：按年份"),
        "programme_by_district": _("项目成效：按岗位所在区县"),
        "programme_by_industry": _("项目成效：按用人单位行业"),
        "programme_by_education": _("项目成效：按岗位学历要求"),
    }


def _column_names() -> dict[str, str]:
    return {
        "status": _("状态"), "applications": _("申请数"), "tier": _("人才层次"), "programme": _("项目"),
        "district": _("区县"), "month": _("月份"), "stage": _("环节"), "measured": _("已计时案件"),
        "median": _("中位数"), "p90": _("90% 案件不超过"), "overdue": _("超时未办"), "year": _("年份"),
        "committed": _("承诺金额"), "paid": _("已发放"), "active": _("有效"), "expired": _("已到期"),
        "revoked": _("已撤销"), "posts": _("岗位数"), "headcount": _("招聘人数"), "open_headcount": _("在招人数"),
        "community": _("社区"), "free": _("空置"), "offered": _("已配租待确认"), "let": _("已出租"),
        "maintenance": _("维修中"),
        "industry": _("行业门类"), "education": _("学历要求"),
        "posts_developed": _("开发岗位（招聘人数）"), "posts_opened": _("发布岗位数"),
        "interviews": _("面试"), "offers": _("录用通知"), "hires": _("入职"),
        "retained": _("满12个月留长"), "left": _("已离开"), "asked": _("已询问未答复"), "pending": _("未满12个月"),
    }


def _stage_name(code: str) -> str:
    return {"endorsement": _("单位确认"), "review": _("初审"), "confirmation": _("复核"),
            "notice": _("公示至发卡")}.get(code, code)


def _tier_label(code: str) -> str:
    return _("未认定") if code == "none" else _("%(tier)s 类", tier=code)


def _cell(column: str, value: Any, labels: dict[str, dict[str, str]] | None = None) -> Any:
    """A cell as a person reads it: codes named in the page's language, numbers as they are."""
    if value is None:
        return "—"
    if labels and isinstance(value, str) and value in labels:
        return labels[value].get(current_language()) or value
    if column == "status":
        return status_name(value)
    if column == "tier":
        return _tier_label(value)
    if column == "programme":
        return programme_name(value)
    if column == "district":
        return division_label(value, current_language())
    if column == "stage":
        return _stage_name(value)
    if column == "industry":
        return industry_label(value, current_language())
    if column == "education":
        return code_label(EDUCATION, value, current_language())
    return value


def readable(table: Table) -> dict[str, Any]:
    names = _column_names()
    return {
        "key": table.key,
        "title": _titles()[table.key],
        "columns": [names.get(c, c) for c in table.columns],
        "codes": table.columns,
        "rows": [[_cell(c, v, table.labels) for c, v in zip(table.columns, row, strict=True)] for row in table.rows],
        "unit": table.unit,
    }


def chart_of(table: Table) -> Any:
    view = readable(table)
    labels = [str(row[0]) for row in view["rows"]]
    title = view["title"]
    if table.key == "by_month":
        return line_chart(title, labels, {view["columns"][1]: [row[1] for row in table.rows]})
    if table.key == "clocks":
        return bar_chart(title, labels, {view["columns"][2]: [row[2] for row in table.rows],
                                         view["columns"][3]: [row[3] for row in table.rows]})
    if table.key == "money":
        years = sorted({row[0] for row in table.rows})
        committed = [sum(r[2] for r in table.rows if r[0] == y) for y in years]
        paid = [sum(r[3] for r in table.rows if r[0] == y) for y in years]
        return bar_chart(title, [str(y) for y in years], {view["columns"][2]: committed, view["columns"][3]: paid})
    if table.key == "cards":
        return bar_chart(title, labels, {view["columns"][k]: [row[k] for row in table.rows] for k in (1, 2, 3)})
    if table.key == "apartments":
        return bar_chart(title, labels, {view["columns"][k]: [row[k] for row in table.rows] for k in (2, 3, 4, 5)},
                         horizontal=True)
    if table.key == "posts":
        return bar_chart(title, labels, {view["columns"][2]: [row[2] for row in table.rows]})
    if table.key in programme_service.PANEL_KEYS:
        # posts developed, applications, hires, retained (the table beside it has every column)
        shown = (1, 3, 6, 7)
        return bar_chart(title, labels, {view["columns"][k]: [row[k] for row in table.rows] for k in shown},
                         horizontal=table.key in ("programme_by_district", "programme_by_industry"))
    return bar_chart(title, labels, {view["columns"][1]: [row[1] for row in table.rows]},
                     horizontal=table.key in ("by_status", "by_district", "by_programme"))


def _date_arg(name: str, errors: dict[str, str]) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("请按 年-月-日 填写日期，例如 2024-01-31")
        return None


def _year_arg(errors: dict[str, str]) -> int | None:
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        errors["year"] = _("请填写 2000 至 2100 之间的年份，例如 2025")
        return None
    return int(raw)


def _all_filters() -> tuple[Filters, ProgrammeFilters, dict[str, str]]:
    """The page's filters: from/to/district for the case panels, year/district for the programme's panels; a year
    without from/to also bounds the case panels to that year."""
    errors: dict[str, str] = {}
    date_from, date_to = _date_arg("from", errors), _date_arg("to", errors)
    year = _year_arg(errors)
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("结束日期不能早于开始日期")
    district = (request.args.get("district") or "").strip() or None
    if district and not is_changchun_division(district):
        errors["district"] = _("请选择长春市的区县")
        district = None
    if errors:
        return Filters(), ProgrammeFilters(), errors
    if year is not None:
        date_from = date_from or dt.date(year, 1, 1)
        date_to = date_to or dt.date(year, 12, 31)
    return Filters(date_from, date_to, district), ProgrammeFilters(year, district), errors


def _table(key: str) -> Table:
    """One panel under the request's filters (aborts 404 for an unknown key, 422 for bad filters)."""
    if key not in dashboard_service.PANELS and key not in programme_service.PANEL_KEYS:
        abort(404)
    filters, programme_filters, errors = _all_filters()
    if errors:
        abort(422, description="; ".join(errors.values()))
    if key in programme_service.PANEL_KEYS:
        return programme_service.figures(db.session, programme_filters).tables[key]
    return dashboard_service.panel(db.session, key, filters)


@bp.route("/")
@requires(*READERS)
def index() -> Any:
    filters, programme_filters, errors = _all_filters()
    tables = dashboard_service.dashboard(db.session, filters)
    panels = [readable(table) for table in tables.values()]
    figures = programme_service.figures(db.session, programme_filters)
    programme_panels = [readable(table) for table in figures.tables.values()]
    districts = [(code, division_label(code, current_language())) for code in DIVISIONS
                 if is_changchun_division(code)]
    return render_template("dashboard/index.html", panels=panels, filters=filters, errors=errors,
                           districts=districts, open_cases=dashboard_service.open_cases(db.session, filters),
                           programme_panels=programme_panels, figures=figures,
                           computed_at=to_changchun(figures.computed_at),
                           targets=(programme_service.TARGET_POSTS, programme_service.TARGET_GRADUATES),
                           query=request.args.to_dict()), (422 if errors else 200)


@bp.route("/<key>.svg")
@requires(*READERS)
def chart(key: str) -> Any:
    return svg_response(chart_of(_table(key)))


@bp.route("/<key>.<any(csv, xlsx):fmt>")
@requires(*READERS)
def download(key: str, fmt: str) -> Any:
    view = readable(_table(key))
    name = f"dashboard-{key}-{dt.date.today().isoformat()}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(view["columns"])
        writer.writerows([[_safe_cell(v) for v in row] for row in view["rows"]])
        return Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = key[:31]
    sheet.append(view["columns"])
    for row in view["rows"]:
        sheet.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.app_template_global("industry_name")
def industry_name(code: str | None) -> str:
    """An employer's industry in the page's language ("未填写 / Not given" when empty), for every template."""
    return industry_label(code, current_language())


@bp.app_template_filter("dashboard_number")
def dashboard_number(value: Any) -> str:
    """Whole numbers with thousands separators; a half (a median of an even count) with one decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
