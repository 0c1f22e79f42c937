"""``faqbot tune``: the rows it chooses, the did-you-mean threshold it writes, where the chosen row is shown,
and ``--write`` refusing values that answer a coverage case wrongly."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from faq import parse_knowledge
from faq.calibration import Outcomes, choose, sweep
from faq.kb_edit import update_settings
from faq.tune import LEVELS, Row, chosen_row, risk_coverage

ROOT = Path(__file__).resolve().parents[1]


def _outcomes(best, gap, right, in_choices, expect_oos) -> Outcomes:
    arrays = [np.asarray(a) for a in (best, gap, right, in_choices, expect_oos)]
    return Outcomes(*arrays, np.zeros(len(arrays[0]), dtype=bool))


def ties_at_margin_zero() -> Outcomes:
    """150 in-scope questions right at 70 with a clear lead, 50 wrong at 40; 5 of 100 out-of-scope ones at 70 with no lead.

    Every threshold up to 70 answers the same 150 right: the out-of-scope five are left
    out only by a margin, so margin 0 answers them for nothing.
    """
    n_in, n_out = 200, 100
    best = np.r_[np.full(150, 70.0), np.full(50, 40.0), np.full(5, 70.0), np.full(95, 30.0)]
    gap = np.r_[np.full(150, 10.0), np.zeros(50), np.full(5, 0.2), np.full(95, 5.0)]
    right = np.r_[np.ones(150, bool), np.zeros(50 + n_out, bool)]
    expect_oos = np.r_[np.zeros(n_in, bool), np.ones(n_out, bool)]
    return _outcomes(best, gap, right, right, expect_oos)


def synthetic(seed: int, n: int = 1500) -> Outcomes:
    """Outcomes where higher scores and leads are more often right, as real ones are (scores on a 0.5 grid: ties)."""
    rng = np.random.default_rng(seed)
    expect_oos = rng.random(n) < 0.4
    best = (np.where(expect_oos, rng.normal(45, 8, n), rng.normal(60, 10, n)) * 2).round() / 2
    gap = rng.choice([0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0], n)
    right = ~expect_oos & (rng.random(n) < 1 / (1 + np.exp(-(best - 50) / 5 - gap / 5)))
    in_choices = right | (~expect_oos & (rng.random(n) < 0.5))
    return _outcomes(best, gap, right, in_choices, expect_oos)


def matched_by_a_stricter_row(outcomes: Outcomes, row: Row) -> list[tuple[float, float]]:
    return [(r.answer_score, r.margin) for r in sweep(outcomes)
            if r.answer_score >= row.answer_score and r.margin >= row.margin
            and (r.answer_score, r.margin) != (row.answer_score, row.margin) and r.right == pytest.approx(row.right)]


def test_the_chosen_row_is_the_strictest_that_answers_as_many_right():
    outcomes = ties_at_margin_zero()
    calibration = choose(outcomes, 0.05)
    rows = risk_coverage(outcomes, calibration, 0.05)
    chosen = chosen_row(rows)
    assert (chosen.answer_score, chosen.right) == (70.0, pytest.approx(0.75))
    assert chosen.margin > 0.2  # the five out-of-scope questions with no lead are not answered
    assert chosen.wrong < 0.05 and not matched_by_a_stricter_row(outcomes, chosen)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("max_wrong_rate", [0.02, 0.06, 0.08])
def test_no_row_of_the_table_is_matched_in_answered_right_by_a_stricter_row(seed, max_wrong_rate):
    outcomes = synthetic(seed)
    rows = risk_coverage(outcomes, choose(outcomes, max_wrong_rate), max_wrong_rate)
    assert rows
    for row in rows:
        assert matched_by_a_stricter_row(outcomes, row) == [], row
        assert row.wrong <= row.max_wrong + 1e-9 or row.chosen


@pytest.mark.parametrize("outcomes", [ties_at_margin_zero(), synthetic(5), synthetic(6, n=30)], ids=["ties", "synthetic", "priors"])
def test_the_did_you_mean_threshold_is_below_the_answer_threshold_in_every_row(outcomes):
    calibration = choose(outcomes, 0.05)
    for row in risk_coverage(outcomes, calibration, 0.05):
        assert row.clarify_score < row.answer_score
        assert row.values()["clarify_score"] < row.values()["answer_score"]


def test_where_choices_help_no_one_the_did_you_mean_threshold_is_one_step_below():
    """No in-scope question short of 70 has its entry among the choices: calibration would stop at 70 itself."""
    outcomes = ties_at_margin_zero()
    assert chosen_row(risk_coverage(outcomes, choose(outcomes, 0.05), 0.05)).clarify_score == 69.5


# --- through the command ----------------------------------------------------------------------------------


def knowledge_copy(tmp_path: Path, **settings: float) -> Path:
    """The bundled knowledge base in ``tmp_path``, with these settings written in."""
    kb = tmp_path / "knowledge.yaml"
    kb.write_text(update_settings((ROOT / "knowledge.yaml").read_text(encoding="utf-8"), settings), encoding="utf-8")
    return kb


def table_lines(output: str) -> list[str]:
    """The table's rows: the lines between the header and the "chosen" line."""
    lines = output.splitlines()
    return lines[2:next(n for n, line in enumerate(lines) if line.startswith(("chosen", "选定")))]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("rate", [0.06, 0.08])
