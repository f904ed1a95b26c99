"""``talent rules``: check policy files and evaluate facts in bulk (JSON Lines in, JSON Lines out).

Start-up is kept lean: the engine, NumPy and orjson are imported inside the commands.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from itertools import islice
from typing import Any

import click

CHUNK_LINES = 10_000  # lines decided together (NumPy over each chunk); a chunk's memory is all there is


@click.group("rules")
def rules() -> None:
    """Policy files and the rule engine."""


@rules.command("check")
@click.argument("path", required=False, type=click.Path(exists=True))
def check_command(path: str | None) -> None:
    """Validate policy files (a file or a directory; default: the shipped policies)."""
    from talent.rules import check_policies
    from talent.rules.engine import SHIPPED_POLICIES

    problems = check_policies(path or SHIPPED_POLICIES)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo("policies OK")


def _json_functions():
    try:
        import orjson

        return orjson.dumps, orjson.loads, orjson.JSONDecodeError
    except ImportError:  # orjson is an optional speed-up
        import json

        return (lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()), json.loads, \
            ValueError


def _parse_lines(lines: list[bytes], loads, decode_error) -> tuple[list[Any], dict[int, str]]:
    """Each line parsed, and the messages of the lines that are not JSON (by offset; None stands in)."""
    try:
        return list(map(loads, lines)), {}  # the usual case: every line parses, no Python loop needed
    except (decode_error, ValueError):
        pass
    parsed: list[Any] = []
    failures: dict[int, str] = {}
    for offset, raw in enumerate(lines):
        try:
            parsed.append(loads(raw))
        except (decode_error, ValueError) as exc:
            parsed.append(None)
            failures[offset] = f"not valid JSON: {exc}"
    return parsed, failures


@rules.command("eval")
@click.argument("file", type=click.File("rb"))
@click.option("--reasons", is_flag=True, help="Include reasons and missing facts in each decision.")
@click.option("--on", "on_date", metavar="DATE", help="Use DATE (YYYY-MM-DD) as every application_date.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a TTY).")
@click.option("--policies", "policy_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Policy directory (default: the shipped policies).")
def eval_command(file, reasons: bool, on_date: str | None, progress: bool | None, policy_dir: str | None) -> None:
    """Decide each JSON object of FILE (JSON Lines, '-' for stdin); one decision per output line."""
    from talent.rules import load_engine
    from talent.rules.facts import parse_date

    if on_date is not None:
        try:
            parse_date(on_date)
        except ValueError as exc:
            raise click.BadParameter(f"{on_date!r} {exc}", param_hint="--on") from None
    engine = load_engine(policy_dir)
    show_progress = progress if progress is not None else sys.stderr.isatty()
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(unit=" lines", file=sys.stderr)
    with _cyclic_gc_paused():
        failures = _decide_stream(file, engine, reasons, on_date, bar)
    sys.stdout.buffer.flush()
    if bar is not None:
        bar.close()
    sys.exit(1 if failures else 0)


@contextmanager
def _cyclic_gc_paused():
    """Pause the cyclic garbage collector while chunks are decided, and collect once per chunk instead.

    A chunk allocates millions of small containers (parsed objects, decisions). Every 700 allocations the
    collector would scan the young ones, and now and then every object alive: about a fifth of the run.
    Nothing here depends on finding cycles promptly; they are collected after each chunk.
    """
    was_enabled = gc.isenabled()
    gc.freeze()  # the engine and the modules: alive to the end, never worth scanning
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _decide_stream(file, engine, reasons: bool, on_date: str | None, bar) -> int:
    """Decide every line of ``file`` and write the results, chunk by chunk; return how many were refused."""
    from talent.rules import InputError

    dumps, loads, decode_error = _json_functions()
    out = sys.stdout.buffer
    failures = 0
    line_number = 0

    def error_line(number: int, errors: dict) -> str:
        return dumps({"error": {"line": number, "errors": errors}}).decode()

    def decide_with_reasons(facts_list: list[Any]) -> list[Any]:
        decisions = engine.decide_many(facts_list, reasons=True)
        return [d if isinstance(d, InputError) else dumps(d).decode() for d in decisions]

    while chunk := list(islice(file, CHUNK_LINES)):
        parsed, not_json = _parse_lines(chunk, loads, decode_error)
        outputs: list[str] = [""] * len(chunk)
        for offset, message in not_json.items():
            outputs[offset] = error_line(line_number + offset + 1, {"": [message]})
        offsets = [offset for offset in range(len(chunk)) if offset not in not_json] if not_json \
            else range(len(chunk))
        facts_list = [parsed[offset] for offset in offsets] if not_json else parsed
        if on_date is not None:
            for facts in facts_list:
                if isinstance(facts, dict):
                    facts["application_date"] = on_date
        decisions = decide_with_reasons(facts_list) if reasons else engine.decide_many_json(facts_list)
        failures += len(not_json)
        for offset, decision in zip(offsets, decisions, strict=True):
            if isinstance(decision, InputError):
                outputs[offset] = error_line(line_number + offset + 1, decision.errors)
                failures += 1
            else:
                outputs[offset] = decision
        out.write("\n".join(outputs).encode())
        out.write(b"\n")
        line_number += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
        del parsed, facts_list, decisions, outputs
        gc.collect()
    return failures
