"""An in-memory lexical index: TF-IDF vectors of every phrasing and of every entry.

Each phrasing and each query becomes a unit-length vector of weighted terms
(see ``faq.terms``); a term's weight is scaled by its inverse document
frequency over *entries*, so a word every entry uses counts for little and a
word only one entry uses counts for a lot. An entry is scored three ways:

* its best single phrasing (cosine), which rewards a close paraphrase;
* its centroid, the normalized sum of all its phrasings, which rewards words
  that several of its phrasings share: evidence from all phrasings together;
* its term evidence, a naive-Bayes-style log-likelihood of the question's
  words under the entry's pooled phrasings (``log(1 + count / smoothing)``
  per shared term, minus a length term so that long entries do not win just
  by containing more words). Repeated words saturate (log), and a word that
  several phrasings of the entry use counts more than a word used once: this
  discriminates between entries that share a topic word.

Postings are stored per term in numpy arrays, so a query touches only the
phrasings that share a term with it.
"""

from __future__ import annotations

import math
from itertools import chain
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from faq.terms import is_compound

WeightedTerms = Sequence[tuple[str, float]]


def _joined(entries: Sequence[EntryTerms], name: str, dtype) -> np.ndarray:
    """One array of every entry's ``name``, entry after entry."""
    parts = [getattr(entry, name) for entry in entries]
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _accumulate(terms: WeightedTerms) -> dict[str, float]:
    totals: dict[str, float] = {}
    for term, weight in terms:
        totals[term] = totals.get(term, 0.0) + weight
    return totals


@dataclass
class _Postings:
    """For each term id, the rows that contain it and the term's value in each row (CSR by term)."""

    start: np.ndarray
    rows: np.ndarray
    values: np.ndarray

    @classmethod
    def build(cls, rows: np.ndarray, terms: np.ndarray, values: np.ndarray, n_terms: int) -> "_Postings":
        order = np.argsort(terms, kind="stable")
        counts = np.bincount(terms, minlength=n_terms)
        start = np.concatenate(([0], np.cumsum(counts)))
        return cls(start=start, rows=rows[order], values=values[order])

    def dot(self, query: dict[int, float], n_rows: int) -> np.ndarray:
        """The dot product of the query vector with every row."""
        if not query:
            return np.zeros(n_rows)
        slices = [(self.start[t], self.start[t + 1], w) for t, w in query.items()]
        rows = np.concatenate([self.rows[a:b] for a, b, _ in slices])
        values = np.concatenate([self.values[a:b] * w for a, b, w in slices])
        return np.bincount(rows, weights=values, minlength=n_rows)


