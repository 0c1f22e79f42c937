"""Which Chinese script a question is written in, and replies in that script.

Knowledge bases are written in Simplified Chinese; a seller who writes
Traditional Chinese is matched after ``faq.normalize`` turns the question into
Simplified, and should be answered in the characters they wrote. Taiwan and
Hong Kong write some characters differently (為/爲, 裡/裏, 着/著, 衛/衞); the
reply follows the forms the question shows, Taiwan's when it shows neither
(the more common standard; OpenCC's own "standard" forms such as 爲 are seldom
written by either). Only Han characters change, so links, ids and Latin text
stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from faq.normalize import has_han

Script = Literal["tw", "hk"]
_LINK = re.compile(r"((?:https?://|www\.)\S+)")


@lru_cache(maxsize=None)
def _converter(config: str):
    """An OpenCC converter, built on first use (each costs a few ms)."""
    import opencc

    return opencc.OpenCC(config)


def traditional_script(text: str) -> Script | None:
    """``"tw"`` or ``"hk"`` when ``text`` is written in Traditional Chinese, else None (Simplified, or no Chinese).

    A question is Traditional when it has more characters OpenCC turns into
    Simplified ones than characters only Simplified writes (a mixed line goes by
    the majority); between Taiwan and Hong Kong, the forms the question uses decide.
    """
    if not has_han(text):
        return None
    simplified = _converter("hk2s").convert(text)  # knows Hong Kong forms (衞, 裏) as well as Taiwan's
    if len(simplified) != len(text):
        return None
    taiwan = _converter("s2tw").convert(simplified)
    hong_kong = _converter("s2hk").convert(simplified)
    traditional = sum(a != s for a, s in zip(text, simplified))
    # characters only Simplified writes (关, 户...): the same in the question as in its Simplified form, and
    # different in both Traditional forms
    simplified_only = sum(a == s != t and s != h for a, s, t, h in zip(text, simplified, taiwan, hong_kong))
    if traditional <= simplified_only:
        return None
    # a form counts only where it is Traditional's own (台 is written in Taiwan too, as in Simplified)
    hk_forms = sum(a == h != t and a != s for a, s, t, h in zip(text, simplified, taiwan, hong_kong))
    tw_forms = sum(a == t != h and a != s for a, s, t, h in zip(text, simplified, taiwan, hong_kong))
    return "hk" if hk_forms > tw_forms else "tw"


def in_script(text: str, script: str | None) -> str:
    """``text`` (Simplified Chinese, or any text) in ``script`` (a ``Script``); unchanged when it is None or ``text`` has no Han."""
    if script is None or not text or not has_han(text):
        return text
    convert = _converter("s2hk" if script == "hk" else "s2tw").convert
    # links keep every character (a path or a query may hold Chinese the server expects as written)
    parts = _LINK.split(text)
    return "".join(part if n % 2 else convert(part) for n, part in enumerate(parts))
