"""Errors answered as JSON for the API (one envelope) and as pages for browsers."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, UnprocessableEntity

from talent.services import ServiceError


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn nested marshmallow/webargs messages into {"field.path": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        flat[prefix or "_schema"] = list(errors)
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(errors)]
    return flat


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_payload(status: int, name: str, message: str, errors: dict[str, list[str]] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"code": status, "status": name, "message": message}
    if errors:
        payload["errors"] = errors
    return payload


def _respond(status: int, name: str, message: str, errors: dict[str, list[str]] | None, headers: Any = None):
    if wants_json():
        response = jsonify(error_payload(status, name, message, errors))
        response.status_code = status
        if headers:
            response.headers.update(headers)
        return response
    return (render_template("errors/error.html", status=status, name=name, **_page_texts(message, errors)), status,
            headers or {})


def _page_texts(message: str, errors: dict[str, list[str]] | None) -> dict[str, Any]:
    """The message and field errors of an error page in the page's language: a service's refusal in the page's
    language (talent.names.refusals); other English text only on English pages (the heading says what happened)."""
    from talent.i18n import current_language
    from talent.names.refusals import Refusal

    language = current_language()

    def shown(text: str) -> str | None:
        if isinstance(text, Refusal):
            return text.text(language)
        if language == "zh" and text and text.isascii():
            return None
        return text

    from talent.names.policy import FACT_LABELS
    from talent.names.workflow import CHANGE_FIELDS

    def field_name(path: str) -> str:
        names = FACT_LABELS.get(path) or CHANGE_FIELDS.get(path)
        return names[language] if names else ("" if path == "_schema" or language == "zh" else path)

    shown_errors: dict[str, list[str]] = {}
    for path, texts in (errors or {}).items():
        kept = [m for m in (shown(t) for t in texts) if m]
        if kept:
            shown_errors.setdefault(field_name(path), []).extend(kept)
    return {"message": shown(message or ""), "errors": shown_errors or None}


_LOCATIONS = {"json", "query", "querystring", "form", "files", "view_args", "headers", "cookies"}


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if errors is not None:
        # webargs nests messages under the request location ("json", "query", "form"); callers only
        # care about the field, so drop that level.
        if isinstance(errors, dict) and errors and set(errors) <= _LOCATIONS:
            merged: dict[str, Any] = {}
            for location in errors.values():
                if isinstance(location, dict):
                    merged.update(location)
                else:  # e.g. {"json": ["Invalid JSON body."]}: a problem with the body as a whole
                    merged.setdefault("_schema", []).extend(location if isinstance(location, list) else [location])
            errors = merged
        errors = flatten_errors(errors)
    message = data.get("message") or error.description or error.name
    if isinstance(error, UnprocessableEntity) and not data.get("message"):
        message = "The input is not valid: see errors for each field."
    headers = data.get("headers")
    if error.code == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="talent"'}
    if error.code == 405 and getattr(error, "valid_methods", None):
        # RFC 9110: a 405 names the methods the resource does allow
        headers = {**(headers or {}), "Allow": ", ".join(error.valid_methods)}
    return _respond(error.code or 500, error.name, message, errors, headers)


def handle_service_error(error: ServiceError):
    from talent.db import db
    from talent.services.identities import keep_refusal_record

    keep_refusal_record(db.session, error)  # e.g. an ID number of another account: officers see the attempt
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity",
             429: "Too Many Requests"}
    headers = {"WWW-Authenticate": 'Bearer realm="talent"'} if error.status == 401 else None
    return _respond(error.status, names.get(error.status, "Error"), error.message, error.errors or None, headers)


def handle_unexpected(error: Exception):
    from flask import current_app, g

    # the request id ties the traceback to the access-log line and to the X-Request-ID the client got
    current_app.logger.exception(
        "unhandled error", extra={"request_id": g.get("request_id"), "method": request.method, "path": request.path}
    )
    wrapped = InternalServerError()
    return _respond(500, wrapped.name, "Something went wrong on our side; it has been logged.", None)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
