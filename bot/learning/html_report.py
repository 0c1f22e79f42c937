"""``faqbot report --html``: one self-contained HTML page, readable offline, in English or Chinese.

Data goes into the page as JSON attributes of ``<figure>`` elements and is drawn by the
inline script in ``bot.learning.charts_js``; tables are plain HTML, so the numbers are
there even with scripts off.
"""

from __future__ import annotations

import json
from html import escape

from bot.terminal_text import clip  # sellers' questions cut like every other view (1 MB each would make an 8 MB page)

from bot.learning.charts_js import CHARTS_JS
from bot.learning.report_data import OUTCOMES, ReportData

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "faqbot report", "zh": "faqbot 报告"},
    "summary": {
        "en": "{questions} over {days}; {open}, {resolved} resolved, median time to resolution {median}",
        "zh": "{days}内共 {questions};未结案例 {open} 个,已解决 {resolved} 个,解决时间中位数 {median}",
    },
    # counted words: "_one" for exactly one, "_other" for any other number (Chinese has one form)
    "questions_one": {"en": "{n} question", "zh": "{n} 个问题"},
    "questions_other": {"en": "{n} questions", "zh": "{n} 个问题"},
    "days_one": {"en": "{n} day", "zh": "{n} 天"},
    "days_other": {"en": "{n} days", "zh": "{n} 天"},
    "open_one": {"en": "{n} open case", "zh": "{n}"},
    "open_other": {"en": "{n} open cases", "zh": "{n}"},
    "per_hour_outcome": {"en": "Questions per hour on {day}, by outcome", "zh": "{day} 每小时问题数(按处理结果)"},
    "per_hour_lang": {"en": "Questions per hour on {day}, by language", "zh": "{day} 每小时问题数(按语言)"},
    "hours": {"en": "{hours} h", "zh": "{hours} 小时"},
    "per_day_outcome": {"en": "Questions per day, by outcome", "zh": "每日问题数(按处理结果)"},
    "per_day_lang": {"en": "Questions per day, by language", "zh": "每日问题数(按语言)"},
    "top_entries": {"en": "Most asked entries (answered)", "zh": "被问得最多的条目(已回答)"},
    "groups": {"en": "Largest groups of unanswered questions", "zh": "最大的未回答问题组"},
    "votes": {"en": "Helpful / not helpful per entry", "zh": "各条目的“有帮助 / 没帮助”"},
    "coverage": {"en": "Coverage cases", "zh": "覆盖测试用例"},
    "coverage_accuracy": {"en": "Accuracy: {accuracy}%", "zh": "准确率:{accuracy}%"},
    "answer": {"en": "answered", "zh": "已回答"},
    "clarify": {"en": "did you mean", "zh": "提供候选"},
    "escalate": {"en": "escalated", "zh": "已转交"},
    "helpful": {"en": "helpful", "zh": "有帮助"},
    "not_helpful": {"en": "not helpful", "zh": "没帮助"},
    "lang_en": {"en": "English", "zh": "英文"},
    "lang_zh": {"en": "Chinese", "zh": "中文"},
    "entry": {"en": "entry", "zh": "条目"},
    "language": {"en": "language", "zh": "语言"},
    "count": {"en": "questions", "zh": "问题数"},
    "examples": {"en": "examples", "zh": "示例"},
    "cases": {"en": "cases", "zh": "用例"},
    "passed": {"en": "passed", "zh": "通过"},
    "date": {"en": "date", "zh": "日期"},
    "nothing": {"en": "Nothing yet.", "zh": "暂无数据。"},
    "no_script": {"en": "Charts need JavaScript; the tables below hold the same numbers.", "zh": "图表需要 JavaScript;下方表格包含相同的数据。"},
}

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 24px auto; max-width: 780px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; margin-top: 6px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td.n { text-align: right; } figure { margin: 8px 0; } .muted { color: #666; font-size: 12px; }
"""


def label(name: str, lang: str, **values: object) -> str:
    """Report label ``name`` in ``lang`` (English when the language is unknown)."""
    texts = LABELS[name]
    return (texts.get(lang) or texts["en"]).format(**values)


def counted(name: str, n: int, lang: str) -> str:
    """``n`` with the word ``name`` in the form its number takes in ``lang`` ("1 day", "2 days")."""
    return label(f"{name}_one" if n == 1 else f"{name}_other", lang, n=n)


def _figure(kind: str, labels: list[str], series: list[dict]) -> str:
    spec = json.dumps({"labels": labels, "series": series}, ensure_ascii=False)
    return f'<figure data-chart="{kind}" data-series="{escape(spec, quote=True)}"></figure>'


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{v}</td>' if isinstance(v, (int, float)) else f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _section(title: str, body: str, lang: str, empty: bool) -> str:
    return f"<h2>{escape(title)}</h2>" + (f'<p class="muted">{escape(label("nothing", lang))}</p>' if empty else body)


def render_html(data: ReportData, lang: str = "en") -> str:
    """The whole report as one HTML document in ``lang`` (``en`` or ``zh``)."""
    median = "-" if data.median_hours is None else label("hours", lang, hours=f"{data.median_hours:g}")
    summary = label("summary", lang, questions=counted("questions", data.questions, lang),
                    days=counted("days", len(data.days), lang), open=counted("open", data.open_cases, lang),
                    resolved=data.resolved_cases, median=median)
    parts = [
        f"<h1>{escape(label('title', lang))}</h1>",
        f"<p>{escape(summary)}</p>",
        f'<noscript><p class="muted">{escape(label("no_script", lang))}</p></noscript>',
    ]
    if data.hours:  # one day of questions: per hour, so the chart still shows something
        periods, labels = data.hours, [f"{hour.hour:02d}:00" for hour in data.hours]
        titles = [label(name, lang, day=data.days[0].day.isoformat()) for name in ("per_hour_outcome", "per_hour_lang")]
    else:
        periods, labels = data.days, [day.day.isoformat() for day in data.days]
        titles = [label("per_day_outcome", lang), label("per_day_lang", lang)]
    langs = sorted({code for period in periods for code in period.languages})
    outcome_series = [{"name": label(o, lang), "values": [period.outcomes.get(o, 0) for period in periods]}
                      for o in OUTCOMES]
    parts.append(_section(titles[0], _figure("columns", labels, outcome_series), lang, not periods))
    lang_series = [{"name": label(f"lang_{code}", lang) if f"lang_{code}" in LABELS else code,
                    "values": [period.languages.get(code, 0) for period in periods]} for code in langs]
    parts.append(_section(titles[1], _figure("columns", labels, lang_series), lang, not periods))
    top = _figure("rows", [e for e, _ in data.top_entries], [{"name": label("count", lang), "values": [n for _, n in data.top_entries]}])
    top += _table([label("entry", lang), label("count", lang)], [[e, n] for e, n in data.top_entries])
    parts.append(_section(label("top_entries", lang), top, lang, not data.top_entries))
    groups = _figure("rows", [clip(g.examples[0], lang) if g.examples else "" for g in data.groups], [{"name": label("count", lang), "values": [g.count for g in data.groups]}])
    groups += _table([label("count", lang), label("language", lang), label("examples", lang)], [[g.count, g.lang, " / ".join(clip(e, lang) for e in g.examples)] for g in data.groups])
    parts.append(_section(label("groups", lang), groups, lang, not data.groups))
    votes = _figure("rows", [v.entry_id for v in data.votes], [
        {"name": label("helpful", lang), "values": [v.helpful for v in data.votes]},
        {"name": label("not_helpful", lang), "values": [v.not_helpful for v in data.votes], "color": "#c62828"},
    ])
    votes += _table([label("entry", lang), label("helpful", lang), label("not_helpful", lang)], [[v.entry_id, v.helpful, v.not_helpful] for v in data.votes])
    parts.append(_section(label("votes", lang), votes, lang, not data.votes))
    if data.coverage is not None:
        accuracy = f"<p>{escape(label('coverage_accuracy', lang, accuracy=f'{100 * (data.coverage_accuracy or 0):.1f}'))}</p>"
        table = _table([label("entry", lang), label("language", lang), label("cases", lang), label("passed", lang)],
                       [[r.entry_id, r.lang, r.cases, r.passed] for r in data.coverage])
        parts.append(_section(label("coverage", lang), accuracy + table, lang, not data.coverage))
    parts.append('<p id="render-status" class="muted"></p>')
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape(label('title', lang))}</title><style>{_STYLE}</style>"
        '<script>window.onerror = function (message) { document.documentElement.setAttribute("data-chart-error", String(message)); };</script>'
        f"</head><body>{''.join(parts)}<script>{CHARTS_JS}</script></body></html>\n"
    )
