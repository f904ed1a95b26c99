"""Names of the policy's tiers, programmes, honours, services, facts and rules in Chinese and English.

docs/policy.md §3 and §5 name tiers and programmes; section 7 names the facts (worded as the checker asks for them);
the policy files name their rules and tables by identifiers (G1, tier_a, housing_graduate_amount...), which
people read by the names in STEP_NAMES. Pages, PDFs, the API and the CLI all take these names from here.
Pure data and string helpers: no Flask, Babel or SQLAlchemy.
"""

from __future__ import annotations

# docs/policy.md §3 (the tier table's "name" column). English in lower case: it is used inside a phrase,
# "Tier B · national leading talent".
TIERS: dict[str, dict[str, str]] = {
    "A": {"zh": "顶尖人才", "en": "top talent"},
    "B": {"zh": "国家级领军人才", "en": "national leading talent"},
    "C": {"zh": "省级领军人才", "en": "provincial leading talent"},
}

# docs/policy.md §5, in its order (section headings 5.1-5.5). docs/policy.md gives Chinese only for 5.1; the others
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


# Every fact path of docs/policy.md §7, named the way the checker form asks for it. The result page uses
# these to say which answer is missing or would change the outcome.
FACT_LABELS: dict[str, dict[str, str]] = {
    "application_date": {"zh": "申请日期", "en": "Application date"},
    "id_number": {"zh": "居民身份证号码", "en": "Resident ID number"},
    "birth_date": {"zh": "出生日期", "en": "Date of birth"},
    "education": {"zh": "最高学历", "en": "Highest education"},
    "full_time_degree": {"zh": "是否全日制学历", "en": "Full-time degree"},
    "graduation_date": {"zh": "毕业日期", "en": "Graduation date"},
    "professional_title": {"zh": "专业技术职称", "en": "Professional title"},
    "honours": {"zh": "荣誉与人才计划", "en": "Honours and talent programmes"},
    "achievements": {"zh": "近5年认定的业绩成果数", "en": "Certified achievements in the last 5 years"},
    "employment.employer_district": {"zh": "用人单位所在区域", "en": "Employer's district"},
    "employment.employer_kind": {"zh": "用人单位类型", "en": "Kind of employer"},
    "employment.role_kind": {"zh": "岗位类型", "en": "Kind of role"},
    "employment.contract_years": {"zh": "劳动合同期限（年）", "en": "Contract length (years)"},
    "employment.full_time": {"zh": "是否全职", "en": "Full-time job"},
    "employment.annual_salary": {"zh": "年薪（元）", "en": "Annual salary (yuan)"},
    "employment.income_tax_last_year": {"zh": "上年度个人所得税（元）", "en": "Income tax paid last year (yuan)"},
    "employment.enterprise_revenue": {"zh": "企业上年度营业收入（元）", "en": "Enterprise revenue last year (yuan)"},
    "employment.social_insurance_local": {"zh": "是否在长春缴纳社会保险", "en": "Social insurance paid in Changchun"},
    "conduct.disciplinary_sanction": {"zh": "是否受过处分", "en": "Disciplinary sanction"},
    "conduct.credit_blacklisted": {"zh": "是否被列入失信名单", "en": "On the credit blacklist"},
    "housing.owns_home_in_city": {"zh": "是否已在长春拥有住房", "en": "Already owns a home in Changchun"},
    "housing.purchase": {"zh": "购房情况", "en": "Home purchase"},
    "housing.purchase.contract_date": {"zh": "购房合同签订日期", "en": "Purchase contract date"},
    "housing.purchase.price": {"zh": "购房总价（元）", "en": "Purchase price (yuan)"},
    "housing.purchase.floor_area_m2": {"zh": "建筑面积（平方米）", "en": "Floor area (m²)"},
    "housing.purchase.district": {"zh": "住房所在区域", "en": "District of the home"},
    "housing.purchase.new_commodity_housing": {"zh": "是否新建商品住房", "en": "Newly built commodity housing"},
    "housing.purchase.first_home": {"zh": "是否首套住房", "en": "First home"},
    "history.last_classified_on": {"zh": "上次人才认定日期", "en": "Last classified on"},
    "history.last_rejected_on": {"zh": "上次申请被驳回日期", "en": "Last rejected on"},
    "history.revoked_on": {"zh": "资格被撤销日期", "en": "Revoked on"},
}


