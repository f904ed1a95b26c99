"""The shipped knowledge: the major catalogue, fields of work, skills with synonyms, Changchun districts.

All of it is data under talent/scoring/data; this module loads it once and offers one scanner
(an Aho-Corasick automaton, leftmost-longest matches) that finds fields, skills, majors, major classes
and "any major" phrases in normalised text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import ahocorasick
import yaml

from talent.scoring.text import char_bigrams, normalize_text

CATEGORY_NAMES = {
    "01": "哲学", "02": "经济学", "03": "法学", "04": "教育学", "05": "文学", "06": "历史学", "07": "理学",
    "08": "工学", "09": "农学", "10": "医学", "12": "管理学", "13": "艺术学", "14": "交叉学科",
}

# GB/T 2260 codes of Changchun (REFERENCE.md) with the names people write in ads and profiles.
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
    """One catalogue major (普通高等学校本科专业目录)."""

    code: str
    name: str
    class_code: str
    class_name: str
    category_code: str
    category_name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MajorClass:
    code: str
    name: str
    aliases: tuple[str, ...]
    affinities: dict[str, float]


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

        self.classes: dict[str, MajorClass] = {}
        for code, name, aliases, affinities in _tsv_rows("classes.tsv"):
            self.classes[code] = MajorClass(
                code, name, tuple(a for a in aliases.split("|") if a), _parse_affinities(affinities)
            )

        self.majors: dict[str, Major] = {}
        self.major_extra_affinities: dict[str, dict[str, float]] = {}
        for code, name, aliases, affinities in _tsv_rows("majors.tsv"):
            class_code = code[:4]
            major_class = self.classes[class_code]
            self.majors[code] = Major(
                code=code,
                name=name,
                class_code=class_code,
                class_name=major_class.name,
                category_code=code[:2],
                category_name=CATEGORY_NAMES[code[:2]],
                aliases=tuple(a for a in aliases.split("|") if a),
            )
            self.major_extra_affinities[code] = _parse_affinities(affinities)
        self._check_references()

        # Exact lookups for graduate majors and job `majors` entries.
        self.major_by_name: dict[str, str] = {}
        for major in self.majors.values():
            for name in (major.name, *major.aliases):
                self.major_by_name.setdefault(normalize_text(name), major.code)
        self.class_by_name: dict[str, str] = {}
        for major_class in self.classes.values():
            for name in (major_class.name, *major_class.aliases):
                self.class_by_name.setdefault(normalize_text(name), major_class.code)
        self.major_bigrams = {
            code: char_bigrams(normalize_text(major.name)) for code, major in self.majors.items()
        }
        self.district_by_name: dict[str, str] = {}
        for code, names in DISTRICTS.items():
            for name in names:
                self.district_by_name[normalize_text(name)] = code
        self.pattern_items = self._pattern_items()
        self._automaton = self._build_automaton()
        self.fingerprint = hashlib.sha256(
            "".join(_data_text(name) for name in ("domains.yaml", "skills.yaml", "classes.tsv", "majors.tsv")).encode()
        ).hexdigest()[:16]

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
        for major in self.majors.values():
            add(normalize_text(major.name), ("major", major.code))
            for alias in major.aliases:
                add(normalize_text(alias), ("major", major.code))
        for major_class in self.classes.values():
            add(normalize_text(major_class.name), ("class", major_class.code))
            for alias in major_class.aliases:
                # A bare class alias such as 机械 is recorded as a class hint; it counts only in a
                # clause that speaks of majors (see `scan`).
                add(normalize_text(alias), ("class", major_class.code))
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
            majors, classes = _ids(items, "major"), _ids(items, "class")
            any_major = any(item[0] == "any" for item in items)
            checks = 0
            if pattern[0] in _ASCII_WORD_CHARS or pattern[-1] in _ASCII_WORD_CHARS:
                checks |= _CHECK_ASCII_EDGES
            if majors or classes or any_major:
                checks |= _CHECK_CLAUSE
            districts = _ids(items, "district")
            if districts:
                checks |= _CHECK_DISTRICTS
            field_weights = tuple((item[1], item[2]) for item in items if item[0] == "field")
            rare = (districts, majors, classes, any_major)
            automaton.add_word(pattern, (len(pattern), checks, field_weights, _ids(items, "skill"), rare))
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

    def resolve_major(self, text: str, code: str | None = None) -> tuple[str | None, str | None]:
        """Return (major code, class code) for a graduate's major given as a code and/or free text.

        Tries, in order: the code; the exact name or alias; a catalogue name inside the text
        (长春理工大学光电信息科学与工程专业); the closest catalogue name by character bigrams
        (车辆工程(汽车电子方向)); a class name. Unknown majors give (None, None) and rely on fields.
        """
        if code:
            code = normalize_text(code).upper()
            if code in self.majors:
                return code, self.majors[code].class_code
            if code[:4] in self.classes:
                return None, code[:4]
        name = _strip_major_decorations(normalize_text(text))
        if not name:
            return None, None
        if name in self.major_by_name:
            found = self.major_by_name[name]
            return found, self.majors[found].class_code
        if name in self.class_by_name:
            return None, self.class_by_name[name]
        longest = ""
        matched = [name[end - payload[0] + 1 : end + 1] for end, payload in self._automaton.iter_long(name)]
        for pattern in matched:
            if any(item[0] == "major" for item in self.pattern_items[pattern]) and len(pattern) > len(longest):
                longest = pattern
        if len(longest) >= 3 or longest == name:
            found = self.major_by_name[longest]
            return found, self.majors[found].class_code
        grams = char_bigrams(name)
        best_code, best_score = None, 0.0
        for major_code, major_grams in self.major_bigrams.items():
            if not major_grams:
                continue
            shared = len(grams & major_grams)
            score = shared / max(len(major_grams), 1) if shared else 0.0
            if score > best_score:
                best_code, best_score = major_code, score
        if best_code and best_score >= 0.6:
            return best_code, self.majors[best_code].class_code
        if longest:
            found = self.major_by_name[longest]
            return found, self.majors[found].class_code
        for pattern in matched:
            for item in self.pattern_items[pattern]:
                if item[0] == "class":
                    return None, item[1]
        return None, None

    def resolve_major_reference(self, reference: str) -> tuple[set[str], set[str]]:
        """A job's `majors` entry (code, class prefix such as 0809, or a name) → (majors, classes)."""
        text = normalize_text(reference)
        code = text.upper().replace(" ", "")
        if code in self.majors:
            return {code}, {self.majors[code].class_code}
        if re.fullmatch(r"\d{4}", code) and code in self.classes:
            return set(), {code}
        if re.fullmatch(r"\d{2}", code) and code in CATEGORY_NAMES:
            return set(), {c for c in self.classes if c.startswith(code)}
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
            affinities.update(self.classes[class_code].affinities)
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


def _ids(items: tuple[tuple, ...], kind: str) -> frozenset[str]:
    return frozenset(item[1] for item in items if item[0] == kind) or _NOTHING


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


def load_majors() -> list[Major]:
    """The shipped major catalogue: code, name, class code/name, category code/name, aliases."""
    return list(knowledge().majors.values())
