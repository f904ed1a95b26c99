"""The production handler of unexpected errors (talent/errors.py, registered only when not testing): a view
that raises answers the JSON envelope or the HTML error page with no traceback, and the traceback is logged
with the request id."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from talent import create_app
from talent.auth import allow_anyone

SECRET = "internal detail 220102199001011234"  # an ID number in the exception text: logged masked, never shown


@pytest.fixture
def production_app(database_url: str, tmp_path: Any) -> Iterator[tuple[Any, io.StringIO]]:
    application = create_app(
        {
            "TESTING": False,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PASSWORD_HASHING": "cheapest",
        }
    )
    assert not application.testing and not application.debug

    @allow_anyone
    def broken() -> str:
        raise RuntimeError(SECRET)

    application.add_url_rule("/api/v1/_broken", "broken_api", broken)
    application.add_url_rule("/_broken", "broken_page", broken)
    log = io.StringIO()
    handler = application.logger.handlers[0]  # the configured JSON handler, writing here instead of stderr
    handler.setStream(log)
    try:
        yield application, log
    finally:
        application.extensions["talent.engine"].dispose()


def _logged_errors(log: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line["level"] == "ERROR"]


def _assert_no_internals(body: str) -> None:
    for leak in ("Traceback", "RuntimeError", "internal detail", "220102", "test_error_handler"):
        assert leak not in body, leak


def test_an_api_view_that_raises_answers_the_json_envelope(production_app):
    app, log = production_app
    response = app.test_client().get("/api/v1/_broken", headers={"X-Request-ID": "req-api-500"})
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json() == {"code": 500, "status": "Internal Server Error",
                                   "message": "Something went wrong on our side; it has been logged."}
    _assert_no_internals(response.get_data(as_text=True))
    assert response.headers["X-Request-ID"] == "req-api-500"
    [logged] = _logged_errors(log)
    assert logged["message"] == "unhandled error" and logged["request_id"] == "req-api-500"
    assert logged["path"] == "/api/v1/_broken" and logged["method"] == "GET"
    assert "RuntimeError" in logged["exception"] and "Traceback" in logged["exception"]
    assert "220102********1234" in logged["exception"] and "220102199001011234" not in log.getvalue()


def test_a_page_that_raises_answers_the_html_error_page(production_app):
    app, log = production_app
    response = app.test_client().get("/_broken", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and '<p class="error-code">500</p>' in page
    assert "系统出现错误，已记录，请稍后再试。" in page
    _assert_no_internals(page)
    english = app.test_client().get("/_broken?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "系统出现错误" not in english
    _assert_no_internals(english)
    request_id = response.headers["X-Request-ID"]  # made up by the app when the client sent none
    assert len(request_id) == 16
    first, _second = _logged_errors(log)
    assert first["request_id"] == request_id and first["path"] == "/_broken"
    # and the access log line of the same request carries the same id and the status
    access = [json.loads(line) for line in log.getvalue().splitlines() if '"talent.access"' in line]
    assert (request_id, 500) == (access[0]["request_id"], access[0]["status"])


def test_the_handler_is_off_while_testing(app):
    """With TESTING the exception propagates (so test failures show it): the production path above is the
    one users meet, which is why it needs its own app."""
    assert app.testing
    assert Exception not in app.error_handler_spec[None][None]
