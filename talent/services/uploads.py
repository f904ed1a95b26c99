"""Evidence uploads: PDF, JPEG or PNG recognised by content (never by name), at most 10 MB, kept in the
platform's storage (`talent.storage`, key `evidence/<random name>`) and never served statically.

A file is written to storage while its request's transaction is open and deleted again if that transaction
does not commit (the request failed after the file was written), so storage never keeps a file without its
document row. Files of older versions, kept under the instance folder's uploads/, are still read from there."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy.orm import Session

from talent.commit_hooks import after_rollback
from talent.models import User
from talent.models.applications import Application, ApplicationDocument
from talent.names import refusals
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, ServiceError
from talent.services.audit import record_event
from talent.services.workflow import Status, flush_or_conflict, lock_application
from talent.storage import FileStorage, Storage, StoredFileMissing

log = logging.getLogger("talent.uploads")

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Evidence may be added while the case is still being prepared or examined.
UPLOAD_STATUSES = frozenset(
    {Status.AWAITING_ENDORSEMENT, Status.ENDORSEMENT_DECLINED, Status.IN_REVIEW, Status.CHANGES_REQUESTED}
)
MAX_DOCUMENTS_PER_APPLICATION = 30
_CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024
EVIDENCE_PREFIX = "evidence/"


class UploadTooLarge(ServiceError):
    status = 413


def detect_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes: application/pdf, image/jpeg, image/png, or None."""
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    # filetype recognises many formats; keep the three we accept and double-check their signatures.
    if mime == "application/pdf" and head.startswith(b"%PDF-"):
        return mime
    if mime == "image/jpeg" and head.startswith(b"\xff\xd8\xff"):
        return mime
    if mime == "image/png" and head.startswith(b"\x89PNG\r\n\x1a\n"):
        return mime
    return None


def safe_display_name(filename: str | None, extension: str) -> str:
    """The uploader's file name, for display only: no directories, no control characters, bounded length."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or f"document.{extension}"
    return name[-200:]


def evidence_key(stored_name: str) -> str:
    return f"{EVIDENCE_PREFIX}{stored_name}"


def _storage(storage: Storage | None, upload_dir: str | Path | None) -> Storage:
    if storage is not None:
        return storage
    if upload_dir is not None:
        return FileStorage(upload_dir)
    from talent.storage import current_storage

    return current_storage()


def store_document(
    session: Session, actor: User, application_id: int, *, stream: BinaryIO, filename: str | None,
    max_bytes: int, storage: Storage | None = None, upload_dir: str | Path | None = None,
) -> ApplicationDocument:
    """Check and keep one evidence file for the applicant's own open case (in `storage`; in a folder of that
    name when only `upload_dir` is given; by default in the application's storage)."""
    application = lock_application(session, application_id)
    if application.owner_id != actor.id:
        raise NotAllowed(refusals.UPLOAD_OWNER_ONLY)
    if application.status not in UPLOAD_STATUSES:
        raise Conflict(refusals.UPLOAD_CLOSED)
    if len(application.documents) >= MAX_DOCUMENTS_PER_APPLICATION:
        raise Conflict(refusals.UPLOAD_LIMIT.with_detail(
            f"An application holds at most {MAX_DOCUMENTS_PER_APPLICATION} documents."))

    target = _storage(storage, upload_dir)
    head = stream.read(8192)
    content_type = detect_content_type(head)
    if content_type is None:
        raise InvalidInput("The file is not a PDF, JPEG or PNG.", {"file": [refusals.UPLOAD_KIND]})
    extension = ALLOWED_TYPES[content_type]
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    key = evidence_key(stored_name)
    digest = hashlib.sha256()
    size = 0
    # Checked whole (type, size, digest) before anything reaches storage.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        chunk = head
        while chunk:
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(
                    refusals.UPLOAD_TOO_LARGE.with_detail(f"The file is larger than {max_bytes // (1024 * 1024)} MB."),
                    {"file": [refusals.UPLOAD_TOO_LARGE.with_detail(f"At most {max_bytes // (1024 * 1024)} MB.")]},
                )
            digest.update(chunk)
            spool.write(chunk)
            chunk = stream.read(_CHUNK)
        if size == 0:
            raise InvalidInput(refusals.UPLOAD_EMPTY, {"file": [refusals.UPLOAD_EMPTY]})
        spool.seek(0)
        target.put(key, spool, content_type=content_type)  # type: ignore[arg-type]
    try:
        # If the transaction does not commit — here, or later in the request — the file goes too.
        after_rollback(session, lambda: target.delete(key))
        document = ApplicationDocument(
            application=application,
            uploaded_by_id=actor.id,
            original_name=safe_display_name(filename, extension),
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            stored_name=stored_name,
        )
        session.add(document)
        flush_or_conflict(session)
        record_event(
            session, actor=actor, action="document.uploaded", entity_type="document", entity_id=document.id,
            after={"application_id": application.id, "content_type": content_type, "size": size,
                   "sha256": document.sha256},
        )
        # Bump the case's version: a decision taken at the same moment sees that evidence arrived.
        application.updated_at = document.uploaded_at
        flush_or_conflict(session)
    except BaseException:
        target.delete(key)
        raise
    return document


def open_document(
    session: Session, actor: User, application_id: int, document_id: int, *, upload_dir: str | Path | None = None,
    storage: Storage | None = None,
) -> tuple[ApplicationDocument, BinaryIO]:
    """An evidence file for its applicant or an officer: the document and its content (from storage, or from
    `upload_dir`, the folder where versions before the storage interface kept evidence)."""
    application = session.get(Application, application_id)
    document = session.get(ApplicationDocument, document_id)
    if application is None or document is None or document.application_id != application.id:
        raise NotFound("No such document.")
    if not (actor.is_officer or application.owner_id == actor.id):
        raise NotAllowed("Only the applicant and officers may see the evidence.")
    source = storage if storage is not None else _storage(None, None)
    try:
        return document, io.BytesIO(source.get(evidence_key(document.stored_name)))
    except StoredFileMissing:
        pass
    legacy = Path(upload_dir) / document.stored_name if upload_dir is not None else None
    if legacy is None or not legacy.is_file():
        log.error("evidence file of document %s is missing", document.id)
        raise NotFound("The file of this document is missing.")
    return document, io.BytesIO(legacy.read_bytes())
