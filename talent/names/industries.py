"""Industry sections (门类) of GB/T 4754-2017 (国民经济行业分类), A–T, in Chinese and English.

An employer's optional `industry` is one of these letters; the programme's figures count posts, applications,
hires and retention by it (docs/statistics.md). Pure data, like the other tables in talent.names.
"""

from __future__ import annotations

INDUSTRIES: dict[str, dict[str, str]] = {
    "A": {"zh": "农、林、牧、渔业", "en": "Agriculture, forestry, animal husbandry and fishery"},
    "B": {"zh": "采矿业", "en": "Mining"},
    "C": {"zh": "制造业", "en": "Manufacturing"},
    "D": {"zh": "电力、热力、燃气及水生产和供应业", "en": "Electricity, heat, gas and water production and supply"},
    "E": {"zh": "建筑业", "en": "Construction"},
    "F": {"zh": "批发和零售业", "en": "Wholesale and retail trade"},
    "G": {"zh": "交通运输、仓储和邮政业", "en": "Transport, storage and postal services"},
    "H": {"zh": "住宿和餐饮业", "en": "Accommodation and catering"},
    "I": {"zh": "信息传输、软件和信息技术服务业", "en": "Information transmission, software and IT services"},
    "J": {"zh": "金融业", "en": "Finance"},
    "K": {"zh": "房地产业", "en": "Real estate"},
    "L": {"zh": "租赁和商务服务业", "en": "Leasing and business services"},
    "M": {"zh": "科学研究和技术服务业", "en": "Scientific research and technical services"},
    "N": {"zh": "水利、环境和公共设施管理业", "en": "Water conservancy, environment and public facilities management"},
    "O": {"zh": "居民服务、修理和其他服务业", "en": "Resident services, repair and other services"},
    "P": {"zh": "教育", "en": "Education"},
    "Q": {"zh": "卫生和社会工作", "en": "Health and social work"},
    "R": {"zh": "文化、体育和娱乐业", "en": "Culture, sports and entertainment"},
    "S": {"zh": "公共管理、社会保障和社会组织", "en": "Public administration, social security and social organisations"},
    "T": {"zh": "国际组织", "en": "International organisations"},
}
INDUSTRY_CODES = tuple(INDUSTRIES)

# The figures' code for an employer that has not given its industry.
NOT_GIVEN = "none"
NOT_GIVEN_NAME = {"zh": "未填写", "en": "Not given"}


def industry_label(code: str | None, language: str = "zh") -> str:
    """The section's name ("C 制造业" / "C Manufacturing"); "未填写"/"Not given" for none; unknown codes as they are."""
    if not code or code == NOT_GIVEN:
        return NOT_GIVEN_NAME.get(language, NOT_GIVEN_NAME["zh"])
    entry = INDUSTRIES.get(code)
    if entry is None:
        return code
    return f"{code} {entry.get(language, entry['zh'])}"
