"""Card PDFs for a batch of cards, rendered by a worker into storage."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="talent.generate_card_pdfs", bind=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def generate_card_pdfs_task(self: Any, card_numbers: list[str]) -> list[str]:
    """Render and store the PDFs of these cards (writing one again replaces it: safe to repeat)."""
    from flask import current_app

    from talent.db import db
    from talent.services.card_pdfs import store_card_pdfs
    from talent.storage import current_storage

    with db.command_transaction() as session:
        return store_card_pdfs(session, card_numbers, current_storage(),
                               base_url=current_app.config.get("PUBLIC_BASE_URL"))
