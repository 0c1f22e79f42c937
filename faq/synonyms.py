"""Per-knowledge-base synonyms: every word of a group is read as the group's first word.

Applied to phrasings when the index is built and to each question, so
``[close, delete, deactivate, 注销, 关闭]`` lets "deactivate my account" and
"注销账户" meet phrasings written with "close".
"""

from __future__ import annotations

import re
from typing import Iterable

from faq.normalize import has_han, normalize


class SynonymMap:
    """Rewrites normalized text so that synonyms share one spelling."""

    def __init__(self, groups: Iterable[Iterable[str]]):
        self._canonical: dict[str, str] = {}
        for group in groups:
            words = [normalize(word) for word in group]
            words = [word for word in words if word]
            for word in words[1:]:
                self._canonical.setdefault(word, words[0])
        self._pattern = self._compile(self._canonical)

    @staticmethod
    def _compile(canonical: dict[str, str]) -> re.Pattern[str] | None:
        if not canonical:
            return None
        # Longest first so "seller central" wins over "seller"; Latin words only
        # match whole words, Chinese ones anywhere (Chinese has no spaces).
        alternatives = []
        for word in sorted(canonical, key=len, reverse=True):
            escaped = re.escape(word)
            alternatives.append(escaped if has_han(word) else rf"(?<![^\W_]){escaped}(?![^\W_])")
        return re.compile("|".join(alternatives))

    def apply(self, text: str) -> str:
        """``text`` (already normalized) with each synonym replaced by its group's first word."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: f" {self._canonical[match.group(0)]} ", text).strip()

    def occurrences(self, text: str) -> list[tuple[str, str]]:
        """``(written, canonical)`` for each synonym found in normalized ``text``, as written there."""
        if self._pattern is None:
            return []
        return [(match.group(0), self._canonical[match.group(0)]) for match in self._pattern.finditer(text)]

    def __len__(self) -> int:
        return len(self._canonical)
