"""Display names of honour and service codes (POLICY.md §3 and §5.1)."""

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
