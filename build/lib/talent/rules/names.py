"""Display names of tier, programme, honour and service codes (POLICY.md §3 and §5), one table each.

Pages, PDFs, the API and the CLI all name these codes from here (talent.services.eligibility,
talent.documents.data and talent.web.case_labels derive their tables from these), so a name is worded
the same way everywhere and is changed in one place.
"""

# POLICY.md §3 (the tier table's "name" column). English in lower case: it is used inside a phrase,
# "Tier B · national leading talent".
TIERS: dict[str, dict[str, str]] = {
    "A": {"zh": "顶尖人才", "en": "top talent"},
    "B": {"zh": "国家级领军人才", "en": "national leading talent"},
    "C": {"zh": "省级领军人才", "en": "provincial leading talent"},
}

# POLICY.md §5, in its order (section headings 5.1-5.5). POLICY.md gives Chinese only for 5.1; the others
# are named as the policy files name them (talent/rules/policies/CC-2022.yaml: 购房补贴, 生活补贴,
# "符合2022年三季度购房措施" for "The 2022-Q3 home-purchase measure applies", 青年人才公寓).
PROGRAMMES: dict[str, dict[str, str]] = {
    "privilege_card": {"zh": "长春人才尊享卡", "en": "Changchun talent privilege card"},
    "housing_subsidy": {"zh": "购房补贴", "en": "Housing subsidy"},
    "living_allowance": {"zh": "生活补贴", "en": "Living allowance"},
    "purchase_measure_2022q3": {"zh": "2022年三季度购房措施", "en": "2022-Q3 home-purchase measure"},
    "youth_apartment": {"zh": "青年人才公寓", "en": "Youth talent apartment"},
}


HONOURS: dict[str, dict[str, str]] = {
    "academician_cas": {"zh": "中国科学院院士", "en": "Academician of the Chinese Academy of Sciences"},
    "academician_cae": {"zh": "中国工程院院士", "en": "Academician of the Chinese Academy of Engineering"},
    "nobel_prize": {"zh": "诺贝尔奖", "en": "Nobel Prize"},
    "turing_award": {"zh": "图灵奖", "en": "Turing Award"},
    "fields_medal": {"zh": "菲尔兹奖", "en": "Fields Medal"},
    "state_supreme_st_award": {"zh": "国家最高科学技术奖", "en": "State Preeminent Science and Technology Award"},
    "national_talent_programme": {"zh": "国家级重点人才计划入选者", "en": "Member of a national key talent programme"},
    "national_st_award_first": {"zh": "国家科学技术奖一等奖主要完成人",
                                "en": "Principal contributor, national science and technology award, first class"},
    "state_council_special_allowance": {"zh": "享受国务院政府特殊津贴专家",
                                        "en": "Expert with the State Council special allowance"},
    "china_skills_award": {"zh": "中华技能大奖", "en": "China Skills Award"},
    "provincial_talent_programme": {"zh": "省级重点人才计划入选者", "en": "Member of a provincial key talent programme"},
    "national_st_award_second": {"zh": "国家科学技术奖二等奖主要完成人",
                                 "en": "Principal contributor, national science and technology award, second class"},
    "provincial_st_award_first": {"zh": "省级科学技术奖一等奖主要完成人",
                                  "en": "Principal contributor, provincial science and technology award, first class"},
    "national_technical_expert": {"zh": "全国技术能手", "en": "National technical expert"},
}

SERVICES: dict[str, dict[str, str]] = {
    "airport_rail_vip": {"zh": "机场、高铁站贵宾通道", "en": "VIP lanes at the airport and railway stations"},
    "hospital_green_channel": {"zh": "医院就医绿色通道", "en": "Hospital green channel"},
    "scenic_spots_free": {"zh": "景区免费游览", "en": "Free entry to scenic spots"},
    "school_placement": {"zh": "子女入学安排", "en": "School placement for children"},
    "spouse_employment": {"zh": "配偶就业安置", "en": "Employment help for the spouse"},
    "annual_health_check": {"zh": "年度健康体检", "en": "Annual health check"},
    "family_medical_channel": {"zh": "家属就医通道", "en": "Medical channel for family members"},
}
