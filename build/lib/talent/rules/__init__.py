"""The rule engine: a pure library (no Flask, no SQLAlchemy, no click).

Public API::

    engine = load_engine()                 # shipped policies, cached
    engine.decide(facts, reasons=True)     # -> decision dict (POLICY.md §7); raises InputError
    engine.decide_many(facts_list)         # -> [decision | InputError], same results, vectorised
    engine.policies()                      # -> [{id, effective_from, effective_to, title}]
    check_policies(path)                   # -> [Problem]
"""

from talent.rules.checker import Problem, check_policies
from talent.rules.engine import Engine, load_engine, split_instalments
from talent.rules.expr import EvaluationError, ExpressionError
from talent.rules.facts import InputError
from talent.rules.names import HONOURS, PROGRAMMES, SERVICES, TIERS
from talent.rules.policy import PolicyError

__all__ = [
    "HONOURS", "PROGRAMMES", "SERVICES", "TIERS", "Engine", "EvaluationError", "ExpressionError", "InputError",
    "PolicyError", "Problem", "check_policies", "load_engine", "split_instalments",
]
