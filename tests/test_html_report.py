"""The HTML report: self-contained, bilingual, and its charts render in a real headless browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from faq import Assistant, load_knowledge
from faq.coverage import load_cases, run_coverage

from bot.learning.html_report import LABELS, render_html
from bot.learning.model import Asked, CaseRecord, Traffic, Vote
from bot.learning.report_data import report_data

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def data():
    kb = load_knowledge(ROOT / "knowledge.yaml")
    assistant = Assistant(kb)
    questions = ["can I close my account", "还能登录卖家平台吗", "when will I get paid", "how do I set up sponsored ads",
                 "怎么设置广告", "<script>alert(1)</script> fees?", "what can you do"]
    asked = []
    for n in range(140):
        text = questions[n % len(questions)]
        reply = assistant.reply(text)
        asked.append(Asked(text, reply.lang, T0 + timedelta(hours=3 * n), reply.action, reply.entry_id))
    votes = [Vote("q", "en", T0, entry, n % 3 != 0) for n, entry in enumerate(["payment", "close-account"] * 6)]
    cases = [CaseRecord(T0, T0 + timedelta(hours=5)), CaseRecord(T0, T0 + timedelta(hours=9)), CaseRecord(T0)]
    coverage = run_coverage(assistant, load_cases(ROOT / "tests" / "coverage" / "seed_cases.yaml"))
    return report_data(Traffic(asked=asked, votes=votes), cases, coverage)


def test_the_numbers_come_from_the_records(data):
    assert data.questions == 140 and len(data.days) == 18
    assert (data.open_cases, data.resolved_cases, data.median_hours) == (1, 2, 7.0)
    assert {row.entry_id: (row.helpful, row.not_helpful) for row in data.votes} == {"payment": (4, 2), "close-account": (4, 2)}
    assert data.coverage and data.coverage_accuracy == 1.0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_is_self_contained_escaped_and_in_the_chosen_language(data, lang):
    html = render_html(data, lang)
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", html)
    assert re.findall(r"https?://[^\"' ]+", html) == ["http://www.w3.org/2000/svg"]  # the SVG namespace, never fetched
    assert "<script>alert(1)" not in html
    for name in ("per_day_outcome", "top_entries", "groups", "votes", "coverage"):
        assert LABELS[name][lang] in html


def test_every_label_has_both_languages():
    assert all(set(texts) == {"en", "zh"} and all(texts.values()) for texts in LABELS.values())


def _dump_dom(path: Path, profile: Path) -> str:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--dump-dom", path.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_charts_render_in_headless_chromium_without_script_errors(data, lang, tmp_path):
    page = tmp_path / f"report-{lang}.html"
    page.write_text(render_html(data, lang), encoding="utf-8")
    dom = _dump_dom(page, tmp_path / "profile")
    assert 'data-chart-error="' not in dom
    assert 'data-charts-drawn="5"' in dom
    assert dom.count("<svg") == 5 and dom.count("<rect") > 100


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium)")
def test_a_script_error_is_visible_in_the_dom(tmp_path):
    broken = render_html(report_data(Traffic(asked=[Asked("q", "en", T0, "answer", "a")])), "en")
    broken = broken.replace('data-chart="columns"', 'data-chart="no-such-kind"', 1)
    page = tmp_path / "broken.html"
    page.write_text(broken, encoding="utf-8")
    dom = _dump_dom(page, tmp_path / "profile")
    assert 'data-chart-error="' in dom and 'data-charts-drawn="' not in dom


def test_an_empty_log_still_gives_a_page_that_says_so():
    from bot.learning.report_data import ReportData

    html = render_html(ReportData(), "zh")
    assert html.count(LABELS["nothing"]["zh"]) == 5 and "<figure" not in html


def one_day(count: int) -> Traffic:
    """``count`` questions on one day, one every 40 minutes from 08:00."""
    return Traffic(asked=[Asked("q", "en" if n % 2 else "zh", T0 + timedelta(minutes=40 * n), "answer", "payment")
                          for n in range(count)])


@pytest.mark.parametrize("count, days, english", [(1, 1, "1 question over 1 day; 1 open case,"),
                                                  (14, 1, "14 questions over 1 day; 1 open case,"),
                                                  (140, 18, "140 questions over 18 days; 2 open cases,")])
def test_counted_words_take_the_form_their_number_needs(count, days, english):
    traffic = one_day(count) if count < 100 else Traffic(
        asked=[Asked("q", "en", T0 + timedelta(hours=3 * n), "answer", "payment") for n in range(count)])
    cases = [CaseRecord(T0)] * (1 if count < 100 else 2)
    data = report_data(traffic, cases)
    assert len(data.days) == days
    assert english in render_html(data, "en")
    assert f"{days} 天内共 {count} 个问题" in render_html(data, "zh")


def test_one_day_of_questions_is_charted_per_hour():
    data = report_data(one_day(14))  # 08:00 to 16:40
    assert [hour.hour for hour in data.hours] == list(range(8, 17))
    assert sum(sum(hour.outcomes.values()) for hour in data.hours) == 14
    html = render_html(data, "en")
    assert "Questions per hour on 2026-11-01, by outcome" in html and "&quot;08:00&quot;" in html
    assert "2026-11-01 每小时问题数(按处理结果)" in render_html(data, "zh")
    several = report_data(Traffic(asked=[*one_day(3).asked, Asked("q", "en", T0 + timedelta(days=2), "answer", "x")]))
    assert several.hours == [] and "Questions per day, by outcome" in render_html(several, "en")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium)")
def test_a_one_day_chart_draws_a_bar_per_hour_in_chromium(tmp_path):
    page = tmp_path / "one-day.html"
    page.write_text(render_html(report_data(one_day(14)), "en"), encoding="utf-8")
    dom = _dump_dom(page, tmp_path / "profile")
    assert 'data-chart-error="' not in dom
    first_chart = dom[dom.index("<svg"):dom.index("</svg>")]
    hours_with_questions = {8, 9, 10, 11, 12, 13, 14, 15, 16}
    assert first_chart.count("<rect") >= len(hours_with_questions) and ">08:00<" in first_chart
