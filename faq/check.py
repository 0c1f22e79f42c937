"""Lint a knowledge base the way ``faqbot check`` reports it.

Beyond what loading validates: phrasings of two different entries that are
near-duplicates (the bot cannot tell them apart), phrasings that no longer
find their own entry once removed from the index (leave-one-out: a sign the
entry needs more or better phrasings), and entries missing a language the
rest of the knowledge base has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from faq.assistant import Assistant
from faq.model import Entry, KnowledgeBase
from faq.retriever import Retriever

#: Lexical cosine (0-1) at or above which two phrasings of different entries count as duplicates.
NEAR_DUPLICATE = 0.9


@dataclass(frozen=True)
class Finding:
    """One problem found by the lint; ``level`` is "error" or "warning"."""

    level: str
    line: int
    message: str


def missing_languages(kb: KnowledgeBase) -> Iterator[Finding]:
    """Entries that lack a language other entries have (they still answer, in the other language)."""
    languages = kb.languages()
    for entry in kb.entries:
        for lang in sorted(languages - set(entry.question)):
            yield Finding("warning", entry.line, f"entry '{entry.id}' has no {lang} question (answers {lang} askers in another language)")
        for lang in sorted(languages - set(entry.answer)):
            yield Finding("warning", entry.line, f"entry '{entry.id}' has no {lang} answer")


def near_duplicates(kb: KnowledgeBase, retriever: Retriever) -> Iterator[Finding]:
    """Phrasings that read almost the same as a phrasing of another entry."""
    index = retriever.index
    reported: set[tuple[int, int]] = set()
    for row, text in enumerate(retriever.phrasings):
        scores = index.phrasing_scores(index.vector(retriever.terms_of(text)))
        owner = index.phrasing_entry[row]
        for other in (scores >= NEAR_DUPLICATE).nonzero()[0]:
            other_owner = index.phrasing_entry[other]
            pair = (min(row, other), max(row, other))
            if other_owner != owner and pair not in reported:
                reported.add(pair)
                first, second = kb.entries[owner], kb.entries[other_owner]
                yield Finding(
                    "error", first.line,
                    f"'{text}' ({first.id}) and '{retriever.phrasings[other]}' ({second.id}) are near-duplicates "
                    f"({100 * scores[other]:.0f}% alike): askers cannot be told apart",
                )


def _without_phrasing(entry: Entry, lang: str, text: str) -> Entry | None:
    """``entry`` with one phrasing removed (an alternate takes the question's place), or None if none is left."""
    alternates = list(entry.alternates.get(lang, ()))
    if entry.question.get(lang) == text:
        if not alternates:
            return None
        question = {**entry.question, lang: alternates.pop(0)}
    else:
        alternates.remove(text)
        question = dict(entry.question)
    return replace(entry, question=question, alternates={**entry.alternates, lang: tuple(alternates)})


def leave_one_out(kb: KnowledgeBase) -> Iterator[Finding]:
    """Each phrasing, taken out of the knowledge base, should still find its own entry.

    Answering another entry instead is an error (a seller would get a wrong
    answer); a "did you mean" or an escalation is a warning.
    """
    for position, entry in enumerate(kb.entries):
        for lang, text in entry.phrasings():
            reduced = _without_phrasing(entry, lang, text)
            if reduced is None:
                continue
            entries = kb.entries[:position] + (reduced,) + kb.entries[position + 1:]
            reply = Assistant(replace(kb, entries=entries)).reply(text)
            if reply.entry_id != entry.id or reply.action == "escalate":
                found = f"'{reply.entry_id}'" if reply.entry_id else "nothing"
                wrong_answer = reply.action == "answer"
                yield Finding(
                    "error" if wrong_answer else "warning", entry.line,
                    f"'{text}' ({entry.id}, {lang}) left out of the index finds {found} ({reply.action}, "
                    f"score {reply.score:.0f}): add phrasings with its key words",
                )


def lint(kb: KnowledgeBase, thorough: bool = True) -> list[Finding]:
    """All findings for ``kb``; ``thorough=False`` skips leave-one-out (one index build per phrasing)."""
    assistant = Assistant(kb)
    findings = list(missing_languages(kb)) + list(near_duplicates(kb, assistant.retriever))
    if thorough:
        findings += list(leave_one_out(kb))
    return sorted(findings, key=lambda finding: (finding.line, finding.level))
