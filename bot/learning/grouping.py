"""Group alike questions, so twenty ways of asking one thing count as one topic.

One algorithm for every list of questions the learning loop shows or proposes (``faqbot
report``, ``report --html``, ``faqbot suggest``'s drafts and its new out-of-scope topics),
so their counts agree. Each distinct normalized question is a unit vector; the most asked
ones come first, and each joins the group whose centroid (the mean of its members) it is
most similar to, at or above the vectors' ``alike`` cosine, else starts a group.

Two ways to make the vectors, chosen by the knowledge base's ``settings.semantic``:

- ``MeaningVectors``: the engine's sentence encoder, one space for Chinese and English, so
  "how do I reset my password" and "重置密码怎么操作" can be one group;
- ``WordVectors``: words (Chinese: characters and character pairs) weighted by how rare they
  are among the questions grouped; per language, since words cannot tell two languages
  ask the same thing. Quick, and needs no model.

The thresholds were measured (``benchmarks/grouping_purity.py``) by grouping labelled
questions of two public data sets (English and Chinese) and a bilingual FAQ's own phrasings,
and checking how many questions share a group with questions of another label.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from faq.normalize import HAN_RUN, is_noise, normalize

from bot.learning.model import Traffic

#: cosine to a group's centroid from which a question joins it, with the sentence encoder's vectors
ALIKE_MEANING = 0.7
#: the same with the rarity-weighted word vectors
ALIKE_WORDS = 0.5
#: terms in more than this share of the questions do not propose groups to compare with
_COMMON = 0.2
#: questions encoded at a time
_BATCH = 512
_SLUG_WORD = re.compile(r"[a-z0-9]+")
#: words that say how something is asked, not what about: left out of readable ids
_ASKING = frozenset(
    "a an the i me my we our you your it its is are was be am do does did can could would will should may "
    "how what when where why who which there possible to for of on in at with about from please get s".split()
)


def question_key(text: str) -> str:
    """The identity of a question for grouping: its normalized text."""
    return normalize(text)


class _Space(Protocol):
    """The groups formed so far in one vector space: find the nearest, start one, add to one."""

    def nearest(self, row: int) -> tuple[int | None, float]:
        """The group whose centroid is most similar to question ``row``, and that cosine (None: no group is near)."""
        ...

    def start(self, row: int) -> int:
        ...

    def join(self, group: int, row: int) -> None:
        ...


class QuestionVectors(Protocol):
    """A way to turn questions into vectors, with the cosine from which two are alike."""

    alike: float
    across_languages: bool

    def space(self, keys: Sequence[str]) -> _Space:
        ...


class _DenseSpace:
    """Groups over dense unit vectors (one row per question): centroid sums and their norms."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.sums = np.zeros((0, self.vectors.shape[1] if self.vectors.ndim == 2 else 0), dtype=np.float32)
        self.norms = np.zeros(0, dtype=np.float32)
        self.size = 0

    def nearest(self, row: int) -> tuple[int | None, float]:
        if not self.size:
            return None, 0.0
        cosines = (self.sums[:self.size] @ self.vectors[row]) / self.norms[:self.size]
        best = int(np.argmax(cosines))
        return best, float(cosines[best])

    def start(self, row: int) -> int:
        if self.size == len(self.sums):  # grow by doubling: one copy per doubling, not per group
            grown = np.zeros((max(16, 2 * self.size), self.sums.shape[1]), dtype=np.float32)
            grown[:self.size] = self.sums[:self.size]
            self.sums, self.norms = grown, np.resize(self.norms, len(grown))
        self.sums[self.size] = 0.0
        self.size += 1
        self.join(self.size - 1, row)
        return self.size - 1

    def join(self, group: int, row: int) -> None:
        self.sums[group] += self.vectors[row]
        self.norms[group] = max(float(np.linalg.norm(self.sums[group])), 1e-12)


class MeaningVectors:
    """The sentence encoder's vectors (any ``faq.encoder.Encoder``): questions alike in meaning, in either language."""

    across_languages = True

    def __init__(self, encoder, alike: float = ALIKE_MEANING):
        self.encoder = encoder
        self.alike = alike

    def space(self, keys: Sequence[str]) -> _Space:
        from faq.encoder import one_blas_thread

        with one_blas_thread():
            parts = [self.encoder.encode(list(keys[start:start + _BATCH])) for start in range(0, len(keys), _BATCH)]
        return _DenseSpace(np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32))


