"""Sign-in throttling: after too many failed attempts for one e-mail address from one client, further attempts
are refused for a while, so that passwords cannot be guessed at speed.

The counters live in the process (a dictionary behind a lock): with several worker processes each keeps its own,
which still bounds guessing to a small multiple of the limit. A shared store (Redis) would make it exact.
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60

_failures: dict[tuple[str, str], deque[float]] = {}
_lock = threading.Lock()


def _recent(key: tuple[str, str], now: float) -> deque[float]:
    times = _failures.setdefault(key, deque())
    while times and now - times[0] > WINDOW_SECONDS:
        times.popleft()
    return times


def is_blocked(email: str, client: str, now: float | None = None) -> bool:
    now = time.monotonic() if now is None else now
    with _lock:
        return len(_recent((email.strip().lower(), client), now)) >= MAX_FAILURES


def record_failure(email: str, client: str, now: float | None = None) -> None:
    now = time.monotonic() if now is None else now
    with _lock:
        _recent((email.strip().lower(), client), now).append(now)


def record_success(email: str, client: str) -> None:
    with _lock:
        _failures.pop((email.strip().lower(), client), None)


def reset() -> None:
    with _lock:
        _failures.clear()
