"""``faqbot tune``: the risk-coverage table of a knowledge base and the thresholds it writes.

Calibration (``faq.calibration``) asks the knowledge base's pseudo-questions,
plus the coverage cases given; this module turns the outcomes into rows an
author can read (threshold, margin -> answered right, did-you-mean, escalated,
wrong) and into the ``settings`` values ``--write`` stores. Two rules hold for
every row, because the values become the author's explicit settings:

* no stricter row (threshold and margin both at least as high) answers as many
  questions right: it would answer the same right ones and never more wrong ones;
* the did-you-mean threshold is below the answer threshold, so a question just
  short of an answer is offered choices instead of going straight to a person.

Before ``--write`` the coverage cases are asked with the values as they are now
and as they would be written (``made_wrong``): a value that turns a case into a
wrong answer is not written.
"""

from __future__ import annotations

from dataclasses import dataclass

# _clarify_score: calibration's own search for where did-you-mean starts, asked for each row of the table
from faq.calibration import Calibration, Outcomes, Rates, _clarify_score, best_at, rates, sweep
from faq.coverage import ESCALATE, Case, CaseResult, CoverageReport

#: Wrong-answer levels the table shows a row for.
LEVELS = (0.01, 0.02, 0.05, 0.08, 0.10, 0.15)
#: The search grid's step: a did-you-mean threshold is written at least this far below the answer threshold.
CLARIFY_STEP = 0.5


@dataclass(frozen=True)
class Row:
    """One line of the table: a threshold and margin within ``max_wrong``, and what they do (shares 0-1)."""

    max_wrong: float
    answer_score: float
    margin: float
    clarify_score: float
    right: float
    did_you_mean: float
    escalated: float
    wrong: float
    chosen: bool = False

    def values(self) -> dict[str, float]:
        """The ``settings`` values ``faqbot tune --write`` stores for this row."""
        return {"answer_score": self.answer_score, "margin": self.margin, "clarify_score": self.clarify_score}


def did_you_mean(outcomes: Outcomes, threshold: float, margin: float, clarify: float) -> float:
    """Share of in-scope pseudo-questions offered "did you mean" with the right entry among the choices."""
    answered = (outcomes.best >= threshold) & (outcomes.gap >= margin) & ~outcomes.top_oos
    shown = ~answered & (outcomes.best >= clarify) & ~outcomes.expect_oos & outcomes.in_choices & ~outcomes.top_oos
    return float(shown.sum()) / max(outcomes.n_in, 1)


def strictest_alike(table: list[Rates], row: Rates) -> Rates:
    """The strictest row of ``table`` at least as strict as ``row`` that answers as many questions right.

    A stricter threshold or margin answers a subset of the questions; with the same
    share right, the ones it leaves out were all answered wrongly. The strictest such
    row has no stricter row left that matches it (the largest threshold, then margin).
    """
    alike = [r for r in table if r.answer_score >= row.answer_score and r.margin >= row.margin
             and abs(r.right - row.right) <= 1e-9]
    return max(alike, key=lambda r: (r.answer_score, r.margin), default=row)


def clarify_below(outcomes: Outcomes, answer_score: float, margin: float, found: float | None = None) -> float:
    """The did-you-mean threshold for this answer threshold and margin: calibration's, kept below the answer threshold.

    ``found``: a value calibration already chose (the priors); otherwise it is searched
    the way calibration does. When offering choices below the threshold helps no one
    on the pseudo-questions, the search stops at the threshold itself; one grid step
    below it is then the closest value that still offers choices to a question just short.
    """
    clarify = _clarify_score(outcomes, answer_score, margin) if found is None else found
    return min(clarify, answer_score - CLARIFY_STEP)


def _row(outcomes: Outcomes, level: float, chosen: Rates, clarify: float | None = None, mark: bool = False) -> Row:
    clarify = clarify_below(outcomes, chosen.answer_score, chosen.margin, clarify)
    dym = did_you_mean(outcomes, chosen.answer_score, chosen.margin, clarify)
    return Row(level, chosen.answer_score, chosen.margin, clarify, chosen.right, dym, chosen.escalated_out,
               chosen.wrong, chosen=mark)


def risk_coverage(outcomes: Outcomes, calibration: Calibration, max_wrong_rate: float) -> list[Row]:
    """The table, one row per wrong-answer level in rising order, the chosen one marked in its place.

    The chosen row is the one for ``max_wrong_rate``: where that level is one of
    ``LEVELS`` it is that row (marked, not repeated), otherwise it sits between its
    neighbours, so a reader finds it where its level belongs. Priors are kept as they
    are (a knowledge base too small to calibrate has too few questions to tighten them on).
    """
    table = sweep(outcomes)
    rows = []
    for level in LEVELS:
        best = best_at(table, level, uncertain=calibration.n_real > 0)
        if best is not None and abs(level - max_wrong_rate) > 1e-12:
            rows.append(_row(outcomes, level, strictest_alike(table, best)))
    current = rates(outcomes, calibration.answer_score, calibration.margin)
    if calibration.source == "priors":
        chosen = _row(outcomes, max_wrong_rate, current, calibration.clarify_score, mark=True)
    else:
        chosen = _row(outcomes, max_wrong_rate, strictest_alike(table, current), mark=True)
    rows.append(chosen)
    return sorted(rows, key=lambda row: row.max_wrong)


def chosen_row(rows: list[Row]) -> Row:
    """The marked row of a ``risk_coverage`` table."""
    return next(row for row in rows if row.chosen)


def case_pairs(cases: list[Case]) -> list[tuple[str, str | None]]:
    """Coverage cases as calibration wants them: ``(question, entry id or None for escalate)``."""
    return [(case.question, None if case.expect == ESCALATE else case.expect) for case in cases]


def made_wrong(now: CoverageReport, written: CoverageReport) -> list[tuple[CaseResult, CaseResult]]:
    """Cases answered wrongly with the values to be written that are not answered wrongly now: (now, written) pairs.

    Both reports ask the same cases in the same order. A case already wrong today is
    not the new values' doing: ``faqbot coverage`` lists those, and they do not block a write.
    """
    return [(before, after) for before, after in zip(now.outcomes, written.outcomes)
            if after.wrong_answer and not before.wrong_answer]
