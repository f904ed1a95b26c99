"""The storage interface (TALENT_STORAGE_URL): a folder, or S3 — tested against a real S3 protocol server
(moto's server mode in a subprocess) — and evidence uploads through it, never left behind by a failed request."""

from __future__ import annotations

import io
import os
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from talent import create_app
from talent.models.applications import ApplicationDocument
from talent.storage import FileStorage, S3Storage, StoredFileMissing, storage_for, storage_from_url
from tests import support_services
from tests.conftest import empty_all_tables
from tests.services.workflow_support import case_in, make_people, token_for

s3_server = support_services.s3_server  # fixtures of this module
s3_credentials = support_services.s3_credentials

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def exercise(storage) -> None:
    storage.put("evidence/a.pdf", PDF, content_type="application/pdf")
    storage.put("cards/深圳 1.pdf", io.BytesIO(b"x" * 3_000_000))
    assert storage.get("evidence/a.pdf") == PDF
    assert storage.get("cards/深圳 1.pdf") == b"x" * 3_000_000
    assert storage.exists("evidence/a.pdf") and not storage.exists("evidence/b.pdf")
    storage.put("evidence/a.pdf", b"replaced")
    assert storage.get("evidence/a.pdf") == b"replaced"
    storage.delete("evidence/a.pdf")
    storage.delete("evidence/a.pdf")  # deleting what is gone is no error
    with pytest.raises(StoredFileMissing):
        storage.get("evidence/a.pdf")
    for bad in ("../x", "/etc/passwd", "a//b", "a/./b", ""):
        with pytest.raises(ValueError):
            storage.put(bad, b"no")


def test_a_folder(tmp_path):
    storage = storage_from_url((tmp_path / "files").as_uri())
    assert isinstance(storage, FileStorage)
    exercise(storage)
    stored = tmp_path / "files" / "cards" / "深圳 1.pdf"
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert not [p for p in (tmp_path / "files").rglob(".upload-*")]  # no temporary files left


