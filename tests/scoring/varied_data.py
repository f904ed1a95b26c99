"""bench/data/generate_varied.py loaded for tests: posts and profiles unlike the demo templates."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "data" / "generate_varied.py"


def varied_generator() -> ModuleType:
    """The generator module (a bench script, not a package module); it must exist: tests rely on it."""
    name = "generate_varied_for_tests"
    if name not in sys.modules:
        if str(GENERATOR.parent) not in sys.path:  # it imports its neighbour generate_synthetic
            sys.path.append(str(GENERATOR.parent))
        spec = importlib.util.spec_from_file_location(name, GENERATOR)
        assert spec and spec.loader, f"cannot load {GENERATOR}"
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
