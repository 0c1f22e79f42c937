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
from dataclasses import replace
from multiprocessing import get_context
from typing import Iterable

from faq.assistant import Assistant
from faq.model import Entry, KnowledgeBase

Key = tuple[str, str, str]  # (entry id, lang, phrasing text)
Found = tuple[str | None, frozenset[str]]  # the entry it finds (None: escalated), the entries it considered
Work = tuple[int, str, str]  # (entry position, lang, phrasing text)


def without(entry: Entry, lang: str, text: str) -> Entry | None:
    """``entry`` without one phrasing (an alternate takes the question's place), None if none is left."""
    alternates = list(entry.alternates.get(lang, ()))
    if entry.question.get(lang) == text:
        if not alternates:
            return None
        return replace(entry, question={**entry.question, lang: alternates.pop(0)},
                       alternates={**entry.alternates, lang: tuple(alternates)})
    alternates.remove(text)
    return replace(entry, alternates={**entry.alternates, lang: tuple(alternates)})


def check(kb: KnowledgeBase, work: Iterable[Work]) -> dict[Key, Found]:
    """Leave each phrasing of ``work`` out of ``kb`` and ask it (runs in a worker process too)."""
    result: dict[Key, Found] = {}
    for position, lang, text in work:
        entry = kb.entries[position]
        reduced = without(entry, lang, text)
        if reduced is None:
            continue
        reply = Assistant(replace(kb, entries=kb.entries[:position] + (reduced,) + kb.entries[position + 1:])).reply(text)
        found = reply.entry_id if reply.action != "escalate" else None
        result[(entry.id, lang, text)] = (found, frozenset(c.entry_id for c in reply.candidates))
    return result


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

    def __call__(self, kb: KnowledgeBase, keys: set[Key]) -> dict[Key, Found]:
        work = [(position, lang, text) for position, entry in enumerate(kb.entries)
                for lang, text in entry.phrasings() if (entry.id, lang, text) in keys]
        if self.workers == 1 or len(work) < self.min_parallel:
            return check(kb, work)
        chunks = [work[n::self.workers * 2] for n in range(self.workers * 2)]
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
            result: dict[Key, Found] = {}
            for part in self._pool.map(check, [kb] * len(chunks), chunks):
                result.update(part)
            return result
        except (BrokenProcessPool, OSError):  # no processes to be had: the same work, here
            self.close()
            self.workers = 1
            return check(kb, work)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
