"""Synthetic posts and profiles with far more variety than generate_synthetic.py (stress data).

    python bench/data/generate_varied.py --jobs 22400 --graduates 20000 --out /tmp/match-varied

generate_synthetic.py builds posts from the demo templates, so many posts share sentences and
vectors, and any cache of sentences and the model's "one score per distinct post vector" step help a lot. A data set
written by someone else will not be so kind. Here every post is assembled from a large pool of
sentence pieces with random numbers, company names, product names, English words, several layouts
(numbered lists, 【】 headings, prose, bullet characters, HTML-like line breaks), random majors
(codes, class prefixes, names), random skills, any Changchun district, pay from 2,000 to 40,000
yuan in steps of 50, traditional characters and full-width text, so nearly every post has its own
vector. Graduates get free-text majors (with school names, directions, 专科 majors), skills as lists
or one string with mixed separators, and any district. Deterministic for a seed.
"""

from __future__ import annotations

import random
from pathlib import Path

from generate_synthetic import command_line, write_sets  # this directory (on sys.path for scripts)

DISTRICTS = ("220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220171", "220172",
             "220173", "220174", "220182", "220183", "220184")
LEVELS = ("college", "bachelor", "master", "doctor")
LEVEL_WORDS = {"college": ("大专", "专科", "高职"), "bachelor": ("本科", "全日制本科", "统招本科"),
               "master": ("硕士", "硕士研究生", "研究生"), "doctor": ("博士", "博士研究生")}
