"""Prove candidate phrasings before proposing them: with them added, nothing gets worse.

A knowledge base with the candidates added is compared with the knowledge base as it is.
Two things must hold outright:
- coverage cases: every case that passed still passes (the author wrote them down);
- no near-duplicate of another entry's phrasing (an error in ``faqbot check``).
The rest is weighed, because real questions are messier than an author's phrasings and a
proof that turns a candidate down for any one shift starves the FAQ of half its evidence:
- no more wrong answers: labelled questions and existing phrasings, asked of the whole
  knowledge base (the probes), are not answered with a wrong entry more often than before;
- no net loss: the probes answered right, plus the existing phrasings that find their own
  entry when left out (leave-one-out by folds, ``bot.learning.leave_one_out``), are at least as many as
  before. A candidate is not counted as its own gain: it is a phrasing, so it finds itself.
Only the public engine API is used (``Assistant.reply`` on knowledge bases built with
``dataclasses.replace``), so the proof holds whatever the scoring underneath becomes.

Candidates are tried together first: the diff adds them together, so that is the
knowledge base to prove. When the batch fails, the candidates its new failures are blamed
on (``bot.learning.blame``) are tried apart from the others, and a group that fails with
no one to blame is halved, each try on top of those already accepted; a candidate that
fails alone is a conflict, with its reasons.

Each version is a whole knowledge base, compared with the one as it is; to keep that cheap,
only the probes and left-out phrasings its additions can move are asked again, against the
last version proven (``bot.learning.movable``, which says what that assumes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import chain
from typing import Callable, Iterable, Mapping, Sequence

from faq.assistant import Assistant
from faq.check import near_duplicate_pairs
from faq.coverage import Case
from faq.encoder import MemoEncoder
from faq.model import Entry, KnowledgeBase, Settings
from faq.retriever import Retriever

from bot.learning.blame import Conflict, Problem, blamed, not_made_up
from bot.learning.leave_one_out import Key, LeaveOneOut, Replied, by_fold, engine, folds, without_fold
from bot.learning.movable import Change, Reach
from bot.learning.proposals import Alternate, NewEntry

#: the answer a not-yet-written entry gets while it is being proven (never shown to anyone)
_PLACEHOLDER = {"en": "-", "zh": "-"}


@dataclass(frozen=True)
class Probe:
    """A question asked of every version of the knowledge base, with the entry it belongs to."""

    text: str
    owner: str


@dataclass(frozen=True)
class _State:
    """What one version of the knowledge base replies to each probe and to each phrasing left out of it."""

    kb: KnowledgeBase
    probed: list[Replied]
    left_out: dict[Key, Replied]
    losses: frozenset[tuple[str, str]] = frozenset()  # (kind, text) of what it weighed lost against the knowledge base
    gains: frozenset[tuple[str, str]] = frozenset()   # (entry, text) of what it weighed gained


def with_additions(kb: KnowledgeBase, alternates: Sequence[Alternate], new_entries: Iterable[NewEntry] = ()) -> KnowledgeBase:
    """``kb`` with ``alternates`` added (a new entry takes its first phrasing per language as its question).

    New entries are served here, answered by a placeholder, so what they would take from
    other entries is measured before an author finishes them.
    """
    added: dict[str, dict[str, list[str]]] = {}
    for alternate in alternates:
        added.setdefault(alternate.entry_id, {}).setdefault(alternate.lang, []).append(alternate.text)
    entries = []
    for entry in kb.entries:
        extra = added.pop(entry.id, {})
        if extra:
            merged = {lang: tuple(entry.alternates.get(lang, ())) + tuple(extra.get(lang, ())) for lang in set(entry.alternates) | set(extra)}
            entry = replace(entry, alternates=merged)
        entries.append(entry)
    by_id = {draft.id: draft for draft in kb.drafts}
    for new in new_entries:
        extra = added.pop(new.id, {})
        base = by_id.get(new.id)
        question = dict(base.question if base else new.question)
        alternates = {lang: list(texts) for lang, texts in (base.alternates if base else new.alternates).items()}
        for lang, texts in extra.items():
            if lang not in question:
                question[lang], texts = texts[0], texts[1:]
            alternates.setdefault(lang, []).extend(texts)
        if question:
            entries.append(Entry(id=new.id, kind=new.kind, question=question, answer=_PLACEHOLDER,
                                 alternates={lang: tuple(texts) for lang, texts in alternates.items()}))
    return replace(kb, entries=tuple(entries))


def _passes(case: Case, asked: Replied) -> bool:
    """Whether a coverage case gets what it expects."""
    if case.expect == "escalate":
        return asked.action == "escalate" or asked.kind == "out_of_scope"
    return asked.answered == case.expect


def _duplicates(kb: KnowledgeBase, retriever: Retriever, alternates: Sequence[Alternate]) -> list[tuple[str, str, str, str]]:
    """``(text, entry, other text, other entry)`` for each added phrasing that reads almost the same as another entry's
    (``retriever``: ``kb``'s lexical index)."""
    if not alternates:
        return []
    owners = retriever.index.phrasing_entry
    entry_id = [entry.id for entry in kb.entries]
    added = {(alternate.entry_id, alternate.text) for alternate in alternates}
    rows = [row for row, text in enumerate(retriever.phrasings) if (entry_id[owners[row]], text) in added]
    return [(retriever.phrasings[row], entry_id[owners[row]], retriever.phrasings[other], entry_id[owners[other]])
            for row, other, _ in near_duplicate_pairs(retriever, rows)]


class Prover:
    """Proves batches of candidates against one knowledge base, its coverage cases and its probes.

    Each version is evaluated against the last proven one: only the probes and left-out phrasings
    its new phrasings can move are asked again (``bot.learning.movable``); ``exhaustive=True`` asks
    every probe of every version. Leave-one-out (an index build per fold) runs only for a version that passes the rest.
    """

    def __init__(self, kb: KnowledgeBase, cases: Sequence[Case] = (), labelled: Mapping[str, str] | None = None,
                 new_entries: Sequence[NewEntry] = (), max_probes: int = 500,
                 leave_one_out: LeaveOneOut | None = None, decisions: Settings | None = None,
                 exhaustive: bool = False):
        """``labelled``: question text -> the entry (or out-of-scope entry) people said it belongs to,
        most asked first (the first ``max_probes`` are asked of every version of the knowledge base).
        ``leave_one_out`` runs the checks (default: in this process); its owner closes it.
        ``decisions``: the knowledge base's thresholds, when its caller has them already."""
        self.kb = kb
        self._leave_one_out = leave_one_out or LeaveOneOut()
        self.cases = list(cases)
        self.new_entries = list(new_entries)
        self.keys: list[Key] = [(entry.id, lang, text) for entry in kb.entries for lang, text in entry.phrasings()]
        self.folds = folds(kb)  # the phrasings left out together (``bot.learning.leave_one_out``)
        self._fold_keys = by_fold(self.folds)
        probes = [Probe(text, entry_id) for entry_id, _, text in self.keys]
        probes += [Probe(text, owner) for text, owner in list((labelled or {}).items())[:max_probes]]
        self.probes = probes
        self.decisions = decisions or Assistant(kb).settings  # every copy decides with the base's thresholds
        self.exhaustive = exhaustive
        self.evaluations = 0
        #: questions asked again over all versions after the first (probes, left-out phrasings): what proofs cost
        self.asked = 0
        self._passed_before: set[int] | None = None  # what the knowledge base as it is does, on first need
        self._base = _State(kb, [], {})
        self._proven = self._base  # the last version proven
        self._reach: Reach | None = None
        self._folded: tuple[KnowledgeBase | None, dict[int, KnowledgeBase]] = (None, {})  # ``_without_fold``'s
        #: what the last version weighed answers right that it did not (probes and left-out phrasings): (entry, text)
        self.gains: list[tuple[str, str]] = []

    def _baseline(self, alternates: Sequence[Alternate]) -> None:
        """Evaluate the knowledge base as it is (once), after encoding every text the proof will ask here, once."""
        if self._passed_before is not None:
            return
        if self.kb.settings.semantic:
            texts = [case.question for case in self.cases] + [probe.text for probe in self.probes]
            texts += [alternate.text for alternate in alternates]
            texts += [text for entry in self.kb.entries for _, text in entry.phrasings()]
            texts += [text for new in self.new_entries for text in [*new.question.values(), *chain(*new.alternates.values())]]
            self._leave_one_out.share(texts)
        self._passed_before = self._passed(self.kb)
        probed = self._leave_one_out.ask(self.kb, [probe.text for probe in self.probes], self.decisions)
        self._base = self._proven = _State(self.kb, probed, self._leave_one_out(self.kb, self.keys, self.folds, self.decisions))
        self._reach = Reach(engine(self.kb, self.decisions))
        self.evaluations += 1

    @property
    def _encoder(self) -> MemoEncoder | None:
        """The copies' encoder (None without one, or before the knowledge base as it is was evaluated)."""
        return self._reach.encoder if self._reach is not None else None

    def problems(self, alternates: Sequence[Alternate]) -> list[Problem]:
        """What ``kb`` with ``alternates`` does worse than ``kb``; empty when they are proven.

        The checks run cheapest first and the first that finds problems ends the
        evaluation (one is enough to turn the version down): near-duplicates of the
        new phrasings, coverage cases, probes, then leave-one-out, which costs the most.
        """
        self._baseline(alternates)
        kb = with_additions(self.kb, alternates, self.new_entries)
        self.evaluations += 1
        self.gains = []
        found = self._duplicate_problems(kb, alternates) or self._coverage_problems(kb)
        if found:
            return found
        reference, change = self._reference(kb)
        probing = self._probe(kb, reference, change)
        rerun = self._left_out_rerun(kb, reference, change) if change is not None else None  # while probes are asked
        probed = probing()
        added = {(alternate.entry_id, alternate.text) for alternate in alternates}
        stolen, lost, gained = self._probe_changes(probed, added)
        if stolen:
            return stolen
        if rerun is None:
            left_out = self._left_out_touched(kb, probed, {a.entry_id for a in alternates})
        else:
            self.asked += len(rerun)
            left_out = {**reference.left_out, **self._leave_one_out(kb, rerun, self.folds, self.decisions)}
        left_out_lost, left_out_gained = self._left_out_changes(left_out)
        self.gains = gained + left_out_gained
        problems = not_made_up(lost + left_out_lost, len(self.gains))
        if not problems:
            losses = frozenset((problem.kind, problem.text) for problem in lost + left_out_lost)
            self._proven = _State(kb, probed, left_out, losses, frozenset(self.gains))
        return problems

    def _reference(self, kb: KnowledgeBase) -> tuple[_State, Change | None]:
        """The evaluated version ``kb`` only adds to (the last proven one, else the knowledge base as it is),
        with what it adds; no change when every probe is to be asked (``exhaustive``)."""
        assert self._reach is not None
        if self.exhaustive:
            return self._base, None
        change = self._reach.change(self._proven.kb, kb)
        return (self._proven, change) if change is not None else (self._base, self._reach.change(self.kb, kb))

    def _passed(self, kb: KnowledgeBase) -> set[int]:
        """The coverage cases ``kb`` passes."""
        return {n for n, (case, asked) in enumerate(zip(self.cases, self._ask_cases(kb))) if _passes(case, asked)}

    def _ask_cases(self, kb: KnowledgeBase) -> list[Replied]:
        """Ask ``kb`` every coverage case."""
        if not self.cases:
            return []
        return self._leave_one_out.ask(kb, [case.question for case in self.cases], self.decisions)

    def _probe(self, kb: KnowledgeBase, reference: _State, change: Change | None) -> Callable[[], list[Replied]]:
        """Ask ``kb`` the probes ``change`` can move (every probe without one); the others reply as in ``reference``.

        The asking is started (in the worker processes, when there are): the function returned gathers every reply.
        """
        assert self._reach is not None
        texts = [probe.text for probe in self.probes]
        if change is None:
            rows = list(range(len(texts)))
        else:
            rows = [n for n, moved in enumerate(self._reach.moved(change, texts, reference.probed)) if moved]
        asking = self._leave_one_out.ask_later(kb, [texts[n] for n in rows], self.decisions)
        self.asked += len(rows)

        def replies() -> list[Replied]:
            found = list(reference.probed)
            for n, reply in zip(rows, asking()):
                found[n] = reply
            return found

        return replies

    def _duplicate_problems(self, kb: KnowledgeBase, alternates: Sequence[Alternate]) -> list[Problem]:
        """New phrasings that read almost the same as another entry's phrasing (those of the last proven version
        passed this check together)."""
        found: list[Problem] = []
        proven = {(entry.id, text) for entry in self._proven.kb.entries for _, text in entry.phrasings()}
        alternates = [alternate for alternate in alternates if (alternate.entry_id, alternate.text) not in proven]
        texts = {(alternate.entry_id, alternate.text) for alternate in alternates}
        assert self._reach is not None
        for text, owner, other, other_owner in _duplicates(kb, self._reach.index(kb), alternates):
            if (owner, text) in texts:
                found.append(Problem("duplicate", other, other_owner, owner))
            elif (other_owner, other) in texts:
                found.append(Problem("duplicate", text, owner, other_owner))
        return found

    def _coverage_problems(self, kb: KnowledgeBase) -> list[Problem]:
        """Coverage cases that passed and stop passing, with the entry each is answered with now (if any)."""
        found: list[Problem] = []
        for n, (case, asked) in enumerate(zip(self.cases, self._ask_cases(kb))):
            if n in self._passed_before and not _passes(case, asked):
                found.append(Problem("coverage", case.question, case.expect, asked.answered))
        return found

    def _probe_changes(self, after: list[Replied], added: set[tuple[str, str]]
                       ) -> tuple[list[Problem], list[Problem], list[tuple[str, str]]]:
        """Probes now answered with a wrong entry (when wrong answers grew), probes no longer answered right,
        and ``(entry, text)`` of those newly answered right.

        A probe added as a phrasing of its own entry is left out: it would be its own gain.
        """
        newly_wrong: list[Problem] = []
        lost: list[Problem] = []
        wrong_before = wrong_after = 0
        gained: list[tuple[str, str]] = []
        for probe, asked_before, asked_now in zip(self.probes, self._base.probed, after):
            if (probe.owner, probe.text) in added:
                continue
            before, now = asked_before.answered, asked_now.answered
            wrong_before += before not in (None, probe.owner)
            wrong_after += now not in (None, probe.owner)
            if now not in (None, probe.owner) and now != before:
                newly_wrong.append(Problem("steals", probe.text, probe.owner, now))
            elif before == probe.owner and now != probe.owner:
                lost.append(Problem("loses", probe.text, probe.owner, now))
            if before != probe.owner and now == probe.owner:
                gained.append((probe.owner, probe.text))
        return (newly_wrong if wrong_after > wrong_before else []), lost, gained

    def _left_out_rerun(self, kb: KnowledgeBase, reference: _State, change: Change) -> set[Key]:
        """The phrasings to leave out of ``kb`` and ask again: those of the entries that got phrasings and those
        the change can move; the others find what they found in ``reference``.

        A phrasing is asked with its fold left out, so what the change can move is worked out fold by fold,
        between ``reference`` and ``kb`` each without the fold.
        """
        assert self._reach is not None
        rerun = {key for key in self.keys if key[0] in change.targets}
        others = by_fold({key: self.folds[key] for key in self.keys
                          if key in reference.left_out and key[0] not in change.targets})
        for fold, keys in others.items():
            fold_change = self._reach.change(self._without_fold(reference.kb, fold),
                                             without_fold(kb, self._fold_keys[fold])[0])
            if fold_change is None:  # a phrasing left out of ``kb`` only (its entry has more now): ask them all
                rerun.update(keys)
                continue
            moved = self._reach.moved(fold_change, [key[2] for key in keys], [reference.left_out[key] for key in keys])
            rerun.update(key for key, m in zip(keys, moved) if m)
        return rerun

    def _without_fold(self, kb: KnowledgeBase, fold: int) -> KnowledgeBase:
        """``kb`` without the phrasings of ``fold``, the same copy each time for the same ``kb`` (the last proven
        version is compared with many versions: its indexes are built once)."""
        if self._folded[0] is not kb:
            self._folded = (kb, {})
        found = self._folded[1].get(fold)
        if found is None:
            found = self._folded[1][fold] = without_fold(kb, self._fold_keys[fold])[0]
        return found

    def _left_out_touched(self, kb: KnowledgeBase, after: list[Replied], targets: set[str]) -> dict[Key, Replied]:
        """Every phrasing left out of ``kb``; checked again: those of entries that got phrasings, those that considered
        such an entry (left out, or asked whole) and those that failed; the others find what they found before."""
        base = self._base.left_out
        rerun = {
            key for n, key in enumerate(self.keys)
            if key[0] in targets or targets & after[n].considered or key not in base
            or targets & base[key].considered or base[key].found != key[0]
        }
        self.asked += len(rerun)
        return {**base, **self._leave_one_out(kb, rerun, self.folds, self.decisions)}

    def _left_out_changes(self, left_out: dict[Key, Replied]) -> tuple[list[Problem], list[tuple[str, str]]]:
        """Phrasings that found their entry when left out and no longer do, and ``(entry, text)`` of those that find it now."""
        base = self._base.left_out
        lost: list[Problem] = []
        gained: list[tuple[str, str]] = []
        for key, asked in left_out.items():
            before = base[key].found if key in base else None
            own, now = key[0], asked.found
            if before == own and now != own:
                lost.append(Problem("check", key[2], own, now))
            if before != own and now == own:
                gained.append((own, key[2]))
        return lost, gained

    def prove(self, candidates: Sequence[Alternate]) -> tuple[list[Alternate], list[Conflict]]:
        """The candidates that are proven together, and the conflicts (each failed on its own).

        No candidates: nothing to weigh, so the knowledge base is not evaluated (its
        leave-one-out alone is most of what an empty ``faqbot suggest`` run used to cost).
        """
        accepted: list[Alternate] = []
        conflicts: list[Conflict] = []
        if not candidates:
            return accepted, conflicts
        self._baseline(candidates)
        self._prove(list(candidates), accepted, conflicts)
        return accepted, conflicts

    def _prove(self, batch: list[Alternate], accepted: list[Alternate], conflicts: list[Conflict]) -> None:
        if not batch:
            return
        problems = self.problems(accepted + batch)
        if not problems:
            accepted.extend(batch)
            return
        if len(batch) == 1:
            conflicts.append(Conflict(batch[0], tuple(problems)))
            return
        # blamed for what it changes on top of the last version proven, whose own losses are made up already
        fresh = [problem for problem in problems if (problem.kind, problem.text) not in self._proven.losses]
        gains = [gain for gain in self.gains if gain not in self._proven.gains]
        suspects = blamed(fresh or problems, gains, batch, self._encoder)
        if suspects and len(suspects) < len(batch):
            self._prove([a for a in batch if a not in suspects], accepted, conflicts)
            self._prove([a for a in batch if a in suspects], accepted, conflicts)  # split in turn if they fail together
            return
        if len({a.entry_id for a in batch}) == 1:
            for alternate in batch:  # one entry's phrasings failing together: most of them are likely bad alone too
                self._prove([alternate], accepted, conflicts)
            return
        half = len(batch) // 2
        self._prove(batch[:half], accepted, conflicts)
        self._prove(batch[half:], accepted, conflicts)
