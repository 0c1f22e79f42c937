"""Leave-one-out for the proof: each phrasing left out of its entry and asked of the rest, by folds.

An index build per phrasing left out was most of what ``faqbot suggest`` cost. So the
phrasings are left out in folds, as cross-validation does: fold ``n`` is the ``n``-th
phrasing of every entry, and one copy of the knowledge base without a fold answers all
of its phrasings. Each phrasing is still asked of a copy without it, where every other
entry lacks one phrasing too; one build per fold instead of one per phrasing. A phrasing
that is its entry's only one in its language is not checked (nothing would find it).

The checks are independent, so with enough of them they run in worker processes
(``spawn``: safe in a process that has threads, and the same on every platform). The
answers are the same either way; only the wall-clock time differs.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import partial
from multiprocessing import get_context
from typing import Callable, Iterable, Mapping, NamedTuple

import numpy as np

from faq.assistant import Assistant, Copies
from faq.encoder import MemoEncoder
from faq.model import Entry, KnowledgeBase, Reply, Settings
from faq.normalize import normalize
from faq.pseudo import without_phrasing
from faq.semantic_setup import Default, resolve
from faq.vector_cache import BATCH

Key = tuple[str, str, str]  # (entry id, lang, phrasing text)
Folds = Mapping[Key, int]  # the fold each phrasing is left out in


class Replied(NamedTuple):
    """What the proof needs of one reply: what was done, with which entry, and how sure."""

    action: str
    kind: str | None                # the best entry's kind (None: nothing matched)
    entry_id: str | None            # the best entry
    considered: frozenset[str]      # the entries the reply offered or weighed (its candidates)
    score: float                    # the best entry's score

    @property
    def found(self) -> str | None:
        """The entry a left-out phrasing finds (answered or offered); None when escalated."""
        return self.entry_id if self.action != "escalate" else None

    @property
    def answered(self) -> str | None:
        """The entry a question is answered with; None when it is not answered."""
        return self.entry_id if self.action == "answer" else None


def replied(reply: Reply) -> Replied:
    """``reply`` as the proof keeps it (the score to a thousandth: a vector's last bits differ with its batch)."""
    return Replied(reply.action, reply.kind, reply.entry_id, frozenset(c.entry_id for c in reply.candidates),
                   round(reply.score, 3))


# one of each per process: the copies of a knowledge base share most phrasings
_ENCODER: MemoEncoder | None = None
_COPIES: Copies | None = None


def engine(kb: KnowledgeBase, decisions: Settings) -> Assistant:
    """An engine for one copy of the proof's knowledge base, deciding with the base's ``decisions``.

    Every text is encoded and prepared once per process, however many copies it appears in
    (``faq.assistant.Copies``).
    """
    global _COPIES
    if _COPIES is None or _COPIES.decisions != decisions:
        _COPIES = Copies(decisions, memo_encoder(), _COPIES.prepared if _COPIES else None)
    return _COPIES(kb)


def memo_encoder() -> MemoEncoder:
    """This process's memo of encoded texts (the model itself loads only if a text is missing): the proof's
    copies and ``faqbot suggest``'s own engine encode each text once between them."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = MemoEncoder(resolve(Default.SHARED, Default.SHARED)[0])
    return _ENCODER


def encode_once(texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Each distinct text normalized and encoded into this process's memo, in batches (one by one costs several
    times as much); the vectors by normalized text."""
    normalized = list(dict.fromkeys(normalize(text) for text in texts))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(normalized), BATCH):
        batch = normalized[start:start + BATCH]
        found.update(zip(batch, memo_encoder().encode(batch)))
    return found


def remember(vectors: Mapping[str, np.ndarray]) -> None:
    """Take the vectors of texts encoded in another process (a worker's start)."""
    memo_encoder().remember(vectors)


def folds(kb: KnowledgeBase) -> dict[Key, int]:
    """Each phrasing's fold: its place among its entry's phrasings (so a fold takes one phrasing from each entry)."""
    return {(entry.id, lang, text): n for entry in kb.entries for n, (lang, text) in enumerate(entry.phrasings())}


def by_fold(folded: Folds) -> dict[int, list[Key]]:
    """The phrasings of each fold."""
    grouped: dict[int, list[Key]] = {}
    for key, fold in folded.items():
        grouped.setdefault(fold, []).append(key)
    return grouped


def without_fold(kb: KnowledgeBase, fold: Iterable[Key]) -> tuple[KnowledgeBase, set[Key]]:
    """``kb`` with the phrasings of ``fold`` left out, and those actually left out: not one that is the only
    phrasing of its language in its entry, nor one ``kb`` does not have."""
    leaving = {entry_id: (lang, text) for entry_id, lang, text in fold}
    entries = []
    left_out: set[Key] = set()
    for entry in kb.entries:
        if entry.id in leaving:
            lang, text = leaving[entry.id]
            reduced = _reduced(entry, lang, text)
            if reduced is not None:
                entry = reduced
                left_out.add((entry.id, lang, text))
        entries.append(entry)
    return replace(kb, entries=tuple(entries)), left_out


#: Entries with a phrasing left out, by (entry, phrasing): most entries are the same object in every version
_REDUCED: dict[tuple[int, str, str], tuple[Entry, Entry | None]] = {}
REDUCED_MEMO = 100_000


