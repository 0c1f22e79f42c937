"""The shipped coverage cases for the seed knowledge base must all pass, with no wrong answers.

(That it is clean under ``faqbot check`` is ``test_cli.test_shipped_knowledge_base_passes_check``.)
"""

from pathlib import Path

import pytest

from faq import Assistant, load_knowledge
from faq.coverage import load_cases, run_coverage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report():
    assistant = Assistant(load_knowledge(ROOT / "knowledge.yaml"))
    cases = [case for path in sorted((ROOT / "tests" / "coverage").glob("*.yaml")) for case in load_cases(path)]
    return run_coverage(assistant, cases)


def test_every_case_passes(report):
    failures = [f"{o.case.source}: {o.case.question!r} -> {o.reply.action} {o.reply.entry_id} ({o.reply.score:.0f})" for o in report.failures]
    assert failures == []


def test_no_wrong_answers_and_every_entry_covered_in_both_languages(report):
    assert report.wrong_answers == 0
    assert report.uncovered() == []


def test_no_greeting_or_thanks_is_escalated(report):
    smalltalk = [o for o in report.outcomes if o.case.expect in {"greeting", "thanks", "help", "goodbye"}]
    assert smalltalk and all(o.reply.action != "escalate" for o in smalltalk)
