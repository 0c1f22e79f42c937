"""Wiring the semantic side of an ``Assistant``: encoder, cached vectors, hybrid search, calibration.

Kept apart from ``faq.assistant`` so that answering a question stays a short
read and so that the lexical engine never imports anything semantic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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

#: "Use the default": the shared encoder, the user's cache directory.
SHARED = object()


def resolve(encoder: Encoder | object, cache_dir: Path | None | object) -> tuple[Encoder, Path | None]:
    """The encoder and cache directory to use, ``SHARED`` meaning the defaults."""
    from faq.vector_cache import default_cache_dir

    directory = default_cache_dir() if cache_dir is SHARED else cache_dir
    chosen = shared_encoder(directory) if encoder is SHARED else encoder  # type: ignore[arg-type]
    return chosen, directory  # type: ignore[return-value]


@dataclass
class SemanticSetup:
    """The hybrid search of one knowledge base and the outcomes its thresholds are calibrated on."""

    hybrid: HybridRetriever
    outcomes: Outcomes
    encoder: Encoder

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
