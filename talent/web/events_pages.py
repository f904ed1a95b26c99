"""Recruitment events (招聘宣讲) on pages: the public list and an event's page; graduates register and keep a QR
ticket; organisers (verified employers, officers) create, edit, publish and cancel events, check graduates in at
the door and read the attendance list. Officers designate training bases (实训基地)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import DateTimeLocalInput

from talent.auth import acting_user, allow_anyone, requires
from talent.clock import CHANGCHUN, to_changchun, today_in_changchun
from talent.codes import DIVISIONS
from talent.db import db
from talent.i18n import current_language
from talent.models import Employer, Role
from talent.models.events import EVENT_KINDS
from talent.models.jobs import Job
from talent.names import events as names
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services import events as service
from talent.services import training_bases as bases
from talent.services.employers import employer_by_credit_code, employers_of
from talent.services.jobs import LocalizedInvalidInput
from talent.web.job_forms import (
    CheckboxListField,
    IsoDateField,
    WholeNumberField,
    attach_service_errors,
    district_choices,
)
from talent.web.jobs_pages import page_number

bp = Blueprint("event_pages", __name__)

PER_PAGE = 20


def event_kind_label(code: str) -> str:
    return names.label(names.EVENT_KINDS, code, current_language())


def event_status_label(code: str) -> str:
    return names.label(names.EVENT_STATUSES, code, current_language())


def local_time(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_changchun(moment).strftime(fmt) if moment is not None else ""


def register(app: Any) -> None:
    app.jinja_env.globals.update(event_kind_label=event_kind_label, event_status_label=event_status_label,
                                 job_kind_label=lambda code: names.label(names.JOB_KINDS, code, current_language()))
    app.jinja_env.filters["local_time"] = local_time


def _errors(error: InvalidInput) -> dict[str, list[str]]:
    if isinstance(error, LocalizedInvalidInput):
        return error.errors_in(current_language())
    from talent.web.case_labels import readable_errors

    return readable_errors(error.errors)


def _refusal(error: Exception) -> str:
    message = getattr(error, "message", str(error))
    if hasattr(message, "text"):
        return message.text(current_language())
    if hasattr(error, "text"):
        return error.text(current_language())
    return str(message)


def qr_data_uri(text: str, scale: int = 6) -> str:
    return segno.make(text, error="m", micro=False).png_data_uri(scale=scale, border=3)


# --- public ---------------------------------------------------------------------------------------------------


@bp.route("/events")
@allow_anyone
def index():
    kind = request.args.get("kind") or None
    district = request.args.get("district") or None
    problems = []
    if kind and kind not in EVENT_KINDS:
        kind, problems = None, problems + ["kind"]
    if district and district not in DIVISIONS:
        district, problems = None, problems + ["district"]
    date_from = None
    if request.args.get("date"):
        try:
            date_from = dt.date.fromisoformat(request.args["date"])
        except ValueError:
            problems.append("date")
    result = service.list_events(db.session, kind=kind, district=district, date_from=date_from,
                                 page=page_number(request.args.get("page")), per_page=PER_PAGE)
    filters = {"kind": kind or "", "district": district or "", "date": date_from.isoformat() if date_from else ""}
    return render_template("events/index.html", result=result, filters=filters, problems=problems,
                           page_args={key: value for key, value in filters.items() if value}, kinds=EVENT_KINDS)


@bp.route("/events/<int:event_id>")
@allow_anyone
def detail(event_id: int):
    viewer = acting_user()
    event = service.get_event(db.session, event_id, viewer)
    registration = None
    if viewer is not None and viewer.role == Role.APPLICANT:
        registration = service.registration_of(db.session, viewer, event.id)
    now = dt.datetime.now(dt.UTC)
    return render_template(
        "events/detail.html", event=event, registration=registration, manage=service.may_manage(viewer, event),
        open_for_registration=event.status == "published" and to_changchun(event.starts_at) > now,
        over=to_changchun(event.ends_at) <= now,
    )


# --- graduates --------------------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/registration", methods=["POST"])
@requires(Role.APPLICANT)
def register_for(event_id: int):
    try:
        service.register(db.session, current_user, event_id)
    except NotFound:
        abort(404)
    except Conflict as error:
        flash(_refusal(error), "warning")
        return redirect(url_for("event_pages.detail", event_id=event_id))
    flash(_("报名成功。入场时请出示下方二维码。"), "success")
    return redirect(url_for("event_pages.ticket", event_id=event_id))


@bp.route("/events/<int:event_id>/registration/cancel", methods=["POST"])
@requires(Role.APPLICANT)
def cancel_registration(event_id: int):
    try:
        service.cancel_registration(db.session, current_user, event_id)
    except NotFound:
        abort(404)
    except Conflict as error:
        flash(_refusal(error), "warning")
    else:
        flash(_("已取消报名，名额已释放，原入场码作废。"), "success")
    return redirect(url_for("event_pages.mine"))


@bp.route("/events/mine")
@requires(Role.APPLICANT)
def mine():
    registrations = service.registrations_of(db.session, current_user)
    now = dt.datetime.now(dt.UTC)
    tickets = {r.id: qr_data_uri(service.ticket_code(r), scale=4) for r in registrations
               if r.status == "registered" and r.event.status == "published" and to_changchun(r.event.ends_at) > now}
    return render_template("events/mine.html", registrations=registrations, tickets=tickets)


@bp.route("/events/<int:event_id>/ticket")
@requires(Role.APPLICANT)
def ticket(event_id: int):
    registration = service.registration_of(db.session, current_user, event_id)
    if registration is None or registration.status != "registered":
        abort(404)
    code = service.ticket_code(registration)
    return render_template("events/ticket.html", registration=registration, event=registration.event, code=code,
                           qr=qr_data_uri(code))


# --- organisers -----------------------------------------------------------------------------------------------


class LocalDateTimeField(StringField):
    """A Changchun date and time from the browser's datetime-local input (年-月-日 时:分)."""

    widget = DateTimeLocalInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        try:
            self.data = dt.datetime.fromisoformat(self.raw.replace(" ", "T")).replace(tzinfo=CHANGCHUN)
        except ValueError:
            raise ValueError(_l("请按 年-月-日 时:分 填写，例如 2026-12-10 14:00")) from None

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None:
            return self.raw
        return to_changchun(self.data).strftime("%Y-%m-%dT%H:%M") if self.data else ""


