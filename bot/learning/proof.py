"""Prove candidate phrasings before proposing them: with them added, nothing gets worse.

A knowledge base with the candidates added is compared with the knowledge base as it is:
- leave-one-out (as ``faqbot check`` runs it): no existing phrasing that found its own
  entry when left out stops doing so, and none moves to an entry that got a phrasing;
- coverage cases: every case that passed still passes;
- no near-duplicate of another entry's phrasing (an error in ``faqbot check``);
- no stealing: questions labelled with another entry, and the existing phrasings of
  other entries, asked of the whole knowledge base, are not now answered with an entry
  that got a phrasing.
Only the public engine API is used (``Assistant.reply`` on knowledge bases built with
``dataclasses.replace``), so the proof holds whatever the scoring underneath becomes.

Candidates are tried together first: the diff adds them together, so that is the
knowledge base to prove. When the batch fails, the ones aimed at entries the failures
point to are tried one by one (the others together), each on top of those already
accepted; a candidate that fails alone is a conflict, with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Sequence

from faq.assistant import Assistant
from faq.check import near_duplicates
from faq.coverage import Case
from faq.model import Entry, KnowledgeBase

from bot.learning.proposals import Alternate, NewEntry

#: the answer a not-yet-written entry gets while it is being proven (never shown to anyone)
_PLACEHOLDER = {"en": "-", "zh": "-"}


@dataclass(frozen=True)
class Problem:
    """One way a knowledge base with candidates is worse: ``kind`` is check, coverage, steals or duplicate.

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


@dataclass(frozen=True)
class Probe:
    """A question asked of every version of the knowledge base, with the entry it belongs to."""

    text: str
    owner: str


@dataclass
class _Outcome:
    """What one version of the knowledge base does: leave-one-out misses, cases passed, probe answers."""

    left_out: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    passed: set[int] = field(default_factory=set)
    answers: list[str | None] = field(default_factory=list)
    duplicates: list[tuple[str, str, str, str]] = field(default_factory=list)


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


def _leave_one_out(kb: KnowledgeBase, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], str | None]:
    """For each phrasing ``(entry id, lang, text)`` in ``keys``: where it goes when left out (its own id when fine)."""
    result: dict[tuple[str, str, str], str | None] = {}
    for position, entry in enumerate(kb.entries):
        for lang, text in entry.phrasings():
            key = (entry.id, lang, text)
            if key not in keys:
                continue
            reduced = _without(entry, lang, text)
            if reduced is None:
                continue
            reply = Assistant(replace(kb, entries=kb.entries[:position] + (reduced,) + kb.entries[position + 1:])).reply(text)
            result[key] = reply.entry_id if reply.action != "escalate" else None
    return result


def _without(entry: Entry, lang: str, text: str) -> Entry | None:
    """``entry`` without one phrasing (an alternate takes the question's place), None if none is left."""
    alternates = list(entry.alternates.get(lang, ()))
    if entry.question.get(lang) == text:
        if not alternates:
            return None
        return replace(entry, question={**entry.question, lang: alternates.pop(0)}, alternates={**entry.alternates, lang: tuple(alternates)})
    alternates.remove(text)
    return replace(entry, alternates={**entry.alternates, lang: tuple(alternates)})


def _answered(reply) -> str | None:
    return reply.entry_id if reply.action == "answer" else None


class Prover:
    """Proves batches of candidates against one knowledge base, its coverage cases and its probes."""

    def __init__(self, kb: KnowledgeBase, cases: Sequence[Case] = (), labelled: Mapping[str, str] | None = None,
                 new_entries: Sequence[NewEntry] = (), max_probes: int = 2000):
        """``labelled``: question text -> the entry (or out-of-scope entry) people said it belongs to."""
        self.kb = kb
        self.cases = list(cases)
        self.new_entries = list(new_entries)
        self.keys = {(entry.id, lang, text) for entry in kb.entries for lang, text in entry.phrasings()}
        probes = [Probe(text, entry.id) for entry in kb.entries for _, text in entry.phrasings()]
        probes += [Probe(text, owner) for text, owner in list((labelled or {}).items())[:max_probes]]
        self.probes = probes
        self.base = self._run(kb)
        self.evaluations = 1

    def _run(self, kb: KnowledgeBase) -> _Outcome:
        assistant = Assistant(kb)
        passed = set()
        for n, case in enumerate(self.cases):
            reply = assistant.reply(case.question)
            if (reply.action == "escalate" or reply.kind == "out_of_scope") if case.expect == "escalate" else _answered(reply) == case.expect:
                passed.add(n)
        answers = [_answered(assistant.reply(probe.text)) for probe in self.probes]
        duplicates = [
            (f.values["text"], f.values["id"], f.values["other"], f.values["other_id"])  # type: ignore[misc]
            for f in near_duplicates(kb, assistant.retriever)
        ]
        return _Outcome(_leave_one_out(kb, self.keys), passed, answers, duplicates)

    def problems(self, alternates: Sequence[Alternate]) -> list[Problem]:
        """What ``kb`` with ``alternates`` does worse than ``kb``; empty when they are proven."""
        targets = {alternate.entry_id for alternate in alternates}
        after = self._run(with_additions(self.kb, alternates, self.new_entries))
        self.evaluations += 1
        found: list[Problem] = []
        for key, now in after.left_out.items():
            before = self.base.left_out.get(key)
            own = key[0]
            if (before == own and now != own) or (now in targets and now != own and before != now):
                found.append(Problem("check", key[2], own, now))
        for n in sorted(self.base.passed - after.passed):
            case = self.cases[n]
            found.append(Problem("coverage", case.question, case.expect, None))
        texts = {(alternate.entry_id, alternate.text) for alternate in alternates}
        for text, owner, other, other_owner in after.duplicates:
            if (owner, text) in texts:
                found.append(Problem("duplicate", other, other_owner, owner))
            elif (other_owner, other) in texts:
                found.append(Problem("duplicate", text, owner, other_owner))
        for probe, before, now in zip(self.probes, self.base.answers, after.answers):
            if now in targets and now != probe.owner and now != before:
                found.append(Problem("steals", probe.text, probe.owner, now))
        return found

    def prove(self, candidates: Sequence[Alternate]) -> tuple[list[Alternate], list[Conflict]]:
        """The candidates that are proven together, and the conflicts (each failed on its own)."""
        accepted: list[Alternate] = []
        conflicts: list[Conflict] = []
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
        blamed = {problem.found for problem in problems} | {problem.expected for problem in problems}
        suspects = [a for a in batch if a.entry_id in blamed]
        if not suspects or len(suspects) == len(batch):
            half = len(batch) // 2
            self._prove(batch[:half], accepted, conflicts)
            self._prove(batch[half:], accepted, conflicts)
            return
        self._prove([a for a in batch if a.entry_id not in blamed], accepted, conflicts)
        for suspect in suspects:
            self._prove([suspect], accepted, conflicts)
