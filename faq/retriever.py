"""Find the entries a question is most likely about, with a 0-100 score each.

Two stages, so that speed does not depend on knowledge-base size and the
scores stay explainable:

1. the lexical index (``faq.index``) scores every entry from the words the
   question shares with it, and keeps a short list;
2. rapidfuzz rescores that short list against each entry's phrasings, which
   rewards close wording and tolerates typos the word index cannot see.

Unknown English words are first corrected to the nearest word the knowledge
base uses ("acount" -> "account"), so a typo still finds its term.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from faq.index import LexicalIndex
from faq.model import KnowledgeBase
from faq.prepared import PreparedTexts, sorted_words, spaced
from faq.terms import EN_FUNCTION_WORDS, han_runs, stem, text_terms



@dataclass(frozen=True)
class Tuning:
    """Retrieval weights. Defaults were tuned on the benchmark validation files (see benchmarks/)."""

    phrasing_weight: float = 0.3   # best phrasing vs. entry centroid in the lexical score
    evidence_weight: float = 1.0   # lexical score scaled by exp(-weight x how far the entry's term evidence is behind the best)
    smoothing: float = 0.1         # pseudo-count of the term evidence (smaller: a single shared word counts more)
    fuzzy_weight: float = 0.2      # share of the rapidfuzz score in the final score
    shortlist: int = 20            # entries rescored by rapidfuzz
    typo_cutoff: float = 80.0      # rapidfuzz ratio needed to correct an unknown word
    min_typo_length: int = 5       # shorter unknown words are never "corrected"


@dataclass(frozen=True)
class Match:
    """One candidate entry and the evidence behind its score."""

    entry_index: int
    score: float                   # 0-100, what decisions are made on
    lexical: float                 # 0-1, from the lexical index
    fuzzy: float                   # 0-100, rapidfuzz against the best phrasing
    phrasing: str                  # the phrasing that matched best
    shared_terms: tuple[tuple[str, float], ...] = field(default=())
    semantic: float | None = None  # cosine to the entry's centroid (None: semantic matching is off)


class Retriever:
    """Scores a knowledge base's entries against questions; build once, query many times."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None, prepared: PreparedTexts | None = None):
        """Index ``kb``. ``prepared``: phrasings already prepared for copies of this knowledge base
        (used when its synonyms are the same; see ``faq.prepared``)."""
        self.tuning = tuning or Tuning()
        self.prepared = prepared if prepared is not None and prepared.fits(kb.synonyms) else PreparedTexts(kb.synonyms)
        self.synonyms = self.prepared.synonyms
        entries = self.prepared.entries([([text for _, text in entry.phrasings()], entry.keywords) for entry in kb.entries])
        self.phrasings: list[str] = list(chain.from_iterable(entry.texts for entry in entries))
        self._sorted_texts = list(chain.from_iterable(entry.sorted_words for entry in entries))
        self.index = LexicalIndex([entry.terms for entry in entries], self.prepared.vocabulary,
                                  smoothing=self.tuning.smoothing)
        self._verbatim = _unique_owners([entry.wordings for entry in entries])
        self._known_words = frozenset().union(*(entry.words for entry in entries))
        self._known_stems = frozenset().union(*(entry.stems for entry in entries))
        self._vocabulary: list[str] | None = None  # sorted, for typo correction: made on the first unknown word

    def prepare(self, text: str) -> str:
        """Normalize ``text`` and apply the knowledge base's synonyms."""
        return self.prepared.prepare(text)

    def verbatim_entry(self, wording: str) -> int | None:
        """The entry one of whose phrasings reads ``wording`` word for word (``Scored.wording``: the question
        normalized, synonyms applied), or None if none or several."""
        return self._verbatim.get(wording)

    def terms_of(self, text: str) -> list[tuple[str, float]]:
        """The weighted index terms of ``text`` (normalized, synonyms applied, no typo correction)."""
        return text_terms(self.prepare(text))

    def correct_typos(self, prepared: str) -> str:
        """Replace each unknown English word by the closest word the knowledge base uses, if close enough."""
        tuning = self.tuning
        fixed = []
        for word in prepared.split(" "):
            if (
                len(word) >= tuning.min_typo_length
                and word.isalpha()
                and not han_runs(word)
                and word not in self._known_words
                and word not in EN_FUNCTION_WORDS
                and stem(word) not in self._known_stems
            ):
                if self._vocabulary is None:
                    self._vocabulary = sorted(self._known_words)
                best = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=tuning.typo_cutoff)
                if best is not None:
                    word = best[0]
            fixed.append(word)
        return " ".join(fixed)

    def search(self, text: str, limit: int = 5, explain: bool = False, also: Sequence[int] = ()) -> list[Match]:
        """The best ``limit`` entries for ``text``, best first (empty when nothing is shared).

        ``also``: entries to score as well as the lexical short list (the
        semantic index proposes them); those sharing no word score 0 and are
        left out.
        """
        scored = self.score(text, also)
        return [self.match(scored, n, explain) for n in scored.ranking[:limit]]

    def score(self, text: str, also: Sequence[int] = ()) -> Scored:
        """The short list's scores for ``text``; a ``Match`` is made only for the entries a caller keeps."""
        wording = self.prepare(text)
        prepared = self.correct_typos(wording)
        query = self.index.vector(text_terms(prepared))
        if not query:
            return Scored.nothing(spaced(wording))
        tuning = self.tuning
        phrasing_scores = self.index.phrasing_scores(query)
        best_phrasing_score, best_row = self.index.best_phrasings(phrasing_scores)
        similarity = tuning.phrasing_weight * best_phrasing_score + (1 - tuning.phrasing_weight) * self.index.centroid_scores(query)
        evidence = self.index.evidence_scores(query)
        # Cosine similarity says how well the entry matches; the evidence gap
        # (how far the entry's term likelihood is behind the best entry's)
        # separates entries that match equally well on the surface.
        lexical = similarity * np.exp(tuning.evidence_weight * (evidence - evidence.max()))
        lexical = np.where(best_phrasing_score > 0, np.clip(lexical, 0.0, 1.0), -1.0)
        shortlist_size = min(tuning.shortlist, len(lexical))
        shortlist = [int(i) for i in np.argpartition(-lexical, shortlist_size - 1)[:shortlist_size]]
        listed = set(shortlist)
        shortlist += [int(i) for i in also if int(i) not in listed]
        shortlist = [i for i in shortlist if lexical[i] >= 0]  # each has a phrasing sharing a term, so rows to rescore
        fuzzy = self._best_fuzzy(sorted_words(spaced(prepared)), shortlist)
        blended = lexical[shortlist] * (1 - tuning.fuzzy_weight + tuning.fuzzy_weight * fuzzy / 100)
        # square root: spreads the low range where the answer/escalate decision falls
        # (monotone, so rankings are unchanged; an identical phrasing still scores 100)
        scores = np.minimum(100 * np.sqrt(np.maximum(blended, 0.0)), 100.0)
        return Scored(shortlist, scores.tolist(), lexical, fuzzy.tolist(), best_row, query, spaced(wording))

    def _best_fuzzy(self, sorted_query: str, entries: list[int]) -> np.ndarray:
        """Per entry of ``entries``: rapidfuzz's best ``token_sort_ratio`` over its phrasings, in one call.

        The words of each phrasing were sorted when it was prepared, so this is ``ratio``
        of the sorted texts: the same numbers, without sorting every phrasing per question.
        """
        bounds = self.index.entry_bounds
        sizes = [int(bounds[i + 1] - bounds[i]) for i in entries]
        if not entries:
            return np.zeros(0)
        choices = list(chain.from_iterable(self._sorted_texts[bounds[i]:bounds[i + 1]] for i in entries))
        ratios = process.cdist([sorted_query], choices, scorer=fuzz.ratio, dtype=np.float64)[0]
        return np.maximum.reduceat(ratios, np.cumsum([0] + sizes[:-1]))

    def match(self, scored: Scored, position: int, explain: bool = False) -> Match:
        """The ``Match`` of the ``position``-th short-listed entry of ``scored``."""
        entry_index = scored.entries[position]
        row = int(scored.best_row[entry_index])
        return Match(
            entry_index=entry_index,
            score=scored.scores[position],
            lexical=float(scored.lexical[entry_index]),
            fuzzy=scored.fuzzy[position],
            phrasing=self.phrasings[row],
            shared_terms=tuple(self.index.contributions(scored.query, row)) if explain else (),
        )


