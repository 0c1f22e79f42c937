"""Calibration, ``faqbot tune`` and the settings it writes; the loader's new settings and out_of_scope entries."""

import io
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from faq import Assistant, KnowledgeError, parse_knowledge
from faq.calibration import _MARGINS, _THRESHOLDS, NEAR_BEST, PRIORS, Outcomes, Rates, best_at, choose, rates, sweep
from faq.kb_edit import update_settings
from faq.vector_cache import _Progress

ROOT = Path(__file__).resolve().parents[1]


def synthetic(seed: int, n: int = 1500) -> Outcomes:
    """Outcomes where higher scores and leads are more often right, as real ones are."""
    rng = np.random.default_rng(seed)
    expect_oos = rng.random(n) < 0.4
    best = np.where(expect_oos, rng.normal(45, 8, n), rng.normal(60, 10, n)).round(1)
    gap = rng.uniform(0, 20, n).round(1)
    right = ~expect_oos & (rng.random(n) < 1 / (1 + np.exp(-(best - 50) / 5 - gap / 5)))
    in_choices = right | (~expect_oos & (rng.random(n) < 0.5))
    return Outcomes(best, gap, right, in_choices, expect_oos, np.zeros(n, dtype=bool))


def test_the_sweep_counts_what_rates_counts():
    outcomes = synthetic(1)
    slow = [rates(outcomes, t, m) for m in _MARGINS for t in _THRESHOLDS]
    fast = sweep(outcomes)
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        assert (a.answer_score, a.margin) == (b.answer_score, b.margin)
        assert (a.right, a.wrong, a.wrong_out) == pytest.approx((b.right, b.wrong, b.wrong_out))


def test_a_held_out_phrasing_answered_wrongly_counts_as_several_real_ones():
    """Held-out phrasings are easier than real questions: their wrong answers weigh IN_SCOPE_DIFFICULTY each."""
    from faq.calibration import IN_SCOPE_DIFFICULTY, OUT_OF_SCOPE_SHARE

    n = 1000
    right = np.arange(n) >= 50  # 5% of in-scope questions go to a wrong entry, all at score 60
    zeros = np.zeros(n, dtype=bool)
    inside = Outcomes(np.full(n, 60.0), np.full(n, 10.0), right, right, zeros, zeros)
    outside = Outcomes(np.full(n, 20.0), np.full(n, 10.0), zeros, zeros, ~zeros, zeros)  # never answered
    r = rates(inside + outside, 50.0, 0.0)
    assert (r.right, r.wrong_in, r.wrong_out) == pytest.approx((0.95, 0.05, 0.0))  # what happened, unscaled
    point = (1 - OUT_OF_SCOPE_SHARE) * IN_SCOPE_DIFFICULTY * 0.05
    assert point <= r.wrong <= point + 0.01  # the estimate: scaled, plus a small-sample allowance
    assert IN_SCOPE_DIFFICULTY > 1


def test_a_learned_phrasing_answered_wrongly_counts_once():
    """A held-out learned phrasing is a seller's real question: no difficulty factor on its wrong answers."""
    from faq.calibration import IN_SCOPE_DIFFICULTY

    n = 1000
    right = np.arange(n) >= 50
    zeros = np.zeros(n, dtype=bool)
    outside = Outcomes(np.full(n, 20.0), np.full(n, 10.0), zeros, zeros, ~zeros, zeros)
    authored = Outcomes(np.full(n, 60.0), np.full(n, 10.0), right, right, zeros, zeros)
    learned = Outcomes(np.full(n, 60.0), np.full(n, 10.0), right, right, zeros, zeros, ~zeros)
    by_author, by_sellers = rates(authored + outside, 50.0, 0.0), rates(learned + outside, 50.0, 0.0)
    assert by_author.wrong_in == by_sellers.wrong_in == pytest.approx(0.05)  # the same wrong answers happened
    assert by_sellers.wrong < by_author.wrong / (IN_SCOPE_DIFFICULTY - 0.5)  # but only the author's are scaled up
    mixed = learned + authored + outside
    slow = [rates(mixed, t, m) for m in _MARGINS for t in _THRESHOLDS]
    assert [r.wrong for r in sweep(mixed)] == pytest.approx([r.wrong for r in slow])


def test_learned_phrasings_are_held_out_as_real_questions(tmp_path):
    """The loader marks ``learned:`` phrasings; calibration asks them and flags their rows as real."""
    from faq.pseudo import pseudo_outcomes

    entries = "".join(
        f"  - id: e{n}\n    question: {{en: 'topic {n} question'}}\n"
        f"    alternates: {{en: ['topic {n} other wording', 'about topic {n}']}}\n"
        f"    learned: {{en: ['my topic {n} problem', 'help with topic {n}']}}\n"
        f"    answer: {{en: 'Answer {n}.'}}\n" for n in range(12))
    kb = parse_knowledge(f"version: 1\nentries:\n{entries}")
    entry = kb.entries[0]
    assert entry.alternates["en"][-2:] == ("my topic 0 problem", "help with topic 0")
    assert entry.learned == {("en", "my topic 0 problem"), ("en", "help with topic 0")}
    rows = [text for e in kb.entries for _, text in e.phrasings()]
    owners = np.repeat(np.arange(len(kb.entries)), [len(e.phrasings()) for e in kb.entries])
    vectors = np.random.default_rng(0).normal(size=(len(rows), 8))
    outcomes = pseudo_outcomes(kb, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), owners)
    asked_in = ~outcomes.expect_oos
    assert outcomes.real[asked_in].any() and not outcomes.real[asked_in].all()
    assert not outcomes.real[outcomes.expect_oos].any()


