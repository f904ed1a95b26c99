"""The shipped knowledge: the major catalogues, fields of work, skills with synonyms, Changchun districts.

All of it is data under talent/scoring/data; this module loads it once and offers one scanner
(an Aho-Corasick automaton, leftmost-longest matches) that finds fields, skills, majors, major classes
and "any major" phrases in normalised text.

Majors come from the national catalogues in data/catalogues/ (undergraduate, vocational 高职专科 and
graduate, each file naming its edition and source; docs/matching.md has the counts). A graduate's
major resolves by code, exact name (the education level choosing between catalogues when names
collide), known alias, then character-bigram similarity above a threshold (`resolve_major_detailed`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import ahocorasick
import numpy as np
import yaml

from talent.scoring.text import normalize_text

# 学科门类 (undergraduate and graduate catalogues) and 专业大类 (vocational catalogue, 41–59); the
# loader checks every catalogue row against these names.
CATEGORY_NAMES = {
    "01": "哲学", "02": "经济学", "03": "法学", "04": "教育学", "05": "文学", "06": "历史学", "07": "理学",
    "08": "工学", "09": "农学", "10": "医学", "12": "管理学", "13": "艺术学", "14": "交叉学科",
    "41": "农林牧渔大类", "42": "资源环境与安全大类", "43": "能源动力与材料大类", "44": "土木建筑大类",
    "45": "水利大类", "46": "装备制造大类", "47": "生物与化工大类", "48": "轻工纺织大类",
    "49": "食品药品与粮食大类", "50": "交通运输大类", "51": "电子与信息大类", "52": "医药卫生大类",
    "53": "财经商贸大类", "54": "旅游大类", "55": "文化艺术大类", "56": "新闻传播大类",
    "57": "教育与体育大类", "58": "公安与司法大类", "59": "公共管理与服务大类",
}

# The catalogue files (data/catalogues/<id>.tsv), in the order their names are looked up when the
# education level says nothing (see LEVEL_PREFERENCE).
CATALOGUE_IDS = ("undergraduate", "vocational", "graduate")
CATALOGUE_LABELS = {
    "undergraduate": ("本科", "undergraduate"),
    "vocational": ("高职专科", "vocational (associate)"),
    "graduate": ("研究生", "graduate"),
}
# Which catalogue a name is looked up in first, by education level (college, bachelor, master, doctor).
LEVEL_PREFERENCE: dict[int | None, tuple[str, ...]] = {
    None: ("undergraduate", "vocational", "graduate"),
    0: ("vocational", "undergraduate", "graduate"),
    1: ("undergraduate", "vocational", "graduate"),
    2: ("graduate", "undergraduate", "vocational"),
    3: ("graduate", "undergraduate", "vocational"),
}
# Character-bigram similarity (Dice) from which a major written as free text is taken to be a
# catalogue major; below it the major stays unresolved and counts by the words it contains.
SIMILARITY_THRESHOLD = 0.5
# Added to the similarity of names in the catalogue the education level points to (ranking only).
LEVEL_BONUS = 0.05
# How the major was resolved (`MajorResolution.method`), as the explanation says it.
RESOLUTION_TEXT = {
    "code": ("按专业代码", "by major code"),
    "exact": ("按专业名称精确匹配", "by exact name"),
    "alias": ("按曾用名或别名", "by a former or informal name"),
    "similar": ("按文字相近", "by similar wording"),
    "class": ("按专业类名称", "by major class name"),
    "unresolved": ("专业未能对应到目录", "major not found in the catalogues"),
}
_SUFFIX = re.compile(r"^(\d{6})[A-Z]{1,2}$")

# GB/T 2260 codes of Changchun (docs/policy.md §A.1) with the names people write in ads and profiles.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "220102": ("南关区", "南关"),
    "220103": ("宽城区", "宽城"),
    "220104": ("朝阳区", "朝阳"),
    "220105": ("二道区", "二道"),
    "220106": ("绿园区", "绿园"),
    "220112": ("双阳区", "双阳"),
    "220113": ("九台区", "九台"),
    "220122": ("农安县", "农安"),
    "220171": ("长春经济技术开发区", "经济技术开发区", "经开区", "经济开发区", "经开"),
    "220172": ("长春净月高新技术产业开发区", "净月高新技术产业开发区", "净月区", "净月开发区", "净月"),
    "220173": ("长春高新技术产业开发区", "高新技术产业开发区", "高新区", "高新"),
    "220174": ("长春汽车经济技术开发区", "汽车经济技术开发区", "汽车产业开发区", "汽开区", "汽车开发区", "汽开"),
    "220182": ("榆树市", "榆树"),
    "220183": ("德惠市", "德惠"),
    "220184": ("公主岭市", "公主岭"),
}
DISTRICT_NAMES = {code: names[0] for code, names in DISTRICTS.items()}

# Phrases that say any major will do.
_ANY_MAJOR_PHRASES = ("专业不限", "不限专业", "专业要求不限", "各类专业", "所有专业", "专业无要求", "任何专业", "各专业")
# Phrases that would otherwise trigger a field keyword although they say nothing about the work
# (benefits, application paperwork). Matched leftmost-longest, they swallow the shorter keyword inside.
_IGNORED_PHRASES = (
    "五险一金", "医疗保险", "补充医疗", "商业保险", "养老保险", "失业保险", "工伤保险", "生育保险", "社会保险",
    "住房公积金", "电子邮件", "电子邮箱", "电子版", "报名材料", "申请材料", "证明材料", "相关材料", "材料真实",
    "学历教育", "教育背景", "全日制", "汽车补贴", "交通补贴", "通讯补贴", "通信补贴", "班车", "健康体检",
    "市场化薪酬", "高新技术企业", "高新技术产业开发区", "经济技术开发区", "培训体系", "岗前培训",
)
_ASCII_WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Major:
    """One catalogue major: undergraduate (本科), vocational (高职专科) or graduate (研究生 一级学科 or
    专业学位类别; that catalogue has no class level, so `class_code` and `class_name` are empty)."""

    code: str
    name: str
    class_code: str
    class_name: str
    category_code: str
    category_name: str
    aliases: tuple[str, ...] = ()
    catalogue: str = "undergraduate"


@dataclass(frozen=True)
class MajorClass:
    code: str
    name: str
    aliases: tuple[str, ...]
    affinities: dict[str, float]
    catalogue: str = "undergraduate"
    derived: bool = False  # affinities derived from the words of the class's majors (no hand-set row)


@dataclass(frozen=True)
class Catalogue:
    """One shipped catalogue file: what it is and where its rows come from (its header lines)."""

    id: str
    title: str
    edition: str
    source: str
    note: str
    majors: int
    classes: int


@dataclass(frozen=True)
class Alias:
    """A name other than the catalogue's that people write for a major (a former or informal name)."""

    name: str
    code: str
    kind: str  # "informal" (hand-kept, data/majors.tsv) or "renamed" (a catalogue's former name)
    source: str