def _reduced(entry: Entry, lang: str, text: str) -> Entry | None:
    """``entry`` without one phrasing, or None when it has no such phrasing or it is its only one in ``lang``."""
    key = (id(entry), lang, text)
    held = _REDUCED.get(key)
    if held is None:
        reduced = without_phrasing(entry, lang, text) if (lang, text) in entry.phrasings() else None
        if reduced is not None and lang not in reduced.question and not reduced.alternates.get(lang):
            reduced = None
        if len(_REDUCED) >= REDUCED_MEMO:
            _REDUCED.clear()
        held = _REDUCED[key] = (entry, reduced)  # the entry is kept, so its id stays its own
    return held[1]


def check(kb: KnowledgeBase, work: tuple[list[Key], list[Key]], decisions: Settings) -> dict[Key, Replied]:
    """Leave a fold out of ``kb`` and ask those of its phrasings ``work`` names (runs in a worker process too);
    ``work``: the fold's phrasings and the ones to ask."""
    fold, asked = work
    smaller, left_out = without_fold(kb, fold)
    assistant = engine(smaller, decisions)
    return {key: replied(assistant.reply(key[2])) for key in asked if key in left_out}


def ask(kb: KnowledgeBase, texts: list[str], decisions: Settings) -> list[Replied]:
    """Ask each of ``texts`` of ``kb`` (runs in a worker process too): what the proof needs of each reply."""
    assistant = engine(kb, decisions)
    return [replied(assistant.reply(text)) for text in texts]


def default_workers() -> int:
    """The processors this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LeaveOneOut:
    """Runs leave-one-out checks; in ``workers`` processes when a run has at least ``min_parallel`` phrasings.

    The pool starts on first use and lives until :meth:`close`, so the many runs
    of one proof pay its start-up once.
    """

    def __init__(self, workers: int = 1, min_parallel: int = 48) -> None:
        self.workers = max(1, workers)
        self.min_parallel = min_parallel
        self._pool: Executor | None = None
        self._shared: dict[str, np.ndarray] = {}

    def share(self, texts: Iterable[str]) -> None:
        """Encode ``texts`` here, once, for the copies built in every process.

        The workers then never load the model, and each text has the same vector
        whichever process asks it (a vector can differ in its last bits with the
        batch it was encoded in). Call before the checks that ask them.
        """
        self._shared.update(encode_once(texts))
        self.close()  # a running pool started without them

    def __call__(self, kb: KnowledgeBase, keys: Iterable[Key], folded: Folds, decisions: Settings) -> dict[Key, Replied]:
        """What each phrasing of ``keys`` finds with its fold (``folded``) left out of ``kb``."""
        grouped = by_fold(folded)
        asked: dict[int, list[Key]] = {}
        for key in keys:
            if key in folded:
                asked.setdefault(folded[key], []).append(key)
        parallel = self.workers > 1 and sum(map(len, asked.values())) >= self.min_parallel
        work = [(grouped[fold], piece) for fold, wanted in sorted(asked.items())
                for piece in (self._pieces(wanted) if parallel else [wanted])]
        result: dict[Key, Replied] = {}
        for part in self._run(partial(check, decisions=decisions), kb, work, parallel):
            result.update(part)
        return result

    def ask(self, kb: KnowledgeBase, texts: list[str], decisions: Settings) -> list[Replied]:
        """:func:`ask` over ``texts``, in order; one index build per worker, so spread over ``workers`` parts."""
        return self.ask_later(kb, texts, decisions)()

    def ask_later(self, kb: KnowledgeBase, texts: list[str], decisions: Settings) -> Callable[[], list[Replied]]:
        """:meth:`ask`, started in the worker processes (when there are) and gathered by the function returned:
        the caller's process works on something else meanwhile."""
        pieces = self._pieces(texts)
        gather = self._start(partial(ask, decisions=decisions), kb, pieces, len(pieces) > 1)
        return lambda: [answer for part in gather() for answer in part]

    def _pieces(self, work: list) -> list[list]:
        """``work`` in one consecutive piece per worker, when there is enough of it to be worth a process's time."""
        if self.workers == 1 or len(work) < self.min_parallel:
            return [work]
        size = -(-len(work) // self.workers)
        return [work[n:n + size] for n in range(0, len(work), size)]

    def _run(self, function, kb: KnowledgeBase, pieces: list, parallel: bool) -> list:
        """``function(kb, piece)`` for each piece, in order; in the pool when ``parallel``."""
        return self._start(function, kb, pieces, parallel)()

    def _start(self, function, kb: KnowledgeBase, pieces: list, parallel: bool) -> Callable[[], list]:
        """:meth:`_run`, started: in the pool when ``parallel`` (else when gathered); the function returned gathers it."""
        def here() -> list:
            return [function(kb, piece) for piece in pieces]

        if not parallel:
            return here
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                                 initializer=remember, initargs=(self._shared,))
            results = self._pool.map(function, [kb] * len(pieces), pieces)
        except (BrokenProcessPool, OSError):  # no processes to be had: the same work, here
            self._no_pool()
            return here

        def gathered() -> list:
            try:
                return list(results)
            except (BrokenProcessPool, OSError):
                self._no_pool()
                return here()

        return gathered

    def _no_pool(self) -> None:
        """Work in this process from now on."""
        self.close()
        self.workers = 1

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
