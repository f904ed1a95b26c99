"""``talent rules``: check policy files and evaluate facts in bulk (JSON Lines in, JSON Lines out).

Start-up is kept lean: the engine, NumPy and orjson are imported inside the commands.
"""

from __future__ import annotations

import sys

import click

CHUNK_LINES = 10_000


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


def _dumps():
    try:
        import orjson

        return orjson.dumps, orjson.loads, orjson.JSONDecodeError
    except ImportError:  # orjson is an optional speed-up
        import json

        return (lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()), json.loads, \
            ValueError


@rules.command("eval")
@click.argument("file", type=click.File("rb"))
@click.option("--reasons", is_flag=True, help="Include reasons and missing facts in each decision.")
@click.option("--on", "on_date", metavar="DATE", help="Use DATE (YYYY-MM-DD) as every application_date.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a TTY).")
@click.option("--policies", "policy_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Policy directory (default: the shipped policies).")
def eval_command(file, reasons: bool, on_date: str | None, progress: bool | None, policy_dir: str | None) -> None:
    """Decide each JSON object of FILE (JSON Lines, '-' for stdin); one decision per output line."""
    from talent.rules import InputError, load_engine
    from talent.rules.batch import decide_records
    from talent.rules.facts import parse_date

    if on_date is not None:
        try:
            parse_date(on_date)
        except ValueError as exc:
            raise click.BadParameter(f"{on_date!r} {exc}", param_hint="--on") from None
    dumps, loads, decode_error = _dumps()
    engine = load_engine(policy_dir)
    out = sys.stdout.buffer
    show_progress = progress if progress is not None else sys.stderr.isatty()
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(unit=" lines", file=sys.stderr)
    failures = 0
    line_number = 0

    def error_line(number: int, errors: dict) -> bytes:
        return dumps({"error": {"line": number, "errors": errors}})

    while True:
        lines = file.readlines(1 << 22)  # about 4 MB of lines at a time
        if not lines:
            break
        for start in range(0, len(lines), CHUNK_LINES):
            chunk = lines[start:start + CHUNK_LINES]
            outputs: list[bytes | None] = [None] * len(chunk)
            records = []
            for offset, raw in enumerate(chunk):
                number = line_number + offset + 1
                try:
                    facts = loads(raw)
                except (decode_error, ValueError) as exc:
                    outputs[offset] = error_line(number, {"": [f"not valid JSON: {exc}"]})
                    failures += 1
                    continue
                if on_date is not None and isinstance(facts, dict):
                    facts["application_date"] = on_date
                try:
                    record, policy = engine.normalise(facts)
                except InputError as error:
                    outputs[offset] = error_line(number, error.errors)
                    failures += 1
                    continue
                records.append((offset, record, policy))
            if reasons:
                decided = ((offset, engine._guarded(record, policy, True)) for offset, record, policy in records)
            else:
                decided = decide_records(engine, records)
            for offset, decision in decided:
                if isinstance(decision, InputError):
                    outputs[offset] = error_line(line_number + offset + 1, decision.errors)
                    failures += 1
                else:
                    outputs[offset] = dumps(decision)
            out.write(b"\n".join(outputs))
            out.write(b"\n")
            line_number += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    out.flush()
    if bar is not None:
        bar.close()
    sys.exit(1 if failures else 0)
