"""``faqbot tune``: the risk-coverage table of a knowledge base and the thresholds calibration chooses.

Calibration (``faq.calibration``) asks the knowledge base's pseudo-questions,
plus the coverage cases given; this module turns the outcomes into rows an
author can read (threshold, margin -> answered right, did-you-mean, escalated,
wrong) and into the ``settings`` values ``--write`` stores.
"""

from __future__ import annotations

from dataclasses import dataclass

from faq.assistant import Assistant
from faq.calibration import Outcomes, best_at, rates, sweep
from faq.coverage import ESCALATE, Case

#: Wrong-answer levels the table shows a row for.
LEVELS = (0.01, 0.02, 0.05, 0.08, 0.10, 0.15)


@dataclass(frozen=True)
class Row:
    """One line of the table: the best threshold and margin within ``max_wrong``, and what they do (shares 0-1)."""

    max_wrong: float
    answer_score: float
    margin: float
    right: float
    did_you_mean: float
    escalated: float
    wrong: float
    chosen: bool = False


def did_you_mean(outcomes: Outcomes, threshold: float, margin: float, clarify: float) -> float:
    """Share of in-scope pseudo-questions offered "did you mean" with the right entry among the choices."""
    answered = (outcomes.best >= threshold) & (outcomes.gap >= margin) & ~outcomes.top_oos
    shown = ~answered & (outcomes.best >= clarify) & ~outcomes.expect_oos & outcomes.in_choices & ~outcomes.top_oos
    return float(shown.sum()) / max(outcomes.n_in, 1)


def risk_coverage(assistant: Assistant) -> list[Row]:
    """The table for ``assistant`` (built with its coverage cases); the chosen values are marked."""
    if assistant.semantic is None:
        return []
    outcomes = assistant.semantic.outcomes
    settings = assistant.settings
    table = sweep(outcomes)
    rows = []
    for level in LEVELS:
        best = best_at(table, level)
        if best is not None:
            dym = did_you_mean(outcomes, best.answer_score, best.margin, min(settings.clarify_score, best.answer_score))
            rows.append(Row(level, best.answer_score, best.margin, best.right, dym, best.escalated_out, best.wrong))
    chosen = rates(outcomes, settings.answer_score, settings.margin)
    dym = did_you_mean(outcomes, settings.answer_score, settings.margin, settings.clarify_score)
    rows.append(Row(settings.max_wrong_rate, chosen.answer_score, chosen.margin, chosen.right, dym,
                    chosen.escalated_out, chosen.wrong, chosen=True))
    return rows


def case_pairs(cases: list[Case]) -> list[tuple[str, str | None]]:
    """Coverage cases as calibration wants them: ``(question, entry id or None for escalate)``."""
    return [(case.question, None if case.expect == ESCALATE else case.expect) for case in cases]


def chosen_values(assistant: Assistant) -> dict[str, float]:
    """The ``settings`` values ``faqbot tune --write`` stores."""
    settings = assistant.settings
    return {"answer_score": settings.answer_score, "margin": settings.margin, "clarify_score": settings.clarify_score}
