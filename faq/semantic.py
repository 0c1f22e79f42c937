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


class SemanticIndex:
    """Entry centroids; ``scores(vector)`` is the cosine of a question's vector to each entry."""

    def __init__(self, entry_centroids: np.ndarray):
        self.centroids = np.ascontiguousarray(entry_centroids, dtype=np.float32)

    @classmethod
    def from_vectors(cls, vectors: np.ndarray, owners: np.ndarray, n_entries: int, keep: np.ndarray | None = None) -> "SemanticIndex":
        return cls(centroids(vectors, owners, n_entries, keep))

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of one unit ``vector`` with every entry centroid."""
        return self.centroids @ vector
