"""Wiring the semantic side of an ``Assistant``: encoder, cached vectors, hybrid search, calibration.

Kept apart from ``faq.assistant`` so that answering a question stays a short
read and so that the lexical engine never imports anything semantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Sequence, TextIO

import numpy as np

from faq.calibration import NEVER, Calibration, Outcomes
from faq.encoder import Encoder, shared_encoder
from faq.hybrid import Fusion, HybridRetriever
from faq.model import KnowledgeBase, Settings
from faq.normalize import normalize
from faq.pseudo import case_outcomes
from faq.retriever import Retriever
from faq.semantic import SemanticIndex
from faq.vector_cache import load_or_build

class Default(Enum):
    """An argument left to its default: ``Default.SHARED`` is the shared encoder, the user's cache directory.

    A member of its own type, so a type checker tells it from an encoder or a path,
    and None stays free to mean "none" (lexical only, no disk cache).
    """

    SHARED = "shared"


def cache_directory(cache_dir: Path | None | Default) -> Path | None:
    """The cache directory to use, ``Default.SHARED`` meaning the user's."""
    from faq.vector_cache import default_cache_dir

    return default_cache_dir() if cache_dir is Default.SHARED else cache_dir


def resolve(encoder: Encoder | Default, cache_dir: Path | None | Default) -> tuple[Encoder, Path | None]:
    """The encoder and cache directory to use, ``Default.SHARED`` meaning the defaults."""
    directory = cache_directory(cache_dir)
    chosen = shared_encoder(directory) if encoder is Default.SHARED else encoder
    return chosen, directory


@dataclass
class SemanticSetup:
    """The hybrid search of one knowledge base and the outcomes its thresholds are calibrated on."""

    hybrid: HybridRetriever
    outcomes: Outcomes
    encoder: Encoder
    #: phrasing vectors of entries compared phrasing by phrasing (``closest_phrasing``), encoded on first need
    _phrasing_vectors: dict[int, np.ndarray] = field(default_factory=dict)

    def closest_phrasing(self, kb: KnowledgeBase, question: str, entry_indices: Sequence[int]) -> dict[int, float]:
        """The cosine of ``question`` to the closest phrasing of each of these entries.

        Out-of-scope topics are scored by their closest phrasing (``SemanticIndex``),
        FAQ entries by their centroid; to tell whether a topic really leads an FAQ
        entry, the entry is measured the same way. Only that rare comparison needs
        phrasing vectors, so they are encoded then, once per entry.
        """
        vector = self.hybrid.encode(question)
        found = {}
        for index in entry_indices:
            if index not in self._phrasing_vectors:
                texts = [normalize(text) for _, text in kb.entries[index].phrasings()]
                self._phrasing_vectors[index] = np.asarray(self.encoder.encode(texts), dtype=np.float32)
            found[index] = float((self._phrasing_vectors[index] @ vector).max())
        return found

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        retriever: Retriever,
        encoder: Encoder,
        cache_dir: Path | None,
        cases: Sequence[tuple[str, str | None]] = (),
        progress: TextIO | None = None,
        fusion: Fusion | None = None,
        calibrate: bool = True,
    ) -> "SemanticSetup":
        fusion = fusion or Fusion()
        warm = getattr(encoder, "warm", None)
        if callable(warm):  # load the model now, not when the first asker is waiting
            warm()
        data = load_or_build(kb, encoder, cache_dir, retriever.tuning, fusion, progress, calibrate)
        index = SemanticIndex(data.centroids, data.topic_vectors, data.topic_owners)

        def encode(text: str) -> np.ndarray:
            return encoder.encode([normalize(text)])[0]

        hybrid = HybridRetriever(retriever, index, encode, fusion)
        outcomes = data.outcomes
        if cases:
            outcomes = outcomes + case_outcomes(hybrid, kb, list(cases))
        return cls(hybrid, outcomes, encoder)


def calibrated_settings(settings: Settings, calibration: Calibration | None) -> Settings:
    """``settings`` with every decision value the file does not set taken from ``calibration``.

    ``calibration`` may be None only when the file sets the answer and did-you-mean scores and the margin.
    """
    chosen: dict[str, float] = {"sure_score": NEVER}
    if calibration is not None:
        chosen.update(answer_score=calibration.answer_score, margin=calibration.margin,
                      clarify_score=calibration.clarify_score)
    values = {key: value for key, value in chosen.items() if key not in settings.explicit}
    merged = replace(settings, **values)
    if merged.clarify_score > merged.answer_score:
        merged = replace(merged, clarify_score=merged.answer_score)
    return merged
