"""Candidate changes to a knowledge base, from what people told us about real questions.

Pure: a ``KnowledgeBase``, an ``Assistant`` over it and ``Traffic`` in, candidates out.
Nothing here is proposed yet: alternates still have to pass ``bot.learning.proof``.

- alternates: questions resolved with, or picked as, an entry, in the question's language,
  unless the entry already has that phrasing or the bot already answers it with that entry;
- out-of-scope phrasings: questions agents marked out of scope, for the out-of-scope topic
  each is about, else new topics of alike ones, else the general one (``bot.learning.out_of_scope``);
- draft entries: groups of alike questions nobody could answer (escalated, clarified,
  "none of these", or an agent's "new topic"; ``bot.learning.grouping``, by meaning when
  the knowledge base matches by meaning), the question in the askers' languages;
- entries whose answers sellers often mark "not helpful".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from faq.assistant import Assistant
from faq.model import KnowledgeBase
from faq.normalize import is_noise, normalize

from bot.learning.grouping import (
    MeaningVectors, QuestionVectors, WordVectors, closest_entry, group_unanswered, question_key, readable_id, unanswered,
)
from bot.learning.model import Labelled, Traffic
from bot.learning.out_of_scope import OUT_OF_SCOPE, Marked, place
#: a phrasing longer than this is a message, not a question worth keeping
MAX_PHRASING = 200
#: share of a question's labels that must agree before it becomes an alternate
AGREEMENT = 2 / 3


@dataclass(frozen=True)
class Alternate:
    """A phrasing to add to entry ``entry_id`` in ``lang``; ``count``: how many labelled questions asked it."""

    entry_id: str
    lang: str
    text: str
    count: int = 1


@dataclass(frozen=True)
class NewEntry:
    """A draft entry: its question in the askers' language(s), the answer left to the author."""

    id: str
    kind: str
    question: Mapping[str, str]
    alternates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    count: int = 0
    closest_entry: str | None = None


@dataclass(frozen=True)
class NotHelpful:
    """An entry whose answer sellers often mark "not helpful"; ``rate`` is not helpful / votes."""

    entry_id: str
    not_helpful: int
    votes: int
    answered: int
    examples: tuple[str, ...] = ()

    @property
    def rate(self) -> float:
        return self.not_helpful / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class Skipped:
    """A labelled question that is not proposed, and why (a key of ``bot.learning.texts``)."""

    text: str
    lang: str
    target: str
    reason: str


@dataclass
class Candidates:
    """Everything ``propose`` found; alternates and out-of-scope phrasings still need proof."""

    alternates: list[Alternate] = field(default_factory=list)
    out_of_scope: list[Alternate] = field(default_factory=list)
    out_of_scope_entries: list[NewEntry] = field(default_factory=list)
    drafts: list[NewEntry] = field(default_factory=list)
    not_helpful: list[NotHelpful] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _phrasing_owners(kb: KnowledgeBase) -> dict[str, str]:
    """Normalized phrasing -> the id of the entry (served or draft) that has it."""
    owners: dict[str, str] = {}
    for entry in kb.entries + kb.drafts:
        for _, text in entry.phrasings():
            owners.setdefault(normalize(text), entry.id)
    return owners


def _by_wording(records: Iterable[Labelled]) -> dict[tuple[str, str], list[Labelled]]:
    """Labelled records keyed by (language, normalized text): one decision per distinct question."""
    keyed: dict[tuple[str, str], list[Labelled]] = defaultdict(list)
    for record in records:
        key = normalize(record.question)
        if not is_noise(key):
            keyed[(record.lang, key)].append(record)
    return keyed


def _target(record: Labelled) -> str:
    return record.entry_id if record.label == "entry" else record.label  # type: ignore[return-value]


def _wording(records: list[Labelled]) -> str:
    """The most common original wording of one normalized question."""
    return Counter(record.question.strip() for record in records).most_common(1)[0][0]


def vectors_of(assistant: Assistant) -> QuestionVectors:
    """How to group questions for ``assistant``'s knowledge base: by the encoder's meaning when it has one, else by words."""
    semantic = assistant.semantic
    return MeaningVectors(semantic.encoder) if semantic is not None else WordVectors()


