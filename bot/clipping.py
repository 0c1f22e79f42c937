"""The longest question faqbot keeps or echoes, and the marker that says how much was cut.

A pasted log or a 5 MB paste is not a question: the store keeps (and ``faqbot ask
--json`` echoes) its first :data:`QUESTION_LIMIT` characters followed by the same
marker the console prints under a long text, so every reader sees that it was cut.
"""

from __future__ import annotations

from faq.notices import notice

#: Characters of a question that are stored and echoed; the rest is replaced by the marker.
QUESTION_LIMIT = 4000


def clipped(text: str, lang: str | None, limit: int) -> str:
    """``text`` cut after ``limit`` characters with the marker (in ``lang``, else English); whole when short enough."""
    if len(text) <= limit:
        return text
    return text[:limit] + notice("clipped", lang if lang in ("en", "zh") else "en", count=len(text) - limit)


def clip_question(text: str, lang: str | None) -> str:
    """A question as it is stored and echoed: at most :data:`QUESTION_LIMIT` characters and the marker."""
    return clipped(text, lang, QUESTION_LIMIT)
