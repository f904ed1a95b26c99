"""The QR code printed on an issued card, read back the way a phone would: the card's PDF from the API is
rendered to pixels (poppler's pdftoppm) and decoded (zbarimg from zbar-tools), and the code it holds must be
the public verification page of that very card, which must answer for it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from talent.codes import mask_name
from tests.documents.qr import decoded_qr_codes
from tests.services.workflow_support import case_in, make_people, token_for

BASE_URL = "https://talent.example.cn"


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def test_the_qr_code_of_an_issued_card_opens_its_verification_page(app, client, people, db_session, tmp_path):
    app.config["PUBLIC_BASE_URL"] = BASE_URL + "/"
    first = case_in(db_session, people, "granted")
    second = case_in(db_session, people, "granted", owner=people.other_applicant)
    db_session.commit()
    cards = [first.card, second.card]
    assert cards[0].verification_code != cards[1].verification_code

    decoded = []
    for index, (card, owner) in enumerate(zip(cards, [people.applicant, people.other_applicant], strict=True)):
        response = client.get(f"/api/v1/cards/{card.number}.pdf", headers=token_for(owner))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        folder = tmp_path / str(index)
        [url] = decoded_qr_codes(response.data, folder)
        decoded.append(url)
        assert url == f"{BASE_URL}/cards/verify/{card.verification_code}"

        # the decoded address is the public verification page, and that page answers for this card
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "talent.example.cn")
        endpoint, arguments = app.url_map.bind("talent.example.cn").match(parts.path)
        assert (endpoint, arguments) == ("cards_public.verify", {"code": card.verification_code})
        page = client.get(parts.path)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert mask_name(card.holder_name) in text and card.holder_name not in text
        assert card.valid_until.isoformat() in text
    assert decoded[0] != decoded[1]
