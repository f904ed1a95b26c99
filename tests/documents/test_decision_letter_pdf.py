from datetime import date

import pytest

from talent.documents import (
    DecisionLetter,
    GrantedProgramme,
    Instalment,
    Reason,
    render_decision_letter_pdf,
)
from talent.documents.rendering import format_en_date, format_yuan, format_zh_date

A4_MM = (210.0, 297.0)


def make_letter(**changes) -> DecisionLetter:
    values = dict(
        applicant_name="王晓明",
        masked_id_number="110105********002X",
        application_number="APP-2023-000457",
        policy_version="CC-2022",
        tier="B",
        programmes=[
            GrantedProgramme("privilege_card", detail_zh="含7项服务", detail_en="7 services"),
            GrantedProgramme(
                "housing_subsidy",
                total=750_000,
                instalments=[Instalment(date(2023 + k, 3, 1), 150_000) for k in range(5)],
            ),
            GrantedProgramme(
                "living_allowance", total=240_000, detail_zh="每月 4,000 元，共 60 个月",
                detail_en="4,000 yuan a month for 60 months",
            ),
        ],
        reasons=[
            Reason("G1", True, "用人单位位于长春市行政区划内。", "The employer is in a Changchun division."),
            Reason("B-age", True, "申请人年龄不超过60周岁。", "The applicant is 60 or younger."),
            Reason("G6", False, "近36个月内未被认定。", "Not classified in the last 36 months."),
        ],
        decision_date=date(2023, 3, 1),
        notice_start=date(2023, 3, 2),
        notice_end=date(2023, 3, 8),
        card_number="CC2023B000123",
    )
    values.update(changes)
    return DecisionLetter(**values)


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return render_decision_letter_pdf(make_letter())


def test_letter_is_a4_with_an_embedded_cjk_font(letter_pdf, pdf) -> None:
    for width, height in pdf.sizes_mm(letter_pdf):
        assert (width, height) == pytest.approx(A4_MM, abs=0.5)
    pdf.assert_cjk_font_embedded(letter_pdf)


def test_letter_shows_the_applicant_and_the_case(letter_pdf, pdf) -> None:
    text = "\n".join(pdf.texts(letter_pdf))
    # The title is letter-spaced, which text extraction reads as spaces between the characters.
    assert "人才认定及待遇核准决定书" in text.replace(" ", "")
    for expected in ("王晓明", "110105********002X", "APP-2023-000457",
                     "CC-2022", "国家级领军人才", "CC2023B000123", "2023年3月1日"):
        assert expected in text
    assert "110105194912" not in text  # only the masked number that was passed in


def test_programmes_show_amounts_with_separators_and_schedules(letter_pdf, pdf) -> None:
    text = "\n".join(pdf.texts(letter_pdf))
    assert "购房补贴" in text and "Housing subsidy" in text
    assert "750,000" in text and "240,000" in text
    for year in range(2023, 2028):
        assert f"{year}-03-01" in text
    assert text.count("150,000") == 5
    assert "每月 4,000 元，共 60 个月" in text


def test_reasons_notice_period_and_disclaimer(letter_pdf, pdf) -> None:
    text = "\n".join(pdf.texts(letter_pdf))
    assert "用人单位位于长春市行政区划内。" in text
    assert "The employer is in a Changchun division." in text
    assert "不符合" in text and "Not met" in text
    assert "2023年3月2日" in text and "2023年3月8日" in text
    assert "不是政府机关出具的正式文件" in text


def test_a_letter_without_programmes_or_card_says_nothing_was_granted(pdf) -> None:
    letter = make_letter(tier=None, programmes=[], card_number=None, notice_start=None, notice_end=None)
    text = "\n".join(pdf.texts(render_decision_letter_pdf(letter)))
    assert "本次申请未核准任何待遇" in text
    assert "未认定人才层次" in text
    assert "卡号" not in text  # no card section


def test_long_reason_lists_flow_onto_more_pages(pdf) -> None:
    reasons = [Reason(f"R{i}", i % 2 == 0, "条件说明" * 6, "Explanation of the condition. " * 3) for i in range(60)]
    letter_pdf = render_decision_letter_pdf(make_letter(reasons=reasons))
    texts = pdf.texts(letter_pdf)
    assert len(texts) >= 3
    assert "R59" in texts[-1] or "R59" in texts[-2]


def test_money_and_date_formatting() -> None:
    assert format_yuan(1_234_567) == "1,234,567"
    assert format_yuan(0) == "0"
    with pytest.raises(TypeError):
        format_yuan(1.5)  # type: ignore[arg-type]
    assert format_zh_date(date(2024, 10, 8)) == "2024年10月8日"
    assert format_en_date(date(2024, 10, 8)) == "8 October 2024"


def test_reason_from_a_rule_engine_decision_entry() -> None:
    entry = {"rule": "G2", "held": False, "values": {"contract_years": 2}, "zh": "合同不足3年", "en": "Contract < 3 years"}
    assert Reason.from_mapping(entry) == Reason("G2", False, "合同不足3年", "Contract < 3 years")
