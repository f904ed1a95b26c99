"""Pages of the youth-talent apartments: the public list and round pages, the applicant's application, offers and
lease, and the officers' management (communities, unit import, rounds)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import allow_anyone, requires
from talent.db import db
from talent.models import Role
from talent.models.apartments import ApartmentLease
from talent.services import ServiceError
from talent.services import apartments as service
from talent.services.workflow import today

bp = Blueprint("apartment_pages", __name__, url_prefix="/apartments")


def _flash_error(error: ServiceError) -> None:
    details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in list(error.errors.items())[:8])
    flash(_("未能完成：%(message)s", message=error.message) + (f" ({details})" if details else ""), "error")


def unit_type_label(code: str) -> str:
    labels = {"studio": _("开间"), "one_bed": _("一居室"), "two_bed": _("两居室")}
    return labels.get(code, code)


def status_label(code: str) -> str:
    labels = {
        "open": _("待摇号"), "offered": _("已配房待确认"), "waiting": _("轮候中"), "housed": _("已入住"),
        "declined": _("已放弃"), "withdrawn": _("已撤回"), "excluded": _("不符合条件"),
        "pending": _("待确认"), "accepted": _("已接受"), "expired": _("逾期未确认"),
        "allocated": _("已摇号"), "free": _("空闲"), "let": _("已出租"), "maintenance": _("维修中"),
        "not_eligible": _("申请日不符合条件"), "lease_limit": _("租期已满"),
    }
    return labels.get(code, code)


def group_label(group: int | None) -> str:
    labels = {1: _("A/B/C类人才"), 2: _("博士"), 3: _("硕士"), 4: _("学士")}
    return labels.get(group or 0, "")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"unit_type_label": unit_type_label, "apartment_status": status_label, "group_label": group_label}


@bp.route("/")
@allow_anyone
def index():
    return render_template("apartments/index.html", communities=service.community_list(db.session),
                           rounds=service.rounds(db.session))


@bp.route("/rounds/<int:round_id>")
@allow_anyone
def round_page(round_id: int):
    view = service.round_view(db.session, service.get_round(db.session, round_id))
    return render_template("apartments/round.html", round=view)


@bp.route("/mine", methods=["GET"])
@requires(Role.APPLICANT)
def mine():
    session = db.session
    return render_template(
        "apartments/mine.html",
        communities=service.community_list(session),
        open_application=service.open_apartment_application_of(session, current_user),
        applications=[service.application_view(a) for a in service.apartment_applications_of(session, current_user)],
        offers=[service.offer_view(session, o) for o in service.offers_of(session, current_user)],
        leases=[service.lease_view(session, lease) for lease in service.leases_of(session, current_user)],
    )


@bp.route("/mine", methods=["POST"])
@requires(Role.APPLICANT)
def apply():
    communities = [int(c) for c in request.form.getlist("community") if c.strip().isdigit()]
    communities = list(dict.fromkeys(communities))
    try:
        service.apply_for_apartment(db.session, current_user, communities=communities,
                                    unit_type=request.form.get("unit_type", ""))
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for(".mine"))
    flash(_("申请已提交，将参加下一轮摇号。"), "success")
    return redirect(url_for(".mine"))


@bp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@requires(Role.APPLICANT)
def answer(offer_id: int):
    accept = request.form.get("accept") == "yes"
    try:
        result = service.respond_to_offer(db.session, current_user, offer_id, accept=accept)
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for(".mine"))
    if isinstance(result, ApartmentLease):
        flash(_("已接受配房，租约已生成。"), "success")
    else:
        flash(_("已放弃该房源，房源将配给轮候名单中的下一位。"), "info")
    return redirect(url_for(".mine"))


@bp.route("/manage", methods=["GET"])
@requires(Role.OFFICER)
def manage():
    return render_template("apartments/manage.html", communities=service.community_list(db.session),
                           rounds=service.rounds(db.session), today=today())


@bp.route("/manage/<action>", methods=["POST"])
@requires(Role.OFFICER)
def manage_action(action: str):
    session = db.session
    form = request.form
    try:
        if action == "community":
            service.create_community(session, current_user, code=form.get("code", ""), name_zh=form.get("name_zh", ""),
                                     name_en=form.get("name_en", ""), district=form.get("district", ""),
                                     address=form.get("address", ""))
            flash(_("已添加社区。"), "success")
        elif action == "import":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(_("请选择要导入的房源清单文件（CSV 或 XLSX）。"), "error")
                return redirect(url_for(".manage"))
            count = service.import_units(session, current_user, upload.filename, upload.read())
            flash(_("已导入 %(count)s 套房源。", count=count), "success")
        elif action == "open-round":
            closes_on = date.fromisoformat(form.get("closes_on", ""))
            service.open_round(session, current_user, name=form.get("name", ""), closes_on=closes_on)
            flash(_("已开启新一轮配租，承诺值已公布。"), "success")
        elif action == "close-round":
            round_ = service.close_round(session, current_user, int(form.get("round_id", "0")))
            flash(_("已完成摇号，种子与结果已公布。"), "success")
            return redirect(url_for(".round_page", round_id=round_.id))
        else:
            return redirect(url_for(".manage"))
    except ValueError:
        session.rollback()
        flash(_("日期格式应为 YYYY-MM-DD。"), "error")
    except ServiceError as error:
        session.rollback()
        _flash_error(error)
    return redirect(url_for(".manage"))
