"""Candidate changes to a knowledge base, from what people told us about real questions.

Pure: a ``KnowledgeBase``, an ``Assistant`` over it and ``Traffic`` in, candidates out.
Nothing here is proposed yet: alternates still have to pass ``bot.learning.proof``.

- alternates: questions resolved with, or picked as, an entry, in the question's language,
  unless the entry already has that phrasing or the bot already answers it with that entry;
- out-of-scope phrasings: questions agents marked out of scope, for the KB's first
  ``kind: out_of_scope`` entry (a draft one is created when it has none);
- draft entries: groups of alike questions nobody could answer (escalated, clarified,
  "none of these", or an agent's "new topic"), the question in the asker's language;
- entries whose answers sellers often mark "not helpful".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from faq.assistant import Assistant
from faq.model import KnowledgeBase
from faq.normalize import is_noise, normalize

from bot.learning.grouping import Group, group_questions
from bot.learning.model import Labelled, Traffic

OUT_OF_SCOPE = "out_of_scope"
#: the id given to the draft out-of-scope entry when the knowledge base has none
OUT_OF_SCOPE_ID = "out-of-scope"
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
    out_of_scope_entry: NewEntry | None = None
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


def out_of_scope_target(kb: KnowledgeBase) -> tuple[str, bool]:
    """The id of the entry out-of-scope phrasings go to, and whether it has to be created."""
    for entry in kb.entries + kb.drafts:
        if entry.kind == OUT_OF_SCOPE:
            return entry.id, False
    taken = {entry.id for entry in kb.entries + kb.drafts}
    candidate, n = OUT_OF_SCOPE_ID, 1
    while candidate in taken:
        n += 1
        candidate = f"{OUT_OF_SCOPE_ID}-{n}"
    return candidate, True


def propose(kb: KnowledgeBase, assistant: Assistant, traffic: Traffic, *, min_group: int = 2,
            max_alternates: int = 4, min_votes: int = 3, not_helpful_rate: float = 0.3,
            max_drafts: int = 10) -> Candidates:
    """All candidate changes for ``kb`` from ``traffic`` (``assistant`` answers over ``kb``).

    Every labelled question is a candidate in the same run: evidence left for "another
    run" is evidence the bot goes without meanwhile. Drafts need an author's answer, so
    at most ``max_drafts`` of them, the most asked first; the rest come up next run.
    """
    found = Candidates()
    owners = _phrasing_owners(kb)
    served = {entry.id: entry for entry in kb.entries}
    oos_id, oos_new = out_of_scope_target(kb)
    labelled = _by_wording(r for r in traffic.labelled if r.label in ("entry", OUT_OF_SCOPE))
    handled: set[str] = set()
    for (lang, key), records in sorted(labelled.items(), key=lambda item: (-len(item[1]), item[0])):
        votes = Counter(_target(record) for record in records)
        target, agreeing = votes.most_common(1)[0]
        text = _wording(records)
        handled.add(key)
        entry_id = oos_id if target == OUT_OF_SCOPE else target
        reason = _reason_to_skip(kb, assistant, owners, served, entry_id, lang, key, text, agreeing / len(records), target == OUT_OF_SCOPE)
        if reason:
            if reason != "already_there":
                found.skipped.append(Skipped(text, lang, entry_id, reason))
            continue
        alternate = Alternate(entry_id, lang, text, agreeing)
        (found.out_of_scope if target == OUT_OF_SCOPE else found.alternates).append(alternate)
        owners[key] = entry_id  # a second wording normalizing alike is a duplicate now
    if oos_new and found.out_of_scope:
        found.out_of_scope_entry = NewEntry(oos_id, OUT_OF_SCOPE, {}, count=sum(a.count for a in found.out_of_scope))
    found.drafts = _drafts(kb, assistant, traffic, handled, owners, min_group, max_alternates)[:max_drafts]
    found.not_helpful = _not_helpful(traffic, min_votes, not_helpful_rate)
    return found


def _reason_to_skip(kb: KnowledgeBase, assistant: Assistant, owners: dict[str, str], served: dict,
                    entry_id: str, lang: str, key: str, text: str, agreement: float, out_of_scope: bool) -> str | None:
    """Why this labelled question should not become a phrasing of ``entry_id`` (None: it may)."""
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


def _drafts(kb: KnowledgeBase, assistant: Assistant, traffic: Traffic, handled: set[str],
            owners: dict[str, str], min_group: int, max_alternates: int) -> list[NewEntry]:
    """Draft entries from groups of alike questions that got no answer and no entry label."""
    unanswered = [(r.question, r.lang) for r in traffic.asked if r.outcome in ("escalate", "clarify")]
    flagged = [(r.question, r.lang) for r in traffic.labelled if r.label in ("new_topic", "none_of_these")]
    new_topics = {normalize(r.question) for r in traffic.labelled if r.label == "new_topic"}
    questions = [(text, lang) for text, lang in unanswered + flagged if normalize(text) not in handled]
    taken = {entry.id for entry in kb.entries + kb.drafts}
    drafts: list[NewEntry] = []
    for group in group_questions(questions):
        wordings = [text for text in group.examples(max_alternates + 1) if len(text) <= MAX_PHRASING]
        labelled_new = any(normalize(text) in new_topics for text in group.wordings)
        if not wordings or (group.count < min_group and not labelled_new):
            continue
        if any(normalize(text) in owners for text in wordings):
            continue  # the knowledge base has this wording now
        reply = assistant.reply(wordings[0])
        if reply.action == "answer" and reply.kind != OUT_OF_SCOPE:
            continue  # answered today: the knowledge base changed since these were asked
        entry_id = _draft_id(group, taken)
        taken.add(entry_id)
        drafts.append(NewEntry(
            entry_id, "faq", {group.lang: wordings[0]}, {group.lang: tuple(wordings[1:])} if wordings[1:] else {},
            count=group.count, closest_entry=reply.entry_id,
        ))
    return drafts


_SLUG_WORD = re.compile(r"[a-z0-9]+")


def _draft_id(group: Group, taken: set[str]) -> str:
    """A readable, unused kebab-case id: the leading English words, else ``new-topic``."""
    words = _SLUG_WORD.findall(normalize(group.examples(1)[0]))[:6] if group.lang == "en" else []
    base = "-".join(words) or "new-topic"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _not_helpful(traffic: Traffic, min_votes: int, rate: float) -> list[NotHelpful]:
    """Entries with at least ``min_votes`` "not helpful" making up at least ``rate`` of their votes."""
    votes: dict[str, list[bool]] = defaultdict(list)
    complaints: dict[str, Counter] = defaultdict(Counter)
    for vote in traffic.votes:
        votes[vote.entry_id].append(vote.helpful)
        if not vote.helpful:
            complaints[vote.entry_id][vote.question.strip()] += 1
    answered = Counter(r.entry_id for r in traffic.asked if r.outcome == "answer" and r.entry_id)
    found = []
    for entry_id, helpful in votes.items():
        bad = helpful.count(False)
        if bad >= min_votes and bad / len(helpful) >= rate:
            examples = tuple(text for text, _ in complaints[entry_id].most_common(3))
            found.append(NotHelpful(entry_id, bad, len(helpful), answered[entry_id], examples))
    return sorted(found, key=lambda item: (-item.not_helpful, -item.rate, item.entry_id))
