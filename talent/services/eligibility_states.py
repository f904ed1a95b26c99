"""The eligibility result in three states: 符合 / 不符合 / 还不能确定 (eligible, not eligible, can't tell yet).

Built from the rule engine's own decision: ``open`` (the parts of the decision the given facts do not settle,
with the absent facts each waits on) and the reasons (each rule ``answered`` or not, the tier table's
``open_inputs``). Nothing here re-implements the policy: a programme is "can't tell yet" exactly when the
engine's three-valued evaluation leaves it open.

"What would change the result" lists, for each open programme or tier, the few questions that decide it:
the absent facts of the open conditions it waits on; where two open conditions share an absent fact (the
enterprise routes of tiers B and C both need the salary), that shared question is asked first and the
others only once it is answered, so that a graduate is not asked for the enterprise's revenue.

Pure: no request state; callers pick the language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from talent.names.codes import english_list, join
from talent.names.policy import DECISION_PARTS, PROGRAMMES, STATES, TIERS, fact_label, step_name, tier_label
from talent.rules.facts import PATH_OF as FACT_PATHS
from talent.services.eligibility_explain import _policy_by_id, summarise_programmes, value_label, value_text

_RULE_NAME = re.compile(r"\b[A-Z][A-Z0-9_]*\b")
_TIER_INPUTS = {"A": "tier_a", "B": "tier_b", "C": "tier_c"}
_AGE_LIMITED = {"B", "C"}


@dataclass(frozen=True)
class Question:
    """A question of the checker form that would help decide something still open."""

    fact: str
    label: str


@dataclass(frozen=True)
class Verdict:
    """One programme or tier: its state, one plain sentence why, and the questions that would decide it."""

    key: str
    name: str
    state: str  # eligible | not_eligible | undetermined | not_in_force
    state_label: str
    why: str
    questions: list[Question] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    tier: Verdict
    tiers: list[Verdict]
    programmes: list[Verdict]

    @property
    def open_items(self) -> list[Verdict]:
        """Everything still open, in page order, for "what would change the result"."""
        return [item for item in [self.tier, *self.programmes] if item.state == "undetermined" and item.questions]


def _and3(*values: bool | None) -> bool | None:
    """Three-valued "and": False if any is False, None (unknown) if any is unknown, else True."""
    if any(value is False for value in values):
        return False
    if any(value is None for value in values):
        return None
    return True


class _Decision:
    """Read access to one decision's reasons: outcomes in three values, open facts by rule."""

    def __init__(self, decision: dict[str, Any]) -> None:
        self.decision = decision
        self.policy = _policy_by_id(decision["policy"])
        self.steps = {step.name: step for step in self.policy.steps}
        self.reasons = {reason["rule"]: reason for reason in decision.get("reasons", [])}
        self.open: dict[str, list[str]] = decision.get("open", {})
        self.fact_order = {path: index for index, path in enumerate(FACT_PATHS.values())}
        eligible_step = self.steps.get(self.policy.decision.get("eligible", ""))
        self.reads_of_eligible = set(eligible_step.reads) if eligible_step is not None else set()

    def rule(self, name: str) -> bool | None:
        reason = self.reasons.get(name)
        if reason is None:
            return None
        if not reason.get("answered", True):
            return None
        return bool(reason["held"])

    def leaf_rules(self) -> list[str]:
        """Rules that read only facts (and values computed from facts), in policy order: the conditions a
        person answers directly. Rules built of other rules (ELIGIBLE, CARD...) are not leaves."""
        leaves = []
        for name in self.reasons:
            step = self.steps.get(name)
            if step is None or step.kind != "rule":
                continue
            if any(self.steps.get(read) is not None and self.steps[read].kind in ("rule", "table")
                   for read in step.reads):
                continue
            leaves.append(name)
        return leaves

    def open_leaves(self, facts: list[str]) -> list[str]:
        """The unanswered leaf rules that wait only on some of `facts`."""
        wanted = set(facts)
        found = []
        for name in self.leaf_rules():
            reason = self.reasons[name]
            if reason.get("answered", True):
                continue
            missing = set(reason.get("missing", []))
            if missing and missing <= wanted:
                found.append(name)
        return found

    def questions(self, facts: list[str], language: str) -> list[Question]:
        """The few questions that decide something waiting on `facts` (see the module's docstring)."""
        leaves = self.open_leaves(facts)
        missing = {name: list(self.reasons[name].get("missing", [])) for name in leaves}
        asked: set[str] = set()
        for name, own in missing.items():
            shared = [fact for fact in own if any(fact in other for key, other in missing.items() if key != name)]
            asked.update(shared or own)
        if not leaves:  # nothing narrower to go on: every absent fact the engine names
            asked = set(facts)
        order = {fact: index for index, fact in enumerate(facts)}
        return [Question(fact, fact_label(fact, language)) for fact in sorted(asked, key=lambda f: order.get(f, 0))]

    def table_inputs(self, table: str) -> dict[str, bool | None]:
        """A decision table's inputs in three values (unknown when the engine lists them as open)."""
        reason = self.reasons.get(table)
        if reason is None:
            return {}
        open_inputs = reason.get("open_inputs", {})
        return {name: (None if name in open_inputs else value) for name, value in reason["values"].items()
                if name != table}

    def input_rules(self, table: str, input_name: str) -> list[str]:
        """The rules a table input is built of (``tier_b: B_HONOUR or B_ENTERPRISE``)."""
        step = self.steps.get(table)
        if step is None or step.table is None:
            return []
        for item in step.table.inputs:
            if item.name == input_name:
                return [name for name in _RULE_NAME.findall(item.source) if name in self.steps]
        return []


