"""``faqbot tune``: print the risk-coverage table and, with ``--write``, store the chosen thresholds.

The work is in ``faq.tune`` and ``faq.kb_edit``; this module only reads the
files, prints in the author's language and writes the knowledge base back.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TextIO

from faq import Assistant, load_knowledge
from faq.coverage import load_cases
from faq.kb_edit import update_settings
from faq.loader import read_text
from faq.notices import notice
from faq.tune import case_pairs, chosen_values, risk_coverage


def run_tune(path: Path, case_files: list[str], write: bool, lang: str, stdout: TextIO) -> int:
    kb = load_knowledge(path)
    if not kb.settings.semantic:
        stdout.write(notice("tune_off", lang) + "\n")
        return 0
    cases = [case for case_file in case_files for case in load_cases(case_file)]
    fresh = replace(kb, settings=replace(kb.settings, explicit=frozenset()))  # calibrate as if nothing were set
    assistant = Assistant(fresh, cases=case_pairs(cases))
    calibration = assistant.calibration
    assert calibration is not None
    source = notice("tune_calibrated" if calibration.source == "calibrated" else "tune_priors", lang)
    stdout.write(notice("tune_source", lang, source=source, n_in=calibration.n_in, n_out=calibration.n_out,
                        n_real=calibration.n_real,
                        rate=f"{kb.settings.max_wrong_rate:g}") + "\n")
    stdout.write(notice("tune_header", lang) + "\n")
    for row in risk_coverage(assistant):
        mark = " <" if row.chosen else ""
        stdout.write(f"{100 * row.max_wrong:>8.0f}%  {row.answer_score:>9.1f}  {row.margin:>6.1f}  {100 * row.right:>13.1f}%"
                     f"  {100 * row.did_you_mean:>11.1f}%  {100 * row.escalated:>12.1f}%  {100 * row.wrong:>16.1f}%{mark}\n")
    values = chosen_values(assistant)
    stdout.write(notice("tune_chosen", lang, answer=f"{values['answer_score']:g}", margin=f"{values['margin']:g}",
                        clarify=f"{values['clarify_score']:g}") + "\n")
    if write:
        path.write_text(update_settings(read_text(path), values), encoding="utf-8")
        load_knowledge(path)  # the written file must still load
        stdout.write(notice("tune_written", lang, path=path) + "\n")
    return 0
