"""Evidence uploads: PDF, JPEG or PNG recognised by content (never by name), at most 10 MB, stored outside the
web root under the instance folder's uploads/ with random names, and never served statically."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy.orm import Session

from talent.models import User
from talent.models.applications import Application, ApplicationDocument
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, ServiceError
from talent.services.audit import record_event
from talent.services.workflow import Status, flush_or_conflict, lock_application

log = logging.getLogger("talent.uploads")

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Evidence may be added while the case is still being prepared or examined.
UPLOAD_STATUSES = frozenset(
    {Status.AWAITING_ENDORSEMENT, Status.ENDORSEMENT_DECLINED, Status.IN_REVIEW, Status.CHANGES_REQUESTED}
)
MAX_DOCUMENTS_PER_APPLICATION = 30
_CHUNK = 64 * 1024


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


def store_document(
    session: Session, actor: User, application_id: int, *, stream: BinaryIO, filename: str | None,
    upload_dir: str | Path, max_bytes: int,
) -> ApplicationDocument:
    """Check and keep one evidence file for the applicant's own open case."""
    application = lock_application(session, application_id)
    if application.owner_id != actor.id:
        raise NotAllowed("Only the applicant may add evidence to this application.")
    if application.status not in UPLOAD_STATUSES:
        raise Conflict("Evidence can no longer be added to this application.")
    if len(application.documents) >= MAX_DOCUMENTS_PER_APPLICATION:
        raise Conflict(f"An application holds at most {MAX_DOCUMENTS_PER_APPLICATION} documents.")

    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    head = stream.read(8192)
    content_type = detect_content_type(head)
    if content_type is None:
        raise InvalidInput("The file is not a PDF, JPEG or PNG.", {"file": ["Upload a PDF, JPEG or PNG file."]})
    extension = ALLOWED_TYPES[content_type]
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = directory / stored_name
    digest = hashlib.sha256()
    size = 0
    # O_EXCL: never overwrite; 0o600: only the platform's user reads evidence.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(
                        f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
                        {"file": [f"At most {max_bytes // (1024 * 1024)} MB."]},
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(_CHUNK)
        if size == 0:
            raise InvalidInput("The file is empty.", {"file": ["The file is empty."]})
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
        path.unlink(missing_ok=True)
        raise
    return document


def open_document(
    session: Session, actor: User, application_id: int, document_id: int, *, upload_dir: str | Path
) -> tuple[ApplicationDocument, Path]:
    """An evidence file for its applicant or an officer."""
    application = session.get(Application, application_id)
    document = session.get(ApplicationDocument, document_id)
    if application is None or document is None or document.application_id != application.id:
        raise NotFound("No such document.")
    if not (actor.is_officer or application.owner_id == actor.id):
        raise NotAllowed("Only the applicant and officers may see the evidence.")
    path = Path(upload_dir) / document.stored_name
    if not path.is_file():
        log.error("evidence file of document %s is missing", document.id)
        raise NotFound("The file of this document is missing.")
    return document, path
