"""Identity: an ID number belongs to one account — the first that applied with it — and is kept encrypted.

The number is stored once, in `identities`, encrypted with AES-GCM under the current key of `TALENT_ID_KEY`
(talent.keys) and found by its keyed HMAC digest. Applications point to their identity and keep the rest of
their facts; the rule engine is given the facts with the number put back, in memory only. Another account
that applies with a number already bound is refused (422 on `facts.id_number`) and the refusal is recorded as
an audit event (`identity.refused`) for officers, in its own transaction since the request itself rolls back.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talent import codes
from talent.keys import Keyring, keyring_of
from talent.models import User
from talent.models.applications import Application, PersonRecord
from talent.models.identities import Identity
from talent.names import refusals
from talent.services import InvalidInput
from talent.services.audit import record_event

ID_CONTEXT = "id_number"
TAKEN = refusals.ID_NUMBER_TAKEN
REQUIRED = refusals.ID_NUMBER_REQUIRED


class IdentityTaken(InvalidInput):
    """Refused because the ID number belongs to another account; `record_refusal` keeps a trace of it."""

    def __init__(self, identity: Identity, actor: User, masked: str) -> None:
        super().__init__("The ID number belongs to another account.", {"facts.id_number": [TAKEN]})
        self.identity_id = identity.id
        self.owner_id = identity.owner_id
        self.actor_id = actor.id
        self.masked = masked

    def record_refusal(self, session: Session) -> None:
        """Write the audit event (the caller has rolled the request back and commits this on its own)."""
        actor = session.get(User, self.actor_id)
        record_event(session, actor=actor, action="identity.refused", entity_type="identity",
                     entity_id=self.identity_id,
                     after={"id_number": self.masked, "owner_id": self.owner_id, "refused_user_id": self.actor_id})
        session.flush()


def keep_refusal_record(session: Session, error: Exception) -> None:
    """After a refused request was rolled back: commit the trace a refusal leaves, if any."""
    if isinstance(error, IdentityTaken):
        session.rollback()
        error.record_refusal(session)
        session.commit()


def find_identity(session: Session, id_number: str) -> Identity | None:
    digest = keyring_of(session).digest(codes.normalise_id_number(id_number))
    return session.scalar(select(Identity).where(Identity.id_digest == digest))


def identity_for(session: Session, actor: User, id_number: Any) -> Identity:
    """The identity of this (valid) ID number for `actor`: created and bound on first use, refused when it
    belongs to another account."""
    if not isinstance(id_number, str) or not id_number.strip():
        raise InvalidInput("The ID number is required.", {"facts.id_number": [REQUIRED]})
    number = codes.normalise_id_number(id_number)
    ring = keyring_of(session)
    found = session.scalar(select(Identity).where(Identity.id_digest == ring.digest(number)))
    if found is not None:
        if found.owner_id != actor.id:
            raise IdentityTaken(found, actor, codes.mask_id_number(number))
        return found
    identity = Identity(id_digest=ring.digest(number), id_cipher=ring.encrypt(number, ID_CONTEXT),
                        key_id=ring.current_kid, owner_id=actor.id, id_masked=codes.mask_id_number(number))
    try:
        # Two accounts applying with a new number at the same moment: the unique digest lets one win.
        with session.begin_nested():
            session.add(identity)
            session.flush()
    except IntegrityError:
        winner = session.scalar(select(Identity).where(Identity.id_digest == ring.digest(number)))
        if winner is None:
            raise
        if winner.owner_id != actor.id:
            raise IdentityTaken(winner, actor, codes.mask_id_number(number)) from None
        return winner
    record_event(session, actor=actor, action="identity.bound", entity_type="identity", entity_id=identity.id,
                 after={"id_number": codes.mask_id_number(number), "owner_id": actor.id})
    return identity


def id_number_of(application: Application) -> str | None:
    """The application's full ID number, decrypted (for the rule engine and masking; never stored)."""
    identity = application.identity
    if identity is not None:
        from sqlalchemy.orm import object_session

        return keyring_of(object_session(application)).decrypt(identity.id_cipher, ID_CONTEXT)
    legacy = application.facts.get("id_number") if isinstance(application.facts, dict) else None
    return legacy if isinstance(legacy, str) else None


def full_facts(application: Application) -> dict[str, Any]:
    """The facts with the ID number put back, in memory."""
    facts = copy.deepcopy(application.facts)
    number = id_number_of(application)
    if number is not None:
        facts["id_number"] = number
    return facts