class Vocabulary:
    """Term <-> number, append-only: the indexes of one knowledge base's copies number each term once.

    An index only uses the numbers given out before it was built, and treats a
    numbered term none of its own phrasings has as unknown (``LexicalIndex.vector``).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def number(self, terms: Iterable[str]) -> tuple[int, ...]:
        """The number of each term, numbering the new ones (not thread-safe: callers hold a lock)."""
        numbers = []
        for term in terms:
            number = self.ids.get(term)
            if number is None:
                number = self.ids[term] = len(self.terms)
                self.terms.append(term)
            numbers.append(number)
        return tuple(numbers)

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class EntryTerms:
    """One entry's phrasings as the index is built from them; copies of a knowledge base share an unchanged entry's.

    ``terms[k]``/``counts[k]``: the distinct terms of each phrasing (phrasing by phrasing,
    ascending term numbers) and their summed weights; ``row_lengths``: how many per
    phrasing. ``pooled_terms``/``pooled_counts``: the entry's distinct terms and their
    totals over its phrasings; ``pooled_of[k]``: where ``terms[k]`` is among them.
    """

    row_lengths: np.ndarray
    terms: np.ndarray
    counts: np.ndarray
    pooled_terms: np.ndarray
    pooled_counts: np.ndarray
    pooled_of: np.ndarray

    @classmethod
    def build(cls, entries: Sequence[Sequence[tuple[Sequence[int], Sequence[float]]]]) -> list["EntryTerms"]:
        """One per entry, from each of its phrasings' term numbers (repeats allowed) and their weights.

        All entries in one numpy pass (a large knowledge base has tens of thousands).
        """
        per_entry = np.fromiter((len(entry) for entry in entries), np.int64, len(entries))
        phrasings = list(chain.from_iterable(entries))
        lengths = np.fromiter((len(ids) for ids, _ in phrasings), np.int64, len(phrasings))
        total = int(lengths.sum())
        occurrences = np.fromiter(chain.from_iterable(ids for ids, _ in phrasings), np.int64, total)
        weights = np.fromiter(chain.from_iterable(ws for _, ws in phrasings), float, total)
        width = int(occurrences.max()) + 1 if total else 1
        # each phrasing's distinct terms (ascending) and their summed weights
        row_term = np.repeat(np.arange(len(phrasings), dtype=np.int64), lengths) * width + occurrences
        unique_row_term, where = np.unique(row_term, return_inverse=True)
        rows, terms = unique_row_term // width, unique_row_term % width
        counts = np.bincount(where.reshape(-1), weights=weights, minlength=len(unique_row_term))
        # each entry's distinct terms and their totals
        entry_of = np.repeat(np.arange(len(entries), dtype=np.int64), per_entry)[rows]
        unique_entry_term, pooled_of = np.unique(entry_of * width + terms, return_inverse=True)
        pooled_of = pooled_of.reshape(-1)
        pooled_entry, pooled_terms = unique_entry_term // width, unique_entry_term % width
        pooled_counts = np.bincount(pooled_of, weights=counts, minlength=len(unique_entry_term))
        # cut per entry
        row_lengths = np.bincount(rows, minlength=len(phrasings))
        row_bounds = np.concatenate(([0], np.cumsum(per_entry)))
        pair_bounds = np.searchsorted(entry_of, np.arange(len(entries) + 1))
        pooled_bounds = np.searchsorted(pooled_entry, np.arange(len(entries) + 1))
        pooled_of -= pooled_bounds[entry_of]
        return [
            cls(row_lengths[row_bounds[n]:row_bounds[n + 1]], terms[pair_bounds[n]:pair_bounds[n + 1]],
                counts[pair_bounds[n]:pair_bounds[n + 1]], pooled_terms[pooled_bounds[n]:pooled_bounds[n + 1]],
                pooled_counts[pooled_bounds[n]:pooled_bounds[n + 1]], pooled_of[pair_bounds[n]:pair_bounds[n + 1]])
            for n in range(len(entries))
        ]

    @property
    def n_phrasings(self) -> int:
        return len(self.row_lengths)


class LexicalIndex:
    """TF-IDF vectors of phrasings (each belonging to one entry) and of entry centroids."""

    def __init__(self, entries: Sequence[EntryTerms], vocabulary: Vocabulary, smoothing: float = 0.1):
        """``entries``: each entry's phrasings, their terms numbered in ``vocabulary``."""
        self.n_entries = n_entries = len(entries)
        per_entry = np.fromiter((entry.n_phrasings for entry in entries), np.int64, n_entries)
        self.n_phrasings = int(per_entry.sum())
        self.phrasing_entry = np.repeat(np.arange(n_entries, dtype=np.int64), per_entry)
        # phrasings of entry i are rows entry_bounds[i]:entry_bounds[i + 1]
        self.entry_bounds = np.concatenate(([0], np.cumsum(per_entry)))
        self.term_ids = vocabulary.ids
        self.terms = vocabulary.terms
        self._n_ids = n_ids = max(len(vocabulary), 1)  # numbers given out later are unknown here

        # each phrasing's distinct terms with their summed weights, phrasing by phrasing
        rows_a = np.repeat(np.arange(self.n_phrasings, dtype=np.int64), _joined(entries, "row_lengths", np.int64))
        terms_a = _joined(entries, "terms", np.int64)
        counts_a = _joined(entries, "counts", float)
        entries_a = self.phrasing_entry[rows_a]

        # pooled (entry, term) counts: document frequency over entries and the term evidence
        pooled_sizes = np.fromiter((len(entry.pooled_terms) for entry in entries), np.int64, n_entries)
        pooled_terms = _joined(entries, "pooled_terms", np.int64)
        pooled_entries = np.repeat(np.arange(n_entries, dtype=np.int64), pooled_sizes)
        pooled = _joined(entries, "pooled_counts", float)
        pooled_of = _joined(entries, "pooled_of", np.int64) + np.repeat(np.cumsum(pooled_sizes) - pooled_sizes, [
            len(entry.terms) for entry in entries])
        entry_df = np.bincount(pooled_terms, minlength=n_ids)
        self._used = entry_df > 0  # a term of the vocabulary that none of these phrasings has is unknown
        self.idf = np.log(1 + (n_entries - entry_df + 0.5) / (entry_df + 0.5))
        self.unknown_idf = math.log(1 + (n_entries + 0.5) / 0.5)

        # unit-length tf-idf vector of each phrasing
        values = counts_a * self.idf[terms_a] if len(terms_a) else counts_a
        norms = np.sqrt(np.bincount(rows_a, weights=values**2, minlength=self.n_phrasings))
        values = values / np.where(norms > 0, norms, 1.0)[rows_a]
        self._phrasings = _Postings.build(rows_a, terms_a, values, n_ids)

        # each entry's centroid: the normalized sum of its unit phrasing vectors
        sums = np.bincount(pooled_of, weights=values, minlength=len(pooled_terms))
        sum_norms = np.sqrt(np.bincount(pooled_entries, weights=sums**2, minlength=n_entries))
        self._centroids = _Postings.build(pooled_entries, pooled_terms, sums / sum_norms[pooled_entries], n_ids)

        # term evidence: log(1 + pooled count / smoothing), and a length penalty per entry
        length = np.bincount(entries_a, weights=counts_a, minlength=n_entries)
        self._entry_length = np.log(length + smoothing * max(int(self._used.sum()), 1))
        self._evidence = _Postings.build(pooled_entries, pooled_terms, np.log1p(pooled / smoothing), n_ids)

    def number(self, term: str) -> int | None:
        """The number of ``term`` if these phrasings use it (None: unknown here)."""
        number = self.term_ids.get(term)
        return number if number is not None and number < self._n_ids and self._used[number] else None

    def vector(self, terms: WeightedTerms) -> dict[int, float]:
        """The unit query vector of ``terms``.

        A term no entry uses cannot match, but it still counts in the vector's
        length with the highest possible idf: a question full of words the
        knowledge base never mentions is probably about something else. Unknown
        pairs (word pairs, Chinese character bigrams) do not count: a new
        combination of known words or characters is usual in any question
        (names, places), and its parts already count on their own.
        """
        known: dict[int, float] = {}
        unknown_mass = 0.0
        for term, count in _accumulate(terms).items():
            number = self.number(term)
            if number is not None:
                known[number] = count * self.idf[number]
            elif not is_compound(term):
                unknown_mass += (count * self.unknown_idf) ** 2
        norm = math.sqrt(sum(w * w for w in known.values()) + unknown_mass)
        return {t: w / norm for t, w in known.items()} if known else {}

    def phrasing_scores(self, query: dict[int, float]) -> np.ndarray:
        """Cosine similarity of the query with every phrasing."""
        return self._phrasings.dot(query, self.n_phrasings)

    def centroid_scores(self, query: dict[int, float]) -> np.ndarray:
        """Cosine similarity of the query with every entry's centroid."""
        return self._centroids.dot(query, self.n_entries)

    def evidence_scores(self, query: dict[int, float]) -> np.ndarray:
        """Per entry: the idf-weighted mean log-likelihood of the query's terms, minus its length penalty.

        Only differences between entries are meaningful (the retriever uses how
        far each entry is behind the best one).
        """
        mass = sum(query.values())
        if not mass:
            return np.zeros(self.n_entries)
        return self._evidence.dot(query, self.n_entries) / mass - self._entry_length

    def best_phrasings(self, phrasing_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: the best phrasing score and that phrasing's index."""
        best = np.maximum.reduceat(phrasing_scores, self.entry_bounds[:-1])
        # argmax within each entry: the first phrasing reaching the entry's best score
        hits = np.flatnonzero(phrasing_scores == best[self.phrasing_entry])
        first_hit = np.full(self.n_entries, -1)
        first_hit[self.phrasing_entry[hits][::-1]] = hits[::-1]
        return best, first_hit

    def contributions(self, query: dict[int, float], row: int) -> list[tuple[str, float]]:
        """Which query terms the phrasing ``row`` shares, and how much each adds to its cosine."""
        found = []
        for term_id, weight in query.items():
            a, b = self._phrasings.start[term_id], self._phrasings.start[term_id + 1]
            hit = np.flatnonzero(self._phrasings.rows[a:b] == row)
            if hit.size:
                found.append((self.terms[term_id], weight * float(self._phrasings.values[a + hit[0]])))
        return sorted(found, key=lambda pair: -pair[1])
