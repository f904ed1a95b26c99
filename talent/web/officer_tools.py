"""Officer tools beside the queue: CSV/XLSX exports of the queue and of review decisions, and closing the
public-notice periods that are over (cards and payment schedules) from the page, after a confirmation step.

Closing uses the same service as `talent publicity close` (`publicity.close_notice_periods`, one transaction per
case); the page closes only the cases the officer saw and confirmed, as of today, and records who did it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from talent.auth import requires
from talent.codes import division_label, mask_id_number
from talent.db import db
from talent.i18n import current_language
from talent.models import Role, User
from talent.models.applications import Application, ReviewDecision
from talent.services import InvalidInput, exports, publicity
from talent.services import reviews as reviews_service
from talent.services.audit import record_event
from talent.services.workflow import LOCAL_TIMEZONE
from talent.services.workflow import today as local_today
from talent.web.case_forms import ConfirmForm
from talent.web.case_labels import install_template_helpers, programme_name, status_name, tier_name
from talent.web.officer import _queue_filter_form, queue_filters

bp = Blueprint("officer_tools", __name__, url_prefix="/officer")
install_template_helpers(bp)

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXPORT_PAGE = 100


def _masked_id(application: Application) -> str:
    if application.identity is not None and application.identity.id_masked:
        return application.identity.id_masked
    value = (application.facts or {}).get("id_number")  # a case from before the numbers were moved
    return mask_id_number(value) if isinstance(value, str) and value else ""


def _programmes(application: Application) -> str:
    separator = ", " if current_language() == "en" else "、"
    return separator.join(programme_name(code) for code in application.granted_programmes)


def _send(fmt: str, name: str, header: list[str], rows: list[list[Any]], title: str) -> Response:
    content = exports.to_csv(header, rows) if fmt == "csv" else exports.to_xlsx(header, rows, title=title)
    filename = f"{name}-{local_today().isoformat()}.{fmt}"
    response = Response(content, mimetype=FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _record_export(what: str, rows: int, filters: dict[str, Any]) -> None:
    # Personal data leaves the platform: say who took what.
    record_event(db.session, actor=current_user, action=f"export.{what}", entity_type="export", entity_id=what,
                 after={"rows": rows, "filters": {k: v for k, v in filters.items() if v}})


@bp.route("/queue.<fmt>")
@requires(Role.OFFICER)
def queue_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    form = _queue_filter_form(request.args)
    if not form.validate():
        raise InvalidInput("The queue filter is not valid.", {k: list(v) for k, v in form.errors.items()})
    filters = queue_filters(form)
    today = local_today()
    items = []
    page = 1
    while len(items) < exports.MAX_ROWS:
        found = reviews_service.review_queue(db.session, current_user, page=page, per_page=EXPORT_PAGE, today=today,
                                             **filters)
        items += found.items
        if page >= found.pages:
            break
        page += 1
    language = current_language()
    header = [_("申请编号"), _("申请人"), _("身份证号（已隐去）"), _("用人单位"), _("单位所在区县"), _("状态"),
              _("人才层次"), _("申请项目"), _("提交时间"), _("已等待（天）"), _("办理时限"), _("剩余工作日")]
    rows = []
    for item in items[:exports.MAX_ROWS]:
        a = item.application
        rows.append([
            a.number, a.owner.name, _masked_id(a), a.employer.name, division_label(a.employer.district, language),
            status_name(a.status), tier_name(a.tier), _programmes(a), a.submitted_at, item.age_days,
            item.clock.due_on, item.clock.working_days_left,
        ])
    _record_export("queue", len(rows), filters)
    return _send(fmt, "review-queue", header, rows, title=_("审核队列"))


def _date_arg(name: str) -> dt.date | None:
    text = request.args.get(name) or ""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("The date is not valid.", {name: ["Use YYYY-MM-DD."]}) from None


def _local_midnight(day: dt.date) -> dt.datetime:
    """Midnight of a Changchun day, as the UTC moment the database stores (SQLite keeps the wall time of UTC and
    would compare a +08:00 moment by its wall time, 8 hours off)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TIMEZONE).astimezone(dt.UTC)