@pytest.mark.parametrize("target", [0.02, 0.05, 0.10])
def test_choose_meets_the_target_and_answers_more_when_allowed_more(target):
    outcomes = synthetic(2)
    chosen = choose(outcomes, target)
    assert chosen.source == "calibrated"
    assert rates(outcomes, chosen.answer_score, chosen.margin).wrong <= target + 1e-9
    assert chosen.clarify_score <= chosen.answer_score
    looser = choose(outcomes, target * 2)
    assert looser.expected.right >= chosen.expected.right


def test_the_margin_is_part_of_the_search():
    """Wrong answers here all have small leads: a margin removes them without raising the threshold."""
    n = 400
    best = np.full(n, 70.0)
    gap = np.where(np.arange(n) % 4 == 0, 0.5, 10.0)
    right = gap > 1
    outcomes = Outcomes(best, gap, right, right, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    outcomes = outcomes + Outcomes(np.full(100, 30.0), np.full(100, 5.0), np.zeros(100, bool), np.zeros(100, bool),
                                   np.ones(100, bool), np.zeros(100, bool))
    chosen = choose(outcomes, 0.05)
    assert chosen.margin > 0.5 and chosen.expected.right == pytest.approx(0.75)


def test_too_few_pseudo_questions_use_the_priors():
    chosen = choose(synthetic(3, n=30), 0.05)
    assert chosen.source == "priors"
    assert (chosen.answer_score, chosen.margin, chosen.clarify_score) == PRIORS


SETTINGS_KB = """\
    version: 1
    settings:
      semantic: {semantic}
      max_wrong_rate: {rate}
    entries:
      - id: one
        question: {{en: "How do I close my store?"}}
        answer: {{en: "Like this."}}
    """


def test_semantic_and_max_wrong_rate_are_read_and_checked():
    kb = parse_knowledge(textwrap.dedent(SETTINGS_KB.format(semantic="false", rate="0.1")))
    assert kb.settings.semantic is False and kb.settings.max_wrong_rate == 0.1 and kb.settings.explicit == frozenset()
    with pytest.raises(KnowledgeError) as error:
        parse_knowledge(textwrap.dedent(SETTINGS_KB.format(semantic="maybe", rate="5")), "kb.yaml")
    assert error.value.problems == [
        "kb.yaml:3: settings.semantic must be true or false",
        "kb.yaml:4: settings.max_wrong_rate must be between 0 and 1",
    ]


def test_thresholds_set_in_the_file_override_calibration(shipped_kb):
    assert {"answer_score", "margin", "clarify_score"} <= shipped_kb.settings.explicit
    assistant = Assistant(shipped_kb)
    assert assistant.calibration is not None
    assert assistant.settings.answer_score == shipped_kb.settings.answer_score
    assert assistant.settings.margin == shipped_kb.settings.margin


def test_an_out_of_scope_entry_needs_no_answer_but_other_kinds_do():
    kb = parse_knowledge(textwrap.dedent("""\
        version: 1
        entries:
          - id: fees
            kind: out_of_scope
            question: {en: "What are the fees?"}
        """))
    assert kb.entries[0].kind == "out_of_scope" and kb.entries[0].answer == {}
    with pytest.raises(KnowledgeError, match="entry is missing 'answer'"):
        parse_knowledge("version: 1\nentries:\n  - id: fees\n    question: {en: fees}\n")


def test_update_settings_keeps_the_file_as_written():
    text = textwrap.dedent("""\
        # my FAQ
        version: 1
        settings:
          margin: 3   # tuned by hand
          support_contact: {en: "Support", zh: '支持'}
        # the entries
        entries:
          - id: one
            question: {en: "A very long question that must not be wrapped by the writer at all, however long it gets"}
            answer: {en: "Yes."}
        """)
    written = update_settings(text, {"answer_score": 47.5, "margin": 2.0})
    assert written.splitlines()[:4] == ["# my FAQ", "version: 1", "settings:", "  answer_score: 47.5"]
    assert any(line.startswith("  margin: 2.0") and line.endswith("# tuned by hand") for line in written.splitlines())
    assert """support_contact: {en: "Support", zh: '支持'}""" in written
    assert "# the entries" in written
    assert text.splitlines()[-2] in written.splitlines()
    assert parse_knowledge(written).settings.answer_score == 47.5
    assert "settings:\n  margin: 1\n" in update_settings("version: 1\nentries: []\n", {"margin": 1})


def test_progress_shows_only_on_a_terminal_for_large_builds():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = _Progress(5000, stream)
        progress.show("encoding phrasings", 512, 5000)
        progress.finish()
    assert "encoding phrasings 512/5000" in terminal.getvalue() and pipe.getvalue() == ""
    small = Terminal()
    _Progress(10, small).show("encoding phrasings", 10, 10)
    assert small.getvalue() == ""


def faqbot(*args, cwd):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=None, timeout=300)


