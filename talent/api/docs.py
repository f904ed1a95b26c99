"""A readable API reference page built from the OpenAPI document, with no external assets."""

from __future__ import annotations

from flask import current_app, render_template
from flask_smorest import Blueprint

from talent.auth import allow_anyone

blp = Blueprint("api_docs", __name__, url_prefix="/api/v1", description="API documentation page")


@blp.route("/docs", methods=["GET"])
@blp.doc(responses={"200": {"description": "the API reference as a page",
                             "content": {"text/html": {"schema": {"type": "string"}}}}})
@allow_anyone
def docs_page():
    spec = current_app.extensions["talent.api"].spec.to_dict()
    operations = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, operation in methods.items():
            if method.startswith("x-") or method == "parameters":
                continue
            operations.append({"path": path, "method": method.upper(), **operation})
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template("public/api_docs.html", spec=spec, operations=operations, schemas=schemas)
