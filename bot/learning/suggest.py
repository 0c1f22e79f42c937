"""``faqbot suggest`` without the wiring: traffic in, proven proposals, edited YAML and a diff out.

    suggestions = suggest(kb, traffic, cases)
    new_text = apply(yaml_text, kb, suggestions)
    print(unified_diff(yaml_text, new_text, "knowledge.yaml"))
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from faq.assistant import Assistant
from faq.coverage import Case
from faq.kb_edit import DraftEntry, add_alternates, add_drafts
from faq.model import KnowledgeBase
from faq.normalize import is_noise

from bot.learning.grouping import QuestionVectors, question_key
from bot.learning.leave_one_out import LeaveOneOut, encode_once, memo_encoder
from bot.learning.model import Traffic
from bot.learning.out_of_scope import OUT_OF_SCOPE
from bot.learning.proof import Conflict, Prover
from bot.learning.proposals import Alternate, NewEntry, NotHelpful, Skipped, propose


@dataclass
class Suggestions:
    """Proven proposals and what was held back: everything ``faqbot suggest`` shows."""

    alternates: list[Alternate] = field(default_factory=list)
    out_of_scope: list[Alternate] = field(default_factory=list)
    out_of_scope_entries: list[NewEntry] = field(default_factory=list)
    drafts: list[NewEntry] = field(default_factory=list)
    not_helpful: list[NotHelpful] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    evaluations: int = 0

    @property
    def changes(self) -> int:
        """How many edits the YAML gets (phrasings added, out-of-scope topics added and entries drafted)."""
        return len(self.alternates) + len(self.out_of_scope) + len(self.drafts) + len(self.out_of_scope_entries)


def suggest(kb: KnowledgeBase, traffic: Traffic, cases: Sequence[Case] = (), *, min_group: int = 2,
            min_votes: int = 3, not_helpful_rate: float = 0.3, workers: int = 1,
            vectors: QuestionVectors | None = None) -> Suggestions:
    """Propose changes to ``kb`` from ``traffic``; every phrasing is proven (``bot.learning.proof``) first.

    ``workers``: processes for the proof's leave-one-out checks (``faqbot suggest`` uses every processor).
    ``vectors``: how alike questions are grouped (default: by meaning when ``kb`` matches by meaning).
    """
    assistant = _engine(kb, traffic)
    found = propose(kb, assistant, traffic, min_group=min_group, min_votes=min_votes,
                    not_helpful_rate=not_helpful_rate, vectors=vectors)
    out_of_scope_ids = {alternate.entry_id for alternate in found.out_of_scope}
    asked: Counter = Counter()
    owners: dict[str, str] = {}
    placed = {(alternate.lang, question_key(alternate.text)): alternate.entry_id for alternate in found.out_of_scope}
    for record in traffic.labelled:
        text = record.question.strip()
        if record.label == "entry":
            owner = record.entry_id
        elif record.label == OUT_OF_SCOPE:  # where it was placed, else (routed already) out of scope as such
            owner = placed.get((record.lang, question_key(text)), OUT_OF_SCOPE)
        else:
            continue
        if not is_noise(text):
            asked[text] += 1
            owners.setdefault(text, owner)
    labelled = {text: owners[text] for text, _ in asked.most_common()}
    checks = LeaveOneOut(workers)
    try:
        prover = Prover(kb, cases, labelled, found.out_of_scope_entries, leave_one_out=checks,
                        decisions=assistant.settings)
        accepted, conflicts = prover.prove(found.alternates + found.out_of_scope)
    finally:
        checks.close()
    proven_ids = {alternate.entry_id for alternate in accepted}
    return Suggestions(
        alternates=[a for a in accepted if a.entry_id not in out_of_scope_ids],
        out_of_scope=[a for a in accepted if a.entry_id in out_of_scope_ids],
        out_of_scope_entries=[entry for entry in found.out_of_scope_entries if entry.id in proven_ids],
        drafts=found.drafts, not_helpful=found.not_helpful, conflicts=conflicts,
        skipped=found.skipped, evaluations=prover.evaluations,
    )


def _engine(kb: KnowledgeBase, traffic: Traffic) -> Assistant:
    """The engine proposals are made with, its encoder shared with the proof's; the labelled questions, each asked
    to see whether it is answered already, are encoded first in batches (one by one costs several times as much)."""
    if not kb.settings.semantic:
        return Assistant(kb)
    encode_once(record.question for record in traffic.labelled)
    return Assistant(kb, encoder=memo_encoder())


def apply(yaml_text: str, kb: KnowledgeBase, suggestions: Suggestions) -> str:
    """``yaml_text`` with the suggestions written in; comments, order and quoting stay as they are.

    New out-of-scope topics need no answer: they are written served (no ``draft: true``), their
    routing text the escalation notice alone; new FAQ entries are drafts until their answer is written.
    """
    additions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    new_topics = {entry.id: entry for entry in suggestions.out_of_scope_entries}
    topic_phrasings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for alternate in suggestions.alternates + suggestions.out_of_scope:
        if alternate.entry_id in new_topics:
            topic_phrasings[alternate.entry_id][alternate.lang].append(alternate.text)
        else:
            additions[alternate.entry_id][alternate.lang].append(alternate.text)
    text = add_alternates(yaml_text, additions, part="learned") if additions else yaml_text
    langs = sorted(kb.languages()) or ["en", "zh"]
    entries = []
    for entry_id, by_lang in topic_phrasings.items():
        question = {lang: texts[0] for lang, texts in by_lang.items()}
        alternates = {lang: texts[1:] for lang, texts in by_lang.items() if texts[1:]}
        entries.append(DraftEntry(entry_id, question, alternates, new_topics[entry_id].kind, (), draft=False))
    entries += [DraftEntry(d.id, d.question, d.alternates, d.kind, langs) for d in suggestions.drafts]
    return add_drafts(text, entries) if entries else text


def unified_diff(old: str, new: str, path: str) -> str:
    """A ``git diff``-style unified diff of the knowledge base file."""
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))