def test_tune_prints_the_table_and_writes_only_the_settings(tmp_path):
    kb = tmp_path / "knowledge.yaml"
    original = (ROOT / "knowledge.yaml").read_text(encoding="utf-8")
    kb.write_text(original, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "tune", "--kb", str(kb), str(ROOT / "tests" / "coverage" / "seed_cases.yaml"), "--write"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("calibrated on ") and "max wrong" in lines[1]
    assert any(line.rstrip().endswith("<") for line in lines) and "written to" in lines[-1]
    written = kb.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(original.splitlines(), written.splitlines()) if a != b]
    assert len(written.splitlines()) == len(original.splitlines())  # the values were there already: replaced in place
    assert all(a.split(":")[0] == b.split(":")[0] and a.split(":")[0].strip() in {"answer_score", "margin", "clarify_score"}
               for a, b in changed)
    settings = parse_knowledge(written).settings
    assert settings.clarify_score < settings.answer_score  # calibration's own stops at the threshold here


def test_check_says_when_thresholds_come_from_priors(tmp_path):
    kb = tmp_path / "kb.yaml"
    kb.write_text(textwrap.dedent(SETTINGS_KB.format(semantic="true", rate="0.05")), encoding="utf-8")
    done = faqbot("check", "--kb", str(kb), "--quick", cwd=ROOT)
    assert done.returncode == 0
    assert f"{kb}:1: warning: thresholds come from priors" in done.stdout
    kb.write_text(textwrap.dedent(SETTINGS_KB.format(semantic="false", rate="0.05")), encoding="utf-8")
    assert "priors" not in faqbot("check", "--kb", str(kb), "--quick", cwd=ROOT).stdout


def test_coverage_never_flags_out_of_scope_topics_as_uncovered(shipped_kb):
    from faq.coverage import Case, run_coverage

    report = run_coverage(Assistant(shipped_kb), [Case("Can I close my account?", "close-account", "x:1")])
    uncovered = {entry_id for entry_id, _ in report.uncovered()}
    assert not {e.id for e in shipped_kb.entries if e.kind == "out_of_scope"} & uncovered
    assert "payment" in uncovered


def test_no_semantic_flag_gives_the_lexical_engine(shipped_kb):
    from bot.cli import main

    out = io.StringIO()
    main(["ask", "--json", "--no-semantic", "--kb", str(ROOT / "knowledge.yaml"), "How do I change my payout bank account"], stdout=out)
    lexical = Assistant(replace(shipped_kb, settings=replace(shipped_kb.settings, semantic=False)), encoder=None)
    import json

    assert json.loads(out.getvalue())["score"] == round(lexical.reply("How do I change my payout bank account").score, 1)


def test_check_lists_the_out_of_scope_topics():
    done = faqbot("check", "--kb", str(ROOT / "knowledge.yaml"), "--quick", cwd=ROOT)
    assert done.returncode == 0
    line = next(line for line in done.stdout.splitlines() if "out-of-scope topics" in line)
    assert "oos-fees-fba" in line and "close-account" not in line


def test_a_case_can_expect_an_out_of_scope_topic(shipped_kb):
    from faq.coverage import Case, run_coverage

    cases = [Case("How much are the FBA storage fees?", "oos-fees-fba", "x:1"),
             Case("How much are the FBA storage fees?", "oos-account-security", "x:2")]
    report = run_coverage(Assistant(shipped_kb), cases)
    assert [o.passed for o in report.outcomes] == [True, False]
    assert report.wrong_answers == 0


def test_with_real_questions_the_widest_margin_among_the_nearly_best_rows_is_chosen():
    """Estimates resting on a few hundred hard real questions cannot tell rows 1.6 points apart: take the safer lead."""
    def row(threshold: float, margin: float, right: float) -> Rates:
        return Rates(threshold, margin, right, 0.05, 0.02, 0.2, 0.8)

    narrow, wide, wider_but_worse = row(46.0, 1.5, 0.533), row(35.5, 8.0, 0.517), row(38.0, 12.0, 0.533 - 2 * NEAR_BEST)
    table = [narrow, wide, wider_but_worse]
    assert best_at(table, 0.06) == narrow  # the author's phrasings alone: the estimate is trusted as it is
    assert best_at(table, 0.06, uncertain=True) == wide
    assert best_at(table, 0.04, uncertain=True) is None  # nothing within the target stays nothing


def test_calibration_trusts_its_estimates_as_they_are_until_the_knowledge_base_has_learned(shipped_kb):
    """The bundled file has no learned phrasings: its choice is the plain best row, as before."""
    outcomes = Assistant(shipped_kb).semantic.outcomes
    assert not outcomes.real.any()
    chosen = choose(outcomes, 0.06)
    assert (chosen.answer_score, chosen.margin) == (best_at(sweep(outcomes), 0.06).answer_score, best_at(sweep(outcomes), 0.06).margin)