FIELDS = {
    "auto": ("整车", "底盘", "NVH", "车身", "动力总成", "新能源汽车", "电驱", "热管理", "零部件", "自动驾驶"),
    "optics": ("光学设计", "镀膜", "激光器", "光电探测", "红外", "光学检测", "Zemax", "精密光学", "光纤"),
    "bio": ("疫苗", "细胞培养", "GMP", "生物制药", "抗体", "发酵", "质检", "临床试验", "PCR", "分子生物学"),
    "rail": ("转向架", "轨道车辆", "动车组", "牵引", "车体焊接", "制动系统", "城轨", "高铁"),
    "agri": ("玉米育种", "农技推广", "植保", "畜牧", "饲料", "兽医", "食品加工", "粮食储运", "土壤检测"),
    "software": ("Java", "Python", "前端", "后端", "微服务", "数据库", "Linux", "测试", "运维", "Go", "Vue", "SQL"),
    "data": ("数据分析", "机器学习", "深度学习", "推荐算法", "图像识别", "大模型", "PyTorch", "Spark"),
    "edu": ("教学", "班主任", "课程设计", "教研", "语文", "数学", "英语", "幼儿教育", "职业培训"),
    "health": ("护理", "临床", "药学", "检验科", "康复", "影像", "公共卫生", "中医"),
    "finance": ("会计", "审计", "财务分析", "信贷", "风控", "税务", "出纳", "理财", "保险"),
    "public": ("行政", "文秘", "社区服务", "档案管理", "公文写作", "政策研究", "党务"),
    "mech": ("机械设计", "CATIA", "UG", "SolidWorks", "AutoCAD", "工艺", "模具", "数控", "焊接"),
    "elec": ("PLC", "电气设计", "嵌入式", "单片机", "电力系统", "电路设计", "PCB", "FPGA"),
    "civil": ("土建", "造价", "施工管理", "BIM", "结构设计", "测量", "给排水"),
    "sales": ("销售", "市场推广", "客户关系", "电商运营", "新媒体", "直播", "品牌策划"),
}
TITLE_HEADS = {
    "auto": ("整车NVH工程师", "底盘设计工程师", "新能源三电工程师", "汽车电子工程师", "车身工艺员"),
    "optics": ("光学设计工程师", "光电测试工程师", "激光工艺工程师", "镀膜技术员"),
    "bio": ("QC检验员", "生物制药研究员", "疫苗生产技术员", "注册专员"),
    "rail": ("转向架设计师", "轨道车辆工艺员", "电气调试工程师"),
    "agri": ("农艺师", "育种助理", "畜牧技术员", "食品研发员"),
    "software": ("Java开发工程师", "Python后端", "前端开发", "软件测试", "运维工程师", "全栈工程师"),
    "data": ("数据分析师", "算法工程师", "机器学习工程师", "BI专员"),
    "edu": ("小学数学教师", "初中语文老师", "幼儿园教师", "培训讲师", "教务专员"),
    "health": ("护士", "临床医生", "药剂师", "检验技师", "康复治疗师"),
    "finance": ("会计", "审计助理", "信贷专员", "风控专员", "财务分析师"),
    "public": ("行政专员", "文秘", "社区工作者", "综合岗"),
    "mech": ("机械设计工程师", "工艺工程师", "模具设计", "数控编程员"),
    "elec": ("电气工程师", "嵌入式软件工程师", "硬件工程师", "自动化工程师"),
    "civil": ("土建工程师", "造价员", "施工员", "BIM工程师"),
    "sales": ("销售代表", "市场专员", "电商运营", "新媒体运营"),
}
MAJORS = {
    "auto": ("车辆工程", "汽车服务工程", "机械设计制造及其自动化", "能源与动力工程", "0802"),
    "optics": ("光电信息科学与工程", "测控技术与仪器", "物理学", "应用物理学", "0807"),
    "bio": ("生物技术", "生物工程", "制药工程", "药学", "生物制药", "0710"),
    "rail": ("车辆工程", "机械电子工程", "焊接技术与工程", "电气工程及其自动化"),
    "agri": ("农学", "植物保护", "动物医学", "食品科学与工程", "动物科学", "0901"),
    "software": ("计算机科学与技术", "软件工程", "网络工程", "信息管理与信息系统", "0809", "080902"),
    "data": ("数据科学与大数据技术", "统计学", "人工智能", "数学与应用数学", "计算机类"),
    "edu": ("汉语言文学", "数学与应用数学", "英语", "学前教育", "小学教育", "教育学"),
    "health": ("护理学", "临床医学", "药学", "医学检验技术", "康复治疗学"),
    "finance": ("会计学", "财务管理", "金融学", "审计学", "经济学", "1202"),
    "public": ("行政管理", "汉语言文学", "法学", "公共事业管理", "社会工作"),
    "mech": ("机械设计制造及其自动化", "材料成型及控制工程", "机械电子工程", "工业设计"),
    "elec": ("电气工程及其自动化", "自动化", "电子信息工程", "通信工程", "0807"),
    "civil": ("土木工程", "工程造价", "工程管理", "建筑学", "给排水科学与工程"),
    "sales": ("市场营销", "电子商务", "工商管理", "广告学", "国际经济与贸易"),
}
UNKNOWN_MAJORS = ("汽车检测与维修技术", "新能源汽车技术", "护理", "会计信息管理", "机电一体化技术", "学前教育（师范）",
                  "光电子技术", "现代农业技术", "软件技术", "大数据技术", "食品检验检测技术", "城市轨道交通车辆技术")
SCHOOLS = ("吉林大学", "长春理工大学", "东北师范大学", "长春工业大学", "吉林农业大学", "长春大学", "吉林建筑大学",
           "长春中医药大学", "长春汽车工业高等专科学校", "吉林工程技术师范学院")
COMPANY_HEADS = ("一汽", "长光", "长客", "金赛", "修正", "皓月", "华为", "启明", "吉大", "长春", "吉林", "东北", "北方",
                 "新区", "净月", "合心", "宏达", "瑞丰", "众诚", "博睿", "鼎盛", "卓越", "华信", "天成", "恒泰")
COMPANY_MIDS = ("光电", "汽车", "生物", "软件", "信息", "农业", "食品", "轨道", "医疗", "教育", "金融", "科技", "物流",
                "精密", "智能", "数字", "新材料", "电子", "能源", "文化")
COMPANY_TAILS = ("有限公司", "股份有限公司", "集团", "研究院", "技术有限公司", "（长春）有限公司", "中心")
VERBS = ("负责", "参与", "协助", "主导", "承担", "完成", "开展", "跟进", "优化", "维护")
OBJECTS = ("相关产品的设计开发工作", "项目的技术方案制定", "日常数据的整理与分析", "客户需求调研", "部门交办的其他工作",
           "技术文档编写", "质量问题的分析与改进", "现场试验与验证", "供应商技术对接", "新产品导入",
           "工艺文件编制", "标准化工作", "团队培训", "成本控制", "进度管理")