@dataclass(frozen=True)
class MajorResolution:
    """How a graduate's major was resolved: `method` is a key of RESOLUTION_TEXT; `code` the major
    (None when only a class, or nothing, was found); `matched` the catalogue name or alias that decided."""

    method: str
    code: str | None
    class_code: str | None
    category_code: str | None
    matched: str = ""
    score: float = 1.0


@dataclass(frozen=True)
class Field:
    id: str
    zh: str
    en: str


@dataclass(frozen=True)
class Skill:
    id: str
    label: str
    fields: dict[str, float]


@dataclass
class Hits:
    """What a scan of one text found, with weights (a keyword may count less than 1)."""

    fields: dict[str, float] = field(default_factory=dict)
    skills: set[str] = field(default_factory=set)
    majors: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    districts: set[str] = field(default_factory=set)
    any_major: bool = False


@lru_cache(maxsize=16384)
def _normal_name(name: str) -> str:
    """`normalize_text` of a catalogue name, alias or class name (each is normalised in several tables)."""
    return normalize_text(name)


def _data_text(name: str) -> str:
    return resources.files("talent.scoring").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _load_yaml(name: str) -> dict:
    # libyaml's parser when PyYAML has it (same safe constructor, a tenth of the start-up time).
    return yaml.load(_data_text(name), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def _parse_affinities(text: str) -> dict[str, float]:
    affinities: dict[str, float] = {}
    for item in text.split(","):
        item = item.strip()
        if item:
            field_id, weight = item.split(":")
            affinities[field_id.strip()] = float(weight)
    return affinities


def _tsv_rows(name: str) -> list[list[str]]:
    rows = []
    for line in _data_text(name).splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append((line.split("\t") + ["", "", "", ""])[:4])
    return rows


class Knowledge:
    """Everything the model knows about majors, fields and skills, loaded from the shipped data."""

    def __init__(self) -> None:
        self.fields: dict[str, Field] = {}
        self.field_keywords: dict[str, list[tuple[str, float]]] = {}
        for field_id, spec in _load_yaml("domains.yaml").items():
            self.fields[field_id] = Field(field_id, spec["zh"], spec["en"])
            keywords = []
            for keyword in spec["keywords"]:
                text, _, weight = str(keyword).partition("*")
                keywords.append((normalize_text(text), float(weight) if weight else 1.0))
            self.field_keywords[field_id] = keywords

        self.skills: dict[str, Skill] = {}
        self.skill_synonyms: dict[str, list[str]] = {}
        for skill_id, spec in _load_yaml("skills.yaml").items():
            fields = {name: float(weight) for name, weight in (spec.get("fields") or {}).items()}
            self.skills[skill_id] = Skill(skill_id, str(spec["label"]), fields)
            self.skill_synonyms[skill_id] = [normalize_text(s) for s in spec["synonyms"]]

        self._load_majors()
        self.district_by_name: dict[str, str] = {}
        for code, names in DISTRICTS.items():
            for name in names:
                self.district_by_name[normalize_text(name)] = code
        self.pattern_items = self._pattern_items()
        self._automaton = self._build_automaton()
        self.fingerprint = hashlib.sha256(
            "".join(_data_text(name) for name in (
                "domains.yaml", "skills.yaml", "classes.tsv", "majors.tsv",
                *(f"catalogues/{catalogue}.tsv" for catalogue in CATALOGUE_IDS),
            )).encode()
        ).hexdigest()[:16]

    def _load_majors(self) -> None:
        """The catalogues (data/catalogues), the hand-set class affinities (classes.tsv) and the
        hand-kept majors file (majors.tsv: the majors that get a column of their own in the model,
        informal names, extra affinities)."""
        hand_classes = {
            code: (name, tuple(a for a in aliases.split("|") if a), _parse_affinities(affinities))
            for code, name, aliases, affinities in _tsv_rows("classes.tsv")
        }
        self.majors: dict[str, Major] = {}
        self.classes: dict[str, MajorClass] = {}
        self.catalogues: dict[str, Catalogue] = {}
        for catalogue_id in CATALOGUE_IDS:
            meta, rows = _catalogue_rows(catalogue_id)
            class_names: dict[str, str] = {}
            for code, name, group, category in rows:
                category_code = code[:2]
                if CATEGORY_NAMES.get(category_code) != category or code in self.majors:
                    raise ValueError(f"catalogue {catalogue_id}: bad or repeated row {code} {name} {category}")
                class_code = class_name = ""
                if catalogue_id != "graduate":
                    class_code, class_name = code[:4], group
                    if class_names.setdefault(class_code, class_name) != class_name:
                        raise ValueError(f"catalogue {catalogue_id}: class {class_code} has two names")
                self.majors[code] = Major(code, name, class_code, class_name, category_code, category,
                                          catalogue=catalogue_id)
            for class_code, class_name in class_names.items():
                hand = hand_classes.pop(class_code, None)
                if hand and hand[0] != class_name:
                    raise ValueError(f"classes.tsv: {class_code} is {class_name} in the catalogue, not {hand[0]}")
                aliases, affinities = (hand[1], hand[2]) if hand else ((), {})
                self.classes[class_code] = MajorClass(class_code, class_name, aliases, affinities, catalogue_id,
                                                      derived=hand is None)
            self.catalogues[catalogue_id] = Catalogue(
                catalogue_id, meta.get("title", ""), meta.get("edition", ""), meta.get("source", ""),
                meta.get("note", ""), len(rows), len(class_names))
        if hand_classes:
            raise ValueError(f"classes.tsv names classes no catalogue has: {sorted(hand_classes)}")

        # majors.tsv: the scored majors, their informal names and extra affinities.
        self.aliases: list[Alias] = []
        self.scored_majors: list[str] = []
        self.major_extra_affinities: dict[str, dict[str, float]] = {}
        for code, name, aliases, affinities in _tsv_rows("majors.tsv"):
            code = self.normalise_code(code)
            major = self.majors.get(code)
            if major is None or major.name != name:
                raise ValueError(f"majors.tsv: {code} {name} is not a catalogue major")
            names = tuple(a for a in aliases.split("|") if a)
            self.majors[code] = Major(major.code, major.name, major.class_code, major.class_name,
                                      major.category_code, major.category_name, names, major.catalogue)
            self.aliases.extend(Alias(alias, code, "informal", "data/majors.tsv") for alias in names)
            self.scored_majors.append(code)
            self.major_extra_affinities[code] = _parse_affinities(affinities)
        self._check_references()

        # Name lookups: every catalogue name and alias → the majors that bear it (catalogue order).
        self.majors_by_name: dict[str, tuple[str, ...]] = {}
        for major in self.majors.values():
            key = _normal_name(major.name)
            self.majors_by_name[key] = (*self.majors_by_name.get(key, ()), major.code)
        self.majors_by_alias: dict[str, tuple[str, ...]] = {}
        for alias in self.aliases:
            key = _normal_name(alias.name)
            if key not in self.majors_by_alias or alias.code not in self.majors_by_alias[key]:
                self.majors_by_alias[key] = (*self.majors_by_alias.get(key, ()), alias.code)
        # First bearer of a name or alias (undergraduate first): the level-blind lookup.
        self.major_by_name: dict[str, str] = {}
        for table in (self.majors_by_name, self.majors_by_alias):
            for key, codes in table.items():
                self.major_by_name.setdefault(key, codes[0])
        self.classes_by_name: dict[str, tuple[str, ...]] = {}
        for major_class in self.classes.values():
            for name in (major_class.name, *major_class.aliases):
                key = _normal_name(name)
                if major_class.code not in self.classes_by_name.get(key, ()):
                    self.classes_by_name[key] = (*self.classes_by_name.get(key, ()), major_class.code)
        self.class_by_name = {key: codes[0] for key, codes in self.classes_by_name.items()}
        self._class_affinity_cache: dict[str, dict[str, float]] = {}
        self._scoring_class_cache: dict[str, str | None] = {}
        self._similarity_index: tuple | None = None

    def normalise_code(self, code: object, level: int | None = None) -> str:
        """A major code as the catalogues key it: upper case, without spaces and without the T/K
        suffix letters of the undergraduate and vocational catalogues (080910T → 080910); a graduate
        code written with trailing zeros (081200) → 0812 when that is a graduate discipline and the
        level is master or doctor (or not given)."""
        text = normalize_text(code).upper().replace(" ", "")
        suffixed = _SUFFIX.match(text)
        if suffixed:
            text = suffixed.group(1)
        if len(text) == 6 and text.endswith("00") and text not in self.majors and (level is None or level >= 2):
            short = text[:4]
            if short in self.majors and self.majors[short].catalogue == "graduate":
                return short
        return text

    def _check_references(self) -> None:
        known = set(self.fields)
        for source in (
            *(c.affinities for c in self.classes.values()),
            *self.major_extra_affinities.values(),
            *(s.fields for s in self.skills.values()),
        ):
            unknown = set(source) - known
            if unknown:
                raise ValueError(f"knowledge data names unknown fields: {sorted(unknown)}")

    def _pattern_items(self) -> dict[str, tuple[tuple, ...]]:
        """Every normalised pattern the scanner looks for → what it names, in order: ("field", id,
        weight), ("skill", id), ("major", code), ("class", code), ("district", code), ("any",) for
        专业不限, ("ignore",) for benefit and paperwork phrases."""
        items: dict[str, list[tuple]] = {}

        def add(pattern: str, item: tuple) -> None:
            if pattern:
                items.setdefault(pattern, []).append(item)

        for field_id, keywords in self.field_keywords.items():
            for keyword, weight in keywords:
                add(keyword, ("field", field_id, weight))
        for skill_id, synonyms in self.skill_synonyms.items():
            for synonym in synonyms:
                add(synonym, ("skill", skill_id))
        # Names of the hand-kept majors and classes (majors.tsv, classes.tsv) are matched as they
        # always were; a catalogue name beyond them also carries the field words and skills inside it
        # (大数据与会计 → 大数据, 会计), so that adding the full catalogues to the scanner takes no
        # field or skill away from an ad that uses those words outside a clause about majors.
        hand_kept = {_normal_name(self.majors[code].name) for code in self.scored_majors}
        hand_kept |= {_normal_name(a.name) for a in self.aliases}
        hand_kept |= {_normal_name(name) for c in self.classes.values() if not c.derived
                      for name in (c.name, *c.aliases)}
        words = _WordScanner(self.field_keywords, self.skill_synonyms)
        for major in self.majors.values():
            # A graduate discipline named like a major of another catalogue (软件工程 0835 and 080902) is
            # scored through that major's class anyway: the ad lists the other major only.
            if major.catalogue == "graduate" and len(self.majors_by_name[_normal_name(major.name)]) > 1:
                continue
            add(_normal_name(major.name), ("major", major.code))
        for alias in self.aliases:
            add(_normal_name(alias.name), ("major", alias.code))
        for major_class in self.classes.values():
            add(_normal_name(major_class.name), ("class", major_class.code))
            for alias in major_class.aliases:
                # A bare class alias such as 机械 is recorded as a class hint; it counts only in a
                # clause that speaks of majors (see `scan`).
                add(_normal_name(alias), ("class", major_class.code))
        for pattern in list(items):
            found = items[pattern]
            if (pattern not in hand_kept and any(item[0] in ("major", "class") for item in found)
                    and not any(item[0] in ("field", "skill", "ignore") for item in found)):
                for item in words.items_in(pattern):
                    add(pattern, item)
        for code, names in DISTRICTS.items():
            for name in names:
                add(normalize_text(name), ("district", code))
        for phrase in _ANY_MAJOR_PHRASES:
            add(phrase, ("any",))
        for phrase in _IGNORED_PHRASES:
            add(normalize_text(phrase), ("ignore",))
        return {pattern: tuple(found) for pattern, found in items.items()}

    def _build_automaton(self) -> ahocorasick.Automaton:
        """One automaton over all patterns. Each pattern carries its items compiled into what `scan`
        adds per match, so a match costs a few dict and set updates and creates no object:
        (length, checks, ((field id, weight), …), skills, (districts, majors, classes, any major)).
        `checks` flags a Latin edge (word-boundary check), clause-bound items (majors, classes,
        专业不限: they count only in a clause that speaks of majors) and districts."""
        automaton = ahocorasick.Automaton()
        for pattern, items in self.pattern_items.items():
            by_kind: dict[str, list] = {}
            for item in items:
                by_kind.setdefault(item[0], []).append(item)
            majors = frozenset(item[1] for item in by_kind.get("major", ())) or _NOTHING
            classes = frozenset(item[1] for item in by_kind.get("class", ())) or _NOTHING
            districts = frozenset(item[1] for item in by_kind.get("district", ())) or _NOTHING
            skills = frozenset(item[1] for item in by_kind.get("skill", ())) or _NOTHING
            any_major = "any" in by_kind
            checks = 0
            if pattern[0] in _ASCII_WORD_CHARS or pattern[-1] in _ASCII_WORD_CHARS:
                checks |= _CHECK_ASCII_EDGES
            if majors or classes or any_major:
                checks |= _CHECK_CLAUSE
            if districts:
                checks |= _CHECK_DISTRICTS
            field_weights = tuple((item[1], item[2]) for item in by_kind.get("field", ()))
            rare = (districts, majors, classes, any_major)
            automaton.add_word(pattern, (len(pattern), checks, field_weights, skills, rare))
        automaton.make_automaton()
        return automaton

    def scan(self, text: str, *, weight: float = 1.0, majors_from_text: bool = True, hits: Hits | None = None) -> Hits:
        """Find fields, skills, majors, classes and districts in normalised `text`.

        Majors and classes count only in clauses that talk about 专业/学科 when `majors_from_text` is
        set for job ads (so 一汽 "汽车" in a finance post does not list 车辆工程); a graduate's major
        text is scanned with `majors_from_text=False` and resolved by `resolve_major` instead.
        Field counts are multiplied by `weight`; with `hits`, the findings are added to it.
        """
        hits = hits or Hits()
        if text:
            found_any = self._scan_into(
                text, weight, majors_from_text, hits.fields, hits.skills, hits.districts, hits.majors, hits.classes
            )
            hits.any_major = hits.any_major or found_any
        return hits

    def scan_job_text(self, text: str, weight: float = 1.0) -> tuple[dict[str, float], set[str], set[str], set[str], bool]:
        """`scan(text, weight=weight)` of a job's title or description without districts, as (fields,
        skills, majors, classes, any major): the job side needs no `Hits` object per ad."""
        fields: dict[str, float] = {}
        skills: set[str] = set()
        majors: set[str] = set()
        classes: set[str] = set()
        any_major = bool(text) and self._scan_into(text, weight, True, fields, skills, None, majors, classes)
        return fields, skills, majors, classes, any_major

    def _scan_into(
        self, text: str, weight: float, majors_from_text: bool, fields: dict[str, float], skills: set[str],
        districts: set[str] | None, majors: set[str], classes: set[str],
    ) -> bool:
        """The loop of `scan`: adds to the given containers (districts unless None), returns whether
        专业不限 was found. It runs once per automaton match (tens per ad, millions per batch), hence
        the flat code; the rarer items (districts, majors, classes, 专业不限) sit behind `checks`."""
        any_major = False
        major_clauses: list[tuple[int, int]] | None = None
        for end, (length, checks, field_weights, skill_ids, rare) in self._automaton.iter_long(text):
            if checks:
                start = end - length + 1
                if checks & _CHECK_ASCII_EDGES and not _ascii_boundaries_ok(text, start, end):
                    continue
                district_ids, major_ids, class_ids, any_phrase = rare
                if district_ids and districts is not None:
                    districts |= district_ids
                if checks & _CHECK_CLAUSE:
                    in_major_clause = True  # a text scanned with majors_from_text=False is one clause
                    if majors_from_text:
                        if major_clauses is None:
                            major_clauses = _major_clause_spans(text)
                        in_major_clause = False
                        for low, high in major_clauses:
                            if low <= start <= high:
                                in_major_clause = True
                                break
                    if in_major_clause:
                        if major_ids:
                            majors |= major_ids
                        if class_ids:
                            classes |= class_ids
                        if any_phrase:
                            any_major = True
            for field_id, value in field_weights:
                fields[field_id] = fields.get(field_id, 0.0) + value * weight
            if skill_ids:
                skills |= skill_ids
        return any_major

    def resolve_major(self, text: str, code: str | None = None, level: int | None = None) -> tuple[str | None, str | None]:
        """(major code, class code) of a graduate's major given as a code and/or free text; see
        `resolve_major_detailed`. The class is the one the model scores with (`scoring_class`)."""
        found = self.resolve_major_detailed(text, code, level)
        return found.code, found.class_code

    def resolve_major_detailed(self, text: str, code: str | None = None, level: int | None = None) -> MajorResolution:
        """How a graduate's major resolves, in this order:

        1. `code`, when it is a catalogue major (080910T, 530302, 0812 for a master) or a class (0809);
        2. the exact catalogue name, or a known alias (a former or informal name); when several
           catalogues bear the name, the education `level` (0 college … 3 doctor) picks the catalogue
           (LEVEL_PREFERENCE), and an exact name goes before an alias of the same catalogue;
        3. a class name (计算机类);
        4. the catalogue name or alias most similar by character bigrams (Dice ≥ SIMILARITY_THRESHOLD);
        5. a class name or class alias inside the text (a class only); else unresolved.
        Decorations (专业, 方向, parenthesised parts) are ignored.
        """
        order = LEVEL_PREFERENCE.get(level, LEVEL_PREFERENCE[None])
        if code:
            normalised = self.normalise_code(code, level)
            if normalised in self.majors and (self.majors[normalised].catalogue != "graduate" or level is None or level >= 2):
                return self._resolution("code", normalised, self.majors[normalised].name)
            if len(normalised) >= 4 and normalised[:4] in self.classes:
                major_class = self.classes[normalised[:4]]
                return MajorResolution("class", None, major_class.code, major_class.code[:2], major_class.name)
        name = _strip_major_decorations(normalize_text(text))
        if not name:
            return MajorResolution("unresolved", None, None, None)
        candidates = [(order.index(self.majors[c].catalogue), 0, c) for c in self.majors_by_name.get(name, ())]
        candidates += [(order.index(self.majors[c].catalogue), 1, c) for c in self.majors_by_alias.get(name, ())]
        if candidates:
            _, alias, found = min(candidates)
            return self._resolution("alias" if alias else "exact", found, name if alias else self.majors[found].name)
        if name in self.classes_by_name:
            found = min(self.classes_by_name[name], key=lambda c: (order.index(self.classes[c].catalogue), c))
            return MajorResolution("class", None, found, found[:2], self.classes[found].name)
        similar = self._most_similar(name, order, preferred=level is not None)
        if similar is not None and similar[1] >= SIMILARITY_THRESHOLD:
            found, score, matched = similar
            return self._resolution("similar", found, matched, round(score, 3))
        for end, payload in self._automaton.iter_long(name):
            pattern = name[end - payload[0] + 1 : end + 1]
            classes = [item[1] for item in self.pattern_items[pattern] if item[0] == "class"]
            if classes:
                found = min(classes, key=lambda c: (order.index(self.classes[c].catalogue), c))
                return MajorResolution("class", None, found, found[:2], pattern)
        return MajorResolution("unresolved", None, None, None)

    def _resolution(self, method: str, code: str, matched: str, score: float = 1.0) -> MajorResolution:
        major = self.majors[code]
        return MajorResolution(method, code, self.scoring_class(code), major.category_code, matched, score)

    def _most_similar(self, name: str, order: tuple[str, ...], preferred: bool = True) -> tuple[str, float, str] | None:
        """(code, similarity, name or alias) of the catalogue name or alias most like `name`: the mean of the
        Dice coefficients of the character sets and of the character-bigram sets (bigrams reward the same
        order, characters the same words in another order: 智能会计与大数据 ~ 大数据与会计). Ties go to the
        catalogue the level prefers, then to the lower code. Counted with NumPy over posting lists."""
        index = self._similarity_index or self._build_similarity_index()
        entries, postings, entry_unigrams, entry_bigrams, code_rank, catalogue_of = index
        compact = name.replace(" ", "")
        unigrams = set(compact)
        bigrams = {compact[i : i + 2] for i in range(len(compact) - 1)}
        found_unigrams = [postings[gram] for gram in unigrams if gram in postings]
        if not found_unigrams:
            return None
        size = len(entries)
        shared_unigrams = np.bincount(np.concatenate(found_unigrams), minlength=size)
        found_bigrams = [postings[gram] for gram in bigrams if gram in postings]
        shared_bigrams = (np.bincount(np.concatenate(found_bigrams), minlength=size) if found_bigrams
                          else np.zeros(size, dtype=np.int64))
        bigram_total = entry_bigrams + len(bigrams)
        score = (shared_unigrams / (entry_unigrams + len(unigrams))
                 + np.where(bigram_total > 0, shared_bigrams / np.maximum(bigram_total, 1), 0.0))
        rank = np.array([order.index(c) for c in CATALOGUE_IDS])[catalogue_of]
        # The catalogue the education level points to wins close calls (新能源汽车维修 for a college
        # graduate: the vocational 新能源汽车检测与维修技术).
        ranked = score + (LEVEL_BONUS * (rank == 0) if preferred else 0.0)
        best = int(np.lexsort((code_rank, rank, -np.round(ranked, 6)))[0])
        if shared_unigrams[best] == 0:
            return None
        code, matched = entries[best]
        return code, float(score[best]), matched

    def _build_similarity_index(self) -> tuple:
        """Every catalogue name and alias, with posting lists of its characters and character bigrams."""
        entries = [(m.code, m.name) for m in self.majors.values()] + [(a.code, a.name) for a in self.aliases]
        lists: dict[str, list[int]] = {}
        counts = np.zeros((len(entries), 2), dtype=np.int64)
        for row, (_code, text) in enumerate(entries):
            compact = _normal_name(text).replace(" ", "")
            unigrams = set(compact)
            bigrams = {compact[i : i + 2] for i in range(len(compact) - 1)}
            counts[row] = (len(unigrams), len(bigrams))
            for gram in unigrams | bigrams:  # a bigram never equals a character: one table for both
                lists.setdefault(gram, []).append(row)
        codes = sorted({code for code, _ in entries})
        position = {code: number for number, code in enumerate(codes)}
        catalogue_number = {catalogue: number for number, catalogue in enumerate(CATALOGUE_IDS)}
        self._similarity_index = (
            entries, {gram: np.array(rows, dtype=np.int64) for gram, rows in lists.items()},
            counts[:, 0], counts[:, 1], np.array([position[code] for code, _ in entries]),
            np.array([catalogue_number[self.majors[code].catalogue] for code, _ in entries]),
        )
        return self._similarity_index

    def scoring_class(self, code: str) -> str | None:
        """The class a major is scored with: its own; for a graduate discipline (that catalogue has
        no classes) the class of the undergraduate major of the same name, else of the most similar
        undergraduate major name (Dice ≥ SIMILARITY_THRESHOLD), else none — a derived link, kept out
        of the catalogue rows."""
        major = self.majors[code]
        if major.class_code:
            return major.class_code
        if code not in self._scoring_class_cache:
            found = None
            for other in self.majors_by_name.get(normalize_text(major.name), ()):
                if self.majors[other].catalogue == "undergraduate":
                    found = self.majors[other].class_code
                    break
            if found is None:
                similar = self._most_similar(normalize_text(major.name), ("undergraduate", "vocational", "graduate"),
                                             preferred=False)
                if similar and similar[1] >= SIMILARITY_THRESHOLD and self.majors[similar[0]].class_code:
                    found = self.majors[similar[0]].class_code
            self._scoring_class_cache[code] = found
        return self._scoring_class_cache[code]

    def class_affinities(self, class_code: str) -> dict[str, float]:
        """Field affinities of a class: hand-set (classes.tsv), or for a class without a row derived
        from the field words in its name and its majors' names (the most frequent field 1.0, the
        others in proportion, below 0.25 dropped)."""
        major_class = self.classes[class_code]
        if not major_class.derived:
            return major_class.affinities
        found = self._class_affinity_cache.get(class_code)
        if found is None:
            counts: dict[str, float] = {}
            names = [major_class.name.removesuffix("类")]
            names += [m.name for m in self.majors.values() if m.class_code == class_code]
            words = _WordScanner(self.field_keywords, {})
            for name in names:
                for item in words.items_in(normalize_text(name)):
                    counts[item[1]] = counts.get(item[1], 0.0) + item[2]
            top = max(counts.values(), default=0.0)
            found = {fid: round(count / top, 2) for fid, count in counts.items() if top and count / top >= 0.25}
            self._class_affinity_cache[class_code] = found
        return found

    def resolve_major_reference(self, reference: str) -> tuple[set[str], set[str]]:
        """A job's `majors` entry (code, class prefix such as 0809, category such as 08, or a name)
        → (majors, classes). A 4-digit code is a class prefix (not a graduate discipline)."""
        text = normalize_text(reference)
        code = self.normalise_code(text)
        if code in self.majors and self.majors[code].catalogue != "graduate":
            class_code = self.scoring_class(code)
            return {code}, ({class_code} if class_code else set())
        if re.fullmatch(r"\d{4}", code) and code in self.classes:
            return set(), {code}
        if re.fullmatch(r"\d{2}", code) and code in CATEGORY_NAMES:
            return set(), {c for c in self.classes if c.startswith(code)}
        name = _strip_major_decorations(text)
        codes = set(self.majors_by_name.get(name, ())) | set(self.majors_by_alias.get(name, ()))
        if len(codes) > 1:  # as the scanner does: a graduate discipline only when no other major has the name
            codes = {code for code in codes if self.majors[code].catalogue != "graduate"} or codes
        if codes:
            return codes, {c for c in map(self.scoring_class, codes) if c}
        major_code, class_code = self.resolve_major(text)
        return ({major_code} if major_code else set()), ({class_code} if class_code else set())

    def resolve_district(self, value: object) -> str | None:
        """A district code or name → its GB/T 2260 code; None when it is not a Changchun district."""
        if isinstance(value, str) and value in DISTRICTS:
            return value
        text = normalize_text(value)
        if text in DISTRICTS:
            return text
        if text in self.district_by_name:
            return self.district_by_name[text]
        stripped = text.removeprefix("长春市").removeprefix("长春")
        return self.district_by_name.get(stripped)

    def major_affinities(self, major_code: str | None, class_code: str | None) -> dict[str, float]:
        """Field affinities of a major: its class's, raised by the major's own extras."""
        affinities: dict[str, float] = {}
        if class_code and class_code in self.classes:
            affinities.update(self.class_affinities(class_code))
        if major_code:
            for field_id, weight in self.major_extra_affinities.get(major_code, {}).items():
                affinities[field_id] = max(affinities.get(field_id, 0.0), weight)
        return affinities


_MAJOR_DECORATIONS = re.compile(r"(专业|方向|\(.*?\)|（.*?）|\s)")


def _strip_major_decorations(name: str) -> str:
    stripped = _MAJOR_DECORATIONS.sub("", name)
    return stripped or name


_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n:：]")
# Words that say a clause is about majors. No cue overlaps another (test_scan checks), so a scan of
# the whole text finds a cue in every clause that has one.
_MAJOR_CUE = re.compile(r"专业|学科|类|相关|背景|毕业")
_CHECK_ASCII_EDGES = 1
_CHECK_CLAUSE = 2
_CHECK_DISTRICTS = 4
_NOTHING: frozenset[str] = frozenset()


