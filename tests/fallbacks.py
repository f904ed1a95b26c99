"""A ledger of the quiet slow paths of the bulk code (the rule engine's record-path fallback, the matching
model's row-by-row grouping), so that equivalence tests can prove they compared the fast path.

Each counter is a ``collections.Counter`` the library increments when it leaves its fast path. The tests of
an area run inside a ledger (an autouse fixture of their conftest) that fails the test when the counter moved
by other than the expected number; a test of the fallback itself sets ``ledger.expected``.
"""

from __future__ import annotations

from collections import Counter


class FallbackLedger:
    def __init__(self, name: str, counter: Counter[str]) -> None:
        self.name = name
        self.counter = counter
        self.before = counter.copy()
        self.expected = 0

    @property
    def taken(self) -> int:
        return sum((self.counter - self.before).values())

    def check(self) -> None:
        assert self.taken == self.expected, (
            f"{self.name}: the slow path was taken {self.taken} times (expected {self.expected}): "
            f"{dict(self.counter - self.before)}; the fast path was not what this test compared"
        )