def test_an_s3_bucket_on_a_real_s3_protocol_server(s3_server, s3_credentials):
    storage = storage_from_url(f"s3://{s3_server['bucket']}/talent/test", endpoint_url=s3_server["endpoint"])
    assert isinstance(storage, S3Storage)
    exercise(storage)
    keys = [o["Key"] for o in s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"])["Contents"]]
    assert "talent/test/cards/深圳 1.pdf" in keys


def test_storage_urls_are_checked(tmp_path):
    for bad in ("ftp://x/y", "s3:///prefix", "file://otherhost/x", "files"):
        with pytest.raises(ValueError):
            storage_from_url(bad)


def test_the_default_is_the_instance_files_folder(app):
    storage = storage_for(app)
    assert isinstance(storage, FileStorage)
    assert storage.root == Path(app.config["INSTANCE_PATH"]) / "files"


# --- evidence through the API ------------------------------------------------------------------------------

@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def stored_files(app) -> list[str]:
    """Every file kept in the instance folder: in the default storage (files/) or where older versions kept
    evidence (uploads/). (Keys generated for development sit beside them.)"""
    root = Path(app.config["INSTANCE_PATH"])
    return sorted(str(p.relative_to(root)) for folder in ("files", "uploads") for p in (root / folder).rglob("*")
                  if p.is_file())


def upload(client, case_id: int, user, content: bytes = PDF):
    return client.post(f"/api/v1/applications/{case_id}/documents", headers=token_for(user),
                       data={"file": (io.BytesIO(content), "合同.pdf")}, content_type="multipart/form-data")


def test_evidence_is_stored_and_downloaded_through_storage(app, client, db_session, people):
    case = case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()
    answer = upload(client, case.id, people.applicant)
    assert answer.status_code == 201, answer.json
    document = db_session.get(ApplicationDocument, answer.json["id"])
    assert stored_files(app) == [f"files/evidence/{document.stored_name}"]
    download = client.get(f"/api/v1/applications/{case.id}/documents/{document.id}", headers=token_for(people.officer))
    assert download.status_code == 200 and download.data == PDF


def test_evidence_of_older_versions_is_still_read_from_the_uploads_folder(app, client, db_session, people):
    case = case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()
    document = db_session.get(ApplicationDocument, upload(client, case.id, people.applicant).json["id"])
    # Where versions before the storage interface kept it:
    legacy = Path(app.config["UPLOAD_PATH"])
    legacy.mkdir(parents=True)
    (legacy / document.stored_name).write_bytes(b"%PDF-1.4 legacy")
    storage_for(app).delete(f"evidence/{document.stored_name}")
    download = client.get(f"/api/v1/applications/{case.id}/documents/{document.id}", headers=token_for(people.officer))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 legacy"


def test_a_request_that_fails_after_writing_the_file_leaves_nothing_in_storage(app, client, db_session, people,
                                                                              monkeypatch):
    case = case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()
    import talent.api.applications as api_applications

    real_store = api_applications.uploads.store_document

    def store_then_fail(*args, **kwargs):
        real_store(*args, **kwargs)
        raise RuntimeError("the request fails after the file was written")

    monkeypatch.setattr(api_applications.uploads, "store_document", store_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = upload(client, case.id, people.applicant)
    assert answer.status_code == 500
    assert stored_files(app) == []
    assert db_session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0


def test_a_commit_that_fails_leaves_nothing_in_storage(app, client, db_session, people, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    case = case_in(db_session, people, "awaiting_endorsement")
    db_session.commit()

    def commit_fails(self):
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(Session, "commit", commit_fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = upload(client, case.id, people.applicant)
    monkeypatch.undo()
    assert answer.status_code == 500
    assert stored_files(app) == []


def test_evidence_in_s3_through_the_api(database_url, tmp_path, s3_server, s3_credentials):
    prefix = f"run-{uuid.uuid4().hex[:8]}"
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                      "INSTANCE_PATH": str(tmp_path / "instance"), "PASSWORD_HASHING": "cheapest",
                      "STORAGE_URL": f"s3://{s3_server['bucket']}/{prefix}", "S3_ENDPOINT_URL": s3_server["endpoint"],
                      "PROPAGATE_EXCEPTIONS": False})
    try:
        session = app.extensions["talent.db"]()
        people = make_people(session)
        case = case_in(session, people, "awaiting_endorsement")
        session.commit()
        client = app.test_client()
        answer = upload(client, case.id, people.applicant)
        assert answer.status_code == 201
        stored_name = session.get(ApplicationDocument, answer.json["id"]).stored_name
        objects = s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"], Prefix=prefix)["Contents"]
        assert [o["Key"] for o in objects] == [f"{prefix}/evidence/{stored_name}"]
        download = client.get(f"/api/v1/applications/{case.id}/documents/{answer.json['id']}",
                              headers=token_for(people.officer))
        assert download.data == PDF
        # A request failing after the write leaves no object behind in S3 either.
        import talent.api.applications as api_applications

        real_store = api_applications.uploads.store_document

        def store_then_fail(*args, **kwargs):
            real_store(*args, **kwargs)
            raise RuntimeError("the request fails after the file was written")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(api_applications.uploads, "store_document", store_then_fail)
            assert upload(client, case.id, people.applicant).status_code == 500
        assert len(s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"], Prefix=prefix)["Contents"]) == 1
        session.close()
    finally:
        empty_all_tables(app)
        app.extensions["talent.engine"].dispose()


def test_evidence_of_older_versions_can_be_copied_into_storage(app, s3_server, s3_credentials):
    from click.testing import CliRunner

    from talent.cli import main

    legacy = Path(app.config["UPLOAD_PATH"])
    legacy.mkdir(parents=True)
    (legacy / "aaaa.pdf").write_bytes(b"%PDF-1.4 a")
    (legacy / "bbbb.png").write_bytes(b"\x89PNG b")
    prefix = f"copy-{uuid.uuid4().hex[:8]}"
    env = {"TALENT_DATABASE_URL": app.config["DATABASE_URL"], "TALENT_INSTANCE_PATH": app.config["INSTANCE_PATH"],
           "TALENT_SECRET_KEY": "k" * 40, "TALENT_STORAGE_URL": f"s3://{s3_server['bucket']}/{prefix}",
           "TALENT_S3_ENDPOINT_URL": s3_server["endpoint"]}
    first = CliRunner().invoke(main, ["storage", "copy-uploads"], env=env)
    assert first.exit_code == 0, first.output
    assert "2 file(s) copied" in first.output and "0 already there" in first.output
    again = CliRunner().invoke(main, ["storage", "copy-uploads"], env=env)
    assert "0 file(s) copied" in again.output and "2 already there" in again.output
    storage = storage_from_url(env["TALENT_STORAGE_URL"], endpoint_url=s3_server["endpoint"])
    assert storage.get("evidence/aaaa.pdf") == b"%PDF-1.4 a" and storage.get("evidence/bbbb.png") == b"\x89PNG b"
