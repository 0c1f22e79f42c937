"""Where a question people marked out of scope goes: never to a topic it is not about.

An out-of-scope entry routes its questions with its own text ("fees: ask Seller Support
about FBA"), so a question added to the wrong one is told something unrelated. In order:

1. the out-of-scope topic the question is about, by the engine's own score: that topic
   scores at least the knowledge base's ``clarify_score`` (the engine would offer it) and
   is ``margin`` points ahead of every other out-of-scope topic (the engine would pick it),
   on the scale the knowledge base was calibrated on, whatever that scale is; alike
   questions (``bot.learning.grouping``) go together, to the topic most of them are about;
2. else a new out-of-scope topic for each group of alike such questions, with a readable
   id the author can keep or rename;
3. else the general out-of-scope entry (``out-of-scope``), whose routing text is neutral:
   it has no answer, so its questions get the escalation notice alone.

New topics need no answer, so they are written as served entries (no ``draft: true``);
their phrasings are proven like every other phrasing (``bot.learning.proof``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from faq.assistant import Assistant

from bot.learning.grouping import QuestionVectors, group_questions, readable_id, unused_id

OUT_OF_SCOPE = "out_of_scope"
#: the id of the general out-of-scope entry: questions about no topic of their own
GENERAL_ID = "out-of-scope"


@dataclass(frozen=True)
class Marked:
    """A question marked out of scope (one distinct wording); ``count``: how many labels agreed."""

    text: str
    lang: str
    count: int = 1


@dataclass
class Placement:
    """Where each marked question goes (``(entry id, question)``), and the new topics (id -> questions)."""

    phrasings: list[tuple[str, Marked]] = field(default_factory=list)
    new_topics: dict[str, int] = field(default_factory=dict)


def topic_about(assistant: Assistant, text: str) -> str | None:
    """The id of the served out-of-scope topic ``text`` is about (see the module docstring), else None."""
    entries = assistant.kb.entries
    topics = [(match.score, entries[match.entry_index].id)
              for match in assistant.search(text, limit=len(entries))
              if entries[match.entry_index].kind == OUT_OF_SCOPE]
    if not topics:
        return None
    settings = assistant.settings
    best, topic = topics[0]
    runner_up = topics[1][0] if len(topics) > 1 else 0.0
    return topic if best >= settings.clarify_score and best - runner_up >= settings.margin else None


def place(assistant: Assistant, marked: Sequence[Marked], vectors: QuestionVectors, taken: set[str],
          min_group: int = 2) -> Placement:
    """Where each of the ``marked`` questions goes; ``taken``: ids in use (new ids are added to it).

    Alike questions go together, to the topic most of them are about: near-identical
    wordings split between two entries would each be a near-duplicate of the other.
    """
    about = [topic_about(assistant, question.text) for question in marked]
    owner = [n for n, question in enumerate(marked) for _ in range(question.count)]
    general = _general_id(assistant, taken)
    served = {entry.id for entry in assistant.kb.entries}
    placement = Placement()
    for group in group_questions([(marked[n].text, marked[n].lang) for n in owner], vectors):
        members = list(dict.fromkeys(owner[i] for i in group.indexes))
        topics: Counter = Counter()
        for n in members:
            if about[n] is not None:
                topics[about[n]] += marked[n].count
        if topics:
            entry_id = topics.most_common(1)[0][0]
        elif group.count >= min_group:
            entry_id = readable_id(group, "oos", "oos-topic", taken)
            taken.add(entry_id)
        else:
            entry_id = general
        if entry_id not in served:
            placement.new_topics[entry_id] = placement.new_topics.get(entry_id, 0) + group.count
        placement.phrasings += [(entry_id, marked[n]) for n in members]
    return placement


def _general_id(assistant: Assistant, taken: set[str]) -> str:
    """The general entry's id: the served one when the knowledge base has it, else a new unused one."""
    existing = assistant.kb.entry(GENERAL_ID)
    if existing is not None and existing.kind == OUT_OF_SCOPE:
        return GENERAL_ID
    new_id = unused_id(GENERAL_ID, taken)
    taken.add(new_id)
    return new_id
