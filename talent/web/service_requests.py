"""Pages of the card-holder services: the holder's requests, the handling desk of partners and officers, and the
officers' partner organisations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.rules import SERVICES
from talent.services import ServiceError
from talent.services import service_requests as service
from talent.services.workflow import today

bp = Blueprint("service_pages", __name__, url_prefix="/services")


def _flash_error(error: ServiceError) -> None:
    details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in list(error.errors.items())[:8])
    flash(_("未能完成：%(message)s", message=error.message) + (f" ({details})" if details else ""), "error")


def service_label(code: str) -> str:
    names = SERVICES.get(code)
    return names[current_language()] if names else code


def request_status_label(code: str) -> str:
    labels = {"submitted": _("已提交"), "accepted": _("办理中"), "info_requested": _("待补充材料"),
              "completed": _("已办结"), "declined": _("不予办理"), "closed": _("已关闭")}
    return labels.get(code, code)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"service_label": service_label, "request_status": request_status_label}


def _views(items: list) -> list[dict[str, Any]]:
    return [service.request_view(db.session, item, current_user) for item in items]


@bp.route("/", methods=["GET"])
@requires(Role.APPLICANT)
def mine():
    card = service.active_card_of(db.session, current_user, today())
    return render_template("service_requests/mine.html", card=card,
                           requests=_views(service.requests_for(db.session, current_user)))


@bp.route("/", methods=["POST"])
@requires(Role.APPLICANT)
def holder_action():
    form = request.form
    action = form.get("action")
    try:
        if action == "open":
            service.open_request(db.session, current_user, service=form.get("service", ""),
                                 description=form.get("description", ""))
            flash(_("请求已提交。"), "success")
        elif action == "answer":
            service.answer_information(db.session, current_user, int(form.get("request_id", "0")),
                                       answer=form.get("answer", ""))
            flash(_("已补充材料，办理时限恢复计时。"), "success")
        elif action == "rate":
            service.rate_request(db.session, current_user, int(form.get("request_id", "0")),
                                 rating=int(form.get("rating", "0") or 0), comment=form.get("comment", ""))
            flash(_("感谢您的评价。"), "success")
    except (ServiceError, ValueError) as error:
        db.session.rollback()
        if isinstance(error, ServiceError):
            _flash_error(error)
        else:
            flash(_("输入有误。"), "error")
    return redirect(url_for(".mine"))


@bp.route("/desk", methods=["GET"])
@requires(Role.OFFICER, Role.PARTNER)
def desk():
    partner = service.partner_of(db.session, current_user)
    status = request.args.get("status") or None
    return render_template("service_requests/desk.html", partner=partner, status=status, services=SERVICES,
                           requests=_views(service.requests_for(db.session, current_user, status=status)))


@bp.route("/desk", methods=["POST"])
@requires(Role.OFFICER, Role.PARTNER)
def desk_action():
    form = request.form
    action = form.get("action")
    session = db.session
    try:
        request_id = int(form.get("request_id", "0") or 0)
        if action == "accept":
            service.accept_request(session, current_user, request_id)
        elif action == "ask":
            service.ask_for_information(session, current_user, request_id, question=form.get("text", ""))
        elif action == "complete":
            service.complete_request(session, current_user, request_id, note=form.get("text", ""))
        elif action == "decline":
            service.decline_request(session, current_user, request_id, reason=form.get("text", ""))
        elif action == "use":
            service.record_service_use(session, current_user, verification_code=form.get("code", "").strip(),
                                       service=form.get("service", ""))
            flash(_("已核验尊享卡并记录本次服务。"), "success")
            return redirect(url_for(".desk"))
        else:
            return redirect(url_for(".desk"))
        flash(_("已处理。"), "success")
    except (ServiceError, ValueError) as error:
        session.rollback()
        if isinstance(error, ServiceError):
            _flash_error(error)
        else:
            flash(_("输入有误。"), "error")
    return redirect(url_for(".desk"))


@bp.route("/partners", methods=["GET"])
@requires(Role.OFFICER)
def partners():
    return render_template("service_requests/partners.html", partners=service.partners(db.session), services=SERVICES)


@bp.route("/partners", methods=["POST"])
@requires(Role.OFFICER)
def partners_action():
    form = request.form
    session = db.session
    try:
        action = form.get("action")
        if action == "create":
            service.create_partner(session, current_user, name=form.get("name", ""),
                                   services=form.getlist("services"))
        elif action == "verify":
            service.verify_partner(session, current_user, int(form.get("partner_id", "0")))
        elif action == "staff":
            service.add_partner_staff(session, current_user, int(form.get("partner_id", "0")),
                                      email=form.get("email", ""), name=form.get("name", ""),
                                      password=form.get("password", ""))
        flash(_("已保存。"), "success")
    except (ServiceError, ValueError) as error:
        session.rollback()
        if isinstance(error, ServiceError):
            _flash_error(error)
        else:
            flash(_("输入有误。"), "error")
    return redirect(url_for(".partners"))
