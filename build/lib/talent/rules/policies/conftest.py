"""Runs the YAML policy tests in ``tests/*.yaml`` beside the policies (one pytest item per case).

A case: ``name`` (a full sentence), ``facts`` (POLICY.md section 7, ``application_date`` included),
and ``expect``: a partial decision. Every key given must equal the decision's value (nested mappings
are compared key by key, so a case names only what it is about). ``expect: {error: [fields]}`` says the
facts are refused with errors on those fields.
"""

from __future__ import annotations

import pytest
import yaml


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "tests":
        return PolicyCaseFile.from_parent(parent, path=file_path)
    return None


class PolicyCaseFile(pytest.File):
    def collect(self):
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
        for case in cases:
            yield PolicyCase.from_parent(self, name=case["name"], case=case)


def _compare(expected, actual, path=""):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'decision'}: expected a mapping, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}{key}: absent")
            else:
                problems.extend(_compare(value, actual[key], f"{path}{key}."))
        return problems
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [f"{path.rstrip('.')}: expected {expected!r}, got {actual!r}"]
    return []


class PolicyCase(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        from talent.rules import InputError, load_engine

        engine = load_engine()
        expect = self.case["expect"]
        if "error" in expect:
            with pytest.raises(InputError) as caught:
                engine.decide(self.case["facts"])
            missing = [f for f in expect["error"] if f not in caught.value.errors]
            assert not missing, f"no error on {missing}; errors: {caught.value.errors}"
            return
        decision = engine.decide(self.case["facts"])
        batch = engine.decide_many([self.case["facts"]])[0]
        assert batch == {k: v for k, v in decision.items() if k not in ("reasons", "missing")}, "decide_many differs"
        problems = _compare(expect, decision)
        assert not problems, "\n".join(problems)

    def reportinfo(self):
        return self.path, 0, self.name