REQUIREMENTS = ("具有良好的沟通能力和团队合作精神", "能适应出差", "有相关实习经历者优先", "吃苦耐劳，责任心强",
                "英语四级以上", "CET-6优先", "熟练使用Office", "持有驾驶证", "身体健康", "中共党员优先",
                "逻辑思维清晰", "抗压能力强", "有{n}年以上相关经验", "应届毕业生亦可", "有{c}证书者优先")
CERTS = ("注册会计师", "教师资格", "护士执业", "一级建造师", "软考中级", "CFA", "CPA", "执业药师")
BENEFITS = ("五险一金", "带薪年假", "餐补", "交通补贴", "年终奖", "定期体检", "住房补贴", "人才公寓", "节日福利",
            "股票期权", "弹性工作", "班车接送", "免费工作餐", "团建旅游")
ENGLISH = ("team player", "fast learner", "good communication skills", "CET-4", "Office", "agile", "scrum",
           "English reading", "IELTS 6.5")
SEPARATORS = ("、", "，", "/", ";", " ", "|", "；")

_TRADITIONAL = str.maketrans("软件开发数据库设计计算机汽车车辆电气检测质量经验负责实验产品项目资格优先学历专业团队沟通",
                             "軟件開發數據庫設計計算機汽車車輛電氣檢測質量經驗負責實驗產品項目資格優先學歷專業團隊溝通")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _company(rng: random.Random) -> str:
    return rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_MIDS) + rng.choice(COMPANY_TAILS)


def _fill(rng: random.Random, text: str) -> str:
    return text.replace("{n}", str(rng.randint(1, 5))).replace("{c}", rng.choice(CERTS))


def _terms(rng: random.Random, field: str, k: int) -> list[str]:
    pool = list(FIELDS[field])
    other = rng.choice(list(FIELDS))
    if rng.random() < 0.4:
        pool += list(FIELDS[other])[:3]
    return rng.sample(pool, k=min(k, len(pool)))


