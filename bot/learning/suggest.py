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
from faq.normalize import normalize

from bot.learning.leave_one_out import LeaveOneOut
from bot.learning.model import Traffic
from bot.learning.proof import Conflict, Prover
from bot.learning.proposals import Alternate, NewEntry, NotHelpful, Skipped, out_of_scope_target, propose


@dataclass
class Suggestions:
    """Proven proposals and what was held back: everything ``faqbot suggest`` shows."""

    alternates: list[Alternate] = field(default_factory=list)
    out_of_scope: list[Alternate] = field(default_factory=list)
    out_of_scope_entry: NewEntry | None = None
    drafts: list[NewEntry] = field(default_factory=list)
    not_helpful: list[NotHelpful] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    evaluations: int = 0

    @property
    def changes(self) -> int:
        """How many edits the YAML gets (phrasings added and entries drafted)."""
        return len(self.alternates) + len(self.out_of_scope) + len(self.drafts) + (self.out_of_scope_entry is not None)


def suggest(kb: KnowledgeBase, traffic: Traffic, cases: Sequence[Case] = (), *, min_group: int = 2,
            min_votes: int = 3, not_helpful_rate: float = 0.3, workers: int = 1) -> Suggestions:
    """Propose changes to ``kb`` from ``traffic``; every phrasing is proven (``bot.learning.proof``) first.

    ``workers``: processes for the proof's leave-one-out checks (``faqbot suggest`` uses every processor).
    """
    assistant = Assistant(kb)
    found = propose(kb, assistant, traffic, min_group=min_group, min_votes=min_votes, not_helpful_rate=not_helpful_rate)
    oos_id, _ = out_of_scope_target(kb)
    asked: Counter = Counter()
    owners: dict[str, str] = {}
    for record in traffic.labelled:
        owner = record.entry_id if record.label == "entry" else oos_id if record.label == "out_of_scope" else None
        if owner and normalize(record.question):
            asked[record.question.strip()] += 1
            owners.setdefault(record.question.strip(), owner)
    labelled = {text: owners[text] for text, _ in asked.most_common()}
    new_entries = [found.out_of_scope_entry] if found.out_of_scope_entry else []
    oos_draft = next((d for d in kb.drafts if d.id == oos_id), None)
    if oos_draft is not None:
        new_entries.append(NewEntry(oos_draft.id, oos_draft.kind, oos_draft.question, oos_draft.alternates))
    checks = LeaveOneOut(workers)
    try:
        prover = Prover(kb, cases, labelled, new_entries, leave_one_out=checks, decisions=assistant.settings)
        accepted, conflicts = prover.prove(found.alternates + found.out_of_scope)
    finally:
        checks.close()
    result = Suggestions(
        alternates=[a for a in accepted if a.entry_id != oos_id],
        out_of_scope=[a for a in accepted if a.entry_id == oos_id],
        drafts=found.drafts, not_helpful=found.not_helpful, conflicts=conflicts,
        skipped=found.skipped, evaluations=prover.evaluations,
    )
    if found.out_of_scope_entry and result.out_of_scope:
        result.out_of_scope_entry = found.out_of_scope_entry
    return result


def apply(yaml_text: str, kb: KnowledgeBase, suggestions: Suggestions) -> str:
    """``yaml_text`` with the suggestions written in; comments, order and quoting stay as they are."""
    additions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    new_oos = suggestions.out_of_scope_entry
    oos_phrasings: dict[str, list[str]] = defaultdict(list)
    for alternate in suggestions.alternates + suggestions.out_of_scope:
        if new_oos is not None and alternate.entry_id == new_oos.id:
            oos_phrasings[alternate.lang].append(alternate.text)
        else:
            additions[alternate.entry_id][alternate.lang].append(alternate.text)
    text = add_alternates(yaml_text, additions, part="learned") if additions else yaml_text
    langs = sorted(kb.languages()) or ["en", "zh"]
    drafts = [DraftEntry(d.id, d.question, d.alternates, d.kind, langs) for d in suggestions.drafts]
    if new_oos is not None and oos_phrasings:
        question = {lang: texts[0] for lang, texts in oos_phrasings.items()}
        alternates = {lang: texts[1:] for lang, texts in oos_phrasings.items() if texts[1:]}
        drafts.insert(0, DraftEntry(new_oos.id, question, alternates, new_oos.kind, langs))
    return add_drafts(text, drafts) if drafts else text


def unified_diff(old: str, new: str, path: str) -> str:
    """A ``git diff``-style unified diff of the knowledge base file."""
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))
