"""Occupation codes of posts: the platform suggests CSCO-2022 codes for a post's title and description
(talent.occupations, the coder over the shipped catalogue), the employer confirms or changes the code.

The coder is built once per process, on first use (about a second), under a lock: a web worker that never
sees a post never pays for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from talent.names.occupations import CODE, PREFIX, is_known

SUGGESTIONS = 3  # codes offered to the employer

_lock = threading.Lock()


def coder() -> Any:
    from talent.occupations import load_coder

    with _lock:
        return load_coder()


def suggest(title: str, description: str | None = None, top: int = SUGGESTIONS) -> list[Any]:
    """The `top` CSCO-2022 codes for one post (Suggestion: code, name, score), best first."""
    return suggest_many([title], [description], top)[0]


def suggest_many(titles: Sequence[str], descriptions: Sequence[str | None], top: int = SUGGESTIONS) -> list[list[Any]]:
    """Suggestions for many posts at once (one vectorisation)."""
    if not titles:
        return []
    return coder().code(list(titles), list(descriptions), top=top)


def check_occupation_code(problems: Any, field: str, value: Any) -> str | None:
    """A post's occupation code: empty → None; else a code of the CSCO-2022 catalogue (2-02-10-03)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not CODE.fullmatch(value.strip()):
        problems.add(field, "职业代码须为职业分类大典（2022）的代码，如 2-02-10-03",
                     "Must be a CSCO-2022 occupation code such as 2-02-10-03.")
        return None
    code = value.strip()
    if not is_known(code):
        problems.add(field, f"职业分类大典（2022）中没有代码“{code}”", f"{code} is not in the CSCO-2022 catalogue.")
        return None
    return code


def check_occupation_filter(problems: Any, field: str, value: Any) -> str | None:
    """A search filter: a whole code or the prefix of a group (2, 2-02, 2-02-10); empty → None."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    if not PREFIX.fullmatch(text):
        problems.add(field, "职业筛选须为职业代码或其前段，如 2、2-02 或 2-02-10-03",
                     "Must be an occupation code or the prefix of a group: 2, 2-02, 2-02-10 or 2-02-10-03.")
        return None
    return text
