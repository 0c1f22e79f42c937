"""Group alike questions across wording, so twenty ways of asking one thing count as one topic.

Questions are compared on their normalized words in sorted order (Chinese spaced into
characters, so word order and a word more or less do not split a group), first by
identical keys (cheap, and most repeated questions are identical), then by a rapidfuzz
ratio against each group's leader. Frequent wordings are placed first, so they lead.
Grouping is per language: the lexical key cannot tell that two languages ask the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from faq.normalize import normalize
from faq.retriever import spaced

#: rapidfuzz ratio (0-100) of the sorted-word keys from which two questions are one group
ALIKE = 75


def question_key(text: str) -> str:
    """The comparison key of a question: normalized, Chinese spaced into characters, words sorted."""
    return " ".join(sorted(spaced(normalize(text)).split()))


@dataclass
class Group:
    """Alike questions in one language; ``wordings`` counts each original wording (first seen per key)."""

    lang: str
    leader_key: str
    count: int = 0
    wordings: Counter = field(default_factory=Counter)

    def examples(self, limit: int = 3) -> list[str]:
        """The most asked wordings, most frequent first."""
        return [text for text, _ in self.wordings.most_common(limit)]


def group_questions(questions: Iterable[tuple[str, str]], alike: float = ALIKE) -> list[Group]:
    """Group ``(text, lang)`` pairs; largest group first (ties: the order groups were formed)."""
    by_key: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for text, lang in questions:
        key = question_key(text)
        if key:
            by_key[(lang, key)][text.strip()] += 1
    by_language: dict[str, list[tuple[str, Counter]]] = defaultdict(list)
    for (lang, key), wordings in by_key.items():
        by_language[lang].append((key, wordings))
    groups: list[Group] = []
    for lang, keyed in sorted(by_language.items()):
        keyed.sort(key=lambda item: (-sum(item[1].values()), item[0]))
        leaders: list[str] = []
        formed: list[Group] = []
        for key, wordings in keyed:
            hit = process.extractOne(key, leaders, scorer=fuzz.ratio, score_cutoff=alike) if leaders else None
            if hit is None:
                leaders.append(key)
                formed.append(Group(lang=lang, leader_key=key))
                group = formed[-1]
            else:
                group = formed[hit[2]]
            group.count += sum(wordings.values())
            # one original wording per key stands for all its spellings
            group.wordings[wordings.most_common(1)[0][0]] += sum(wordings.values())
        groups.extend(formed)
    return sorted(groups, key=lambda group: -group.count)
