"""Health and policy listing."""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint
from sqlalchemy import text

from talent.auth import allow_anyone
from talent.db import db

blp = Blueprint("system", __name__, description="Service health")


@blp.route("/healthz", methods=["GET"])
@allow_anyone
def healthz():
    """200 {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        response = jsonify({"status": "unavailable", "database": "not answering"})
        response.status_code = 503
        return response
    return jsonify({"status": "ok"})