@bp.route("/decisions.<fmt>")
@requires(Role.OFFICER)
def decisions_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    since, until = _date_arg("from"), _date_arg("to")
    query = (
        select(ReviewDecision, Application, User)
        .join(Application, ReviewDecision.application_id == Application.id)
        .join(User, ReviewDecision.officer_id == User.id)
        .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
        .limit(exports.MAX_ROWS)
    )
    # Days in Changchun: from the start of `from` to the end of `to`.
    if since is not None:
        query = query.where(ReviewDecision.decided_at >= _local_midnight(since))
    if until is not None:
        query = query.where(ReviewDecision.decided_at < _local_midnight(until + dt.timedelta(days=1)))
    found = db.session.execute(query).all()
    stages = {"first": _("初审"), "second": _("复核")}
    outcomes = {"approve": _("通过"), "reject": _("不予通过"), "request_changes": _("要求补正")}
    header = [_("申请编号"), _("申请人"), _("身份证号（已隐去）"), _("用人单位"), _("审核轮次"), _("审核阶段"),
              _("决定"), _("审核人员"), _("理由"), _("决定时间")]
    rows = [
        [a.number, a.owner.name, _masked_id(a), a.employer.name, d.review_round, stages.get(d.stage, d.stage),
         outcomes.get(d.outcome, d.outcome), officer.name, d.reason, d.decided_at]
        for d, a, officer in found
    ]
    _record_export("decisions", len(rows), {"from": request.args.get("from"), "to": request.args.get("to")})
    return _send(fmt, "review-decisions", header, rows, title=_("审核决定"))


# --- closing notice periods -------------------------------------------------------------------------------------


def _due_cases(today: Any) -> list[dict[str, Any]]:
    ids = publicity.due_for_closing(db.session, today)
    cases = []
    for application_id in ids:
        application = db.session.get(Application, application_id)
        pending = sum(1 for o in application.objections if o.status == publicity.PENDING)
        cases.append({"application": application, "pending_objections": pending})
    return cases


@bp.route("/close-notices", methods=["GET"])
@requires(Role.OFFICER)
def close_notices():
    today = local_today()
    cases = _due_cases(today)
    return render_template("officer_tools/close_notices.html", cases=cases, today=today,
                           closable=[c for c in cases if not c["pending_objections"]
                                     and c["application"].owner_id != current_user.id],
                           form=ConfirmForm(formdata=None))


@bp.route("/close-notices", methods=["POST"])
@requires(Role.OFFICER)
def close_notices_confirmed():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        chosen = {int(value) for value in request.form.getlist("application")}
    except ValueError:
        raise InvalidInput("Choose cases from the list.", {"application": ["Not a case id."]}) from None
    if not chosen:
        flash(_("没有选择要办结的案件。"), "warning")
        return redirect(url_for(".close_notices"))
    today = local_today()
    # An officer does not grant their own case (the same rule as for every other decision on it).
    own = set(db.session.scalars(select(Application.id).where(Application.id.in_(chosen),
                                                              Application.owner_id == current_user.id)))
    officer_id = current_user.id
    results = publicity.close_notice_periods(db.command_transaction, as_of=today, only=chosen - own)
    with db.command_transaction() as session:
        record_event(session, actor=session.get(User, officer_id), action="publicity.closed_on_page",
                     entity_type="publicity", entity_id=today.isoformat(),
                     after={"results": [{"application_id": r.application_id, "outcome": r.outcome,
                                         "card_number": r.card_number} for r in results]})
    numbers = {a.id: a.number for a in db.session.scalars(select(Application).where(Application.id.in_(chosen)))}
    granted = [r for r in results if r.outcome == "granted"]
    flash(_("已办结 %(n)s 件，发卡 %(cards)s 张。", n=len(granted),
            cards=sum(1 for r in granted if r.card_number)), "success")
    for result in results:
        if result.outcome == "granted":
            flash(_("%(number)s：已认定，%(card)s", number=numbers.get(result.application_id, result.application_id),
                    card=_("尊享卡 %(card)s", card=result.card_number) if result.card_number
                    else _("无尊享卡（不属于发卡对象）")), "info")
        else:
            reasons = {"pending_objection": _("有待处理的异议，未办结"), "not_over": _("公示期未满"),
                       "not_under_notice": _("已不在公示中"), "error": _("处理出错，未办结")}
            flash(_("%(number)s：%(reason)s", number=numbers.get(result.application_id, result.application_id),
                    reason=reasons.get(result.outcome, result.outcome)), "warning")
    skipped = (chosen - own) - {r.application_id for r in results}
    if own or skipped:
        flash(_("%(n)s 件未办结（本人的申请，或已不在待办结之列）。", n=len(own | skipped)), "warning")
    return redirect(url_for(".close_notices"))