class EventForm(FlaskForm):
    kind = SelectField(_l("活动类型"), invalid_choice_message=_l("请从列表中选择活动类型"))
    title = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称")), Length(max=120)])
    description = TextAreaField(_l("活动介绍"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": "5"})
    starts_at = LocalDateTimeField(_l("开始时间（北京时间）"), validators=[InputRequired(_l("请填写开始时间"))])
    ends_at = LocalDateTimeField(_l("结束时间（北京时间）"), validators=[InputRequired(_l("请填写结束时间"))])
    district = SelectField(_l("所在区县"), validators=[Optional()], invalid_choice_message=_l("请从列表中选择长春市的区县"))
    venue = StringField(_l("活动地点"), validators=[Optional(), Length(max=200)])
    online_url = StringField(_l("线上会议链接"), validators=[Optional(), Length(max=500)],
                             render_kw={"inputmode": "url", "spellcheck": "false"})
    capacity = WholeNumberField(_l("名额"), validators=[InputRequired(_l("请填写名额"))])
    job_ids = CheckboxListField(_l("宣讲岗位"), coerce=int, validators=[Optional()])
    job_id_list = StringField(_l("宣讲岗位编号"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args: Any, posts: list[Job] | None = None, officer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(code, event_kind_label(code)) for code in EVENT_KINDS]
        self.district.choices = district_choices(blank=_l("线上活动可不选"))
        if officer:
            del self.job_ids
        else:
            self.job_ids.choices = [SelectChoice(job.id, f"{job.title}（{job.id}）") for job in posts or []]
            del self.job_id_list

    def values(self) -> dict[str, Any]:
        if "job_id_list" in self._fields:
            text = self.job_id_list.data or ""
            job_ids = [int(part) for part in text.replace("，", ",").replace("、", ",").split(",")
                       if part.strip().isdigit()]
        else:
            job_ids = list(self.job_ids.data or [])
        return {
            "kind": self.kind.data, "title": self.title.data, "description": self.description.data or "",
            "starts_at": self.starts_at.data, "ends_at": self.ends_at.data, "district": self.district.data or None,
            "venue": self.venue.data or None, "online_url": self.online_url.data or None,
            "capacity": self.capacity.data, "job_ids": job_ids,
        }

    @classmethod
    def data_from_event(cls, event: Any) -> dict[str, Any]:
        ids = [post.job_id for post in event.posts]
        return {"kind": event.kind, "title": event.title, "description": event.description,
                "starts_at": event.starts_at, "ends_at": event.ends_at, "district": event.district or "",
                "venue": event.venue, "online_url": event.online_url, "capacity": event.capacity, "job_ids": ids,
                "job_id_list": ", ".join(str(i) for i in ids)}


def _own_open_posts(extra: list[int] = ()) -> list[Job]:
    from sqlalchemy import or_, select

    from talent.services.jobs import open_jobs_condition

    ids = [employer.id for employer in employers_of(db.session, current_user) if employer.is_verified]
    return list(db.session.scalars(
        select(Job).where(Job.employer_id.in_(ids), or_(open_jobs_condition(), Job.id.in_(list(extra))))
        .order_by(Job.created_at.desc(), Job.id.desc()).limit(200)))


def _managed(event_id: int) -> Any:
    try:
        return service.managed_event(db.session, current_user, event_id)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)


@bp.route("/events/manage")
@requires(Role.EMPLOYER, Role.OFFICER)
def manage():
    result = service.events_managed_by(db.session, current_user, page=page_number(request.args.get("page")),
                                       per_page=PER_PAGE)
    counts = service.attendance(db.session, [event.id for event in result.items])
    can_create = current_user.is_officer or any(e.is_verified for e in employers_of(db.session, current_user))
    return render_template("events/manage.html", result=result, counts=counts, can_create=can_create,
                           page_args={})


@bp.route("/events/new", methods=["GET", "POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
def new():
    officer = current_user.is_officer
    if not officer and not any(e.is_verified for e in employers_of(db.session, current_user)):
        flash(_("单位通过人才服务部门认证后才能创建招聘活动。"), "warning")
        return redirect(url_for("employer.home"))
    form = EventForm(posts=None if officer else _own_open_posts(), officer=officer)
    general: list[str] = []
    if form.validate_on_submit():
        publish = request.form.get("action") != "draft"
        try:
            event = service.create_event(db.session, current_user, publish=publish, **form.values())
        except InvalidInput as error:
            general = attach_service_errors(form, _errors(error))
        except NotAllowed as error:
            general = [_refusal(error)]
        else:
            flash(_("活动“%(title)s”已发布。", title=event.title) if publish
                  else _("活动“%(title)s”已保存为草稿。", title=event.title), "success")
            return redirect(url_for("event_pages.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=None, general_errors=general), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
def edit(event_id: int):
    event = _managed(event_id)
    officer = current_user.is_officer
    posts = None if officer else _own_open_posts([post.job_id for post in event.posts])
    form = EventForm(data=EventForm.data_from_event(event) if request.method == "GET" else None, posts=posts,
                     officer=officer)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            service.update_event(db.session, current_user, event.id, form.values())
        except InvalidInput as error:
            general = attach_service_errors(form, _errors(error))
        except Conflict as error:
            general = [_refusal(error)]
        else:
            flash(_("活动已更新。"), "success")
            return redirect(url_for("event_pages.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event, general_errors=general), status


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
def publish(event_id: int):
    _managed(event_id)
    try:
        service.publish_event(db.session, current_user, event_id)
    except Conflict as error:
        flash(_refusal(error), "warning")
    else:
        flash(_("活动已发布，毕业生现在可以报名。"), "success")
    return redirect(url_for("event_pages.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
def cancel(event_id: int):
    _managed(event_id)
    try:
        service.cancel_event(db.session, current_user, event_id, request.form.get("reason", ""))
    except InvalidInput:
        flash(_("请填写取消原因，它会通知给已报名的毕业生。"), "error")
    except Conflict as error:
        flash(_refusal(error), "warning")
    else:
        flash(_("活动已取消，已通知所有已报名的毕业生。"), "success")
    return redirect(url_for("event_pages.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
def check_in(event_id: int):
    event = _managed(event_id)
    result: dict[str, str] | None = None
    status = 200
    if request.method == "POST":
        try:
            done = service.check_in(db.session, current_user, event.id, request.form.get("code", ""))
        except service.CheckInRefused as error:
            result = {"kind": "warning" if error.outcome == "already" else "error", "text": error.text(current_language())}
            status = error.status
        except Conflict as error:
            result = {"kind": "error", "text": _refusal(error)}
            status = 409
        else:
            result = {"kind": "success", "text": done.text(current_language())}
    counts = service.attendance(db.session, [event.id]).get(event.id, service.Attendance(0, 0))
    return render_template("events/check_in.html", event=event, result=result, counts=counts), status


@bp.route("/events/<int:event_id>/attendance")
@requires(Role.EMPLOYER, Role.OFFICER)
def attendance(event_id: int):
    _managed(event_id)
    event, rows = service.attendance_list(db.session, current_user, event_id)
    counts = service.attendance(db.session, [event.id]).get(event.id, service.Attendance(0, 0))
    applications = service.applications_per_event(db.session, [event.id])
    return render_template("events/attendance.html", event=event, rows=rows, counts=counts,
                           applications=applications.get(event.id, 0))


# --- training bases (officers) ------------------------------------------------------------------------------------


class DesignationForm(FlaskForm):
    credit_code = StringField(_l("单位统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码")),
                                                                 Length(max=18)])
    designated_on = IsoDateField(_l("认定日期"), validators=[Optional()])
    reason = TextAreaField(_l("认定理由"), validators=[DataRequired(_l("请填写认定理由")), Length(max=1000)],
                           render_kw={"rows": "3"})


@bp.route("/officer/training-bases", methods=["GET", "POST"])
@requires(Role.OFFICER)
def training_bases():
    form = DesignationForm()
    general: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            employer: Employer | None = employer_by_credit_code(db.session, form.credit_code.data)
            if employer is None:
                form.credit_code.errors = [_("平台上没有以此统一社会信用代码注册的单位")]
            else:
                try:
                    bases.designate(db.session, current_user, employer.id, reason=form.reason.data,
                                    designated_on=form.designated_on.data)
                except InvalidInput as error:
                    general = attach_service_errors(form, _errors(error))
                except Conflict as error:
                    general = [_refusal(error)]
                else:
                    flash(_("已认定“%(name)s”为实训基地，该单位现在可以发布实训岗位。", name=employer.name), "success")
                    return redirect(url_for("event_pages.training_bases"))
    counts = {row.employer_id: row for row in bases.internship_counts(db.session)}
    return render_template("events/training_bases.html", form=form, general_errors=general,
                           bases=bases.list_training_bases(db.session, active_only=False), counts=counts,
                           today=today_in_changchun()), status


@bp.route("/officer/training-bases/<int:employer_id>/withdrawal", methods=["POST"])
@requires(Role.OFFICER)
def withdraw_base(employer_id: int):
    try:
        bases.withdraw(db.session, current_user, employer_id, reason=request.form.get("reason", ""))
    except NotFound:
        abort(404)
    except InvalidInput:
        flash(_("请填写撤销理由。"), "error")
    except Conflict as error:
        flash(_refusal(error), "warning")
    else:
        flash(_("已撤销实训基地认定；该单位不能再发布新的实训岗位。"), "success")
    return redirect(url_for("event_pages.training_bases"))