def _terms(key: str) -> Counter:
    """Words outside Han runs, and Han characters and character pairs, with their counts."""
    terms: Counter = Counter(HAN_RUN.sub(" ", key).split())
    for run in HAN_RUN.findall(key):
        terms.update(run)
        terms.update(a + b for a, b in zip(run, run[1:]))
    return terms


def _word_vectors(keys: Sequence[str]) -> list[dict[str, float]]:
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


class _WordSpace:
    """Groups over sparse word vectors; rare terms point to the groups worth comparing with."""

    def __init__(self, vectors: list[dict[str, float]]):
        self.vectors = vectors
        frequency: Counter = Counter(term for vector in vectors for term in vector)
        limit = max(2, _COMMON * len(vectors))
        self.rare = [[term for term in vector if frequency[term] <= limit] or list(vector) for vector in vectors]
        self.sums: list[dict[str, float]] = []
        self.norms: list[float] = []
        self.postings: dict[str, set[int]] = defaultdict(set)

    def nearest(self, row: int) -> tuple[int | None, float]:
        vector = self.vectors[row]
        best, best_score = None, 0.0
        for group in {group for term in self.rare[row] for group in self.postings.get(term, ())}:
            sums = self.sums[group]
            score = sum(weight * sums.get(term, 0.0) for term, weight in vector.items()) / self.norms[group]
            if score > best_score or (score == best_score and best is not None and group < best):
                best, best_score = group, score
        return best, best_score

    def start(self, row: int) -> int:
        self.sums.append({})
        self.norms.append(0.0)
        self.join(len(self.sums) - 1, row)
        return len(self.sums) - 1

    def join(self, group: int, row: int) -> None:
        sums = self.sums[group]
        for term, weight in self.vectors[row].items():
            sums[term] = sums.get(term, 0.0) + weight
        for term in self.rare[row]:
            self.postings[term].add(group)
        self.norms[group] = math.sqrt(sum(weight * weight for weight in sums.values())) or 1e-12


class WordVectors:
    """Rarity-weighted word vectors: no model to load; alike wording, per language."""

    across_languages = False

    def __init__(self, alike: float = ALIKE_WORDS):
        self.alike = alike

    def space(self, keys: Sequence[str]) -> _Space:
        return _WordSpace(_word_vectors(keys))


def question_vectors(semantic: bool, encoder=None) -> QuestionVectors:
    """The vectors to group with: by meaning when the knowledge base matches by meaning, else by words.

    ``encoder``: the sentence encoder (default: the process's shared one, loaded only when
    there are questions to group).
    """
    if not semantic:
        return WordVectors()
    if encoder is None:
        from faq.encoder import shared_encoder
        from faq.vector_cache import default_cache_dir

        encoder = shared_encoder(default_cache_dir())
    return MeaningVectors(encoder)


class KnowledgeBaseVectors:
    """``question_vectors`` for the knowledge base file at ``path``, read only once there are questions to group.

    ``faqbot report`` reads the log, not the knowledge base: with nothing to group it stays
    quick, and a file that does not load groups by meaning (the default setting).
    """

    def __init__(self, path, encoder=None):
        self.path = path
        self.encoder = encoder
        self._chosen: QuestionVectors | None = None

    def chosen(self) -> QuestionVectors:
        if self._chosen is None:
            from faq import KnowledgeError, load_knowledge

            try:
                semantic = load_knowledge(self.path).settings.semantic
            except (KnowledgeError, OSError):
                semantic = True
            self._chosen = question_vectors(semantic, self.encoder)
        return self._chosen

    @property
    def alike(self) -> float:
        return self.chosen().alike

    @property
    def across_languages(self) -> bool:
        return self.chosen().across_languages

    def space(self, keys: Sequence[str]) -> _Space:
        return self.chosen().space(keys)


@dataclass
class Group:
    """Alike questions; ``lang`` is the language of the most asked one, ``indexes`` their positions in the input."""

    lang: str
    leader_key: str
    count: int = 0
    wordings: Counter = field(default_factory=Counter)  # (lang, wording) -> times asked
    indexes: list[int] = field(default_factory=list)

    def examples(self, limit: int = 3, lang: str | None = None) -> list[str]:
        """The most asked wordings (in ``lang`` only, when given), most frequent first."""
        return [text for (in_lang, text), _ in self.wordings.most_common() if lang is None or in_lang == lang][:limit]

    def languages(self) -> list[str]:
        """The languages asked in, most asked first."""
        asked: Counter = Counter()
        for (lang, _), count in self.wordings.items():
            asked[lang] += count
        return [lang for lang, _ in asked.most_common()]