def make_job(rng: random.Random, job_id: str) -> dict:
    field = rng.choice(list(FIELDS))
    level = rng.choices(LEVELS, weights=(3, 6, 2, 1))[0]
    company = _company(rng)
    title = rng.choice(TITLE_HEADS[field])
    roll = rng.random()
    if roll < 0.15:
        title = f"{title}（2027届校招）"
    elif roll < 0.25:
        title = f"【急招】{title}"
    elif roll < 0.35:
        title = f"{title}-{rng.choice(('长春', '研发中心', '总部', '生产基地'))}"
    elif roll < 0.4:
        title = f"{title} {rng.randint(1, 3)}名"
    duties = [f"{rng.choice(VERBS)}{'、'.join(_terms(rng, field, rng.randint(1, 3)))}{rng.choice(OBJECTS)}"
              for _ in range(rng.randint(2, 6))]
    majors_named = rng.sample(MAJORS[field], k=rng.randint(1, min(3, len(MAJORS[field]))))
    level_word = rng.choice(LEVEL_WORDS[level])
    requirements = [f"{level_word}及以上学历" if rng.random() < 0.7 else f"学历要求：{level_word}"]
    major_style = rng.random()
    if major_style < 0.6:
        requirements.append(f"{'、'.join(m for m in majors_named if not m[0].isdigit()) or '理工科'}等相关专业")
    elif major_style < 0.7:
        requirements.append("专业不限")
    requirements += [_fill(rng, r) for r in rng.sample(REQUIREMENTS, k=rng.randint(1, 4))]
    requirements.append(f"熟悉{rng.choice(SEPARATORS).join(_terms(rng, field, rng.randint(1, 4)))}")
    if rng.random() < 0.2:
        requirements.append(rng.choice(ENGLISH))
    benefits = rng.sample(BENEFITS, k=rng.randint(0, 5))
    layout = rng.randrange(5)
    if layout == 0:
        body = ("岗位职责：\n" + "\n".join(f"{i + 1}、{d}；" for i, d in enumerate(duties)) + "\n任职要求：\n"
                + "\n".join(f"{i + 1}. {r}" for i, r in enumerate(requirements)))
    elif layout == 1:
        body = "【工作内容】" + "；".join(duties) + "。【任职资格】" + "；".join(requirements) + "。"
    elif layout == 2:
        body = f"{company}诚聘{title}。" + "，".join(duties) + "。要求" + "，".join(requirements) + "。"
    elif layout == 3:
        body = "<p>职位描述</p><p>" + "</p><p>".join(f"• {d}" for d in duties) + "</p><p>职位要求</p><p>" \
            + "</p><p>".join(f"• {r}" for r in requirements) + "</p>"
    else:
        body = " ".join(f"({i + 1}) {d}" for i, d in enumerate(duties)) + " | " + " ".join(requirements)
    if benefits:
        body += rng.choice(("\n福利待遇：", "。我们提供：", " 福利: ")) + rng.choice(SEPARATORS).join(benefits)
    if rng.random() < 0.3:
        body += f"\n工作地点：长春市{rng.choice(('朝阳区', '南关区', '高新区', '净月区', '汽开区', '绿园区'))}" \
                f"{rng.choice(('卫星路', '人民大街', '东风大街', '硅谷大街', '前进大街'))}{rng.randint(1, 9999)}号"
    if rng.random() < 0.2:
        body += f" 联系电话：0431-{rng.randint(80000000, 89999999)}"
    roll = rng.random()
    if roll < 0.1:
        body = body.translate(_TRADITIONAL)
        title = title.translate(_TRADITIONAL)
    elif roll < 0.15:
        body = _fullwidth(body)
    base = {"college": 3500, "bachelor": 5000, "master": 7500, "doctor": 11000}[level] * rng.uniform(0.6, 1.8)
    low = int(round(base / 50) * 50)
    high = low + rng.randrange(0, 8000, 50)
    job: dict = {"id": job_id, "title": title, "description": body, "min_education": level,
                 "district": rng.choice(DISTRICTS), "salary_min": low, "salary_max": high,
                 "headcount": rng.randint(1, 30)}
    if rng.random() < 0.3:
        job["majors"] = [m for m in majors_named]
    if rng.random() < 0.1:
        job["salary_max"] = None
    return job


def make_graduate(rng: random.Random, graduate_id: str) -> dict:
    field = rng.choice(list(FIELDS))
    named = [m for m in MAJORS[field] if not m[0].isdigit() and not m.endswith("类")]
    roll = rng.random()
    if roll < 0.1:
        major = rng.choice(UNKNOWN_MAJORS)
    elif roll < 0.25:
        major = rng.choice(SCHOOLS) + rng.choice(named) + "专业"
    elif roll < 0.35:
        major = rng.choice(named) + rng.choice(("（汽车方向）", "(卓越工程师班)", "（师范）", "-智能方向"))
    else:
        major = rng.choice(named)
    level = rng.choices(LEVELS, weights=(3, 6, 3, 1))[0]
    skills = _terms(rng, field, rng.randint(0, 5))
    if rng.random() < 0.3:
        skills.append(rng.choice(("英语六级", "CET-4", "驾驶证", "Office", "普通话二甲", "计算机二级")))
    graduate: dict = {
        "id": graduate_id, "major": major, "education": level,
        "skills": skills if rng.random() < 0.6 else rng.choice(SEPARATORS).join(skills),
        "preferred_districts": rng.sample(DISTRICTS, k=rng.choice((0, 0, 1, 1, 2, 3, 4))),
        "expected_salary": int(round({"college": 4000, "bachelor": 5500, "master": 8000, "doctor": 12000}[level]
                                     * rng.uniform(0.7, 1.5) / 100) * 100),
    }
    if rng.random() < 0.1:
        graduate["expected_salary"] = None
    return graduate


def generate(n_jobs: int, n_graduates: int, out: Path, seed: int = 11) -> tuple[Path, Path]:
    rng = random.Random(seed)
    return write_sets(out, (make_job(rng, f"V{i:07d}") for i in range(n_jobs)),
                      (make_graduate(rng, f"H{i:07d}") for i in range(n_graduates)))


if __name__ == "__main__":
    command_line(generate, __doc__.splitlines()[0], 11)
