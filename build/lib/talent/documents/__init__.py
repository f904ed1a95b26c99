"""PDF documents: plain data in (``talent.documents.data``), PDF bytes out.

No Flask and no SQLAlchemy here, so a CLI batch or a worker can render cards and letters too.
"""

from talent.documents.cards import render_card_pdf
from talent.documents.data import (
    CardDocument,
    DecisionLetter,
    GrantedProgramme,
    Instalment,
    Reason,
)
from talent.documents.letters import render_decision_letter_pdf

__all__ = [
    "CardDocument",
    "DecisionLetter",
    "GrantedProgramme",
    "Instalment",
    "Reason",
    "render_card_pdf",
    "render_decision_letter_pdf",
]
