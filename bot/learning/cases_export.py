"""Resolved, labelled cases as coverage cases, so the CI coverage suite grows from real questions.

The output is the coverage-case format ``faqbot coverage`` reads (``cases: - q, expect``):
a case resolved with an entry expects that entry, one marked out of scope expects
``escalate``; "new topic" cases are left out (nothing answers them yet).
"""

from __future__ import annotations

import io
from typing import Iterable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from faq.coverage import ESCALATE
from faq.normalize import normalize

from bot.learning.model import ResolvedCase


def expectation(case: ResolvedCase) -> str | None:
    """What a coverage case for ``case`` expects, or None when it cannot be one."""
    if case.label == "entry" and case.entry_id:
        return case.entry_id
    if case.label == "out_of_scope":
        return ESCALATE
    return None


def cases_yaml(cases: Iterable[ResolvedCase], header: str = "") -> str:
    """The coverage-case YAML for ``cases``; each distinct question once, in the given order."""
    seen: set[str] = set()
    items = CommentedSeq()
    for case in cases:
        expect = expectation(case)
        key = normalize(case.question)
        if expect is None or not key or key in seen:
            continue
        seen.add(key)
        item = CommentedMap()
        item["q"] = DoubleQuotedScalarString(case.question.strip())
        item["expect"] = expect
        if case.case is not None:
            item.yaml_add_eol_comment(f"case #{case.case}", "expect")
        items.append(item)
    root = CommentedMap()
    root["cases"] = items
    if header:
        root.yaml_set_start_comment(header)
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()
