"""What a failed version of the knowledge base is blamed on, so the proof tries the culprits apart.

A version fails with a list of problems: questions (or left-out phrasings) it answers worse than
the knowledge base as it is. Each problem is charged to one entry that got candidates (the one that
took the question, else its own), and there to the candidate most alike the question: the new
phrasing that most likely moved it. Gains are credited the same way. One evaluation of a large
batch so names its likely culprits, instead of halving the batch until they are alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz

from faq.encoder import MemoEncoder
from faq.normalize import normalize

from bot.learning.proposals import Alternate


@dataclass(frozen=True)
class Problem:
    """One way a knowledge base with candidates is worse: ``kind`` is check, coverage, steals, loses or duplicate.

    ``text`` is the question (or phrasing) affected, ``expected`` the entry it belongs to,
    ``found`` where it goes now (duplicate: the entry whose new phrasing reads almost the same).
    """

    kind: str
    text: str
    expected: str
    found: str | None


@dataclass(frozen=True)
class Conflict:
    """A candidate that is not proposed, with what it would break."""

    alternate: Alternate
    problems: tuple[Problem, ...]


def _charged(problem: Problem, targets: set[str]) -> str | None:
    """The entry given phrasings that a problem is charged to: the one that took the question, else its own."""
    if problem.found in targets:
        return problem.found
    return problem.expected if problem.expected in targets else None


def closest(candidates: Sequence[Alternate], text: str, encoder: MemoEncoder | None) -> Alternate:
    """The candidate most alike ``text``: by meaning with an encoder (both languages), else by wording."""
    if len(candidates) == 1:
        return candidates[0]
    if encoder is not None:
        vectors = encoder.encode([normalize(candidate.text) for candidate in candidates])
        return candidates[int(np.argmax(vectors @ encoder.encode([normalize(text)])[0]))]
    return candidates[int(np.argmax([fuzz.token_set_ratio(candidate.text, text) for candidate in candidates]))]


def blamed(problems: list[Problem], gains: list[tuple[str, str]], batch: Sequence[Alternate],
           encoder: MemoEncoder | None) -> set[Alternate]:
    """The candidates of ``batch`` a failed version is blamed on (see the module docstring).

    Losses blame the candidates that lost more than they gained; any other problem (a steal, a
    coverage case, a near-duplicate) blames its candidate outright.
    """
    by_entry: dict[str, list[Alternate]] = {}
    for alternate in batch:
        by_entry.setdefault(alternate.entry_id, []).append(alternate)
    targets = set(by_entry)
    net: Counter = Counter()
    outright: set[Alternate] = set()
    for entry_id, text in gains:
        if entry_id in targets:
            net[closest(by_entry[entry_id], text, encoder)] += 1
    for problem in problems:
        entry_id = _charged(problem, targets)
        if entry_id is None:
            continue
        culprit = closest(by_entry[entry_id], problem.text, encoder)
        if problem.kind in ("loses", "check"):
            net[culprit] -= 1
        else:
            outright.add(culprit)
    return outright | {alternate for alternate, count in net.items() if count < 0}


def not_made_up(losses: list[Problem], gains: int) -> list[Problem]:
    """The losses of a version, unless as many questions (or left-out phrasings) are right now that were not."""
    return losses if len(losses) > gains else []
