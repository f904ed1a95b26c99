"""The application shell: health, languages, OpenAPI, error envelopes and logging."""

from __future__ import annotations

import json
import logging


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(app, tmp_path):
    from sqlalchemy import create_engine

    from talent.db import db

    broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/nothing/x.db")
    with app.app_context():
        app.extensions["talent.db"].configure(bind=broken)
        try:
            response = app.test_client().get("/healthz")
        finally:
            app.extensions["talent.db"].configure(bind=db.engine)
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_home_page_is_chinese_by_default(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in page
    assert "长春人才服务平台" in page
    assert "用人单位" in page and "高校毕业生" in page


def test_english_by_switch_and_by_accept_language(client):
    by_switch = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in by_switch
    assert "Changchun Talent Services" in by_switch
    # the choice sticks for the session
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_accept_language_picks_english(app):
    page = app.test_client().get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    page = app.test_client().get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in spec["paths"]
    assert "/api/v1/auth/register" in spec["paths"]


def test_api_docs_page_is_served_without_external_assets(client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/api/v1/auth/token" in page
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page


def test_unknown_api_path_answers_the_json_envelope(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == 404 and body["status"] == "Not Found" and body["message"]


def test_unknown_page_answers_an_html_page(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)


def test_json_clients_get_json_errors_outside_the_api(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_access_log_is_json_and_masks_id_numbers(client, caplog):
    from talent.logs import JsonFormatter

    with caplog.at_level(logging.INFO, logger="talent.access"):
        client.get("/no-such-page/11010519491231002X")
    records = [r for r in caplog.records if r.name == "talent.access"]
    assert records, "every request is logged"
    line = JsonFormatter().format(records[-1])
    payload = json.loads(line)
    assert payload["status"] == 404 and payload["method"] == "GET"
    assert "11010519491231002X" not in line
    assert "110105********002X" in line


def test_malformed_json_is_a_clear_400_not_a_500(client):
    response = client.post("/api/v1/auth/token", data="{", content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == 400 and body["errors"] == {"_schema": ["Invalid JSON body."]}


def test_language_switch_link_survives_hostile_query_strings(client):
    for path in ["/?_method=DELETE", "/login?next=/x&next=/y", "/?lang=en&endpoint=x&_anchor=y"]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_absurd_ids_in_urls_are_404(client):
    assert client.post("/api/v1/employers/99999999999999999999/verification").status_code == 404


def test_stored_times_are_shown_in_changchun_time(app):
    import datetime as dt

    from talent.web.filters import iso_date

    with app.test_request_context("/"):
        assert iso_date(dt.datetime(2024, 5, 31, 23, 30, tzinfo=dt.UTC)) == "2024-06-01 07:30"
        assert iso_date(dt.datetime(2024, 5, 31, 23, 30)) == "2024-06-01 07:30"  # naive = UTC (SQLite)


def test_session_cookie_secure_follows_https_base_url():
    from talent.config import load_config

    assert load_config({"PUBLIC_BASE_URL": "https://talent.example.gov.cn"}, environ={})["SESSION_COOKIE_SECURE"]
    assert not load_config({}, environ={})["SESSION_COOKIE_SECURE"]
    assert load_config({}, environ={"TALENT_SESSION_COOKIE_SECURE": "1"})["SESSION_COOKIE_SECURE"]
