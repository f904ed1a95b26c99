"""``talent occupations code FILE [--top K]``: CSCO-2022 codes for job titles, JSON Lines in and out (API.md)."""

from __future__ import annotations

import json
import sys
from itertools import islice

import click

CHUNK_LINES = 5_000
MAX_TEXT = 2_000  # characters of a title or description read (a job ad's title is short; the rest says nothing)


@click.group("occupations")
def occupations() -> None:
    """Occupation codes (CSCO-2022)."""


def _line_error(number: int, errors: dict[str, list[str]]) -> str:
    return json.dumps({"error": {"line": number, "errors": errors}}, ensure_ascii=False)


def _read(raw: bytes) -> tuple[dict | None, dict[str, list[str]]]:
    """One input line: (the object, {}) or (None, errors by field)."""
    try:
        item = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return None, {"": [f"not valid JSON: {exc}"]}
    if not isinstance(item, dict):
        return None, {"": ["must be a JSON object {id, title, description?}"]}
    errors: dict[str, list[str]] = {}
    if "id" not in item or not isinstance(item["id"], str | int) or isinstance(item["id"], bool):
        errors["id"] = ["is required: a text or a whole number"]
    if not isinstance(item.get("title"), str) or not item["title"].strip():
        errors["title"] = ["is required: the job title as text"]
    if item.get("description") is not None and not isinstance(item["description"], str):
        errors["description"] = ["must be text"]
    return (None, errors) if errors else (item, {})


@occupations.command("code")
@click.argument("file", type=click.File("rb"))
@click.option("--top", type=click.IntRange(1, 20), default=3, show_default=True, help="Codes per title.")
def code_command(file, top: int) -> None:
    """Suggest CSCO-2022 codes for each line {id, title, description?} of FILE ('-' for stdin); write
    {id, codes: [{code, name, score}]} per line, in order. A bad line gets {"error": {...}}; exit 1 if any."""
    from talent.occupations import load_coder

    coder = load_coder()
    out = sys.stdout
    failures = 0
    number = 0
    while chunk := list(islice(file, CHUNK_LINES)):
        parsed = [_read(raw) for raw in chunk]
        good = [(k, item) for k, (item, _) in enumerate(parsed) if item is not None]
        suggestions = coder.code([item["title"][:MAX_TEXT] for _, item in good],
                                 [(item.get("description") or "")[:MAX_TEXT] for _, item in good], top=top)
        by_offset = {k: s for (k, _), s in zip(good, suggestions, strict=True)}
        for offset, (item, errors) in enumerate(parsed):
            if item is None:
                failures += 1
                out.write(_line_error(number + offset + 1, errors) + "\n")
            else:
                out.write(json.dumps({"id": item["id"], "codes": [s.as_dict() for s in by_offset[offset]]},
                                     ensure_ascii=False) + "\n")
        number += len(chunk)
    out.flush()
    sys.exit(1 if failures else 0)