STEP_NAMES: dict[str, dict[str, str]] = {
    # rules (docs/policy.md §2–§6)
    "G1": {"zh": "共同条件一：用人单位在长春", "en": "Condition 1: employer in Changchun"},
    "G2": {"zh": "共同条件二：全职且合同期限达标", "en": "Condition 2: full-time job, long enough contract"},
    "G3": {"zh": "共同条件三：在长春缴纳社保", "en": "Condition 3: social insurance in Changchun"},
    "G4": {"zh": "共同条件四：岗位类型", "en": "Condition 4: kind of role"},
    "G5": {"zh": "共同条件五：无处分、无失信记录", "en": "Condition 5: no sanction, not blacklisted"},
    "G6": {"zh": "共同条件六：不在等待期内", "en": "Condition 6: not in a waiting period"},
    "ELIGIBLE": {"zh": "符合全部共同条件", "en": "All common conditions met"},
    "A_HONOUR": {"zh": "A 类荣誉", "en": "Tier A honour"},
    "B_HONOUR": {"zh": "B 类荣誉", "en": "Tier B honour"},
    "B_ENTERPRISE": {"zh": "B 类企业人才条件", "en": "Tier B enterprise route"},
    "C_HONOUR": {"zh": "C 类荣誉", "en": "Tier C honour"},
    "C_TITLE": {"zh": "C 类正高级职称条件", "en": "Tier C full senior title route"},
    "C_ENTERPRISE": {"zh": "C 类企业人才条件", "en": "Tier C enterprise route"},
    "AGE_LIMIT": {"zh": "B、C 类年龄上限", "en": "Age limit of tiers B and C"},
    "TRACK": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "CARD": PROGRAMMES["privilege_card"],
    "HOUSING_PURCHASE": {"zh": "购房条件", "en": "Home purchase conditions"},
    "HOUSING": PROGRAMMES["housing_subsidy"],
    "LIVING": PROGRAMMES["living_allowance"],
    "PURCHASE_MEASURE_WINDOW": {"zh": "购房措施：合同日期", "en": "Purchase measure: contract date"},
    "PURCHASE_MEASURE_HOME": {"zh": "购房措施：住房条件", "en": "Purchase measure: the home"},
    "PURCHASE_MEASURE_DISTRICT": {"zh": "购房措施：适用区域", "en": "Purchase measure: district"},
    "PURCHASE_MEASURE_QUALIFICATION": {"zh": "购房措施：学历或职称", "en": "Purchase measure: degree or title"},
    "PURCHASE_MEASURE": PROGRAMMES["purchase_measure_2022q3"],
    "APARTMENT": PROGRAMMES["youth_apartment"],
    # decision tables
    "tier": {"zh": "人才层次", "en": "Talent tier"},
    "card_services": {"zh": "尊享卡服务项目", "en": "Privilege card services"},
    "housing_tier_amount": {"zh": "人才层次购房补贴标准", "en": "Housing subsidy for the tier"},
    "housing_graduate_amount": {"zh": "高校毕业生购房补贴标准", "en": "Graduate housing subsidy"},
    "living_tier_monthly": {"zh": "人才层次生活补贴（每月）", "en": "Monthly living allowance for the tier"},
    "living_graduate_monthly": {"zh": "高校毕业生生活补贴（每月）", "en": "Monthly graduate living allowance"},
    # table inputs and computed values
    "eligible": {"zh": "符合共同条件", "en": "Common conditions met"},
    "tier_a": {"zh": "具备 A 类条件", "en": "Meets a tier A condition"},
    "tier_b": {"zh": "具备 B 类条件", "en": "Meets a tier B condition"},
    "tier_c": {"zh": "具备 C 类条件", "en": "Meets a tier C condition"},
    "within_age_limit": {"zh": "未超过年龄上限", "en": "Within the age limit"},
    "age": {"zh": "申请日年龄", "en": "Age on the application date"},
    "track": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "graduate_education": {"zh": "按毕业生通道计的学历", "en": "Degree counted on the graduate track"},
    "card_valid_until": {"zh": "尊享卡有效期至", "en": "Card valid until"},
    "housing_tier_capped": {"zh": "人才层次购房补贴（封顶后）", "en": "Tier housing subsidy after the cap"},
    "housing_graduate_capped": {"zh": "毕业生购房补贴（封顶后）", "en": "Graduate housing subsidy after the cap"},
    "housing_kind": {"zh": "购房补贴类别", "en": "Kind of housing subsidy"},
    "housing_total": {"zh": "购房补贴总额", "en": "Housing subsidy in total"},
    "housing_instalment_count": {"zh": "购房补贴发放期数", "en": "Instalments of the housing subsidy"},
    "living_kind": {"zh": "生活补贴类别", "en": "Kind of living allowance"},
    "living_monthly": {"zh": "每月生活补贴", "en": "Monthly living allowance"},
    "living_months": {"zh": "生活补贴发放月数", "en": "Months of living allowance"},
    "living_total": {"zh": "生活补贴总额", "en": "Living allowance in total"},
    "purchase_measure_amount": {"zh": "购房支持金额", "en": "Purchase grant"},
}

