"""``faqbot tune``: print the risk-coverage table and, with ``--write``, store the chosen thresholds.

The work is in ``faq.tune`` and ``faq.kb_edit``; this module reads the files,
asks the coverage cases with the values as they are and as they would be
written, prints in the author's language and writes the knowledge base back
only when no case would turn into a wrong answer (whole or not at all, :mod:`bot.files`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.files import read_styled, write_atomically
from faq import Assistant, load_knowledge, parse_knowledge
from faq.coverage import Case, CaseResult, CoverageReport, load_cases, run_coverage
from faq.kb_edit import update_settings
from faq.model import KnowledgeBase
from faq.notices import notice
from faq.tune import Row, case_pairs, chosen_row, made_wrong, risk_coverage

#: Where ``faqbot init`` puts a knowledge base's coverage cases: read when no case file is given.
CASES_NEXT_TO_KB = "coverage.yaml"


def case_files(given: list[str], kb_path: Path) -> list[Path]:
    """The case files to calibrate on and check: those given, else ``coverage.yaml`` next to the knowledge base."""
    if given:
        return [Path(file) for file in given]
    beside = kb_path.parent / CASES_NEXT_TO_KB
    return [beside] if beside.is_file() else []


def run_tune(path: Path, given_cases: list[str], write: bool, lang: str, stdout: TextIO, stderr: TextIO) -> int:
    """Print the table; with ``write``, store the chosen values unless they break a coverage case. The exit code."""
    kb = load_knowledge(path)
    if not kb.settings.semantic:
        stdout.write(notice("tune_off", lang) + "\n")
        return 0
    if not kb.entries:
        stdout.write(notice("tune_no_entries", lang) + "\n")
        return 0
    files = case_files(given_cases, path)
    cases = [case for file in files for case in load_cases(file)]
    now = run_coverage(Assistant(kb), cases) if cases else None  # also stops on a case naming an unknown entry
    fresh = replace(kb, settings=replace(kb.settings, explicit=frozenset()))  # calibrate as if nothing were set
    assistant = Assistant(fresh, cases=case_pairs(cases))
    calibration, semantic = assistant.calibration, assistant.semantic
    assert calibration is not None and semantic is not None
    source = notice("tune_calibrated" if calibration.source == "calibrated" else "tune_priors", lang)
    stdout.write(notice("tune_source", lang, source=source, n_in=calibration.n_in, n_out=calibration.n_out,
                        n_real=calibration.n_real,
                        rate=f"{kb.settings.max_wrong_rate:g}") + "\n")
    rows = risk_coverage(semantic.outcomes, calibration, kb.settings.max_wrong_rate)
    write_table(rows, lang, stdout)
    chosen = chosen_row(rows)
    text, style = read_styled(path)  # the file keeps its line endings and BOM
    edited = update_settings(text, chosen.values())
    broken = _check_cases(now, parse_knowledge(edited, str(path)), cases, files, lang, stdout)
    if broken:
        _write_refusal(broken, path, write, lang, stderr)
        return 1 if write else 0
    if write:
        try:
            write_atomically(path, style.apply(edited))  # a crash or a full disk leaves the old file whole
        except OSError as error:
            stderr.write(f"faqbot: {error.filename or path}: {error.strerror or error}\n")
            return 1
        stdout.write(notice("tune_written", lang, path=path) + "\n")
    return 0


def write_table(rows: list[Row], lang: str, out: TextIO) -> None:
    """The rows in rising order of wrong answers allowed, the chosen one marked ``<``, then its values."""
    out.write(notice("tune_header", lang) + "\n")
    for row in rows:
        mark = " <" if row.chosen else ""
        out.write(f"{100 * row.max_wrong:>8.0f}%  {row.answer_score:>9.1f}  {row.margin:>6.1f}  {100 * row.right:>13.1f}%"
                  f"  {100 * row.did_you_mean:>11.1f}%  {100 * row.escalated:>12.1f}%  {100 * row.wrong:>16.1f}%{mark}\n")
    chosen = chosen_row(rows)
    out.write(notice("tune_chosen", lang, answer=f"{chosen.answer_score:g}", margin=f"{chosen.margin:g}",
                     clarify=f"{chosen.clarify_score:g}") + "\n")


def _check_cases(now: CoverageReport | None, edited: KnowledgeBase, cases: list[Case], files: list[Path],
                 lang: str, out: TextIO) -> list[tuple[CaseResult, CaseResult]]:
    """Ask the cases with the values written into ``edited``; print how many pass; the cases turned wrong."""
    if now is None:
        out.write(notice("tune_no_cases", lang, name=CASES_NEXT_TO_KB) + "\n")
        return []
    written = run_coverage(Assistant(edited), cases)
    passed = len(written.outcomes) - len(written.failures)
    out.write(notice("tune_cases_checked", lang, files=", ".join(map(str, files)), passed=passed,
                     cases=len(cases), before=len(now.outcomes) - len(now.failures),
                     wrong=written.wrong_answers) + "\n")
    return made_wrong(now, written)


def _write_refusal(broken: list[tuple[CaseResult, CaseResult]], path: Path, write: bool, lang: str,
                   out: TextIO) -> None:
    """Which cases the chosen values would answer wrongly, and that nothing was (or would be) written."""
    out.write(notice("tune_refused" if write else "tune_would_refuse", lang, count=len(broken), path=path) + "\n")
    for before, after in broken:
        out.write("  " + notice("tune_case_made_wrong", lang, source=after.case.source, question=repr(after.case.question),
                                expect=after.case.expect, now=_got(before), then=_got(after),
                                score=f"{after.reply.score:.0f}") + "\n")


def _got(outcome: CaseResult) -> str:
    reply = outcome.reply
    return f"{reply.action} {reply.entry_id or ''}".strip()
