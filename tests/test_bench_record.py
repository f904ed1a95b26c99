"""bench/record.py, the convention of docs/benchmarks.md: every section is written by its script between
its markers, other sections are kept, and every figure on the page names the commit and command that
produced it."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _record():
    if "bench_record" in sys.modules:
        return sys.modules["bench_record"]
    spec = importlib.util.spec_from_file_location("bench_record", ROOT / "bench" / "record.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_record"] = module
    spec.loader.exec_module(module)
    return module


record = _record()


def test_a_section_replaces_only_itself_and_new_ones_are_appended(tmp_path):
    docs = tmp_path / "benchmarks.md"
    record.write_section("a", "## A\n\nfirst", docs)
    assert docs.read_text(encoding="utf-8").startswith("# Benchmarks")
    record.write_section("b", "## B\n\nother", docs)
    record.write_section("a", "## A\n\nsecond", docs)
    text = docs.read_text(encoding="utf-8")
    assert "first" not in text and "second" in text and "other" in text
    assert text.index("bench:a start") < text.index("bench:a end") < text.index("bench:b start")
    assert text.count("bench:a start") == 1 and record.read_section("b", docs) == "## B\n\nother\n"
    assert record.read_section("c", docs) is None


def test_rows_with_the_same_key_are_replaced_and_others_kept(tmp_path):
    docs = tmp_path / "benchmarks.md"
    header = ["data", "size", "commit", "wall"]
    record.write_rows("speed", "## Speed", header, ["varied", "20", "`aaa`", "7.0 s"], 2, note="note", docs=docs)
    record.write_rows("speed", "## Speed", header, ["templates", "20", "`aaa`", "5.0 s"], 2, docs=docs)
    record.write_rows("speed", "## Speed", header, ["varied", "20", "`bbb`", "6.0 s"], 2, docs=docs)
    rows = [line for line in record.read_section("speed", docs).splitlines() if line.startswith("|")]
    assert rows[2:] == ["| templates | 20 | `aaa` | 5.0 s |", "| varied | 20 | `bbb` | 6.0 s |"]


def test_the_commit_names_uncommitted_changes(tmp_path):
    assert re.fullmatch(r"[0-9a-f]{7,}(\+changes)?", record.commit())
    assert record.provenance("x.py", ["--record"])["command"] == "python bench/x.py --record"


def test_every_section_of_the_page_is_fenced_and_names_commit_and_command():
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    fenced = re.findall(r"<!-- bench:([\w-]+) start -->\n(.*?)<!-- bench:\1 end -->", text, flags=re.S)
    assert fenced
    outside = re.sub(r"<!-- bench:([\w-]+) start -->\n.*?<!-- bench:\1 end -->", "", text, flags=re.S)
    assert not re.search(r"^## ", outside, flags=re.M), "a section outside the bench markers"
    assert not re.search(r"^\|", outside, flags=re.M), "a table outside the bench markers"
    for name, body in fenced:
        rows = [line for line in body.splitlines() if line.startswith("|")]
        assert rows, name
        section_wide = re.search(r"Commit: `[0-9a-f]{7,}(\+changes)?` · command: `python bench/\S+[^`]*`", body)
        if section_wide:
            continue
        header = [cell.strip() for cell in rows[0].strip("|").split("|")]
        assert "commit" in header and "command" in header, name
        for row in rows[2:]:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            assert re.fullmatch(r"`[0-9a-f]{7,}(\+changes)?`", cells[header.index("commit")]), (name, row)
            assert cells[header.index("command")].startswith("`python bench/"), (name, row)
