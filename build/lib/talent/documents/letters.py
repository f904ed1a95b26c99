"""The decision letter (决定书): an A4 PDF in Chinese with English secondary."""

from __future__ import annotations

from talent.documents.data import (
    DISCLAIMER,
    PROGRAMME_NAMES,
    TIER_NAMES,
    DecisionLetter,
    label_for,
)
from talent.documents.rendering import html_to_pdf, render_template


def letter_html(letter: DecisionLetter) -> str:
    programmes = [
        (programme, programme.name or label_for(PROGRAMME_NAMES, programme.code, "programme"))
        for programme in letter.programmes
    ]
    tier_name = label_for(TIER_NAMES, letter.tier, "tier") if letter.tier else None
    return render_template(
        "decision_letter.html",
        letter=letter,
        tier_name=tier_name,
        programmes=programmes,
        disclaimer=DISCLAIMER,
    )


def render_decision_letter_pdf(letter: DecisionLetter) -> bytes:
    """The decision letter as PDF bytes (A4, as many pages as the reasons need)."""
    return html_to_pdf(letter_html(letter))
