"""The inbox (messages with an unread count in the header, mark read) and the choice of which messages also
come by e-mail. Every signed-in person has both."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.services import notifications as service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PER_PAGE = 30
CASE_PAGES = {Role.APPLICANT: "applicant.case", Role.EMPLOYER: "endorsements.case",
              Role.OFFICER: "officer.case", Role.ADMIN: "officer.case"}


def _link(notification: Any) -> str | None:
    endpoint = CASE_PAGES.get(current_user.role)
    if notification.application_id is None or endpoint is None:
        return None
    return url_for(endpoint, application_id=notification.application_id)


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/")
@requires()
def inbox():
    page = _page_number()
    rows, total = service.inbox(db.session, current_user, page=page, per_page=PER_PAGE)
    language = current_language()
    items = [
        {"id": n.id, "text": service.message(n, language), "subject": service.subject(n.kind, language),
         "at": n.created_at, "unread": n.read_at is None, "link": _link(n)}
        for n in rows
    ]
    pages = max(1, -(-total // PER_PAGE))
    return render_template("notifications/inbox.html", items=items, page=page, pages=pages, total=total,
                           unread=service.unread_count(db.session, current_user))


@bp.route("/<int:notification_id>/read", methods=["POST"])
@requires()
def mark_read(notification_id: int):
    service.mark_read(db.session, current_user, notification_id)
    target = request.form.get("next", "")
    # Only a path on this site (the case page the message is about); anything else goes back to the inbox.
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(".inbox"))


@bp.route("/read", methods=["POST"])
@requires()
def mark_all_read():
    changed = service.mark_read(db.session, current_user)
    flash(_("已将 %(n)s 条消息标为已读。", n=changed), "success")
    return redirect(url_for(".inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
@requires()
def preferences():
    language = current_language()
    if request.method == "POST":
        current = service.preferences(db.session, current_user)
        chosen = {kind: request.form.get(f"email-{kind}") == "on" for kind in current}
        service.set_preferences(db.session, current_user, chosen)
        flash(_("已保存邮件提醒设置。"), "success")
        return redirect(url_for(".preferences"))
    choices = [
        {"kind": kind, "label": service.KINDS[kind][1 if language == "en" else 0], "email": wanted}
        for kind, wanted in service.preferences(db.session, current_user).items()
    ]
    return render_template("notifications/preferences.html", choices=choices, email=current_user.email)


def inbox_summary() -> dict[str, Any] | None:
    """For the header: the inbox link and the unread count of the signed-in person."""
    if not current_user.is_authenticated:
        return None
    return {"url": url_for("notifications.inbox"), "unread": service.unread_count(db.session, current_user)}


def register(app: Any) -> None:
    app.jinja_env.globals["inbox_summary"] = inbox_summary