def _labels(names: list[str], language: str) -> str:
    """Rules named for people; English labels hold commas, so an English list is separated by semicolons."""
    common = DECISION_PARTS["eligible"]["zh"] if language == "zh" else "the common conditions"
    words = [common if name == "ELIGIBLE" else step_name(name, language) for name in names]
    return join(words, "zh") if language == "zh" else "; ".join(words)


def _sentence(language: str, zh: str, en: str) -> str:
    return zh if language == "zh" else en


def _common_conditions_why(d: _Decision, language: str) -> str:
    failed = [name for name in d.leaf_rules() if name in d.reads_of_eligible and d.rule(name) is False]
    if not failed:
        return _sentence(language, "不符合共同条件。", "The common conditions are not met.")
    return _sentence(language, f"不符合共同条件：{_labels(failed, 'zh')}。",
                     f"The common conditions are not met: {_labels(failed, 'en')}.")


def _tier_verdicts(d: _Decision, language: str) -> tuple[Verdict, list[Verdict]]:
    decision = d.decision
    inputs = d.table_inputs("tier")
    eligible = inputs.get("eligible")
    age_ok = inputs.get("within_age_limit")
    verdicts = []
    for tier, input_name in _TIER_INPUTS.items():
        route = inputs.get(input_name)
        routes = d.input_rules("tier", input_name)
        met = _and3(eligible, route, age_ok if tier in _AGE_LIMITED else True)
        held = [name for name in routes if d.rule(name) is True]
        name = tier_label(tier, language)
        questions: list[Question] = []
        if decision["tier"] == tier or met is True:
            state = "eligible"
            if decision["tier"] == tier:
                why = _sentence(language, f"具备 {tier} 类条件（{_labels(held, 'zh')}），且符合共同条件。",
                                f"Meets a tier {tier} condition ({_labels(held, 'en')}) and the common conditions.")
            else:
                why = _sentence(language, f"也具备 {tier} 类条件，但按更高的 {decision['tier']} 类认定。",
                                f"Also meets tier {tier}, but the higher tier {decision['tier']} applies.")
        elif met is False:
            state = "not_eligible"
            if route is False:
                why = _sentence(language, f"不具备 {tier} 类的任何条件（{_labels(routes, 'zh')}）。",
                                f"Meets none of the tier {tier} conditions ({_labels(routes, 'en')}).")
            elif tier in _AGE_LIMITED and age_ok is False:
                why = _sentence(language, "超过 B、C 类人才的年龄上限。", "Over the age limit of tiers B and C.")
            else:
                why = _common_conditions_why(d, language)
        else:
            state = "undetermined"
            waiting = []
            if route is True:
                held_text = _labels(held, language)
                lead = _sentence(language, f"已具备 {tier} 类条件（{held_text}），但", f"Meets a tier {tier} condition "
                                 f"({held_text}), but ")
            else:
                lead = ""
                if route is None:
                    waiting += [name for name in routes if d.rule(name) is None]
            if eligible is None:
                waiting.append("ELIGIBLE")
            open_text = _labels(waiting, language)
            why = lead + _sentence(language, f"{open_text}还缺少回答。" if lead else f"还不能确定：{open_text}还缺少回答。",
                                   f"answers are missing for: {open_text}." if lead
                                   else f"Can't tell yet: answers are missing for: {open_text}.")
            facts = sorted({fact for n in waiting for fact in d.reasons.get(n, {}).get("missing", [])},
                           key=lambda f: d.fact_order.get(f, 0))
            questions = d.questions(facts, language)
        verdicts.append(Verdict(tier, name, state, STATES[state][language], why, questions))

    # The headline: the tier the person gets, or why none, or what it still waits on.
    if decision["tier"] is not None:
        headline = next(v for v in verdicts if v.key == decision["tier"])
        head = Verdict("tier", tier_label(decision["tier"], language), "eligible", STATES["eligible"][language],
                       headline.why)
    elif "tier" in d.open:
        undetermined = [v for v in verdicts if v.state == "undetermined"]
        best = undetermined[0]
        facts = d.open["tier"]
        head = Verdict("tier", _sentence(language, "人才层次", "Talent tier"), "undetermined",
                       STATES["undetermined"][language], best.why, d.questions(facts, language))
    else:
        if eligible is False:
            why = _common_conditions_why(d, language)
        elif all(v.state == "not_eligible" for v in verdicts) and age_ok is False and any(
                inputs.get(_TIER_INPUTS[t]) for t in _AGE_LIMITED):
            why = _sentence(language, "具备 B 或 C 类条件，但超过年龄上限。",
                            "Meets a tier B or C condition but is over the age limit.")
        else:
            why = _sentence(language, "不具备任何人才层次的荣誉或条件。", "Meets none of the conditions of any tier.")
        head = Verdict("tier", tier_label(None, language), "not_eligible", STATES["not_eligible"][language], why)
    return head, verdicts


