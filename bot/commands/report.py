"""``faqbot report``: what knowledge-base authors should write next, from the question log.

Unanswered and low-confidence questions (escalated, or answered with "did you
mean") that nobody has labelled with an entry or as out of scope yet are grouped
by meaning (``bot.learning.grouping``, the same groups as ``report --html`` and
``faqbot suggest``'s drafts), largest group first, each with its count, examples
in both languages and the entry it came closest to: the list of new entries to
write next. Then answers per entry, escalations opened / resolved / median time
to resolve, and the helpful rate per entry.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import TextIO

from bot.learning.grouping import Group, QuestionVectors, Unanswered, closest_entry, group_unanswered, unanswered
from bot.store import ReportStore
from bot.terminal_text import clip
from faq.notices import notice


def group_json(group: Group, items: list[Unanswered]) -> dict:
    """One "write next" group as JSON: its count, up to three examples per language, the closest entry."""
    return {
        "count": group.count,
        "examples": {lang: group.examples(3, lang) for lang in sorted(group.languages())},
        "closest_entry": closest_entry(group, items),
    }


def build_report(store: ReportStore, since: datetime | None, top: int = 20,
                 vectors: QuestionVectors | None = None) -> dict:
    """The whole report as JSON-ready data; ``vectors``: how alike questions are grouped (default: by words)."""
    traffic = store.traffic(since)
    questions = traffic.asked
    weak = [q for q in questions if q.outcome in ("escalate", "clarify")]
    answers = Counter(q.entry_id for q in questions if q.outcome == "answer" and q.entry_id)
    to_write = unanswered(traffic)
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
        "groups": [group_json(group, to_write) for group in group_unanswered(to_write, vectors)[:top]],
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
