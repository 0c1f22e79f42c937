"""The human-readable ``faqbot coverage`` report: failures, the entry x language table, totals."""

from __future__ import annotations

from typing import TextIO

from faq.coverage import ESCALATE, CoverageReport
from faq.model import KnowledgeBase


def write_report(report: CoverageReport, kb: KnowledgeBase, out: TextIO, min_accuracy: float) -> None:
    """Print what a knowledge-base author acts on: each failing case first, then the totals."""
    for outcome in report.failures:
        reply = outcome.reply
        got = f"{reply.action} {reply.entry_id or ''}".strip()
        out.write(f"FAIL {outcome.case.source}: {outcome.case.question!r}: expected {outcome.case.expect}, got {got} ({reply.score:.0f})\n")
    if report.failures:
        out.write("\n")
    uncovered = set(report.uncovered())
    width = max([len(entry.id) for entry in kb.entries] + [len(ESCALATE)]) + 2
    out.write(f"{'entry':<{width}}" + "".join(f"{lang + ' passed/cases':>18}" for lang in report.languages) + "\n")
    for entry_id in [entry.id for entry in kb.entries] + [ESCALATE]:
        cells = []
        for lang in report.languages:
            cases, passed = report.table.get((entry_id, lang), [0, 0])
            flag = " UNCOVERED" if (entry_id, lang) in uncovered else ""
            cells.append(f"{passed:>5}/{cases:<4}{flag:>9}")
        out.write(f"{entry_id:<{width}}" + "".join(f"{cell:>18}" for cell in cells) + "\n")
    out.write("\n")
    passed = len(report.outcomes) - len(report.failures)
    out.write(f"accuracy: {100 * report.accuracy:.1f}% ({passed}/{len(report.outcomes)} cases; minimum {100 * min_accuracy:.0f}%)\n")
    rate = report.escalation_rate
    out.write(f"out-of-scope escalated: {'-' if rate is None else f'{100 * rate:.1f}%'}\n")
    out.write(f"wrong answers: {report.wrong_answers}\n")
    if uncovered:
        out.write(f"uncovered entry/language pairs: {len(uncovered)}\n")
