"""How benchmark scripts write their figures into docs/benchmarks.md (the convention every script follows).

Each script owns one or more sections of the page, fenced by markers it rewrites and nothing else:

    <!-- bench:NAME start -->
    ## Heading
    ...text and tables written by the script...
    <!-- bench:NAME end -->

A section is rewritten whole (`write_section`), or, when a table gathers runs of different settings (data
sets, sizes), row by row (`write_rows`: a new row replaces the row with the same key cells and keeps the
others). A section not on the page yet is appended at the end. Every table row carries the commit of the
code that was measured and the command that produced it (`provenance`); the page is re-read right before
writing, so scripts run one after the other never lose each other's sections.

Figures that were not measured by a script have no place on the page.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
INTRO = """# Benchmarks

Measured figures for the platform's engines, each written by the script that measured it.
"""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} start -->", f"<!-- bench:{name} end -->"


def read_section(name: str, docs: Path = DOCS) -> str | None:
    """The text between the section's markers (without them), or None when the page has no such section."""
    if not docs.exists():
        return None
    text = docs.read_text(encoding="utf-8")
    start, end = markers(name)
    found = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, flags=re.S)
    return found.group(1) if found else None


def write_section(name: str, body: str, docs: Path = DOCS) -> None:
    """Replace the section `name` with `body` (a Markdown text starting with its heading), or append it."""
    start, end = markers(name)
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else INTRO
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), flags=re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(text, encoding="utf-8")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def write_rows(name: str, heading: str, header: list[str], row: list[str], key_cells: int, *,
               note: str = "", docs: Path = DOCS) -> None:
    """Put `row` into the table of section `name`: it replaces the row whose first `key_cells` cells are
    the same and keeps every other row (sorted by their key cells). `heading` and `note` (the text above
    the table) are rewritten each time."""
    rows: dict[tuple[str, ...], str] = {}
    existing = read_section(name, docs)
    if existing is not None:
        lines = [line for line in existing.splitlines() if line.startswith("|")]
        for line in lines[2:]:  # below the header and the alignment line
            rows[tuple(_cells(line)[:key_cells])] = line
    rows[tuple(row[:key_cells])] = "| " + " | ".join(row) + " |"
    alignment = "|" + "|".join("---" for _ in header) + "|"
    table = ["| " + " | ".join(header) + " |", alignment, *(rows[key] for key in sorted(rows))]
    body = heading.rstrip() + "\n\n" + (note.strip() + "\n\n" if note.strip() else "") + "\n".join(table)
    write_section(name, body, docs)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=False).stdout.strip()


def commit(checkout: Path = ROOT) -> str:
    """The short commit of the measured code; `+changes` when talent/, bench/ or pyproject.toml differ from it.
    `checkout`: another working copy whose code is measured (e.g. put on PYTHONPATH)."""
    head = _git(checkout, "rev-parse", "--short", "HEAD") or "unknown"
    changed = _git(checkout, "status", "--porcelain", "--", "talent", "bench", "pyproject.toml")
    return head + ("+changes" if changed else "")


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (`nproc`), {model}, Python {platform.python_version()}"


def provenance(script: str, argv: list[str] | None = None) -> dict[str, Any]:
    """Commit, command, date, machine and load average at the start of a run of `script` (bench/X.py)."""
    arguments = sys.argv[1:] if argv is None else argv
    return {
        "commit": commit(),
        "command": " ".join(["python", f"bench/{script}", *arguments]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load": load_average(),
    }
