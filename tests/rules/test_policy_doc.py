"""docs/policy.md is the project's own statement of the policy: its worked examples are decided by the engine
exactly as written, every `reference:` of the policy files names a section that exists there, and nothing in
the repository points outside it (a fresh clone has no ../shared/)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from talent import codes
from talent.rules import load_engine

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
POLICIES = ROOT / "talent" / "rules" / "policies"
CASES = yaml.safe_load((POLICIES / "tests" / "cases.yaml").read_text(encoding="utf-8"))


def _examples() -> dict[str, list[tuple[str, object]]]:
    """{"1": [(path, value), ...]} from each "### Example N" section's ```decision block."""
    section = DOC.split("## 8. Worked examples", 1)[1].split("\n## ", 1)[0]
    examples = {}
    for number, body in re.findall(r"^### Example (\d+)\n(.*?)(?=^### |\Z)", section, flags=re.S | re.M):
        block = re.search(r"```decision\n(.*?)```", body, flags=re.S)
        assert block, f"example {number} has no decision block"
        lines = [line.split(" = ", 1) for line in block.group(1).splitlines() if line.strip()]
        examples[number] = [(path.strip(), json.loads(value)) for path, value in lines]
    return examples


EXAMPLES = _examples()


def test_the_page_has_the_five_worked_examples():
    assert sorted(EXAMPLES) == ["1", "2", "3", "4", "5"]
    assert all(len(lines) >= 1 for lines in EXAMPLES.values())


@pytest.mark.parametrize("number", sorted(EXAMPLES))
def test_a_worked_example_is_what_the_engine_decides(number):
    [case] = [case for case in CASES if case["name"].startswith(f"Example {number}:")]
    decision = load_engine().decide(case["facts"])
    for path, expected in EXAMPLES[number]:
        value = decision
        for key in path.split("."):
            value = value[key]
        assert value == expected, (path, value, expected)


def test_example_5_reads_the_id_number_as_written():
    assert "`11010519491231002X`, born 1949-12-31, female" in DOC
    born, sex = codes.parse_id_number("11010519491231002X")
    assert (born.isoformat(), sex) == ("1949-12-31", "F")


def _sections() -> set[str]:
    numbers = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", DOC, flags=re.M))
    numbers |= {f"A.{n}" for n in re.findall(r"^### A\.(\d+) ", DOC, flags=re.M)}
    return numbers


def test_every_policy_reference_names_a_section_of_the_page():
    sections = _sections()
    assert {"1", "2", "3", "4", "5", "5.1", "5.2", "5.3", "5.4", "5.5", "6", "7", "8", "9", "10", "A.1"} <= sections
    references = []
    for path in sorted(POLICIES.glob("*.yaml")):
        references += re.findall(r"reference: (.*)", path.read_text(encoding="utf-8"))
    assert len(references) > 100
    for reference in references:
        assert reference.startswith("docs/policy.md "), reference
        for cited in re.findall(r"§\s?([A-Z]?\.?\d+(?:\.\d+)?)", reference):
            assert cited in sections, (reference, cited)
        if "preamble" in reference:
            assert "## Conventions (preamble)" in DOC
        for rule in re.findall(r"\bG[1-6]\b", reference):
            assert f"| {rule} |" in DOC, reference


def test_nothing_in_the_repository_points_outside_it():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in files.splitlines():
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".toml", ".cfg", ""} \
                or not path.is_file() or name == "tests/rules/test_policy_doc.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in ("../shared", "/work/shared", "POLICY.md", "REFERENCE.md"):
            if needle in text:
                offenders.append(f"{name}: {needle}")
    assert not offenders, offenders
