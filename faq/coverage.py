"""Coverage cases: questions with the entry they must get (or ``escalate``), run against the engine.

The format (see docs/knowledge-base.md, "Coverage")::

    cases:
      - q: "How do I close my account?"
        expect: close-account        # an entry id, or: escalate

A case passes when an ``escalate`` case is escalated, when a case naming an
``out_of_scope`` topic is escalated by that topic, or when any other case is
*answered* with the expected entry ("did you mean" does not count).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from faq.assistant import Assistant
from faq.errors import KnowledgeError
from faq.knowledge_file import read_text
from faq.loader import compose_yaml
from faq.model import Reply
from faq.notices import Problem

ESCALATE = "escalate"


@dataclass(frozen=True)
class Case:
    question: str
    expect: str
    source: str


@dataclass(frozen=True)
class CaseResult:
    """One coverage case and the reply the engine gave it."""

    case: Case
    reply: Reply

    @property
    def passed(self) -> bool:
        if self.case.expect == ESCALATE:
            return self.reply.action == "escalate"
        if self.reply.kind == "out_of_scope" and self.reply.action == "escalate":  # routed to the expected topic
            return self.reply.entry_id == self.case.expect
        return self.reply.action == "answer" and self.reply.entry_id == self.case.expect

    @property
    def wrong_answer(self) -> bool:
        """Answered with confidence, but not with what the case expects: what sellers feel most."""
        return self.reply.action == "answer" and self.reply.entry_id != self.case.expect


@dataclass
class CoverageReport:
    outcomes: list[CaseResult]
    entry_ids: list[str]
    languages: list[str]
    table: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    #: Declared out-of-scope topics: they escalate, so "escalate" cases cover them and they are never UNCOVERED.
    out_of_scope_ids: frozenset[str] = frozenset()

    @property
    def answering_ids(self) -> list[str]:
        return [entry_id for entry_id in self.entry_ids if entry_id not in self.out_of_scope_ids]

    def __post_init__(self) -> None:
        table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            cell = table[(outcome.case.expect, outcome.reply.lang)]
            cell[0] += 1
            cell[1] += outcome.passed
        self.table = dict(table)

    @property
    def failures(self) -> list[CaseResult]:
        return [outcome for outcome in self.outcomes if not outcome.passed]

    @property
    def accuracy(self) -> float:
        return sum(o.passed for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def escalation_rate(self) -> float | None:
        """Share of out-of-scope cases that were escalated (None when there are none)."""
        out_of_scope = [o for o in self.outcomes if o.case.expect == ESCALATE]
        return sum(o.passed for o in out_of_scope) / len(out_of_scope) if out_of_scope else None

    @property
    def wrong_answers(self) -> int:
        return sum(o.wrong_answer for o in self.outcomes)

    def uncovered(self) -> list[tuple[str, str]]:
        """(entry id, language) pairs with no passing case: nobody checks the bot answers them."""
        return [
            (entry_id, lang) for entry_id in self.answering_ids for lang in self.languages
            if self.table.get((entry_id, lang), [0, 0])[1] == 0
        ]

    def to_json(self) -> dict:
        return {
            "cases": len(self.outcomes),
            "passed": len(self.outcomes) - len(self.failures),
            "accuracy": round(self.accuracy, 4),
            "escalation_rate": None if self.escalation_rate is None else round(self.escalation_rate, 4),
            "wrong_answers": self.wrong_answers,
            "failures": [
                {"q": o.case.question, "expect": o.case.expect, "source": o.case.source, **o.reply.to_json()}
                for o in self.failures
            ],
            "table": [
                {"expect": expect, "lang": lang, "cases": cell[0], "passed": cell[1]}
                for (expect, lang), cell in sorted(self.table.items())
            ],
            "uncovered": [{"entry_id": e, "lang": lang} for e, lang in self.uncovered()],
        }


def load_cases(path: str | Path) -> list[Case]:
    """Read one cases file; problems are reported as ``file:line: message`` like the knowledge base's."""
    path = Path(path)
    root = compose_yaml(read_text(path), str(path))
    cases_node = None
    if isinstance(root, yaml.MappingNode):
        cases_node = next((value for key, value in root.value if str(key.value) == "cases"), None)
    if not isinstance(cases_node, yaml.SequenceNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise KnowledgeError([Problem(str(path), line, "cases_not_list")])
    cases: list[Case] = []
    problems: list[Problem] = []
    for node in cases_node.value:
        fields = {str(k.value): v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
        question, expect = fields.get("q"), fields.get("expect")
        if not isinstance(question, yaml.ScalarNode) or not isinstance(expect, yaml.ScalarNode) or not str(expect.value).strip():
            problems.append(Problem(str(path), node.start_mark.line + 1, "case_fields"))
            continue
        cases.append(Case(str(question.value), str(expect.value).strip(), f"{path}:{node.start_mark.line + 1}"))
    if problems:
        raise KnowledgeError(problems)
    return cases


def run_coverage(assistant: Assistant, cases: list[Case]) -> CoverageReport:
    """Ask every case and collect the outcomes; a case expecting an unknown entry id is an error."""
    unknown = [
        Problem(case.source, None, "case_unknown_id", {"id": case.expect})
        for case in cases if case.expect != ESCALATE and assistant.kb.entry(case.expect) is None
    ]
    if unknown:
        raise KnowledgeError(unknown)
    outcomes = [CaseResult(case, assistant.reply(case.question)) for case in cases]
    kb = assistant.kb
    out_of_scope = frozenset(entry.id for entry in kb.entries if entry.kind == "out_of_scope")
    return CoverageReport(outcomes, [entry.id for entry in kb.entries], sorted(kb.languages()), out_of_scope_ids=out_of_scope)
