"""Health and policy listing."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify
from flask_smorest import Blueprint
from sqlalchemy import text

from talent.auth import allow_anyone
from talent.db import db

blp = Blueprint("system", __name__, description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "ok, or unavailable (503)"})
    database = ma.fields.String(metadata={"description": "with 503: what is not answering"})


@blp.route("/healthz", methods=["GET"])
@allow_anyone
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="the database does not answer")
def healthz():
    """200 {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        response = jsonify({"status": "unavailable", "database": "not answering"})
        response.status_code = 503
        return response
    return jsonify({"status": "ok"})