@dataclass(frozen=True)
class Scored:
    """One question's lexical scores: ``scores[n]`` and ``fuzzy[n]`` belong to entry ``entries[n]``.

    ``lexical`` and ``best_row`` cover every entry; ``query`` is the question's term vector;
    ``wording`` the question as the word-for-word check compares it (before typo correction).
    """

    entries: list[int]
    scores: list[float]
    lexical: np.ndarray
    fuzzy: list[float]
    best_row: np.ndarray
    query: dict[int, float]
    wording: str

    @classmethod
    def nothing(cls, wording: str) -> "Scored":
        """The scores of a question that shares no word with the knowledge base."""
        return cls([], [], np.zeros(0), [], np.zeros(0, dtype=np.int64), {}, wording)

    @property
    def ranking(self) -> list[int]:
        """Positions of the entries scoring above 0, best first (ties keep short-list order)."""
        return sorted((n for n, score in enumerate(self.scores) if score > 0), key=lambda n: -self.scores[n])


def _unique_owners(wordings: Sequence[frozenset[str]]) -> dict[str, int]:
    """Each text that belongs to exactly one entry (``wordings[i]``: entry i's), with that entry."""
    entries_with = Counter(chain.from_iterable(wordings))
    return {text: owner for owner, texts in enumerate(wordings) for text in texts if entries_with[text] == 1}
