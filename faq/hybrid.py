"""Hybrid retrieval: the lexical engine's score fused with the semantic cosine.

The lexical + rapidfuzz score (``faq.retriever``) knows exact words and typos;
the sentence encoder (``faq.semantic``) knows meaning, across Chinese and
English. Candidates are the union of both short lists, and each gets

    score = max(100 * (w * max(cosine, 0) + (1 - w) * lexical_score / 100), floor * lexical_score)

a fixed mix, so a score means the same thing for every question of a
knowledge base and one calibrated threshold applies to all of them
(``faq.calibration`` picks it per knowledge base). The floor keeps an almost
word-for-word match strong when the encoder prefers a vaguer entry. ``w`` and
``floor`` were chosen on the benchmark validation files
(``benchmarks/quality.py --weight W --floor F``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from faq.encoder import one_blas_thread
from faq.retriever import Match, Retriever, Scored
from faq.semantic import SemanticIndex

#: Share of the semantic cosine in the fused score.
SEMANTIC_WEIGHT = 0.85
#: A close wording match keeps this share of its lexical score whatever the encoder says.
LEXICAL_FLOOR = 0.7
#: The score of an entry one of whose phrasings is the question, word for word (normalized): a
#: calibrated ``sure_score`` is 100, so the author's own wording is always answered.
VERBATIM_SCORE = 100.0
#: Entries the semantic index adds to the lexical short list.
SEMANTIC_SHORTLIST = 10


@dataclass(frozen=True)
class Fusion:
    """How the two scores are mixed (see the module docstring)."""

    weight: float = SEMANTIC_WEIGHT
    shortlist: int = SEMANTIC_SHORTLIST
    lexical_floor: float = LEXICAL_FLOOR


class HybridRetriever:
    """Scores entries by words and by meaning; same ``search`` as ``Retriever``."""

    def __init__(
        self,
        retriever: Retriever,
        semantic: SemanticIndex,
        encode: Callable[[str], np.ndarray],  # question text -> its unit vector
        fusion: Fusion | None = None,
    ):
        self.retriever = retriever
        self.semantic = semantic
        self.encode = encode
        self.fusion = fusion or Fusion()

    def search(self, text: str, limit: int = 5, explain: bool = False, vector: np.ndarray | None = None) -> list[Match]:
        """The best ``limit`` entries for ``text``, best first; ``vector`` is the question's, when already encoded."""
        with one_blas_thread():
            return self._search(text, limit, explain, vector)

    def _search(self, text: str, limit: int, explain: bool, vector: np.ndarray | None) -> list[Match]:
        if vector is None:
            vector = self.encode(text)
        cosines = self.semantic.scores(vector)
        size = min(self.fusion.shortlist, len(cosines))
        nearest = np.argpartition(-cosines, size - 1)[:size] if size else np.zeros(0, dtype=int)
        scored = self.retriever.score(text, also=nearest)
        lexical = {entry_index: position for position, entry_index in enumerate(scored.entries)
                   if scored.scores[position] > 0}
        weight = self.fusion.weight
        fused: dict[int, float] = {}
        for entry_index in set(lexical) | {int(i) for i in nearest}:
            lexical_score = scored.scores[lexical[entry_index]] if entry_index in lexical else 0.0
            score = 100 * (weight * max(float(cosines[entry_index]), 0.0) + (1 - weight) * lexical_score / 100)
            fused[entry_index] = min(max(score, self.fusion.lexical_floor * lexical_score), 100.0)
        verbatim = self.retriever.verbatim_entry(scored.wording)
        if verbatim is not None:  # an author wrote this very question for that entry: it is sure
            fused[verbatim] = VERBATIM_SCORE
        best = sorted((entry_index for entry_index, score in fused.items() if score > 0),
                      key=lambda entry_index: (-fused[entry_index], entry_index))[:limit]
        return [self._match(entry_index, fused[entry_index], float(cosines[entry_index]), scored, lexical, explain,
                            text if entry_index == verbatim and entry_index not in lexical and entry_index not in nearest else None)
                for entry_index in best]

    def _match(self, entry_index: int, score: float, cosine: float, scored: Scored, lexical: dict[int, int],
               explain: bool, verbatim_text: str | None) -> Match:
        """The ``Match`` of one entry kept: its lexical evidence (if any) with the fused score and the cosine."""
        if entry_index in lexical:
            found = self.retriever.match(scored, lexical[entry_index], explain)
            return replace(found, score=score, semantic=cosine)
        if verbatim_text is not None:  # found by its wording alone
            return Match(entry_index=entry_index, score=score, lexical=0.0, fuzzy=100.0, phrasing=verbatim_text,
                         semantic=cosine)
        return Match(entry_index=entry_index, score=score, lexical=0.0, fuzzy=0.0, phrasing="", semantic=cosine)
