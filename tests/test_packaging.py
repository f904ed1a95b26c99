"""`pip install .[server]` (not editable) into a fresh virtual environment outside the repository serves the pages
and renders the PDFs: templates, static files, translations, policies and the documents' CSS travel as package
data. Slow (it installs every dependency from the pip cache): `.ci/run` runs it once with `-m slow`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def test_a_wheel_installed_outside_the_checkout_serves_pages_and_pdfs(tmp_path):
    # Build from a copy of the sources, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", "*.mo"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                   check=True, cwd=tmp_path)
    wheel = next(wheels.glob("talent-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{wheel}[server]"], check=True, cwd=tmp_path)

    site = subprocess.run([str(python), "-c", "import talent, pathlib; print(pathlib.Path(talent.__file__).parent)"],
                          check=True, capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert not site.startswith(str(REPOSITORY)), site  # the installed copy, not the checkout
    for shipped in ("templates/base.html", "templates/documents/document_fonts.css", "static/css/app.css",
                    "translations/en/LC_MESSAGES/core.mo", "rules/policies"):
        assert (Path(site) / shipped).exists(), shipped

    environment = {key: value for key, value in os.environ.items() if not key.startswith("TALENT_")}
    environment.update({"TALENT_INSTANCE_PATH": str(tmp_path / "instance"), "TALENT_LOG_JSON": "0",
                        "TALENT_SECRET_KEY": "packaging-test-secret-key-of-32-bytes!", "PYTHONPATH": ""})
    port = _free_port()
    environment["TALENT_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    talent = str(venv / "bin" / "talent")
    subprocess.run([talent, "init-db"], check=True, cwd=tmp_path, env=environment, capture_output=True)
    subprocess.run([talent, "seed-demo"], check=True, cwd=tmp_path, env=environment, capture_output=True)
    server = subprocess.Popen(
        # With the platform's own gunicorn settings, as the README runs it: they ship inside the package.
        [str(venv / "bin" / "gunicorn"), "-c", "python:talent.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "talent:create_app()"],
        cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the installed app did not start")
        for path, marker in (("/", "长春"), ("/?lang=en", "Changchun"), ("/jobs", "岗位"), ("/login", "密码"),
                             ("/eligibility", "身份证"), ("/api/v1/docs", "openapi")):
            status, kind, body = _get(base + path)
            assert status == 200 and kind == "text/html", (path, status)
            assert marker in body.decode(), path
        status, kind, _ = _get(f"{base}/static/css/app.css")
        assert status == 200 and kind == "text/css"
        status, kind, body = _get(f"{base}/api/v1/openapi.json")
        assert status == 200 and b'"paths"' in body

        import json

        status, _, body = _get(f"{base}/api/v1/auth/token", {"Content-Type": "application/json"},
                               json.dumps({"email": "applicant@demo.talent.cc", "password": "demo-pass-2026"}).encode())
        assert status == 200, body
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        status, _, body = _get(f"{base}/api/v1/applications", bearer)
        cases = json.loads(body)
        granted = next(case for case in cases if case["status"] == "granted")
        card = json.loads(_get(f"{base}/api/v1/applications/{granted['id']}", bearer)[2])["card"]
        for url in (f"{base}/api/v1/cards/{card['number']}.pdf", f"{base}/api/v1/applications/{granted['id']}/letter.pdf"):
            status, kind, pdf = _get(url, bearer)
            assert status == 200 and kind == "application/pdf" and pdf.startswith(b"%PDF"), url
            text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
            assert "李明远".encode() in text, url
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output[-3000:]
