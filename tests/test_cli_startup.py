"""The documented `talent` command: the installed console script carries every command group, and a missing
command module stops it at start-up instead of quietly dropping the group."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "talent"
GROUPS = ("rules", "match", "publicity")


def test_the_installed_script_lists_every_command_group():
    assert SCRIPT.is_file(), f"{SCRIPT} is not installed (pip install -e .)"
    run = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    listed = {line.split()[0] for line in run.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert set(GROUPS) <= listed, listed


# Imports talent.cli with one command module made unimportable, as if its file were deleted.
BLOCKED = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Block())
from talent.cli import main
main(["--help"])
"""


@pytest.mark.parametrize("group", GROUPS)
def test_a_missing_command_module_is_an_error_at_start_up(group):
    module = f"talent.cli_{group}"
    run = subprocess.run([sys.executable, "-c", BLOCKED.format(module=module)], capture_output=True, text=True,
                         check=False, timeout=60)
    assert run.returncode != 0
    assert "ModuleNotFoundError" in run.stderr and module in run.stderr
    assert "Commands:" not in run.stdout  # no help printed without the group
