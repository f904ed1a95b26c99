"""Keys that protect personal ID numbers (and TOTP secrets) at rest.

`TALENT_ID_KEY` holds one or more keys as `kid:key,kid:key` (each key 32 random bytes, URL-safe base64; the
key id is a short name of your choice). The FIRST is the current key: new values are encrypted with it and
lookup digests are computed with it; the others stay readable, so that a rotation can happen while old
values remain. A bare key without `kid:` is read as key id `k1`. In development, when the variable is unset,
a key is generated once into `<instance>/id_key` (created atomically with mode 0600, never overwritten).

From each key two subkeys are derived with HKDF-SHA256: one for AES-256-GCM encryption, one for the
HMAC-SHA256 lookup digest. A stored value is `kid:base64(nonce ‖ ciphertext ‖ tag)`, so every value names
the key that decrypts it. `talent keys rotate` re-encrypts every value and recomputes every digest under the
current key (docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE_NAME = "id_key"
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")


class KeyProblem(ValueError):
    """A key setting or a stored value that cannot be used."""


def _b64decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"talent " + purpose).derive(key)


@dataclass(frozen=True)
class _Key:
    kid: str
    cipher: AESGCM
    mac_key: bytes


class Keyring:
    """The current key and the older keys still readable."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyProblem("No ID key is configured.")
        self._keys: dict[str, _Key] = {}
        for kid, raw in keys:
            if not _KID.match(kid):
                raise KeyProblem(f"Key id {kid!r} must be 1-16 letters, digits, '_', '.' or '-'.")
            if len(raw) < 32:
                raise KeyProblem(f"Key {kid!r} must be at least 32 bytes (URL-safe base64).")
            if kid in self._keys:
                raise KeyProblem(f"Key id {kid!r} appears twice.")
            self._keys[kid] = _Key(kid, AESGCM(_derive(raw, b"id encryption")), _derive(raw, b"id digest"))
        self.current_kid = keys[0][0]

    @classmethod
    def parse(cls, setting: str) -> Keyring:
        keys = []
        for part in (p.strip() for p in setting.split(",")):
            if not part:
                continue
            kid, _, encoded = part.rpartition(":")
            try:
                raw = _b64decode(encoded)
            except (ValueError, TypeError) as exc:
                raise KeyProblem(f"Key {kid or 'k1'!r} is not URL-safe base64.") from exc
            keys.append((kid or "k1", raw))
        return cls(keys)

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    def encrypt(self, plain: str, context: str) -> str:
        """`kid:base64(nonce ‖ ciphertext)`; `context` (e.g. "id_number") is bound as associated data."""
        key = self._keys[self.current_kid]
        nonce = secrets.token_bytes(12)
        sealed = key.cipher.encrypt(nonce, plain.encode(), context.encode())
        return f"{key.kid}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def decrypt(self, stored: str, context: str) -> str:
        kid, _, encoded = stored.partition(":")
        key = self._keys.get(kid)
        if key is None:
            raise KeyProblem(f"The key {kid!r} of a stored value is not configured in TALENT_ID_KEY.")
        blob = _b64decode(encoded)
        return key.cipher.decrypt(blob[:12], blob[12:], context.encode()).decode()

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def digest(self, value: str, kid: str | None = None) -> str:
        """The keyed lookup digest (HMAC-SHA256, hex) under the current key (or `kid`)."""
        key = self._keys[kid or self.current_kid]
        return hmac.new(key.mac_key, value.encode(), hashlib.sha256).hexdigest()


def new_key_text(kid: str = "k1") -> str:
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def development_key_file(instance_path: str | os.PathLike[str]) -> str:
    """The key kept in the instance folder, created on first use. Several processes may start at once: the
    file is written under a temporary name and linked into place, so a reader never sees half a key and
    the first writer wins."""
    path = Path(instance_path) / KEY_FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(new_key_text() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text().strip()


def keyring_for(config: dict) -> Keyring:
    setting = config.get("ID_KEY") or development_key_file(config["INSTANCE_PATH"])
    return Keyring.parse(setting)


def init_app(app: Any) -> None:
    """Build the keyring once, and hand it to every database session (services find it in session.info,
    with or without an application context)."""
    ring = keyring_for(app.config)
    app.extensions["talent.keys"] = ring
    app.extensions["talent.db"].configure(info={"talent.keys": ring})


def keyring_of(session: Any) -> Keyring:
    ring = getattr(session, "info", {}).get("talent.keys")
    return ring if ring is not None else current_keyring()


def current_keyring() -> Keyring:
    """The running application's keyring (built once per app)."""
    from flask import current_app

    ring = current_app.extensions.get("talent.keys")
    if ring is None:
        ring = current_app.extensions["talent.keys"] = keyring_for(current_app.config)
    return ring