def _major_clause_spans(text: str) -> list[tuple[int, int]]:
    """(first character, closing break or end of text) of each clause that speaks about majors
    (专业/学科/…类/相关): found from the cues, of which an ad has a few, rather than from its many
    clauses. The break before a cue is found in the reversed text (a regex searches forwards only)."""
    spans: list[tuple[int, int]] = []
    reversed_text = ""
    size = len(text)
    for cue in _MAJOR_CUE.finditer(text):
        position = cue.start()
        if spans and position <= spans[-1][1]:
            continue  # another cue of the same clause
        after = _CLAUSE_BREAK.search(text, position)
        if not reversed_text:
            reversed_text = text[::-1]
        before = _CLAUSE_BREAK.search(reversed_text, size - position)
        spans.append((size - before.start() if before else 0, after.start() if after else size))
    return spans


def _ascii_boundaries_ok(text: str, start: int, end: int) -> bool:
    """Latin patterns (ug, ps, cad) must not be part of a longer Latin word (debug, https, autocad)."""
    if start > 0 and text[start] in _ASCII_WORD_CHARS and text[start - 1] in _ASCII_WORD_CHARS:
        return False
    if end + 1 < len(text) and text[end] in _ASCII_WORD_CHARS and text[end + 1] in _ASCII_WORD_CHARS:
        return False
    return True


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The shared, read-only knowledge (loaded once per process)."""
    return Knowledge()


def load_majors(catalogue: str | None = None) -> list[Major]:
    """The shipped majors (all catalogues, or the one named: undergraduate, vocational, graduate):
    code, name, class code/name, category code/name, aliases, catalogue."""
    return [m for m in knowledge().majors.values() if catalogue is None or m.catalogue == catalogue]


def load_catalogues() -> list[Catalogue]:
    """The shipped catalogue files with their editions, sources and counts."""
    return list(knowledge().catalogues.values())


class _WordScanner:
    """Field keywords and skill synonyms only (leftmost-longest): what words a catalogue name holds."""

    def __init__(self, field_keywords: dict[str, list[tuple[str, float]]], skill_synonyms: dict[str, list[str]]) -> None:
        items: dict[str, list[tuple]] = {}
        for field_id, keywords in field_keywords.items():
            for keyword, weight in keywords:
                if keyword:
                    items.setdefault(keyword, []).append(("field", field_id, weight))
        for skill_id, synonyms in skill_synonyms.items():
            for synonym in synonyms:
                if synonym:
                    items.setdefault(synonym, []).append(("skill", skill_id))
        self._automaton = ahocorasick.Automaton()
        for pattern, found in items.items():
            self._automaton.add_word(pattern, (len(pattern), tuple(found)))
        self._automaton.make_automaton() if items else None
        self._empty = not items

    def items_in(self, text: str) -> list[tuple]:
        if self._empty or not text:
            return []
        found: list[tuple] = []
        for end, (length, items) in self._automaton.iter_long(text):
            start = end - length + 1
            if (text[start] in _ASCII_WORD_CHARS or text[end] in _ASCII_WORD_CHARS) and \
                    not _ascii_boundaries_ok(text, start, end):
                continue
            found.extend(items)
        return found


def _catalogue_rows(catalogue_id: str) -> tuple[dict[str, str], list[list[str]]]:
    """(header values, rows of code, name, class or kind, category) of data/catalogues/<id>.tsv."""
    meta: dict[str, str] = {}
    rows: list[list[str]] = []
    for line in _data_text(f"catalogues/{catalogue_id}.tsv").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].strip().partition("\t")
            meta[key] = value
        elif line.strip():
            row = line.split("\t")
            if len(row) != 4:
                raise ValueError(f"catalogue {catalogue_id}: row {line!r} has not 4 columns")
            rows.append(row)
    return meta, rows