def test_the_chosen_row_is_marked_where_its_level_belongs(tmp_path, lang, rate):
    from bot.cli import main

    kb = knowledge_copy(tmp_path, max_wrong_rate=rate)
    out = io.StringIO()
    assert main(["tune", "--kb", str(kb), "--lang", lang], stdout=out) == 0
    rows = table_lines(out.getvalue())
    levels = [float(line.split("%")[0]) for line in rows]
    assert levels == sorted(levels) and len(set(levels)) == len(levels)  # rising, each level once
    assert set(levels) == {round(100 * level) for level in LEVELS} | {round(100 * rate)}
    marked = [line for line in rows if line.rstrip().endswith("<")]
    assert len(marked) == 1 and float(marked[0].split("%")[0]) == round(100 * rate)
    threshold, margin = (float(value) for value in marked[0].split()[1:3])
    chosen = out.getvalue().splitlines()[len(rows) + 2]
    assert f"answer_score {threshold:g}" in chosen and f"margin {margin:g}" in chosen and "<" in chosen
    no_cases = {"en": "no coverage cases checked", "zh": "未检查覆盖用例"}[lang]
    assert no_cases in out.getvalue()


def faqbot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


#: Questions the bundled knowledge base answers with a clear lead, which these cases say must go to a person.
BREAKABLE_CASES = """\
cases:
  - q: "can i still log in"
    expect: escalate
  - q: "how do I get paid"
    expect: escalate  # an author's slip: it is the payment entry's question
  - q: "How do I close my account?"
    expect: close-account
"""


@pytest.mark.parametrize("lang, refused", [("en", "not written"), ("zh", "未写入")])
def test_write_refuses_values_that_answer_a_coverage_case_wrongly(tmp_path, lang, refused):
    """Today's values answer almost nothing (threshold 90); tune's would answer the two escalate cases."""
    kb = knowledge_copy(tmp_path, answer_score=90, margin=15, clarify_score=40)
    (tmp_path / "coverage.yaml").write_text(BREAKABLE_CASES, encoding="utf-8")  # found next to the knowledge base
    before = kb.read_bytes()
    done = faqbot("tune", "--kb", str(kb), "--write", "--lang", lang)
    assert done.returncode == 1, done.stderr
    assert kb.read_bytes() == before
    assert refused in done.stderr and str(kb) in done.stderr
    listed = [line for line in done.stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == 2
    assert f"{tmp_path / 'coverage.yaml'}:2" in listed[0] and "'can i still log in'" in listed[0]
    assert f"{tmp_path / 'coverage.yaml'}:4" in listed[1] and "'how do I get paid'" in listed[1]
    assert "close my account" not in done.stderr
    assert "Traceback" not in done.stderr and "written to" not in done.stdout and "已写入" not in done.stdout


def test_a_case_wrong_already_does_not_stop_the_write_and_cases_can_be_given(tmp_path):
    """The bundled values answer "can i still log in" already: the chosen values do not make it wrong, so they are written."""
    from bot.cli import main

    kb = knowledge_copy(tmp_path, answer_score=45, margin=3, clarify_score=40)
    cases = tmp_path / "elsewhere.yaml"
    cases.write_text(BREAKABLE_CASES.split('  - q: "how do I get paid')[0], encoding="utf-8")
    out = io.StringIO()
    assert main(["tune", "--kb", str(kb), "--cases", str(cases)], stdout=out) == 0  # without --write: a dry run
    assert f"coverage cases ({cases}): 0/1 pass" in out.getvalue() and "1 answered wrongly" in out.getvalue()
    out = io.StringIO()
    assert main(["tune", "--kb", str(kb), "--cases", str(cases), "--write"], stdout=out) == 0
    assert out.getvalue().splitlines()[-1] == f"written to {kb}"
    settings = parse_knowledge(kb.read_text(encoding="utf-8")).settings
    assert settings.clarify_score < settings.answer_score


def test_a_dry_run_warns_that_write_would_refuse(tmp_path, capsys):
    from bot.cli import main

    kb = knowledge_copy(tmp_path, answer_score=90, margin=15, clarify_score=40)
    cases = tmp_path / "cases.yaml"
    cases.write_text(BREAKABLE_CASES, encoding="utf-8")
    before = kb.read_bytes()
    assert main(["tune", "--kb", str(kb), str(cases), "--lang", "zh"], stdout=io.StringIO()) == 0
    warned = capsys.readouterr().err
    assert "--write 将拒绝写入" in warned and "'can i still log in'" in warned
    assert kb.read_bytes() == before


@pytest.mark.parametrize("lang, said", [("en", "no entries to calibrate on"), ("zh", "没有可用于校准的条目")])
def test_a_knowledge_base_of_drafts_only_has_nothing_to_tune(tmp_path, lang, said):
    from bot.cli import main

    kb = tmp_path / "knowledge.yaml"
    kb.write_text('version: 1\nentries:\n  - id: a\n    draft: true\n    question: {en: "How do I close my store?"}\n',
                  encoding="utf-8")
    out = io.StringIO()
    assert main(["tune", "--kb", str(kb), "--write", "--lang", lang], stdout=out) == 0
    assert out.getvalue().startswith(said) and len(out.getvalue().splitlines()) == 1
