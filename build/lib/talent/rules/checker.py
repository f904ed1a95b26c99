"""Static checks of policy files: ``talent rules check``.

Load errors (schema, types, unknown facts or names, parameters without reference, unsafe
expressions) come from the loader. On top: decision tables are probed on every combination of
their inputs' declared values (plus the boundaries their comparisons name) to find overlapping rows
(unique), unreachable rows (first, priority), gaps (no row and no default); and versions must not
overlap in time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from talent.rules.policy import Policy, PolicyError, load_policy
from talent.rules.tables import Table, _apply, _resolve

MAX_COMBINATIONS = 20_000


@dataclass
class Problem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def _domain(table: Table, index: int, params: dict) -> list:
    item = table.inputs[index]
    if item.values is not None:
        return list(item.values)
    points: set = set()
    for row in table.rows:
        test = row.tests.get(item.name)
        if test is None:
            continue
        operand = _resolve(test.operand, params)
        if test.kind == "cmp" and isinstance(operand, int):
            points.update({operand - 1, operand, operand + 1})
        elif test.kind == "in":
            points.update(operand)
        else:
            points.add(operand)
    return sorted(points, key=repr) or [None]


def check_table(table: Table, params: dict) -> list[str]:
    domains = [_domain(table, i, params) for i in range(len(table.inputs))]
    total = 1
    for domain in domains:
        total *= len(domain)
    if total > MAX_COMBINATIONS:
        return [f"table {table.name}: {total} input combinations, too many to check; declare fewer values"]
    messages: list[str] = []
    reached: set[int] = set()
    for combination in itertools.product(*domains):
        values = {item.name: value for item, value in zip(table.inputs, combination, strict=True)}
        matched = [row.number for row in table.rows
                   if all(_apply(test, values[name], params) for name, test in row.tests.items())]
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        if not matched and table.default is None and table.hit_policy != "collect":
            messages.append(f"table {table.name}: gap, no row matches {shown}")
        if table.hit_policy == "unique" and len(matched) > 1:
            messages.append(f"table {table.name}: rows {matched} overlap on {shown} (hit policy unique)")
        if table.hit_policy == "first" and matched:
            reached.add(matched[0])
        elif matched:
            reached.update(matched)
    if table.hit_policy in ("first", "priority", "unique"):
        for row in table.rows:
            if row.number not in reached:
                messages.append(f"table {table.name}: row {row.number} can never be chosen (unreachable)")
    return sorted(set(messages), key=messages.index)[:50]


def check_policy(policy: Policy) -> list[str]:
    messages = []
    for step in policy.steps:
        if step.table is None:
            continue
        for start, _ in [(s, None) for s in policy.change_dates] or [(policy.effective_from, None)]:
            if start < policy.effective_from:
                continue
            messages.extend(check_table(step.table, policy.parameter_values(start)))
    return list(dict.fromkeys(messages))


def check_policies(path: str | Path) -> list[Problem]:
    """Every problem found in a policy file or in the ``*.yaml`` files of a directory."""
    path = Path(path)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    problems: list[Problem] = []
    loaded: list[Policy] = []
    if not files:
        return [Problem(str(path), "no policy files (*.yaml) found")]
    for file in files:
        try:
            policy = load_policy(file)
        except PolicyError as exc:
            problems.extend(Problem(str(file), message.removeprefix(f"{file}: ")) for message in exc.problems)
            continue
        loaded.append(policy)
        problems.extend(Problem(str(file), message) for message in check_policy(policy))
    ids: dict[str, str] = {}
    for policy in loaded:
        if policy.id in ids:
            problems.append(Problem(policy.path, f"id {policy.id} is also used by {ids[policy.id]}"))
        ids[policy.id] = policy.path
    ordered = sorted(loaded, key=lambda p: p.effective_from)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            problems.append(Problem(later.path, f"{later.id} overlaps {earlier.id} in time (effective dates)"))
    return problems
