"""``faqbot report``: what knowledge-base authors should write next, from the question log.

Unanswered and low-confidence questions (escalated, or answered with "did you
mean") are grouped by similarity with rapidfuzz, largest group first, each with
its count, examples in both languages and the entry it came closest to: the
list of alternates and new entries to write next. Then answers per entry,
escalations opened / resolved / median time to resolve, and the helpful rate
per entry.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from rapidfuzz import fuzz, process

from bot.store import EscalationStore, QuestionRecord
from bot.terminal_text import clip
from faq.normalize import normalize
from faq.notices import notice
from faq.prepared import spaced

#: rapidfuzz token_sort_ratio (ratio of the sorted words) at or above which two questions belong to one group.
SAME_GROUP = 75


@dataclass
class QuestionGroup:
    """Questions that read alike; ``leader`` is the normalized text the others were compared with."""

    leader: str
    count: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    entries: Counter = field(default_factory=Counter)

    def add(self, record: QuestionRecord) -> None:
        self.count += 1
        if len(self.examples[record.lang]) < 3 and record.question not in self.examples[record.lang]:
            self.examples[record.lang].append(record.question)
        if record.entry_id:
            self.entries[record.entry_id] += 1

    def to_json(self) -> dict:
        closest = self.entries.most_common(1)
        return {
            "count": self.count,
            "examples": {lang: texts for lang, texts in sorted(self.examples.items())},
            "closest_entry": closest[0][0] if closest else None,
        }


def group_questions(records: list[QuestionRecord]) -> list[QuestionGroup]:
    """Group alike questions: identical wordings first (cheap), then rapidfuzz within each language.

    The closest entry is not part of the key: for a question the bot could not
    answer it is a weak guess, and two wordings of one question often get
    different guesses.
    """
    identical: dict[tuple[str, str], list[QuestionRecord]] = defaultdict(list)
    for record in records:
        # words sorted once here, so plain ratio below equals token_sort_ratio without re-sorting per pair
        words = " ".join(sorted(spaced(normalize(record.question)).split()))
        identical[(record.lang, words)].append(record)
    by_language: dict[str, list[tuple[str, list[QuestionRecord]]]] = defaultdict(list)
    for (lang, text), same in identical.items():
        by_language[lang].append((text, same))
    groups: list[QuestionGroup] = []
    for wordings in by_language.values():
        wordings.sort(key=lambda item: -len(item[1]))  # frequent wordings lead their groups
        leaders: list[str] = []
        language_groups: list[QuestionGroup] = []
        for text, same in wordings:
            hit = process.extractOne(text, leaders, scorer=fuzz.ratio, score_cutoff=SAME_GROUP) if leaders else None
            if hit is None:
                leaders.append(text)
                language_groups.append(QuestionGroup(leader=text))
                group = language_groups[-1]
            else:
                group = language_groups[hit[2]]
            for record in same:
                group.add(record)
        groups.extend(language_groups)
    return sorted(groups, key=lambda group: -group.count)


def build_report(store: EscalationStore, since: datetime | None, top: int = 20) -> dict:
    """The whole report as JSON-ready data."""
    questions = store.questions_since(since)
    weak = [q for q in questions if q.action in ("escalate", "clarify")]
    answers = Counter(q.entry_id for q in questions if q.action == "answer" and q.entry_id)
    escalations = store.list(since=since)
    resolved = [e for e in store.list(status="resolved") if e.resolved_at and (since is None or e.resolved_at >= since)]
    hours = [(e.resolved_at - e.created_at).total_seconds() / 3600 for e in resolved]
    votes: dict[str, list[bool]] = defaultdict(list)
    for vote in store.feedback_since(since):
        if vote.entry_id:
            votes[vote.entry_id].append(vote.helpful)
    return {
        "since": since.isoformat() if since else None,
        "questions": len(questions),
        "unanswered_or_unsure": len(weak),
        "groups": [group.to_json() for group in group_questions(weak)[:top]],
        "answers_per_entry": dict(answers.most_common()),
        "escalations": {
            "opened": len(escalations),
            "resolved": len(resolved),
            "median_hours_to_resolve": round(statistics.median(hours), 2) if hours else None,
        },
        "helpful_rate": {
            entry: {"votes": len(v), "helpful": round(sum(v) / len(v), 3)} for entry, v in sorted(votes.items())
        },
    }


def write_report(report: dict, out: TextIO, lang: str = "en") -> None:
    """The report as a person reads it, in ``lang``."""
    out.write(notice("report_questions", lang, questions=report["questions"], unsure=report["unanswered_or_unsure"]) + "\n\n")
    out.write(notice("report_write_next", lang) + "\n")
    for n, group in enumerate(report["groups"], 1):
        out.write(f"{n:>3}. " + notice("report_group", lang, count=group["count"], closest=group["closest_entry"] or "-") + "\n")
        for example_lang, texts in group["examples"].items():
            for text in texts:
                out.write(f"       [{example_lang}] {clip(text, lang)}\n")
    if not report["groups"]:
        out.write(f"  {notice('report_none', lang)}\n")
    out.write("\n" + notice("report_answers", lang) + "\n")
    for entry, count in report["answers_per_entry"].items():
        out.write(f"  {entry:<30}{count:>8}\n")
    esc = report["escalations"]
    median = "-" if esc["median_hours_to_resolve"] is None else f"{esc['median_hours_to_resolve']} h"
    out.write("\n" + notice("report_escalations", lang, opened=esc["opened"], resolved=esc["resolved"], median=median) + "\n")
    out.write("\n" + notice("report_helpful", lang) + "\n")
    for entry, rate in report["helpful_rate"].items():
        out.write(f"  {entry:<30}" + notice("report_votes", lang, rate=f"{100 * rate['helpful']:>6.0f}", votes=rate["votes"]) + "\n")
    if not report["helpful_rate"]:
        out.write(f"  {notice('report_no_feedback', lang)}\n")
