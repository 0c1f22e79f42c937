"""The human-readable ``faqbot check`` report: each finding at its line, repeated kinds grouped under one heading."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Sequence, TextIO

from faq.check import Finding
from faq.notices import NOTICES, notice

#: From this many findings of one kind, they are listed under one heading that says what they mean.
GROUP_FROM = 3
#: Finding keys reported together (two wordings of one problem).
_GROUPS = {"left_out_finds": "left_out", "left_out_finds_nothing": "left_out"}


def write_findings(findings: Sequence[Finding], path: Path, lang: str, out: TextIO) -> None:
    """Every finding as ``file:line: level: [yaml path: ]text``; a kind seen often gets a heading first."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.level, _GROUPS.get(finding.key, finding.key))].append(finding)
    for (level, group), members in sorted(groups.items(), key=lambda item: (item[0][0] != "error", item[1][0].line)):
        grouped = len(members) >= GROUP_FROM
        if grouped:
            what_key = f"group_{group}" if f"group_{group}" in NOTICES else "group_other"
            out.write(f"{path}: {notice(level, lang)}: "
                      f"{notice('check_group', lang, count=len(members), level=notice(level, lang), what=notice(what_key, lang))}\n")
        for finding in members:
            where = f"{finding.path}: " if finding.path else ""
            prefix = "  " if grouped else ""
            out.write(f"{prefix}{path}:{finding.line}: {notice(level, lang)}: {where}{finding.text(lang)}\n")
