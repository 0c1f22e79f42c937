"""Group alike questions across wording, so twenty ways of asking one thing count as one topic.

Each distinct normalized question becomes a vector of its words (Chinese: characters and
character pairs) weighted by how rare they are among the questions being grouped, so
"how can I" shared by everything counts for little and "sponsored ads" for a lot. The
most asked wordings lead groups; every other wording joins the most similar leader at or
above ``ALIKE`` (cosine), else leads a new group. An inverted index over rare terms finds
the leaders worth comparing. Grouping is per language: words cannot tell that two
languages ask the same thing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from faq.normalize import HAN_RUN, normalize

#: cosine (0-1) of the rarity-weighted term vectors from which two questions are one group
ALIKE = 0.6
#: terms in more than this share of the questions do not propose leaders to compare with
_COMMON = 0.2


def question_key(text: str) -> str:
    """The identity of a question for grouping: its normalized text."""
    return normalize(text)


def _terms(key: str) -> Counter:
    """Words outside Han runs, and Han characters and character pairs, with their counts."""
    terms: Counter = Counter(HAN_RUN.sub(" ", key).split())
    for run in HAN_RUN.findall(key):
        terms.update(run)
        terms.update(a + b for a, b in zip(run, run[1:]))
    return terms


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


def _vectors(keys: list[str]) -> list[dict[str, float]]:
    """Unit-length rarity-weighted (tf * idf) term vectors of ``keys``."""
    counted = [_terms(key) for key in keys]
    frequency: Counter = Counter(term for terms in counted for term in terms)
    total = len(keys)
    vectors = []
    for terms in counted:
        vector = {term: tf * (math.log((1 + total) / (1 + frequency[term])) + 1) for term, tf in terms.items()}
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        vectors.append({term: weight / norm for term, weight in vector.items()})
    return vectors


def group_questions(questions: Iterable[tuple[str, str]], alike: float = ALIKE) -> list[Group]:
    """Group ``(text, lang)`` pairs; largest group first (ties: the order groups were formed)."""
    by_key: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for text, lang in questions:
        key = question_key(text)
        if key and any(char.isalnum() for char in key):
            by_key[(lang, key)][text.strip()] += 1
    by_language: dict[str, list[tuple[str, Counter]]] = defaultdict(list)
    for (lang, key), wordings in by_key.items():
        by_language[lang].append((key, wordings))
    groups: list[Group] = []
    for lang, keyed in sorted(by_language.items()):
        keyed.sort(key=lambda item: (-sum(item[1].values()), item[0]))
        vectors = _vectors([key for key, _ in keyed])
        document_frequency: Counter = Counter(term for vector in vectors for term in vector)
        rare_limit = max(2, _COMMON * len(keyed))
        leaders: list[dict[str, float]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        formed: list[Group] = []
        for (key, wordings), vector in zip(keyed, vectors):
            rare = [term for term in vector if document_frequency[term] <= rare_limit] or list(vector)
            candidates = {leader for term in rare for leader in postings.get(term, ())}
            best, best_score = None, alike
            for leader in candidates:
                score = sum(weight * leaders[leader].get(term, 0.0) for term, weight in vector.items())
                if score >= best_score:
                    best, best_score = leader, score
            if best is None:
                best = len(formed)
                formed.append(Group(lang=lang, leader_key=key))
                leaders.append(vector)
                for term in rare:
                    postings[term].append(best)
            group = formed[best]
            group.count += sum(wordings.values())
            group.wordings[wordings.most_common(1)[0][0]] += sum(wordings.values())  # one spelling stands for the key
        groups.extend(formed)
    return sorted(groups, key=lambda group: -group.count)
