"""Leave-one-out for the proof: each phrasing left out of its entry and asked of the rest.

One index build per phrasing is most of what ``faqbot suggest`` costs, and the checks
are independent, so with enough of them they run in worker processes (``spawn``: safe
in a process that has threads, and the same on every platform). The answers are the
same either way; only the wall-clock time differs.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing import get_context
from typing import Iterable, Mapping, NamedTuple

import numpy as np

from faq.assistant import Assistant, Copies
from faq.encoder import MemoEncoder
from faq.model import KnowledgeBase, Reply, Settings
from faq.normalize import normalize
from faq.pseudo import leave_out
from faq.semantic_setup import Default, resolve
from faq.vector_cache import BATCH

Key = tuple[str, str, str]  # (entry id, lang, phrasing text)
Work = tuple[int, str, str]  # (entry position, lang, phrasing text)


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
        _COPIES = Copies(decisions, _encoder(), _COPIES.prepared if _COPIES else None)
    return _COPIES(kb)


def _encoder() -> MemoEncoder:
    """This process's memo of encoded texts (the model itself loads only if a text is missing)."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = MemoEncoder(resolve(Default.SHARED, Default.SHARED)[0])
    return _ENCODER


def remember(vectors: Mapping[str, np.ndarray]) -> None:
    """Take the vectors of texts encoded in another process (a worker's start)."""
    _encoder().remember(vectors)


def check(kb: KnowledgeBase, work: Iterable[Work], decisions: Settings) -> dict[Key, Replied]:
    """Leave each phrasing of ``work`` out of ``kb`` and ask it (runs in a worker process too)."""
    result: dict[Key, Replied] = {}
    for position, lang, text in work:
        smaller = leave_out(kb, position, lang, text)
        if smaller is None:
            continue
        result[(kb.entries[position].id, lang, text)] = replied(engine(smaller, decisions).reply(text))
    return result


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
        normalized = list(dict.fromkeys(normalize(text) for text in texts))
        for start in range(0, len(normalized), BATCH):
            batch = normalized[start:start + BATCH]
            self._shared.update(zip(batch, _encoder().encode(batch)))
        self.close()  # a running pool started without them

    def __call__(self, kb: KnowledgeBase, keys: set[Key], decisions: Settings) -> dict[Key, Replied]:
        work = [(position, lang, text) for position, entry in enumerate(kb.entries)
                for lang, text in entry.phrasings() if (entry.id, lang, text) in keys]
        result: dict[Key, Replied] = {}
        for part in self._spread(partial(check, decisions=decisions), kb, work, self.workers * 2):
            result.update(part)
        return result

    def ask(self, kb: KnowledgeBase, texts: list[str], decisions: Settings) -> list[Replied]:
        """:func:`ask` over ``texts``, in order; one index build per worker, so spread over ``workers`` parts."""
        return [answer for part in self._spread(partial(ask, decisions=decisions), kb, texts, self.workers)
                for answer in part]

    def _spread(self, function, kb: KnowledgeBase, work: list, parts: int) -> list:
        """``function(kb, piece)`` for consecutive pieces of ``work``, in the pool when there is enough of it."""
        if self.workers == 1 or len(work) < self.min_parallel:
            return [function(kb, work)]
        size = -(-len(work) // parts)
        pieces = [work[n:n + size] for n in range(0, len(work), size)]
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                                 initializer=remember, initargs=(self._shared,))
            return list(self._pool.map(function, [kb] * len(pieces), pieces))
        except (BrokenProcessPool, OSError):  # no processes to be had: the same work, here
            self.close()
            self.workers = 1
            return [function(kb, work)]

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
