from datetime import date

import pytest

from talent.documents import CardDocument, render_card_pdf
from talent.documents.cards import ID1_HEIGHT_MM, ID1_WIDTH_MM, card_html
from talent.documents.data import SERVICE_NAMES
from tests.documents.qr import decoded_qr_codes

VERIFY_URL = "https://talent.example.cn/verify/Q7K2M9X4P8"
EVERY_HOLDER_SERVICE = ["airport_rail_vip", "hospital_green_channel", "scenic_spots_free", "school_placement"]


def make_card(**changes) -> CardDocument:
    values = dict(
        holder_name="王晓明",
        tier="B",
        card_number="CC2023B000123",
        valid_from=date(2023, 3, 1),
        valid_until=date(2028, 3, 1),
        services=list(SERVICE_NAMES),
        verification_url=VERIFY_URL,
    )
    values.update(changes)
    return CardDocument(**values)


@pytest.fixture(scope="module")
def tier_b_card_pdf() -> bytes:
    return render_card_pdf(make_card())


def test_card_has_a_front_and_a_back_of_id1_size(tier_b_card_pdf, pdf) -> None:
    sizes = pdf.sizes_mm(tier_b_card_pdf)
    assert len(sizes) == 2
    for width, height in sizes:
        assert width == pytest.approx(ID1_WIDTH_MM, abs=0.1)
        assert height == pytest.approx(ID1_HEIGHT_MM, abs=0.1)
    assert (ID1_WIDTH_MM, ID1_HEIGHT_MM) == (85.6, 54.0)


def test_card_embeds_a_cjk_font(tier_b_card_pdf, pdf) -> None:
    pdf.assert_cjk_font_embedded(tier_b_card_pdf)


def test_front_shows_holder_tier_number_dates_and_status(tier_b_card_pdf, pdf) -> None:
    front = pdf.texts(tier_b_card_pdf)[0]
    for expected in ("王晓明", "CC2023B000123", "国家级领军人才", "national leading talent",
                     "2023-03-01", "2028-03-01", "有效", "长春人才尊享卡"):
        assert expected in front


def test_back_lists_the_tier_services_and_the_disclaimer(tier_b_card_pdf, pdf) -> None:
    back = pdf.texts(tier_b_card_pdf)[1]
    for name_zh, name_en in SERVICE_NAMES.values():
        assert name_zh in back
        assert name_en in back
    assert "不是政府机关出具的正式文件" in back
    assert "not an official document" in back


def test_a_tier_c_card_shows_only_its_services(pdf) -> None:
    card_pdf = render_card_pdf(make_card(tier="C", services=EVERY_HOLDER_SERVICE))
    back = pdf.texts(card_pdf)[1]
    assert "就医绿色通道" in back
    assert "配偶就业安置" not in back
    assert "省级领军人才" in pdf.texts(card_pdf)[0]


def test_qr_code_encodes_the_verification_url(tier_b_card_pdf, tmp_path) -> None:
    """Decoded from the rendered PDF, not recomputed with the product's own encoder."""
    assert decoded_qr_codes(tier_b_card_pdf, tmp_path / "b") == [VERIFY_URL]
    other = render_card_pdf(make_card(verification_url=VERIFY_URL.replace("Q7K2M9X4P8", "A1B2C3D4E5")))
    assert decoded_qr_codes(other, tmp_path / "other") == ["https://talent.example.cn/verify/A1B2C3D4E5"]


def test_revoked_card_says_so_on_its_face(pdf) -> None:
    front = pdf.texts(render_card_pdf(make_card(status="revoked")))[0]
    assert "已撤销 Revoked" in front  # the status pill
    assert "REVOKED" in front.replace(" ", "")  # the letter-spaced stripe across the face


def test_holder_name_markup_is_printed_as_text_not_interpreted(pdf) -> None:
    name = '<img src="file:///etc/passwd">李<b>四</b>'
    html = card_html(make_card(holder_name=name))
    assert "&lt;img src=" in html
    assert "<b>四</b>" not in html
    assert "李<b>四</b>" in pdf.texts(render_card_pdf(make_card(holder_name=name)))[0]


def test_custom_service_names_replace_the_defaults(pdf) -> None:
    names = {"airport_rail_vip": ("龙嘉机场贵宾厅", "Longjia Airport VIP lounge")}
    card_pdf = render_card_pdf(make_card(services=["airport_rail_vip"], service_names=names))
    assert "龙嘉机场贵宾厅" in pdf.texts(card_pdf)[1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"tier": "D"}, "tier"), ({"services": ["free_lunch"]}, "service"), ({"status": "lost"}, "status")],
)
def test_unknown_codes_are_refused(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        render_card_pdf(make_card(**changes))
