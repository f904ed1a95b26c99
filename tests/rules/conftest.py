"""Every rule-engine test fails when the batch path quietly decided cases one by one (tests/fallbacks.py)."""

from __future__ import annotations

import pytest

from talent.rules import batch
from tests.fallbacks import FallbackLedger


@pytest.fixture(autouse=True)
def record_path_fallbacks():
    """The cases the batch path sent down the record path during the test; a test that expects some sets
    ``record_path_fallbacks.expected``."""
    ledger = FallbackLedger("talent.rules.batch record path", batch.RECORD_PATH_FALLBACKS)
    yield ledger
    ledger.check()