def without_id_number(facts: dict[str, Any]) -> dict[str, Any]:
    stored = dict(facts)
    stored.pop("id_number", None)
    return stored


def person_record(session: Session, application: Application) -> PersonRecord | None:
    """The history record of the person (found by the ID number's digest; by the account for old cases
    without an identity)."""
    if application.identity is not None:
        return session.scalar(select(PersonRecord).where(PersonRecord.id_digest == application.identity.id_digest))
    return session.scalar(select(PersonRecord).where(PersonRecord.user_id == application.owner_id))


def identity_refusals(session: Session, actor: User, *, limit: int = 100) -> list[dict[str, Any]]:
    """Officers: the latest attempts to apply with an ID number that belongs to another account."""
    from talent.models import AuditEvent
    from talent.services import NotAllowed

    if not actor.is_officer:
        raise NotAllowed("Only officers see refused ID numbers.")
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.action == "identity.refused")
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    ))
    ids = {e.actor_id for e in events if e.actor_id} | {(e.after or {}).get("owner_id") for e in events}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([i for i in ids if i])))}

    def account(user_id: Any) -> dict[str, Any] | None:
        user = users.get(user_id)
        return {"id": user.id, "name": user.name, "email": user.email} if user else None

    return [
        {"id": event.id, "at": event.occurred_at.isoformat(), "id_number": (event.after or {}).get("id_number"),
         "refused_account": account(event.actor_id), "owner_account": account((event.after or {}).get("owner_id"))}
        for event in events
    ]


# --- moving old rows and rotating keys (`talent keys rotate`) ----------------------------------------------

def _legacy_digest(number: str) -> str:
    """The unkeyed digest that versions before 0008 stored in person_records."""
    return hashlib.sha256(f"talent.person:{number}".encode()).hexdigest()


def rotate(session: Session, ring: Keyring) -> dict[str, int]:
    """Re-encrypt every ID number and TOTP secret under the current key, recompute every lookup digest, and
    move plain-text ID numbers still in `applications.facts` into `identities`. Idempotent."""
    counts = {"identities": 0, "moved": 0, "person_records": 0, "totp_secrets": 0}
    digest_map: dict[str, str] = {}
    for identity in session.scalars(select(Identity).order_by(Identity.id)):
        number = ring.decrypt(identity.id_cipher, ID_CONTEXT)
        new_digest = ring.digest(number)
        digest_map[identity.id_digest] = new_digest
        digest_map[_legacy_digest(number)] = new_digest
        if identity.id_masked != codes.mask_id_number(number):
            identity.id_masked = codes.mask_id_number(number)
        if identity.key_id != ring.current_kid or identity.id_digest != new_digest:
            identity.id_cipher = ring.encrypt(number, ID_CONTEXT)
            identity.key_id = ring.current_kid
            identity.id_digest = new_digest
            counts["identities"] += 1
    session.flush()
    by_digest = {i.id_digest: i for i in session.scalars(select(Identity))}
    for application in session.scalars(select(Application).order_by(Application.id)):
        facts = application.facts if isinstance(application.facts, dict) else {}
        number = facts.get("id_number")
        if not isinstance(number, str):
            continue
        if codes.is_valid_id_number(number):
            number = codes.normalise_id_number(number)
            digest = ring.digest(number)
            identity = by_digest.get(digest)
            if identity is None:
                identity = Identity(id_digest=digest, id_cipher=ring.encrypt(number, ID_CONTEXT),
                                    key_id=ring.current_kid, owner_id=application.owner_id,
                                    id_masked=codes.mask_id_number(number))
                session.add(identity)
                session.flush()
                by_digest[digest] = identity
            digest_map[_legacy_digest(number)] = digest
            if application.identity_id is None:
                application.identity_id = identity.id
        application.facts = without_id_number(facts)
        counts["moved"] += 1
    session.flush()
    for record in session.scalars(select(PersonRecord).where(PersonRecord.id_digest.is_not(None))):
        new_digest = digest_map.get(record.id_digest or "")
        if new_digest and new_digest != record.id_digest:
            record.id_digest = new_digest
            counts["person_records"] += 1
    for user in session.scalars(select(User).where(User.totp_secret.is_not(None))):
        if ring.key_id_of(user.totp_secret or "") != ring.current_kid:
            user.totp_secret = ring.encrypt(ring.decrypt(user.totp_secret or "", "totp"), "totp")
            counts["totp_secrets"] += 1
    session.flush()
    return counts
