"""``faqbot suggest``, ``faqbot report --html`` and ``faqbot escalations export --format cases``: the store and
the files wired to the learning loop (``bot.learning``), which does the work.

``suggest`` prints the unified diff of the knowledge base on stdout and the summary
on stderr, so ``faqbot suggest > kb.diff`` keeps a diff that ``patch -p1`` applies;
with ``--write OUT`` it writes the edited file instead and prints the summary.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.commands.cli_texts import help_texts
from bot.files import read_styled, write_atomically
from faq.catalog import Catalog

if TYPE_CHECKING:
    from bot.store import LearningStore

TEXTS = Catalog({
    "suggest_wrote": {
        "en": "Wrote {path} ({changes} changes to {kb}); review it, then replace {kb} with it.",
        "zh": "已写入 {path}(对 {kb} 的 {changes} 处修改);审阅后再用它替换 {kb}。",
    },
    "suggest_no_changes": {"en": "No changes to propose.", "zh": "没有可建议的修改。"},
    "suggest_read": {
        "en": "Read {asked} logged questions, {labelled} labelled, {votes} votes{since}.",
        "zh": "读取了 {asked} 个记录的问题、{labelled} 个标注、{votes} 个评价{since}。",
    },
    "since": {"en": " since {moment}", "zh": "(自 {moment} 起)"},
    "report_wrote": {"en": "Wrote the HTML report to {path}.", "zh": "HTML 报告已写入 {path}。"},
    "cases_header": {
        "en": "Coverage cases from resolved, labelled escalations (faqbot escalations export --format cases).\n"
              "Check each expectation before adding this file to the coverage suite.",
        "zh": "来自已解决并已标注的升级案例的覆盖用例(faqbot escalations export --format cases)。\n"
              "加入覆盖测试前请逐条核对期望结果。",
    },
})


def add_suggest_parser(commands: argparse._SubParsersAction, lang: str = "en") -> None:
    """The ``suggest`` sub-command's arguments, their help in ``lang``."""
    t = help_texts(lang)
    suggest = commands.add_parser("suggest", help=t("suggest"))
    suggest.add_argument("--kb", metavar="FILE", help=t("kb"))
    suggest.add_argument("--since", default="all", metavar="WHEN", help=t("suggest_since"))
    suggest.add_argument("--cases", nargs="+", default=[], metavar="FILE", help=t("suggest_cases"))
    suggest.add_argument("--write", metavar="OUT", help=t("suggest_write"))
    suggest.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))
    suggest.add_argument("--db", metavar="URL", help=t("db"))


def since_option(text: str) -> datetime | None:
    """``--since``: ``all`` (None), a duration ago or an ISO date (``bot.commands.durations``); ``UsageError`` otherwise."""
    from bot.commands.cli_parser import UsageError
    from bot.commands.durations import parse_moment

    if text.strip().lower() == "all":
        return None
    try:
        return parse_moment(text)
    except (ValueError, OverflowError):
        raise UsageError(f"--since: expected 30m, 24h, 7d, 2w, an ISO date or 'all', got {text!r}") from None


def diff_path(path: Path) -> str:
    """The knowledge base as the diff names it: relative to the working directory when inside it, else its name.

    ``patch -p1`` run where ``faqbot suggest`` ran then finds the file.
    """
    try:
        relative = Path(os.path.relpath(path.resolve()))
    except ValueError:  # another drive (Windows)
        return path.name
    return path.name if relative.parts[:1] == ("..",) else relative.as_posix()


def run_suggest(kb_path: Path, store: LearningStore, since: datetime | None, case_files: list[str], write: str | None,
                lang: str, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Read the log, propose, prove and print (or write) the edited knowledge base; return how many changes."""
    from bot.learning.leave_one_out import default_workers
    from bot.learning.suggest import apply, suggest, unified_diff
    from bot.learning.summary import render_summary
    from faq import load_knowledge
    from faq.coverage import load_cases

    stderr = stderr or sys.stderr
    kb = load_knowledge(kb_path)
    cases = [case for path in case_files for case in load_cases(path)]
    text, style = read_styled(kb_path)  # edits and diffs keep the file's line endings and BOM
    traffic = store.traffic(since)
    suggestions = suggest(kb, traffic, cases, workers=default_workers())
    edited = apply(text, kb, suggestions)
    note = stdout if write else stderr
    when = TEXTS.text("since", lang, moment=since.isoformat(timespec="minutes")) if since else ""
    note.write(TEXTS.text("suggest_read", lang, asked=len(traffic.asked), labelled=len(traffic.labelled),
                          votes=len(traffic.votes), since=when) + "\n")
    note.write(render_summary(suggestions, lang))
    if write:
        write_atomically(write, style.apply(edited))
        stdout.write(TEXTS.text("suggest_wrote", lang, path=write, changes=suggestions.changes, kb=kb_path.name) + "\n")
    elif edited != text:
        stdout.write(unified_diff(style.apply(text), style.apply(edited), diff_path(kb_path)))
    if edited == text:
        note.write(TEXTS.text("suggest_no_changes", lang) + "\n")
    return suggestions.changes


def write_html_report(path: str, store: LearningStore, since: datetime | None, kb_path: Path, case_files: list[str],
                      lang: str, top: int = 10, vectors=None) -> None:
    """``faqbot report --html FILE``: the log (and the coverage table when case files are given) as one page.

    ``vectors``: how alike questions are grouped (default: as the knowledge base at ``kb_path`` matches).
    """
    from datetime import timezone

    from bot.learning.grouping import KnowledgeBaseVectors
    from bot.learning.html_report import render_html
    from bot.learning.report_data import report_data

    coverage = None
    if case_files:
        from faq import Assistant, load_knowledge
        from faq.coverage import load_cases, run_coverage

        kb = load_knowledge(kb_path)
        coverage = run_coverage(Assistant(kb), [case for file in case_files for case in load_cases(file)])
    data = report_data(store.traffic(since), store.case_records(since), coverage, top=top,
                       now=datetime.now(timezone.utc), vectors=vectors or KnowledgeBaseVectors(kb_path))
    write_atomically(path, render_html(data, lang), private=True)  # sellers' questions: 0600 when new


def write_cases_export(store: LearningStore, out: TextIO, lang: str) -> int:
    """``faqbot escalations export --format cases``: resolved, labelled cases as coverage cases; return how many."""
    from bot.learning.cases_export import cases_yaml

    cases = store.resolved_cases()
    out.write(cases_yaml(cases, header=TEXTS.text("cases_header", lang)))
    return len(cases)
