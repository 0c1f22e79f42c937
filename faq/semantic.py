"""Semantic similarity of a question to every entry: cosine to the entry's centroid.

Each phrasing is encoded once (``faq.encoder``); an entry is represented by the
normalized mean of its phrasing vectors. The centroid was the best of the
modes measured (best single phrasing was 2-8 points worse), and searching
one vector per entry is what keeps a 15,000-entry knowledge base fast: one
matrix-vector product over the centroids per question.
"""

from __future__ import annotations

import numpy as np


def centroids(vectors: np.ndarray, owners: np.ndarray, n_entries: int, keep: np.ndarray | None = None) -> np.ndarray:
    """Unit mean vector of each entry's phrasings (rows where ``keep`` is False are left out; an entry with none is all zero).

    ``owners`` is sorted (phrasings are stored entry by entry), so each entry's
    rows are one run and ``reduceat`` sums them in one pass.
    """
    dims = vectors.shape[1] if vectors.ndim == 2 else 0
    sums = np.zeros((n_entries, dims), dtype=np.float32)
    rows = np.arange(len(owners)) if keep is None else np.flatnonzero(keep)
    if len(rows):
        entries, starts = np.unique(owners[rows], return_index=True)
        sums[entries] = np.add.reduceat(vectors[rows], starts, axis=0)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.where(norms > 0, norms, 1.0)


def topic_rows(kinds: list[str], owners: np.ndarray) -> np.ndarray:
    """Which phrasing rows belong to entries that are lists of topics (``out_of_scope``)."""
    topical = np.array([kind == "out_of_scope" for kind in kinds], dtype=bool)
    return topical[owners] if len(owners) else np.zeros(0, dtype=bool)


class SemanticIndex:
    """Entry centroids; ``scores(vector)`` is the cosine of a question's vector to each entry.

    Some entries are lists of separate topics rather than one question asked
    many ways (``out_of_scope`` entries: fees, refunds, passwords...): their
    centroid sits between the topics and matches none of them well. For those,
    ``topic_vectors`` (one per phrasing, owned by ``topic_owners``) also count,
    and such an entry scores its best phrasing or its centroid, whichever is higher.
    """

    def __init__(self, entry_centroids: np.ndarray, topic_vectors: np.ndarray | None = None, topic_owners: np.ndarray | None = None):
        self.centroids = np.ascontiguousarray(entry_centroids, dtype=np.float32)
        dims = self.centroids.shape[1] if self.centroids.ndim == 2 else 0
        self.topic_vectors = np.zeros((0, dims), dtype=np.float32) if topic_vectors is None else np.ascontiguousarray(topic_vectors, dtype=np.float32)
        self.topic_owners = np.zeros(0, dtype=np.int64) if topic_owners is None else np.asarray(topic_owners, dtype=np.int64)

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of one unit ``vector`` with every entry (see the class docstring for topic lists)."""
        scores = self.centroids @ vector
        if len(self.topic_owners):
            np.maximum.at(scores, self.topic_owners, self.topic_vectors @ vector)
        return scores