def propose(kb: KnowledgeBase, assistant: Assistant, traffic: Traffic, *, min_group: int = 2,
            max_alternates: int = 4, min_votes: int = 3, not_helpful_rate: float = 0.3,
            max_drafts: int = 10, vectors: QuestionVectors | None = None) -> Candidates:
    """All candidate changes for ``kb`` from ``traffic`` (``assistant`` answers over ``kb``).

    Every labelled question is a candidate in the same run: evidence left for "another
    run" is evidence the bot goes without meanwhile. Drafts need an author's answer, so
    at most ``max_drafts`` of them, the most asked first; the rest come up next run.
    ``vectors``: how alike questions are grouped (default: ``vectors_of(assistant)``).
    """
    vectors = vectors or vectors_of(assistant)
    found = Candidates()
    owners = _phrasing_owners(kb)
    kinds = {entry.id: entry.kind for entry in kb.entries + kb.drafts}
    served = {entry.id: entry for entry in kb.entries}
    labelled = _by_wording(r for r in traffic.labelled if r.label in ("entry", OUT_OF_SCOPE))
    marked: dict[str, Marked] = {}
    for (lang, key), records in sorted(labelled.items(), key=lambda item: (-len(item[1]), item[0])):
        votes = Counter(_target(record) for record in records)
        target, agreeing = votes.most_common(1)[0]
        text = _wording(records)
        out_of_scope = target == OUT_OF_SCOPE
        if out_of_scope and key in owners and kinds.get(owners[key]) == OUT_OF_SCOPE:
            continue  # already a phrasing of an out-of-scope topic
        reason = _reason_to_skip(assistant, owners, served, target, lang, key, text, agreeing / len(records), out_of_scope)
        if reason or (out_of_scope and key in marked):
            if reason and reason != "already_there":
                found.skipped.append(Skipped(text, lang, OUT_OF_SCOPE if out_of_scope else target, reason))
            continue
        if out_of_scope:
            marked[key] = Marked(text, lang, agreeing)
            continue
        found.alternates.append(Alternate(target, lang, text, agreeing))
        owners[key] = target  # a second wording normalizing alike is a duplicate now
    taken = set(kinds)
    placement = place(assistant, list(marked.values()), vectors, taken, min_group)
    found.out_of_scope = [Alternate(entry_id, q.lang, q.text, q.count) for entry_id, q in placement.phrasings]
    found.out_of_scope_entries = [NewEntry(entry_id, OUT_OF_SCOPE, {}, count=count)
                                  for entry_id, count in placement.new_topics.items()]
    found.drafts = _drafts(assistant, traffic, owners, taken, vectors, min_group, max_alternates)[:max_drafts]
    found.not_helpful = _not_helpful(traffic, min_votes, not_helpful_rate)
    return found


def _reason_to_skip(assistant: Assistant, owners: dict[str, str], served: dict, entry_id: str, lang: str, key: str,
                    text: str, agreement: float, out_of_scope: bool) -> str | None:
    """Why this labelled question should not become a phrasing of ``entry_id`` (or an out-of-scope one); None: it may."""
    if agreement < AGREEMENT:
        return "labels_disagree"
    if len(text) > MAX_PHRASING:
        return "too_long"
    if key in owners:
        return "already_there" if owners[key] == entry_id else "phrasing_of_other"
    if not out_of_scope:
        entry = served.get(entry_id)
        if entry is None:
            return "unknown_entry"
        if lang not in entry.question:
            return "no_question_in_lang"
    reply = assistant.reply(text)
    if out_of_scope and reply.kind == OUT_OF_SCOPE:
        return "already_answered"
    if not out_of_scope and reply.action == "answer" and reply.entry_id == entry_id:
        return "already_answered"
    return None


def _drafts(assistant: Assistant, traffic: Traffic, owners: dict[str, str], taken: set[str],
            vectors: QuestionVectors, min_group: int, max_alternates: int) -> list[NewEntry]:
    """Draft entries from groups of alike questions that got no answer and no label placing them.

    The same questions and groups as ``faqbot report``'s "write next" list, so the counts agree.
    """
    items = unanswered(traffic)
    new_topics = {question_key(r.question) for r in traffic.labelled if r.label == "new_topic"}
    drafts: list[NewEntry] = []
    for group in group_unanswered(items, vectors):
        keys = {question_key(text) for _, text in group.wordings}
        if group.count < min_group and not keys & new_topics:
            continue
        if keys & set(owners):
            continue  # the knowledge base has one of these wordings now
        wordings = {lang: [text for text in group.examples(max_alternates + 1, lang) if len(text) <= MAX_PHRASING]
                    for lang in group.languages()}
        wordings = {lang: texts for lang, texts in wordings.items() if texts}
        if not wordings:
            continue
        reply = assistant.reply(wordings[group.lang][0] if group.lang in wordings else next(iter(wordings.values()))[0])
        if reply.action == "answer" and reply.kind != OUT_OF_SCOPE:
            continue  # answered today: the knowledge base changed since these were asked
        entry_id = readable_id(group, "", "new-topic", taken)
        taken.add(entry_id)
        drafts.append(NewEntry(
            entry_id, "faq", {lang: texts[0] for lang, texts in wordings.items()},
            {lang: tuple(texts[1:]) for lang, texts in wordings.items() if texts[1:]},
            count=group.count, closest_entry=closest_entry(group, items) or reply.entry_id,
        ))
    return drafts


def _not_helpful(traffic: Traffic, min_votes: int, rate: float) -> list[NotHelpful]:
    """Entries with at least ``min_votes`` "not helpful" making up at least ``rate`` of their votes."""
    votes: dict[str, list[bool]] = defaultdict(list)
    complaints: dict[str, Counter] = defaultdict(Counter)
    for vote in traffic.votes:
        votes[vote.entry_id].append(vote.helpful)
        if not vote.helpful and not is_noise(vote.question):
            complaints[vote.entry_id][vote.question.strip()] += 1
    answered = Counter(r.entry_id for r in traffic.asked if r.outcome == "answer" and r.entry_id)
    found = []
    for entry_id, helpful in votes.items():
        bad = helpful.count(False)
        if bad >= min_votes and bad / len(helpful) >= rate:
            examples = tuple(text for text, _ in complaints[entry_id].most_common(3))
            found.append(NotHelpful(entry_id, bad, len(helpful), answered[entry_id], examples))
    return sorted(found, key=lambda item: (-item.not_helpful, -item.rate, item.entry_id))