def group_questions(questions: Sequence[tuple[str, str]], vectors: QuestionVectors | None = None) -> list[Group]:
    """Group ``(text, lang)`` pairs (default: by words); largest group first (ties: the order groups were formed).

    Noise (only digits or punctuation, one character) joins no group.
    """
    vectors = vectors or WordVectors()
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, (text, lang) in enumerate(questions):
        if not is_noise(text):
            by_key[(lang, question_key(text))].append(position)
    across = len(by_key) > 1 and vectors.across_languages  # one question: no vectors, no model to load
    parts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lang, key in by_key:
        parts["" if across else lang].append((lang, key))
    groups: list[Group] = []
    for _, units in sorted(parts.items()):
        units.sort(key=lambda unit: (-len(by_key[unit]), unit[1], unit[0]))  # the most asked lead their groups
        space = vectors.space([key for _, key in units]) if len(units) > 1 else None
        formed: list[Group] = []
        for row, (lang, key) in enumerate(units):
            found, score = space.nearest(row) if space is not None else (None, 0.0)
            if found is not None and score >= vectors.alike:
                space.join(found, row)
                group = formed[found]
            else:
                group = Group(lang=lang, leader_key=key)
                formed.append(group)
                if space is not None:
                    space.start(row)
            positions = by_key[(lang, key)]
            spelling = Counter(questions[p][0].strip() for p in positions).most_common(1)[0][0]
            group.wordings[(lang, spelling)] += len(positions)  # one spelling stands for the key
            group.count += len(positions)
            group.indexes.extend(positions)
        groups.extend(formed)
    return sorted(groups, key=lambda group: -group.count)


@dataclass(frozen=True)
class Unanswered:
    """A question worth an entry: its text, language and the entry the bot came closest to (if any)."""

    text: str
    lang: str
    closest: str | None = None


#: labels that say where a question belongs: the learning loop proposes it there, no one has to write it
_PLACED = ("entry", "out_of_scope")
#: labels that say the FAQ lacks the question
_FLAGGED = ("new_topic", "none_of_these")


def unanswered(traffic: Traffic) -> list[Unanswered]:
    """What to write next: questions escalated or answered with "did you mean", and those people
    flagged as new ("new topic", "none of these"), less every question someone labelled with
    an entry or as out of scope. A flagged question counts once, with its logged asking.
    """
    placed = {question_key(r.question) for r in traffic.labelled if r.label in _PLACED}
    found = [Unanswered(r.question, r.lang, r.entry_id) for r in traffic.asked
             if r.outcome in ("escalate", "clarify") and question_key(r.question) not in placed]
    asked = {question_key(item.text) for item in found}
    for record in traffic.labelled:
        key = question_key(record.question)
        if record.label in _FLAGGED and key not in asked and key not in placed:
            found.append(Unanswered(record.question, record.lang))
            asked.add(key)
    return [item for item in found if not is_noise(item.text)]


def group_unanswered(items: Sequence[Unanswered], vectors: QuestionVectors | None = None) -> list[Group]:
    """``group_questions`` over unanswered questions."""
    return group_questions([(item.text, item.lang) for item in items], vectors)


def closest_entry(group: Group, items: Sequence[Unanswered]) -> str | None:
    """The entry the bot most often came closest to for the group's questions (a weak guess, for the author)."""
    guesses = Counter(items[n].closest for n in group.indexes if items[n].closest)
    return guesses.most_common(1)[0][0] if guesses else None


def unused_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... the first not in ``taken``."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def readable_id(group: Group, prefix: str, fallback: str, taken: set[str]) -> str:
    """An unused kebab-case id: ``prefix`` and what the group's most asked English wording is about, else ``fallback``."""
    english = group.examples(1, "en")
    words = _SLUG_WORD.findall(normalize(english[0])) if english else []
    words = ([word for word in words if word not in _ASKING] or words)[:5]
    return unused_id("-".join(([prefix] if prefix else []) + words) if words else fallback, taken)
