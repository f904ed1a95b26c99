"""Card PDFs made ahead of time, in batches, and kept in storage (`cards/<number>.pdf`).

The download pages and the API still render a card when asked (its status is that of the day); the stored
copies are for printing and sending in bulk, made by the task `talent.generate_card_pdfs` after a notice
period closes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent.models.cards import Card
from talent.services.cards import card_pdf
from talent.storage import Storage

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000/"


def card_pdf_key(number: str) -> str:
    return f"cards/{number}.pdf"


def store_card_pdfs(session: Session, numbers: list[str], storage: Storage, *, base_url: str | None,
                    today: date | None = None) -> list[str]:
    """Render each card and store it; returns the storage keys written (unknown numbers are skipped)."""
    cards = session.scalars(select(Card).where(Card.number.in_(numbers)).order_by(Card.number))
    keys = []
    for card in cards:
        key = card_pdf_key(card.number)
        storage.put(key, card_pdf(card, base_url=base_url or DEVELOPMENT_BASE_URL, today=today),
                    content_type="application/pdf")
        keys.append(key)
    return keys