def _programme_not_eligible_why(d: _Decision, key: str, language: str) -> str:
    """Why a programme is not granted: the conditions of its rule that failed, in words."""
    spec = d.policy.decision.get("programmes", {}).get(key, {})
    rule = spec.get("eligible")
    reason = d.reasons.get(rule or "")
    if reason is None:
        return _sentence(language, "按目前填写的信息不符合条件。", "Not eligible on the answers given.")
    parts: list[str] = []
    for name, value in reason["values"].items():
        step = d.steps.get(name)
        if step is not None and step.kind == "rule":
            value = d.rule(name)  # a rule left unanswered is not a failed one
        if name == "ELIGIBLE" and value is False:
            parts.append(_common_conditions_why(d, language).rstrip("。."))
        elif step is not None and step.kind == "rule" and value is False:
            parts.append(_sentence(language, f"不满足“{step_name(name, 'zh')}”", f"not met: {step_name(name, 'en')}"))
        elif name == "tier" and value is None and d.steps.get(name) is not None:
            parts.append(_sentence(language, "没有认定人才层次", "no talent tier"))
        elif name == "TRACK" and value is False:
            parts.append(_sentence(language, "不在高校毕业生政策范围内", "not on the graduate track"))
        elif step is None and name in FACT_PATHS and value is True and key == "youth_apartment":
            parts.append(f"{value_label(name, language)}：{value_text(name, value, language)}")
        elif step is not None and step.kind == "value" and value == 0:
            parts.append(f"{value_label(name, language, rule)}：{value_text(name, value, language, rule)}")
    if not parts:
        return _sentence(language, "按目前填写的信息不符合条件。", "Not eligible on the answers given.")
    separator = "；" if language == "zh" else "; "
    text = separator.join(parts)
    return _sentence(language, f"不符合：{text}。", f"Not eligible — {text}.")


def _programme_undetermined_why(d: _Decision, facts: list[str], language: str) -> str:
    parts = [part for part in ("eligible", "tier", "track") if part in d.open and set(d.open[part]) <= set(facts)]
    if parts:
        names = [DECISION_PARTS[part][language] for part in parts]
        text = "和".join(names) if language == "zh" else english_list([n[0].lower() + n[1:] for n in names])
        return _sentence(language, f"还不能确定：{text}还缺少回答。", f"Can't tell yet: the {text} still wait for answers.")
    leaves = d.open_leaves(facts)
    if not leaves:
        return _sentence(language, "还不能确定：有的问题还没有回答。", "Can't tell yet: some questions are unanswered.")
    return _sentence(language, f"还不能确定：{_labels(leaves, 'zh')}还缺少回答。",
                     f"Can't tell yet: {_labels(leaves, 'en')} still wait for answers.")


def three_state_result(decision: dict[str, Any], language: str) -> Result:
    """The decision (with reasons) as three-state verdicts for the tier, each tier and each programme."""
    d = _Decision(decision)
    head, tiers = _tier_verdicts(d, language)
    programmes = []
    for summary in summarise_programmes(decision):
        key = summary.key
        name = PROGRAMMES[key][language]
        if not summary.in_force:
            programmes.append(Verdict(key, name, "not_in_force", STATES["not_in_force"][language],
                                      summary.text[language]))
        elif summary.eligible:
            questions: list[Question] = []
            why = summary.text[language]
            if key in d.open:  # granted, but an unanswered question could change the amount
                questions = d.questions(d.open[key], language)
                why += _sentence(language, "回答其余问题后金额可能更高。", " Answering the other questions could raise the amount.")
            programmes.append(Verdict(key, name, "eligible", STATES["eligible"][language], why, questions))
        elif key in d.open:
            facts = d.open[key]
            programmes.append(Verdict(key, name, "undetermined", STATES["undetermined"][language],
                                      _programme_undetermined_why(d, facts, language), d.questions(facts, language)))
        else:
            programmes.append(Verdict(key, name, "not_eligible", STATES["not_eligible"][language],
                                      _programme_not_eligible_why(d, key, language)))
    return Result(head, tiers, programmes)


__all__ = ["TIERS", "Question", "Result", "Verdict", "three_state_result"]
