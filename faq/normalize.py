"""Text normalization and language detection.

Every phrasing in the knowledge base and every question goes through the same
``normalize`` so that matching compares like with like: full-width forms become
half-width (NFKC), case is folded, Traditional Chinese becomes Simplified,
punctuation (ASCII and CJK) and invisible characters become spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Longest question text considered for matching; the rest is ignored so a
#: pasted log of 100,000 characters still gets a quick reply.
MAX_MATCH_CHARS = 1000

#: A run of Han (Chinese) characters: the CJK Unified Ideographs with Extension A, the compatibility
#: ideographs, and the supplementary ideographic planes (Extension B onwards: rare characters in names).
#: The one definition every module uses, so language detection, the index and the learning loop agree.
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_LATIN_WORD_RE = re.compile(r"[a-z]+")
# Format (zero-width, direction marks), unassigned, private-use and surrogate code points.
_INVISIBLE = frozenset({"Cf", "Cn", "Co", "Cs"})

# Simplified variants that OpenCC leaves apart but sellers use interchangeably
# (帐户/账户, 帐号/账号).
_VARIANTS = str.maketrans({"帐": "账"})


@lru_cache(maxsize=1)
def _t2s():
    """The Traditional-to-Simplified converter, built on first use (it costs a few ms)."""
    import opencc

    return opencc.OpenCC("t2s")


def has_han(text: str) -> bool:
    """Whether ``text`` contains at least one Han (Chinese) character."""
    return HAN_RUN.search(text) is not None


def is_noise(text: str) -> bool:
    """Whether ``text`` carries nothing to answer, escalate or learn from.

    Noise is a line that holds no letter once normalized (only digits, punctuation,
    symbols or spaces: a stray ``0`` typed at the wrong prompt, ``???``) or a single
    character. Such a line never opens a case and is never proposed as a phrasing.
    """
    letters = [char for char in normalize(text) if char.isalpha()]
    return not letters or len(normalize(text).replace(" ", "")) <= 1


class _CharTable(dict):
    """A ``str.translate`` table filled in on first sight of each character (text repeats its characters)."""

    def __init__(self, rule):
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str | None:
        self[code] = value = self._rule(chr(code))
        return value


def _visible(char: str) -> str | None:
    """Delete invisible characters (zero-width, direction marks, lone surrogates); keep the rest."""
    return None if unicodedata.category(char) in _INVISIBLE else char


def _word_char(char: str) -> str:
    """Keep letters, digits and marks; punctuation, symbols, separators and controls become a space."""
    if char.isalnum() or unicodedata.category(char)[0] not in "PSZC":
        return char
    return " "


_DROP_INVISIBLE = _CharTable(_visible)
_WORD_CHARS = _CharTable(_word_char)


@lru_cache(maxsize=1 << 12)  # a knowledge base's phrasings; bounded, as every question passes here
def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used for matching.

    Cached: leave-one-out and ``faqbot suggest``'s proofs index hundreds of copies
    of one knowledge base, each normalizing the same phrasings again.

    NFKC, case folding, Traditional to Simplified Chinese, punctuation, symbols,
    control and zero-width characters to single spaces. Never raises on any
    ``str``; lone surrogates are dropped.
    """
    text = text[: MAX_MATCH_CHARS * 2]
    if text.isascii():  # the common case: no width forms, accents or Chinese
        return " ".join(text.lower().translate(_WORD_CHARS).split())[:MAX_MATCH_CHARS]
    # Invisible characters go first, so NFKC can join a letter with the accent they separated.
    text = text.translate(_DROP_INVISIBLE)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if has_han(text):
        text = _t2s().convert(text).translate(_VARIANTS)
    return " ".join(text.translate(_WORD_CHARS).split())[:MAX_MATCH_CHARS]


def detect_language(text: str) -> str:
    """Return ``"zh"`` when Han characters make up a meaningful share of ``text``, else ``"en"``.

    Each Han character counts as one unit and each Latin word as one, so
    "seller central 还能登录吗" (5 Han, 2 words) is Chinese while
    "how do I say 你好 in French" (2 Han, 6 words) is English.
    """
    sample = text[:MAX_MATCH_CHARS]
    han = sum(len(run) for run in HAN_RUN.findall(sample))
    if han == 0:
        return "en"
    words = len(_LATIN_WORD_RE.findall(sample.casefold()))
    return "zh" if han >= 0.3 * (han + words) else "en"
