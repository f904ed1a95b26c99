"""Production mode (TALENT_ENV=production): refuses to start half-configured, sends HSTS and Secure cookies,
refuses demo data and the published demo password; QR codes never take their host from the request."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from talent import create_app
from talent.production import ProductionConfigError
from talent.services import InvalidInput
from tests.services.workflow_support import case_in, make_people, token_for

GOOD_KEY = "k" * 32
# A key as `talent keys new` prints it: 32 bytes, URL-safe base64 (talent/keys.py).
ID_KEY = "k1:" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"


def production_config(database_url: str, tmp_path, **changes):
    config = {
        "ENV": "production", "TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "i"),
        "SECRET_KEY": GOOD_KEY, "ID_KEY": ID_KEY, "PUBLIC_BASE_URL": "https://talent.example.cn",
        "PASSWORD_HASHING": "cheapest",
    }
    config.update(changes)
    return {key: value for key, value in config.items() if value is not None}


@pytest.mark.parametrize(("changes", "named"), [
    ({"SECRET_KEY": None}, "TALENT_SECRET_KEY"),
    ({"SECRET_KEY": "k" * 31}, "TALENT_SECRET_KEY"),
    ({"ID_KEY": None}, "TALENT_ID_KEY"),
    ({"PUBLIC_BASE_URL": None}, "TALENT_PUBLIC_BASE_URL"),
    ({"PUBLIC_BASE_URL": "http://talent.example.cn"}, "TALENT_PUBLIC_BASE_URL"),
    ({"PUBLIC_BASE_URL": "https://"}, "TALENT_PUBLIC_BASE_URL"),
])
def test_production_refuses_to_start_half_configured(tmp_path, changes, named):
    with pytest.raises(ProductionConfigError) as refusal:
        create_app(production_config(f"sqlite:///{tmp_path}/x.db", tmp_path, **changes))
    assert named in str(refusal.value)
    assert len(refusal.value.problems) == 1


def test_an_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ProductionConfigError, match="TALENT_ENV"):
        create_app(production_config(f"sqlite:///{tmp_path}/x.db", tmp_path, ENV="staging"))


def test_the_environment_variables_configure_production(tmp_path, monkeypatch):
    for variable, value in {"TALENT_ENV": "production", "TALENT_SECRET_KEY": GOOD_KEY, "TALENT_ID_KEY": ID_KEY,
                            "TALENT_PUBLIC_BASE_URL": "https://talent.example.cn",
                            "TALENT_INSTANCE_PATH": str(tmp_path / "i")}.items():
        monkeypatch.setenv(variable, value)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.delenv("TALENT_SECRET_KEY")
    with pytest.raises(ProductionConfigError, match="TALENT_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_sends_hsts_and_secure_cookies(database_url, tmp_path):
    app = create_app(production_config(database_url, tmp_path))
    client = app.test_client()
    response = client.get("/login", base_url="https://talent.example.cn")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = [cookie for cookie in response.headers.getlist("Set-Cookie") if "Max-Age=0" not in cookie]
    assert cookies and all("; Secure" in cookie for cookie in cookies), cookies
    app.extensions["talent.engine"].dispose()


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_seed_demo_is_refused_in_production(database_url, tmp_path, monkeypatch):
    from talent.cli import main

    for variable, value in {"TALENT_ENV": "production", "TALENT_SECRET_KEY": GOOD_KEY, "TALENT_ID_KEY": ID_KEY,
                            "TALENT_PUBLIC_BASE_URL": "https://talent.example.cn",
                            "TALENT_DATABASE_URL": database_url, "TALENT_INSTANCE_PATH": str(tmp_path / "i")}.items():
        monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["seed-demo"])
    assert result.exit_code == 1 and "production" in result.output
    result = CliRunner().invoke(main, ["users", "create", "--role", "officer", "--email", "o@example.cn",
                                       "--password", "demo-pass-2026", "--name", "赵"])
    assert result.exit_code == 1 and "published" in result.output


def test_the_published_demo_password_is_refused_in_production_only(database_url, tmp_path, app, db_session):
    from talent.services.accounts import create_user

    with app.app_context():  # development: the demo accounts use it
        create_user(db_session, email="dev@example.cn", password="demo-pass-2026", name="开发", role="officer")
    db_session.rollback()
    production = create_app(production_config(database_url, tmp_path))
    with production.app_context(), pytest.raises(InvalidInput) as refusal:
        create_user(db_session, email="prod@example.cn", password="demo-pass-2026", name="生产", role="officer")
    assert "password" in refusal.value.errors
    production.extensions["talent.engine"].dispose()


def _qr_text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "card.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "card.pdf"), str(tmp_path / "card")], check=True)
    pages = sorted(str(path) for path in tmp_path.glob("card-*.png"))  # the QR code is on the back
    found = subprocess.run(["zbarimg", "--raw", "-q", *pages], capture_output=True, text=True)
    for page in pages:
        (tmp_path / page).unlink()
    return found.stdout.strip()


@pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")), reason="needs zbar-tools, poppler")
def test_the_card_qr_code_never_takes_the_request_host(app, client, db_session, tmp_path):
    people = make_people(db_session)
    granted = case_in(db_session, people, "granted")
    db_session.commit()
    url = f"/api/v1/cards/{granted.card.number}.pdf"
    hostile = {"Host": "evil.example"}
    # development without a public address: the development server's own address
    pdf = client.get(url, headers={**token_for(people.applicant), **hostile}).data
    text = _qr_text(pdf, tmp_path)
    assert text.startswith("http://127.0.0.1:5000/") and "evil" not in text, text
    app.config["PUBLIC_BASE_URL"] = "https://talent.example.cn"
    pdf = client.get(url, headers={**token_for(people.applicant), **hostile}).data
    text = _qr_text(pdf, tmp_path)
    assert text.startswith("https://talent.example.cn/") and granted.card.verification_code in text, text
