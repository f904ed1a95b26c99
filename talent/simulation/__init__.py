"""Policy simulation (a pure library beside talent.rules: no Flask, no SQLAlchemy).

    reform = load_reform("reform.yaml")          # dated parameter overrides in the policy files' format
    check_reform(reform)                         # -> [Problem] from the policy checker
    result = simulate(facts_list, reform, years=5)   # counts, money per year, gainers and losers, examples
"""

from talent.simulation.reform import (
    Reform,
    ReformError,
    apply_reform,
    check_reform,
    load_reform,
    parse_reform,
)
from talent.simulation.simulate import simulate

__all__ = ["Reform", "ReformError", "apply_reform", "check_reform", "load_reform", "parse_reform", "simulate"]
