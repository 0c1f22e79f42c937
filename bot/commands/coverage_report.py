"""The human-readable ``faqbot coverage`` report: failures, the entry x language table, totals."""

from __future__ import annotations

from typing import TextIO

from bot.textwidth import table
from faq.coverage import ESCALATE, CoverageReport
from faq.model import KnowledgeBase
from faq.notices import notice


def write_coverage_report(report: CoverageReport, kb: KnowledgeBase, out: TextIO, min_accuracy: float, lang: str = "en") -> None:
    """Print what a knowledge-base author acts on, in ``lang``: each failing case first, then the totals."""
    for outcome in report.failures:
        reply = outcome.reply
        got = f"{reply.action} {reply.entry_id or ''}".strip()
        out.write(notice(
            "coverage_fail", lang, source=outcome.case.source, question=repr(outcome.case.question),
            expect=outcome.case.expect, got=got, score=f"{reply.score:.0f}",
        ) + "\n")
    if report.failures:
        out.write("\n")
    uncovered = set(report.uncovered())
    flag_text = notice("coverage_uncovered_flag", lang)
    header = [notice("coverage_entry", lang), *(notice("coverage_column", lang, lang=column) for column in report.languages), ""]
    rows = [header]
    for entry_id in [entry.id for entry in kb.entries] + [ESCALATE]:
        cells = [entry_id]
        for column in report.languages:
            cases, passed = report.table.get((entry_id, column), [0, 0])
            cells.append(f"{passed}/{cases}")
        missing = [column for column in report.languages if (entry_id, column) in uncovered]
        cells.append(f"{flag_text}: {', '.join(missing)}" if missing else "")  # after every language column
        rows.append(cells)
    for line in table(rows):
        out.write(line + "\n")
    out.write("\n")
    passed = len(report.outcomes) - len(report.failures)
    out.write(notice(
        "coverage_accuracy", lang, accuracy=f"{100 * report.accuracy:.1f}", passed=passed,
        cases=len(report.outcomes), minimum=f"{100 * min_accuracy:.0f}",
    ) + "\n")
    rate = report.escalation_rate
    out.write(notice("coverage_escalated", lang, rate="-" if rate is None else f"{100 * rate:.1f}%") + "\n")
    out.write(notice("coverage_wrong", lang, count=report.wrong_answers) + "\n")
    if uncovered:
        out.write(notice("coverage_uncovered", lang, count=len(uncovered)) + "\n")
