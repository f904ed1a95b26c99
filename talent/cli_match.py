"""`talent match …`: batch matching of graduates and jobs from JSON Lines files.

Heavy modules (NumPy, scikit-learn, the model) are imported inside the command so that
`talent --help` and the other commands start fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import click

MAX_REPORTED_ERRORS = 20


class _InputErrors(click.ClickException):
    exit_code = 1

    def __init__(self, messages: list[str], total: int) -> None:
        more = f"\n… and {total - len(messages)} more" if total > len(messages) else ""
        super().__init__("invalid input, nothing was written:\n" + "\n".join(messages) + more)

    def format_message(self) -> str:
        return self.message


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _read_json_lines(stream: Any, label: str, errors: list[str], counter: list[int]) -> list[tuple[int, Any]]:
    """(line number, value) of every non-blank line of a binary stream; bad lines go to `errors`.

    Lines are parsed from bytes (orjson reads UTF-8 directly: no decoding to str and back, half the time
    of text mode). A line orjson refuses is decoded and handled as text mode would: a file with lone
    carriage returns is split at them, a blank line (also of full-width spaces) is skipped, and the
    standard parser decides and words the error (NaN, huge integers, lone surrogates). (Unlike text
    mode, a line orjson accepts is one record even if a carriage return sits between its tokens.)
    Raises UnicodeDecodeError for a line that is not UTF-8.
    """
    import orjson

    records: list[tuple[int, Any]] = []
    fast_loads = orjson.loads
    number = 0
    for raw in stream:
        if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte order mark
        number += 1
        try:
            records.append((number, fast_loads(raw)))
            continue
        except orjson.JSONDecodeError:
            pass
        text = raw.decode("utf-8")
        pieces = _LINE_BREAK.split(text.removesuffix("\n").removesuffix("\r"))
        for offset, piece in enumerate(pieces):
            if offset:
                number += 1
            if not piece.strip():
                continue
            try:
                records.append((number, json.loads(piece)))
            except json.JSONDecodeError as error:
                counter[0] += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append(f"{label} line {number}: not valid JSON ({error.msg} at column {error.colno})")
    return records


def _open_input(path: str) -> Any:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")  # noqa: SIM115 - closed by the caller


@click.group("match")
def match() -> None:
    """Match graduates and jobs with the similarity model."""


@match.command("rank")
@click.option("--jobs", "jobs_path", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Jobs as JSON Lines (API.md job lines), '-' for stdin.")
@click.option("--graduates", "graduates_path", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Graduates as JSON Lines (API.md graduate lines), '-' for stdin.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1, max=1000),
              help="Jobs to keep per graduate.")
@click.option("--output", "-o", "output_path", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the ranking (JSON Lines); '-' is stdout.")
@click.option("--as-of", "as_of", default=None, help="Posts whose closing_date is before this ISO date are closed "
              "(default: today).")
@click.option("--why/--no-why", "explain", default=True, show_default=True, help="Include the explanation.")
@click.option("--threads", default=None, type=click.IntRange(min=1, max=64),
              help="Worker threads/processes (default: CPU count, at most 4).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
@click.option("--prefer", type=click.Choice(["relevance", "near", "pay"]), default="relevance", show_default=True,
              help="Relevance first; among posts of similar relevance put the graduate's preferred districts "
              "(near) or pay at or above the expectation (pay) first.")
def rank(jobs_path: str, graduates_path: str, top: int, output_path: str, as_of: str | None, explain: bool,
         threads: int | None, progress: bool | None, prefer: str) -> None:
    """Rank jobs for each graduate: one line {"graduate_id", "matches": [{"job_id", "score", "why"}]}.

    Every line of both files is checked first; any invalid line is reported on stderr with its file,
    line number and field, and the command exits 1 without writing anything.
    """
    if jobs_path == "-" and graduates_path == "-":
        raise click.UsageError("only one of --jobs and --graduates can be read from stdin")
    try:
        as_of_date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"not an ISO date: {as_of!r}", param_hint="--as-of") from None

    with _collector_paused():
        _rank(jobs_path, graduates_path, top, output_path, as_of_date, explain, threads, progress, prefer)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A ranking creates hundreds of thousands of long-lived records and profiles and no reference
    cycles worth collecting: the cyclic garbage collector would only walk them over and over
    (measured: ~15 % of building the job vectors). Paused for the command, restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rank(jobs_path: str, graduates_path: str, top: int, output_path: str, as_of_date: dt.date, explain: bool,
          threads: int | None, progress: bool | None, prefer: str = "relevance") -> None:
    from talent.scoring.model import MatchModel
    from talent.scoring.records import InvalidRecord, validate_graduate, validate_job

    errors: list[str] = []
    error_count = [0]
    jobs: list[Any] = []
    graduates: list[Any] = []

    def read(path: str, label: str, validate: Any, sink: list[Any]) -> None:
        try:
            stream = _open_input(path)
        except OSError as error:
            raise click.FileError(path, hint=str(error.strerror)) from None
        with stream if path != "-" else contextlib.nullcontext(stream):
            try:
                records = _read_json_lines(stream, f"{label} ({path})", errors, error_count)
            except UnicodeDecodeError:
                raise click.FileError(path, hint="not UTF-8 text") from None
        seen: dict[str, int] = {}
        for number, record in records:
            try:
                item = validate(record)
            except InvalidRecord as error:
                error_count[0] += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    where = f" (id {error.record_id})" if error.record_id else ""
                    errors.append(f"{label} ({path}) line {number}{where}: field {error.field}: {error.message}")
                continue
            if item.id in seen:
                error_count[0] += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append(f"{label} ({path}) line {number}: field id: duplicate id {item.id!r} "
                                  f"(first on line {seen[item.id]})")
                continue
            seen[item.id] = number
            sink.append(item)

    def read_graduates() -> None:
        read(graduates_path, "graduates", validate_graduate, graduates)

    read(jobs_path, "jobs", lambda r: validate_job(r, as_of=as_of_date), jobs)
    n_threads = threads or max(1, min(4, os.cpu_count() or 1))
    model = MatchModel(n_threads=n_threads, n_processes=n_threads, as_of=as_of_date)
    if errors:
        read_graduates()  # so that one run reports the problems of both files
    else:
        # The graduates are read and checked while worker processes build the job vectors.
        model.fit(jobs, meanwhile=read_graduates)
    if errors:
        raise _InputErrors(errors, error_count[0])
    if progress if progress is not None else sys.stderr.isatty():
        from tqdm import tqdm  # imported only when shown: it costs a noticeable part of start-up

        bar: Any = tqdm(total=len(graduates), unit="graduate", file=sys.stderr, desc="ranking")
    else:
        bar = _NoProgress()
    blocks = model.rank_jobs_json_bytes(graduates, top=top, explain=explain, on_progress=bar.update, prefer=prefer)
    _write_blocks(blocks, output_path)
    bar.close()


class _NoProgress:
    def update(self, count: int) -> None:
        return None

    def close(self) -> None:
        return None


def _write_blocks(blocks: Iterator[bytes], output_path: str) -> None:
    """Write UTF-8 blocks to a temporary file and rename, so a failed run leaves no partial output file."""
    if output_path == "-":
        sys.stdout.flush()
        for block in blocks:
            sys.stdout.buffer.write(block)
        sys.stdout.buffer.flush()
        return
    directory = os.path.dirname(os.path.abspath(output_path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".match-", suffix=".jsonl")
    try:
        with os.fdopen(handle, "wb") as out:
            for block in blocks:
                out.write(block)
        os.replace(temporary, output_path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@match.command("train")
@click.option("--jobs", "jobs_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Posts as JSON Lines (job lines).")
@click.option("--graduates", "graduates_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Graduates as JSON Lines (graduate lines).")
@click.option("--grades", "grades_path", type=click.Path(exists=True, dir_okay=False),
              help="Graded pairs {graduate_id, job_id, grade 0-3}; pairs not listed are 0.")
@click.option("--outcomes", "outcomes_path", type=click.Path(exists=True, dir_okay=False),
              help="Feedback export {graduate_id, job_id, impressions, opened, applied, shortlisted, hired}; "
              "only pairs shown are labelled.")
@click.option("--output", "-o", "output_path", required=True, type=click.Path(dir_okay=False),
              help="Ranker file to write (JSON; use it with TALENT_MATCH_RANKER or ship it as "
              "talent/scoring/data/ranker.json).")
def train(jobs_path: str, graduates_path: str, grades_path: str | None, outcomes_path: str | None,
          output_path: str) -> None:
    """Learn the weights of the score's parts (docs/matching.md, "Learned ranker"): held-out metrics of a
    5-fold cross-validation grouped by graduate are printed and written with the weights."""
    from talent.scoring.learn import read_grades, read_outcomes, read_records, write_ranker
    from talent.scoring.learn import train as train_weights
    from talent.scoring.records import InvalidRecord

    if bool(grades_path) == bool(outcomes_path):
        raise click.UsageError("give exactly one of --grades and --outcomes")
    try:
        jobs, graduates = read_records(jobs_path, graduates_path)
        labels = read_grades(grades_path) if grades_path else read_outcomes(outcomes_path)  # type: ignore[arg-type]
    except InvalidRecord as error:
        raise click.ClickException(f"record {error.record_id}: field {error.field}: {error.message}") from None
    except (ValueError, KeyError) as error:
        raise click.ClickException(str(error)) from None
    weights, report = train_weights(jobs, graduates, labels, labelled_only=bool(outcomes_path))
    source = f"{'grades' if grades_path else 'outcomes'}: {os.path.basename(grades_path or outcomes_path or '')}"
    write_ranker(output_path, weights, report, source)
    figures = report["metrics_held_out_folds"]
    click.echo(f"held-out folds: nDCG@10 {figures['ndcg@10']:.3f}, MRR {figures['mrr']:.3f}, "
               f"Recall@10 {figures['recall@10']:.3f}, accuracy@1 {figures['accuracy@1']:.3f} "
               f"({figures['graduates_scored']} graduates)")
    click.echo(f"wrote {output_path}")


@match.command("feedback-export")
@click.option("--outcomes", "outcomes_path", required=True, type=click.Path(dir_okay=False),
              help="Outcome lines to write {graduate_id, job_id, impressions, opened, applied, shortlisted, hired}.")
@click.option("--jobs", "jobs_path", required=True, type=click.Path(dir_okay=False),
              help="Job lines of the posts named, to write.")
@click.option("--graduates", "graduates_path", required=True, type=click.Path(dir_okay=False),
              help="Graduate lines of the profiles named, to write.")
def feedback_export(outcomes_path: str, jobs_path: str, graduates_path: str) -> None:
    """Export the matching feedback table (impressions, opened, applied, shortlisted, hired per graduate and
    post) with the job and graduate lines of the same posts and profiles, the three files
    `talent match train --outcomes` reads (docs/matching.md, "Training on outcomes")."""
    from talent import create_app
    from talent.db import db
    from talent.services.match_feedback import outcome_lines, training_records

    app = create_app()
    with app.app_context(), db.command_transaction() as session:
        lines, jobs, graduates = training_records(session, outcome_lines(session))
    for path, records in ((outcomes_path, lines), (jobs_path, jobs), (graduates_path, graduates)):
        _write_blocks(iter([b"".join(json.dumps(record, ensure_ascii=False).encode() + b"\n"
                                     for record in records)]), path)
    click.echo(f"wrote {len(lines)} outcome line(s), {len(jobs)} post(s), {len(graduates)} graduate(s)")
