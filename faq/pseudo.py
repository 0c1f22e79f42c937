"""Labelled pseudo-questions from a knowledge base itself, for calibration (``faq.calibration``).

The knowledge base is split into ``FOLDS`` reduced copies. In each, a sample
of entries is removed (their phrasings become out-of-scope questions) and one
phrasing of each of a sample of the other entries is held out (it becomes an
in-scope question for its entry). Each reduced copy is indexed like the real
one (lexical index, rapidfuzz, entry centroids from the already-encoded
phrasing vectors, so nothing is encoded twice) and every held-out text is
asked. Samples are capped so that a 15,000-entry knowledge base calibrates in
seconds, and seeded so the same knowledge base always gives the same result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np

from faq.calibration import Outcomes
from faq.hybrid import Fusion, HybridRetriever
from faq.model import Entry, KnowledgeBase
from faq.retriever import Retriever, Tuning
from faq.semantic import SemanticIndex, centroids, topic_rows

FOLDS = 5
#: Entries removed over all folds (out-of-scope questions).
MAX_REMOVED = 400
#: Questions of each kind wanted over all folds: small knowledge bases ask several phrasings per entry to get there.
WANTED = 600
#: Entries with a held-out phrasing, per fold (caps the work on large knowledge bases).
MAX_HELD_PER_FOLD = 300
SEED = 20260


def without_phrasing(entry: Entry, lang: str, text: str) -> Entry | None:
    """``entry`` with one phrasing removed (an alternate takes the question's place), or None if none is left."""
    alternates = list(entry.alternates.get(lang, ()))
    if entry.question.get(lang) == text:
        if alternates:
            question = {**entry.question, lang: alternates.pop(0)}
        else:
            question = {k: v for k, v in entry.question.items() if k != lang}
            if not question:
                return None
    else:
        alternates.remove(text)
        question = dict(entry.question)
    return replace(entry, question=question, alternates={**entry.alternates, lang: tuple(alternates)})


def leave_out(kb: KnowledgeBase, position: int, lang: str, text: str) -> KnowledgeBase | None:
    """``kb`` with one phrasing of entry ``position`` left out (leave-one-out), or None when its entry would
    have no phrasing of that language left to be found by."""
    reduced = without_phrasing(kb.entries[position], lang, text)
    if reduced is None or lang not in reduced.question and not reduced.alternates.get(lang):
        return None
    return replace(kb, entries=kb.entries[:position] + (reduced,) + kb.entries[position + 1:])


def _outcome(matches, expect: int | None, kinds: list[str], max_choices: int, real: bool = False) -> tuple:
    """One ``Outcomes`` row; ``matches`` are over original entry indices; ``real``: a seller's question."""
    if not matches:
        return (0.0, 0.0, False, False, expect is None, False, real)
    best = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    choices = [m.entry_index for m in matches[:max_choices]]
    return (
        best.score, best.score - runner_up, best.entry_index == expect, expect in choices,
        expect is None, kinds[best.entry_index] == "out_of_scope", real,
    )


def pseudo_outcomes(
    kb: KnowledgeBase,
    vectors: np.ndarray,
    owners: np.ndarray,
    tuning: Tuning | None = None,
    fusion: Fusion | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Outcomes:
    """Ask the held-out phrasings of ``FOLDS`` reduced copies of ``kb``; ``vectors[i]`` encodes phrasing row i.

    Rows follow ``Entry.phrasings()`` entry by entry; ``owners[i]`` is the row's entry index.
    """
    entries = kb.entries
    n = len(entries)
    kinds = [entry.kind for entry in entries]
    phrasings = [entry.phrasings() for entry in entries]
    first_row = np.concatenate(([0], np.cumsum([len(p) for p in phrasings])))
    rng = np.random.default_rng(SEED)
    removable = [i for i in range(n) if kinds[i] != "out_of_scope"]
    removed = rng.permutation(removable)[: min(len(removable), MAX_REMOVED)] if n > 2 else np.zeros(0, dtype=int)
    max_choices = max(kb.settings.max_choices, 2)
    texts = [text for entry_phrasings in phrasings for _, text in entry_phrasings]
    real_rows = [phrasing in entry.learned for entry, entry_phrasings in zip(entries, phrasings) for phrasing in entry_phrasings]
    hold_out_order = [sorted(range(len(p)), key=lambda n, p=p, e=entry: p[n] not in e.learned)
                      for entry, p in zip(entries, phrasings)]
    out_per_entry = max(3, -(-WANTED // max(len(removed), 1)))
    rows: list[tuple] = []
    for fold in range(FOLDS):
        out = {int(i) for i in removed[fold::FOLDS]}
        candidates = [i for i in range(n) if i not in out and kinds[i] != "out_of_scope" and len(phrasings[i]) >= 2]
        held_entries = sorted(rng.permutation(candidates)[:MAX_HELD_PER_FOLD].tolist()) if candidates else []
        per_entry = -(-WANTED // max(len(held_entries) * FOLDS, 1))
        held: dict[int, list[int]] = {}
        for i in held_entries:
            # a quarter of an entry's phrasings, but two of an entry with four to seven: a small
            # knowledge base needs the questions (one per entry left its calibration jumpy)
            count = min(per_entry, max(min(2, len(phrasings[i]) // 2), len(phrasings[i]) // 4))
            order = hold_out_order[i]  # sellers' real questions first: they are what calibration should see
            held[i] = sorted({order[(fold * count + j) % len(order)] for j in range(count)})
        kept, reduced, keep_rows = _reduced(entries, phrasings, first_row, out, held)
        if not kept:
            continue
        new_index = np.full(n, -1)
        new_index[kept] = np.arange(len(kept))
        topics = topic_rows(kinds, owners) & keep_rows
        index = SemanticIndex(centroids(vectors, owners, n, keep_rows)[kept], vectors[topics], new_index[owners[topics]])
        search = HybridRetriever(Retriever(replace(kb, entries=tuple(reduced)), tuning), index, _no_encoding, fusion)
        kept_array = np.array(kept)

        def ask(row: int, expect: int | None) -> None:
            matches = search.search(texts[row], limit=max_choices + 1, vector=vectors[row])
            matches = [replace(m, entry_index=int(kept_array[m.entry_index])) for m in matches]
            rows.append(_outcome(matches, expect, kinds, max_choices, real=expect is not None and real_rows[row]))

        for i, positions in held.items():
            for position in positions:
                ask(int(first_row[i] + position), i)
        for i in sorted(out):
            for position in range(min(out_per_entry, len(phrasings[i]))):
                ask(int(first_row[i] + position), None)
        if progress is not None:
            progress(fold + 1, FOLDS)
    return Outcomes.from_rows(rows)


def _reduced(entries, phrasings, first_row, out: set[int], held: dict[int, list[int]]):
    """One fold's knowledge base: ``out`` entries removed, ``held`` phrasings taken out of theirs.

    Returns the original indices of the entries kept, the reduced entries, and
    which phrasing rows are still in. A held phrasing that cannot be removed
    (the entry's last) is dropped from ``held``.
    """
    kept, reduced = [], []
    keep_rows = np.ones(int(first_row[-1]), dtype=bool)
    for i, entry in enumerate(entries):
        if i in out:
            keep_rows[first_row[i]:first_row[i + 1]] = False
            continue
        for position in list(held.get(i, [])):
            lang, text = phrasings[i][position]
            smaller = without_phrasing(entry, lang, text)
            if smaller is None:
                held[i].remove(position)
            else:
                entry = smaller
                keep_rows[first_row[i] + position] = False
        kept.append(i)
        reduced.append(entry)
    return kept, reduced, keep_rows


def case_outcomes(search: HybridRetriever, kb: KnowledgeBase, cases: list[tuple[str, str | None]]) -> Outcomes:
    """Outcomes of coverage cases ``(question, expected entry id or None for escalate)`` on the full index."""
    ids = {entry.id: i for i, entry in enumerate(kb.entries)}
    kinds = [entry.kind for entry in kb.entries]
    max_choices = max(kb.settings.max_choices, 2)
    rows = []
    for question, expect in cases:
        expected = ids.get(expect) if expect is not None else None
        if expected is not None and kinds[expected] == "out_of_scope":
            expected = None  # a declared out-of-scope topic: the right reply is an escalation
        rows.append(_outcome(search.search(question, limit=max_choices + 1), expected, kinds, max_choices))
    return Outcomes.from_rows(rows)


def _no_encoding(text: str) -> np.ndarray:  # pragma: no cover - every pseudo-question passes its vector
    raise AssertionError("pseudo-questions are asked with their stored vectors")
