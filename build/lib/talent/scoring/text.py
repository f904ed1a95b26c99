"""Chinese-first text normalisation shared by jobs, graduates and the catalogue.

Job ads arrive in many styles: full-width letters and digits (ＰＹＴＨＯＮ), traditional characters
(軟體工程), Taiwan-style IT words (程式, 資料庫), mixed case English skill names. Everything the model
matches is first brought to one form: NFKC (full-width → half-width), traditional → simplified per
character, a few phrase-level variants, lower case, collapsed whitespace.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

# Phrase-level variants that a per-character conversion does not fix (Taiwan/Hong Kong IT usage).
# Applied after character conversion, so the keys are already simplified.
_PHRASE_VARIANTS = {
    "软体": "软件",
    "硬体": "硬件",
    "程式设计": "程序设计",
    "程式": "程序",
    "资料库": "数据库",
    "资料分析": "数据分析",
    "资料科学": "数据科学",
    "网路": "网络",
    "演算法": "算法",
    "伺服器": "服务器",
    "人工智慧": "人工智能",
    "机器学习": "机器学习",
    "类比电路": "模拟电路",
    "韧体": "固件",
    "作业系统": "操作系统",
    "大专": "专科",
}
_PHRASE_PATTERN = re.compile("|".join(sorted(map(re.escape, _PHRASE_VARIANTS), key=len, reverse=True)))
_NEEDS_NFKC = re.compile("[\uff01-\uff0b\uff0d-\uff19\uff1c-\uff5e\u3000\u2460-\u24ff\u2160-\u217f\ufb00-\ufb06]")


@lru_cache(maxsize=1)
def _traditional_to_simplified_table() -> tuple[dict[int, str], frozenset[str]]:
    table: dict[int, str] = {}
    text = resources.files("talent.scoring").joinpath("data/t2s.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if len(line) == 2 and not line.startswith("#"):
            table[ord(line[0])] = line[1]
    # str.translate looks every character up through the mapping protocol; checking first whether
    # the text has any traditional character at all is far faster on the usual simplified text.
    return table, frozenset(chr(code) for code in table)


def _is_gb2312(text: str) -> bool:
    """GB2312 holds simplified characters only (bar 15 that both scripts use), and encoding is a
    C loop: a text that encodes has nothing to convert, which is most text and far cheaper to learn
    this way than by looking every character up."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def normalize_text(text: object) -> str:
    """Return `text` in the one form every matcher sees (NFKC, simplified, lower case, single spaces).

    >>> normalize_text("ＰＹＴＨＯＮ與軟體工程")
    'python与软件工程'
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if not text.isascii():
        # NFKC is only needed for full-width letters, digits and symbols (ＰＹＴＨＯＮ, Ｃ＋＋); the
        # full-width punctuation of ordinary Chinese text is handled as is, so most ads skip it.
        if _NEEDS_NFKC.search(text):
            text = unicodedata.normalize("NFKC", text)
        if not _is_gb2312(text):
            table, traditional = _traditional_to_simplified_table()
            if not traditional.isdisjoint(text):
                text = text.translate(table)
        if _PHRASE_PATTERN.search(text):
            text = _PHRASE_PATTERN.sub(lambda match: _PHRASE_VARIANTS[match.group(0)], text)
    # str.split() splits at the characters `\s` matches and drops them at both ends: the same as
    # collapsing whitespace with a regex and stripping, at a fifth of the cost.
    return " ".join(text.split()).lower()


def join_text(value: object) -> str:
    """Flatten a string or a list of strings (skills, districts) into one normalised string."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ; ".join(normalize_text(item) for item in value if item is not None)
    return normalize_text(value)


def char_bigrams(text: str) -> set[str]:
    """Character bigrams of `text` without spaces: the fuzzy key for free-text major names."""
    compact = text.replace(" ", "")
    if len(compact) < 2:
        return {compact} if compact else set()
    return {compact[index : index + 2] for index in range(len(compact) - 1)}
