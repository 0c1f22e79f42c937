"""The numbers the HTML report shows, computed from plain records (no database, no HTML)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

from faq.coverage import CoverageReport

from bot.learning.grouping import QuestionVectors, group_unanswered, unanswered
from bot.learning.model import CaseRecord, Traffic

OUTCOMES = ("answer", "clarify", "escalate")


@dataclass(frozen=True)
class Day:
    """One day of questions: counts by outcome and by language."""

    day: date
    outcomes: dict[str, int]
    languages: dict[str, int]


@dataclass(frozen=True)
class Hour:
    """One hour of questions (``hour`` 0-23 of the report's only day): counts by outcome and by language."""

    hour: int
    outcomes: dict[str, int]
    languages: dict[str, int]


@dataclass(frozen=True)
class GroupRow:
    """One "write next" group (the same as ``faqbot report``'s); ``lang``: its languages, most asked first."""

    count: int
    lang: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class VoteRow:
    entry_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class CoverageRow:
    entry_id: str
    lang: str
    cases: int
    passed: int


@dataclass
class ReportData:
    """Everything on the report page; built by ``report_data`` or by hand in tests."""

    days: list[Day] = field(default_factory=list)
    hours: list[Hour] = field(default_factory=list)  # when every question is from one day: per hour, first to last
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    votes: list[VoteRow] = field(default_factory=list)
    open_cases: int = 0
    resolved_cases: int = 0
    median_hours: float | None = None
    coverage: list[CoverageRow] | None = None
    coverage_accuracy: float | None = None
    generated: datetime | None = None

    @property
    def questions(self) -> int:
        return sum(sum(day.outcomes.values()) for day in self.days)


def report_data(traffic: Traffic, cases: Sequence[CaseRecord] = (), coverage: CoverageReport | None = None,
                top: int = 10, now: datetime | None = None, vectors: QuestionVectors | None = None) -> ReportData:
    """Count ``traffic`` per day, entry and group; ``cases`` give the open count and time to resolve.

    ``vectors``: how alike questions are grouped (``bot.learning.grouping``; default: by words).
    """
    outcomes: dict[date, Counter] = defaultdict(Counter)
    languages: dict[date, Counter] = defaultdict(Counter)
    for record in traffic.asked:
        outcomes[record.at.date()][record.outcome] += 1
        languages[record.at.date()][record.lang] += 1
    days = [
        Day(day, {o: outcomes[day][o] for o in OUTCOMES}, dict(sorted(languages[day].items())))
        for day in sorted(outcomes)
    ]
    answered = Counter(r.entry_id for r in traffic.asked if r.outcome == "answer" and r.entry_id)
    per_hour = _hours(traffic) if len(days) == 1 else []
    groups = [GroupRow(g.count, ", ".join(g.languages()), tuple(g.examples(3)))
              for g in group_unanswered(unanswered(traffic), vectors)[:top]]
    tally: dict[str, Counter] = defaultdict(Counter)
    for vote in traffic.votes:
        tally[vote.entry_id][vote.helpful] += 1
    votes = sorted(
        (VoteRow(entry, count[True], count[False]) for entry, count in tally.items()),
        key=lambda row: (-(row.helpful + row.not_helpful), row.entry_id),
    )[:top]
    hours = [(c.resolved_at - c.opened_at).total_seconds() / 3600 for c in cases if c.resolved_at]
    rows = None
    if coverage is not None:
        rows = [CoverageRow(entry, lang, cell[0], cell[1]) for (entry, lang), cell in sorted(coverage.table.items())]
    return ReportData(
        days=days, hours=per_hour, top_entries=answered.most_common(top), groups=groups, votes=votes,
        open_cases=sum(c.resolved_at is None for c in cases), resolved_cases=len(hours),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        coverage=rows, coverage_accuracy=coverage.accuracy if coverage is not None else None, generated=now,
    )


def _hours(traffic: Traffic) -> list[Hour]:
    """Questions per hour, from the first hour with a question to the last: one day drawn as one bar would say nothing."""
    outcomes: dict[int, Counter] = defaultdict(Counter)
    languages: dict[int, Counter] = defaultdict(Counter)
    for record in traffic.asked:
        outcomes[record.at.hour][record.outcome] += 1
        languages[record.at.hour][record.lang] += 1
    return [Hour(hour, {o: outcomes[hour][o] for o in OUTCOMES}, dict(sorted(languages[hour].items())))
            for hour in range(min(outcomes), max(outcomes) + 1)]
