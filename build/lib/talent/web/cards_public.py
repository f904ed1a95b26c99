"""Public verification of a privilege card: the page a card's QR code opens.

Anyone may ask; the answer says only whether the card is valid, the holder's masked name, the tier and the
validity — nothing that identifies the holder further. One service call decides the answer.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from talent.auth import allow_anyone
from talent.db import db
from talent.services import NotFound
from talent.services.cards import verify_card
from talent.web.case_labels import install_template_helpers

bp = Blueprint("cards_public", __name__, url_prefix="/cards")
install_template_helpers(bp)

# Verification codes are URL-safe tokens; anything else cannot be a code, so it is refused before any lookup.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


def _verification_state(answer: dict[str, Any] | None) -> dict[str, Any]:
    """valid / revoked / expired / unknown, with the masked facts the service gave and nothing else."""
    if answer is None:
        return {"state": "unknown"}
    state = "valid" if answer["valid"] else ("revoked" if answer["status"] == "revoked" else "expired")
    return {"state": state, "holder": answer["holder"], "tier": answer["tier"], "valid_until": answer["valid_until"]}


@bp.route("/verify")
@allow_anyone
def verify_form():
    code = (request.args.get("code") or "").strip()
    if not code:
        return render_template("cards/verify.html", code=None, result=None, error=None)
    if not CODE_PATTERN.match(code):
        error = _("验证码只包含字母、数字、“-”和“_”，长度 4–64 位，请核对后重新输入。")
        return render_template("cards/verify.html", code=code, result=None, error=error), 422
    return redirect(url_for(".verify", code=code))


@bp.route("/verify/<code>")
@allow_anyone
def verify(code: str):
    answer: dict[str, Any] | None = None
    if CODE_PATTERN.match(code):
        try:
            answer = verify_card(db.session, code)
        except NotFound:
            answer = None
    result = _verification_state(answer)
    status = 404 if result["state"] == "unknown" else 200
    response = render_template("cards/verify.html", code=code, result=result, error=None)
    return response, status, {"Cache-Control": "no-store"}
