"""The semantic side of an index build: entry centroids and calibration outcomes, cached on disk.

Encoding every phrasing of a large knowledge base and asking its
pseudo-questions take a while, and both depend only on the knowledge base's
matching content (ids, kinds, phrasings, keywords, synonyms), the model, and
the engine's own scoring. So they are stored in one ``.npz`` file named by a
hash of exactly those; a restart with an unchanged knowledge base encodes
nothing. Answers and messages are not part of the key: editing an answer
keeps the cache. A missing, truncated or otherwise unreadable file is simply
rebuilt; writes go to a temporary file renamed into place, so processes that
share the directory never read half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, TextIO

import numpy as np

from faq.calibration import Outcomes
from faq.encoder import Encoder, MemoEncoder
from faq.hybrid import Fusion
from faq.model import KnowledgeBase
from faq.normalize import normalize
from faq.pseudo import pseudo_outcomes
from faq.retriever import Tuning
from faq.semantic import centroids, topic_rows

#: Bump when scoring changes in a way the key cannot see, so old outcomes are not reused.
ENGINE_VERSION = "hybrid-10"
#: Phrasings encoded per batch (and per progress update).
BATCH = 512
#: Knowledge bases with more phrasings than this show progress on a terminal.
PROGRESS_FROM = 2000


def default_cache_dir() -> Path:
    """The user's cache directory for faqbot (``~/.cache/faqbot`` on Linux; honours ``XDG_CACHE_HOME``)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("faqbot"))


@dataclass
class SemanticData:
    """What answering and calibrating need: each entry's centroid, and the pseudo-question outcomes.

    The phrasing vectors themselves are not kept: questions are only compared
    with centroids, and storing one vector per entry keeps the file (and a
    warm start) five to twenty times smaller.
    """

    centroids: np.ndarray
    outcomes: Outcomes
    topic_vectors: np.ndarray   # phrasing vectors of out_of_scope entries (see ``SemanticIndex``)
    topic_owners: np.ndarray


def phrasing_rows(kb: KnowledgeBase) -> tuple[list[str], np.ndarray]:
    """The normalized text of every phrasing, entry by entry, and the entry index of each."""
    texts, owners = [], []
    for index, entry in enumerate(kb.entries):
        for _, text in entry.phrasings():
            texts.append(normalize(text))
            owners.append(index)
    return texts, np.array(owners, dtype=np.int64)


def cache_key(kb: KnowledgeBase, encoder: Encoder, tuning: Tuning, fusion: Fusion) -> str:
    """A hash of everything the cached vectors and outcomes depend on."""
    content = {
        "engine": ENGINE_VERSION, "model": [encoder.name, encoder.version],
        "tuning": asdict(tuning), "fusion": asdict(fusion), "synonyms": kb.synonyms,
        "max_choices": kb.settings.max_choices,
        "entries": [[e.id, e.kind, e.phrasings(), list(e.keywords)] for e in kb.entries],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


class _Progress:
    """A one-line progress report on stderr, only on a terminal and only for large builds."""

    def __init__(self, total_rows: int, stream: TextIO | None):
        stream = stream if stream is not None else sys.stderr
        self.stream = stream if total_rows > PROGRESS_FROM and _is_tty(stream) else None

    def show(self, what: str, done: int, total: int) -> None:
        if self.stream is not None:
            self.stream.write(f"\rfaqbot: {what} {done}/{total}   ")
            self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def load_or_build(
    kb: KnowledgeBase,
    encoder: Encoder,
    cache_dir: Path | None,
    tuning: Tuning,
    fusion: Fusion,
    progress_stream: TextIO | None = None,
    calibrate: bool = True,
) -> SemanticData:
    """The cached semantic data of ``kb``, built (and stored, when ``cache_dir`` is given) if missing or unreadable.

    ``calibrate=False``: vectors only, no pseudo-questions (the caller brings its own thresholds).
    """
    if isinstance(encoder, MemoEncoder) and not calibrate and cache_dir is None:
        return _copy_data(kb, encoder)
    path = cache_dir / "vectors" / f"{cache_key(kb, encoder, tuning, fusion)}.npz" if cache_dir is not None else None
    if path is not None:
        cached = _read(path, len(kb.entries))
        if cached is not None:
            return cached
    texts, owners = phrasing_rows(kb)  # only to encode: normalizing every phrasing was a third of a warm start's load
    progress = _Progress(len(texts), progress_stream)
    parts = []
    for start in range(0, len(texts), BATCH):
        parts.append(encoder.encode(texts[start:start + BATCH]))
        progress.show("encoding phrasings", min(start + BATCH, len(texts)), len(texts))
    vectors = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 512), dtype=np.float32)
    step: Callable[[int, int], None] = lambda done, total: progress.show("calibrating", done, total)
    outcomes = pseudo_outcomes(kb, vectors, owners, tuning, fusion, step) if calibrate else Outcomes.empty()
    progress.finish()
    topics = topic_rows([entry.kind for entry in kb.entries], owners)
    data = SemanticData(centroids(vectors, owners, len(kb.entries)), outcomes, vectors[topics], owners[topics])
    if path is not None and calibrate:
        _write(path, data)
    return data


@lru_cache(maxsize=4096)
def _normalized(texts: tuple[str, ...]) -> tuple[str, ...]:
    """An entry's phrasings normalized, once: every copy of a knowledge base has most entries unchanged."""
    return tuple(normalize(text) for text in texts)


def _copy_data(kb: KnowledgeBase, encoder: MemoEncoder) -> SemanticData:
    """The vectors of an edited copy (leave-one-out, proofs): each entry's centroid as the memo has it."""
    phrasings = [_normalized(tuple(text for _, text in entry.phrasings())) for entry in kb.entries]
    found = [encoder.centroid(texts) for texts in phrasings]
    centres = np.stack(found) if found else np.zeros((0, 512), dtype=np.float32)
    topics = [n for n, entry in enumerate(kb.entries) if entry.kind == "out_of_scope"]
    topic_vectors = [encoder.encode(phrasings[n]) for n in topics]
    return SemanticData(
        centres, Outcomes.empty(),
        np.concatenate(topic_vectors) if topic_vectors else np.zeros((0, centres.shape[1]), dtype=np.float32),
        np.repeat(np.array(topics, dtype=np.int64), [len(phrasings[n]) for n in topics]),
    )


def _read(path: Path, n_entries: int) -> SemanticData | None:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            data = SemanticData(arrays["centroids"], Outcomes.load(arrays), arrays["topic_vectors"], arrays["topic_owners"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if data.centroids.ndim != 2 or len(data.centroids) != n_entries or not np.isfinite(data.centroids).all():
        return None
    if len(data.topic_vectors) != len(data.topic_owners) or (len(data.topic_owners) and data.topic_owners.max() >= n_entries):
        return None
    return data


def _write(path: Path, data: SemanticData) -> None:
    """Store ``data`` atomically; a cache that cannot be written only costs the next start its time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as out:
            np.savez(out, centroids=data.centroids, topic_vectors=data.topic_vectors, topic_owners=data.topic_owners,
                     **data.outcomes.save())
        os.replace(partial, path)
    except OSError:
        pass
