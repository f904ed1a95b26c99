"""The 长春人才尊享卡 privilege card as a two-page PDF (front and back) on ISO/IEC 7810 ID-1 pages."""

from __future__ import annotations

import segno

from talent.documents.data import (
    CARD_STATUS_NAMES,
    DISCLAIMER,
    TIER_NAMES,
    CardDocument,
    label_for,
)
from talent.documents.rendering import html_to_pdf, render_template

# ISO/IEC 7810 ID-1, the size of a bank card.
ID1_WIDTH_MM = 85.6
ID1_HEIGHT_MM = 54.0


def qr_svg_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (vector, so it stays sharp at any print size)."""
    # Level M survives a worn or partly covered card; border=2 keeps a quiet zone inside the image.
    return segno.make(url, error="m", micro=False).svg_data_uri(border=2, dark="#111111")


def card_html(card: CardDocument) -> str:
    services = [(code, *label_for(card.service_names, code, "service")) for code in card.services]
    return render_template(
        "card.html",
        card=card,
        tier_name=label_for(TIER_NAMES, card.tier, "tier"),
        status_name=label_for(CARD_STATUS_NAMES, card.status, "card status"),
        services=services,
        qr_data_uri=qr_svg_data_uri(card.verification_url),
        disclaimer=DISCLAIMER,
        width_mm=ID1_WIDTH_MM,
        height_mm=ID1_HEIGHT_MM,
    )


def render_card_pdf(card: CardDocument) -> bytes:
    """The card as PDF bytes: page 1 the front, page 2 the back."""
    return html_to_pdf(card_html(card))
