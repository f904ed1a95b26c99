"""Build the labelled development set: graduates x jobs graded 0–3 by recruiter-style rules.

    python bench/data/make_devset.py   # writes bench/data/devset_{jobs,graduates,grades}.jsonl

Grades come from each job template's judgement of who fits it (talent/scoring/demo.py: `primary`,
`acceptable`, `related` majors and `key_skills`), adjusted for education, skills, district and
salary as documented in docs/matching.md. They never look at the model's knowledge files or at
string overlap between ad and profile.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from talent.scoring.demo import _GRADUATE_SKILLS_BY_MAJOR_HINT, LEVELS, TEMPLATES, make_graduate, make_job

HERE = Path(__file__).parent
# The graduate skill names a recruiter reads as each key skill of the templates.
KEY_SKILL_NAMES = {
    "hypermesh": {"hypermesh"}, "nvh": {"nvh"}, "cae": {"ansys", "abaqus", "有限元分析", "hypermesh"},
    "catia": {"catia"}, "ug_nx": {"ug"}, "gdt": set(), "welding": {"焊接"}, "lean": set(),
    "cpp": {"c语言"}, "can_bus": set(), "embedded_c": {"嵌入式", "单片机"}, "optical_design": {"zemax"},
    "optical_test": {"光学检测"}, "laser": {"激光"}, "labview": {"labview"}, "solidworks": {"solidworks"},
    "ansys": {"ansys"}, "cell_culture": {"细胞培养"}, "molecular_biology": {"pcr", "elisa", "western blot"},
    "gmp": {"gmp"}, "hplc": {"hplc", "色谱"}, "lab_testing": {"检验检测", "微生物检验", "食品检验"},
    "copywriting": {"公文写作", "新闻写作"}, "rail_vehicle": set(), "electrical_design": {"eplan"},
    "crop_breeding": {"作物育种", "田间试验"}, "data_analysis": {"数据分析", "spss"}, "plant_protection": {"病虫害防治"},
    "soil_fertilizer": {"测土配方"}, "driving": {"驾驶证"}, "food_rd": {"食品研发"}, "food_safety": {"haccp", "食品检验"},
    "vet": {"动物防疫"}, "animal_husbandry": {"饲养管理"}, "java": {"java"}, "sql": {"sql", "mysql"},
    "python": {"python"}, "machine_learning": {"机器学习", "pytorch"}, "computer_vision": {"opencv"},
    "linux": {"linux"}, "teaching": {"教师资格证", "教学设计", "普通话二甲"}, "english": {"英语六级", "英语专业八级"},
    "clinical_practice": {"临床技能", "执业医师资格", "病历书写"}, "nursing_skill": {"护士执业资格", "静脉穿刺", "基础护理"},
    "pharmacist": {"药品调剂"}, "medical_imaging": {"ct", "超声"}, "financial_analysis": {"财务分析", "银行从业"},
    "sales": {"客户开发"}, "accounting_skill": {"初级会计职称", "用友", "金蝶"}, "excel": {"excel", "office"},
    "risk_control": set(), "admin_skill": {"公文写作", "office"}, "law_skill": {"法律职业资格", "合同审查"},
    "hr_skill": {"人力资源管理师"}, "power_system": {"继电保护"}, "plc": {"plc"}, "robot": set(),
    "marketing_ops": {"新媒体运营", "营销策划"}, "video_editing": {"视频剪辑"}, "materials_testing": {"sem", "xrd", "金相分析"},
    "heat_treatment": {"热处理"},
}
FREE_TEXT_MAJORS = ("汽车检测与维修技术", "车辆工程（汽车电子方向）", "光电信息科学与工程专业", "臨床醫學", "计算机应用技术",
                    "工程力学（固体力学方向）", "药学（临床药学）", "农学专业", "财务管理专业", "电气工程")


def grade(graduate: dict, job: dict, template) -> int:
    """A recruiter's grade 0–3 (see docs/matching.md, "How the development set was graded")."""
    level, required = LEVELS.index(graduate["education"]), LEVELS.index(job["min_education"])
    if level < required:
        return 0
    major = graduate["major"].replace("专业", "").split("（")[0].replace("臨床醫學", "临床医学")
    major = {"计算机应用技术": "计算机科学与技术", "电气工程": "电气工程及其自动化"}.get(major, major)
    if major in template.primary:
        score = 3
    elif major in template.acceptable:
        score = 2
    elif major in template.related:
        score = 1
    elif major == "汽车检测与维修技术" and template.sector in ("automotive", "rail") and job["min_education"] == "college":
        score = 2
    else:
        score = 0
    skills = graduate["skills"] if isinstance(graduate["skills"], list) else graduate["skills"].split("、")
    names = {s.lower() for s in skills}
    shared = sum(1 for key in template.key_skills if names & KEY_SKILL_NAMES.get(key, set()))
    if score >= 1 and shared >= 2:
        score += 1
    if score >= 2 and graduate["preferred_districts"] and job["district"] not in graduate["preferred_districts"]:
        score -= 1
    if score >= 1 and job["salary_max"] < 0.8 * graduate["expected_salary"]:
        score -= 1
    if score >= 1 and level - required >= 2:
        score -= 1
    return max(0, min(3, score))


def build(n_jobs: int = 300, n_graduates: int = 60, seed: int = 2024) -> tuple[list, list, list]:
    rng = random.Random(seed)
    jobs, template_of = [], {}
    for index in range(n_jobs):
        template = TEMPLATES[index % len(TEMPLATES)]
        job = make_job(rng, template, f"D{index:04d}")
        jobs.append(job)
        template_of[job["id"]] = template
    graduates = []
    majors = sorted({m for t in TEMPLATES for m in t.primary + t.acceptable})
    for index in range(n_graduates):
        major = FREE_TEXT_MAJORS[index % len(FREE_TEXT_MAJORS)] if index % 6 == 5 else rng.choice(majors)
        graduate = make_graduate(rng, f"DG{index:03d}", major=major)
        hint_pool = [s for hint, skills in _GRADUATE_SKILLS_BY_MAJOR_HINT.items() if hint in major for s in skills]
        if not hint_pool:
            graduate["skills"] = graduate["skills"] if graduate["skills"] else ["Excel"]
        graduates.append(graduate)
    grades = [
        {"graduate_id": g["id"], "job_id": j["id"], "grade": grade(g, j, template_of[j["id"]])}
        for g in graduates for j in jobs
    ]
    return jobs, graduates, grades


def main() -> None:
    jobs, graduates, grades = build()
    for name, rows in (("jobs", jobs), ("graduates", graduates), ("grades", [g for g in grades if g["grade"]])):
        with (HERE / f"devset_{name}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(jobs)} jobs, {len(graduates)} graduates, {sum(1 for g in grades if g['grade'])} non-zero grades")


if __name__ == "__main__":
    main()
