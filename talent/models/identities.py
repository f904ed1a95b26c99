"""Personal ID numbers, encrypted at rest and bound to the account that first applied with them.

`id_cipher` is `kid:base64(nonce ‖ AES-GCM ciphertext)` (talent.keys); `id_digest` is the keyed HMAC digest
under the current key, by which an ID number is found. Applications point here instead of keeping the
number in their facts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent.db import Base, utcnow
from talent.models.people import User


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_digest: Mapped[str] = mapped_column(String(64), unique=True)
    id_cipher: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    # The number as pages show it (region code and last 4: 220104********0311), so officers can search and
    # exports can print it without decrypting; it reveals nothing a page does not.
    id_masked: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    # The account that first applied with this ID number: the only one that may use it.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship()
