"""Every matching test fails when the bulk path quietly grouped job vectors row by row (tests/fallbacks.py)."""

from __future__ import annotations

import pytest

from talent.scoring import model
from tests.fallbacks import FallbackLedger


@pytest.fixture(autouse=True)
def slow_path_fallbacks():
    ledger = FallbackLedger("talent.scoring.model row-by-row grouping", model.SLOW_PATH_FALLBACKS)
    yield ledger
    ledger.check()
