"""``talent rules simulate``: a population decided under the policy in force and under a reform (API.md)."""

from __future__ import annotations

import sys
from itertools import islice

import click

from talent.cli_rules import CHUNK_LINES, _cyclic_gc_paused, _json_functions, _parse_lines


def read_population(file) -> list:
    """Every line of a JSON Lines file (bytes); a line that is not JSON stands as None (counted as refused)."""
    _, loads, decode_error = _json_functions()
    population: list = []
    while chunk := list(islice(file, CHUNK_LINES)):
        parsed, _ = _parse_lines([line for line in chunk], loads, decode_error)
        population.extend(parsed)
    return population


@click.command("simulate")
@click.option("--population", "population_file", type=click.File("rb"), required=True,
              help="Facts as JSON Lines (one person per line, '-' for stdin).")
@click.option("--reform", "reform_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="Reform file: dated parameter overrides in the policy files' format (YAML).")
@click.option("--years", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Years of money to report.")
@click.option("--from-year", type=click.IntRange(1990, 2100), default=None,
              help="First year of money (default: the year of the earliest application date).")
@click.option("--examples", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="People whose result changes, with the rules that changed it.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes (default: up to 2 for more than 200,000 people, else 1).")
@click.option("--policies", "policy_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Policy directory (default: the shipped policies).")
def simulate_command(population_file, reform_path: str, years: int, from_year: int | None, examples: int,
                     workers: int | None, policy_dir: str | None) -> None:
    """Decide a population under the policy in force and under a reform; print one JSON object."""
    import os

    from talent.simulation import ReformError, load_reform, simulate

    dumps, _, _ = _json_functions()
    try:
        reform = load_reform(reform_path)
        # a million parsed people are millions of containers: the cyclic collector would scan them again and
        # again while they are read and decided (as in `talent rules eval`)
        with _cyclic_gc_paused():
            population = read_population(population_file)
            if workers is None:
                workers = min(2, os.cpu_count() or 1) if len(population) > 200_000 else 1
            result = simulate(population, reform, years=years, from_year=from_year, examples=examples,
                              policy_dir=policy_dir, workers=workers)
    except ReformError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the reform", err=True)
        sys.exit(1)
    sys.stdout.buffer.write(dumps(result))
    sys.stdout.buffer.write(b"\n")