# The programmes as an English sentence names them: proper nouns keep their capitals, common nouns do not.
PROGRAMMES_IN_SENTENCE_EN = {
    "privilege_card": "the Changchun talent privilege card",
    "housing_subsidy": "the housing subsidy",
    "living_allowance": "the living allowance",
    "purchase_measure_2022q3": "the 2022-Q3 home-purchase measure",
    "youth_apartment": "a youth talent apartment",
}



KIND_NAMES = {
    "tier": {"zh": "按人才层次", "en": "by talent tier"},
    "graduate": {"zh": "按高校毕业生", "en": "as a graduate"},
}
WORDS = {
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "held": {"zh": "成立", "en": "Held"},
    "not_held": {"zh": "不成立", "en": "Did not hold"},
    "not_answered": {"zh": "未填写", "en": "Not answered"},
    "never": {"zh": "从未有过", "en": "Never"},
    "undetermined": {"zh": "无法确定（缺少信息）", "en": "Cannot tell (answers missing)"},
    "not_applicable": {"zh": "不适用", "en": "Not applicable"},
    "none": {"zh": "无", "en": "None"},
    "graduate_track": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "outside": {"zh": "长春市以外", "en": "Outside Changchun"},
}




def tier_label(tier: str | None, language: str) -> str:
    """"B 类 · 国家级领军人才" / "Tier B · national leading talent"; no tier has its own words."""
    if tier is None:
        return "未认定人才层次" if language == "zh" else "No talent tier"
    name = TIERS[tier][language]
    return f"{tier} 类 · {name}" if language == "zh" else f"Tier {tier} · {name}"


def fact_label(path: str, language: str) -> str:
    """A fact (docs/policy.md §7 path) as the checker's question names it; unknown paths as they are."""
    label = FACT_LABELS.get(path)
    return label[language] if label else path


def step_name(name: str, language: str) -> str:
    """A rule or decision table of the policy (``G1``, ``tier``...) for people; unknown names as they are."""
    label = STEP_NAMES.get(name)
    return label[language] if label else name


def word(key: str, language: str) -> str:
    return WORDS[key][language]


# The three answers the checker gives for a programme or a tier (issue 15): decided either way, or waiting on
# answers the person left blank.
STATES: dict[str, dict[str, str]] = {
    "eligible": {"zh": "符合", "en": "Eligible"},
    "not_eligible": {"zh": "不符合", "en": "Not eligible"},
    "undetermined": {"zh": "还不能确定", "en": "Can't tell yet"},
    "not_in_force": {"zh": "本版政策未实施", "en": "Not in this policy version"},
}
# A rule whose facts were left blank is neither held nor failed.
WORDS["not_answered_rule"] = {"zh": "未回答", "en": "Not answered"}
# A value the policy computed from the answers (an age, a tier, an amount), marked next to its label.
WORDS["derived"] = {"zh": "（推算）", "en": " (derived)"}
# The parts of a decision the result page names (decision["open"] keys besides the programmes).
DECISION_PARTS: dict[str, dict[str, str]] = {
    "eligible": {"zh": "共同条件", "en": "Common conditions"},
    "tier": {"zh": "人才层次", "en": "Talent tier"},
    "track": {"zh": "高校毕业生政策", "en": "Graduate track"},
}
