"""What ``faqbot suggest`` tells the author besides the diff, in English or Chinese.

Conflicts (with what each would break), phrasings held back and why, draft entries to
write, and entries whose answers sellers find unhelpful. Plain text, one item a line; sellers'
questions escaped and cut for the terminal (:mod:`bot.terminal_text`).
"""

from __future__ import annotations

from bot.learning.suggest import Suggestions
from bot.terminal_text import clip

TEXTS: dict[str, dict[str, str]] = {
    "proposed": {
        "en": "{alternates} new phrasings, {oos} out-of-scope phrasings and {drafts} draft entries proposed ({evaluations} versions of the knowledge base checked)",
        "zh": "建议新增 {alternates} 个问法、{oos} 个超出范围的问法和 {drafts} 个草稿条目(共检查了 {evaluations} 个知识库版本)",
    },
    "drafts": {"en": "Draft entries (write the answer, then remove 'draft: true'):", "zh": "草稿条目(写好答案后删除 'draft: true'):"},
    "draft": {"en": "  {id}: {count} questions, e.g. \"{question}\" (closest entry today: {closest})", "zh": "  {id}:{count} 个问题,例如“{question}”(目前最接近的条目:{closest})"},
    "oos_topics": {"en": "New out-of-scope topics (served as written; rename an id if you like):",
                   "zh": "新的超出范围话题(按原样生效;可以改名):"},
    "oos_topic": {"en": "  {id}: {count} questions, e.g. \"{question}\"", "zh": "  {id}:{count} 个问题,例如“{question}”"},
    "conflicts": {"en": "Not proposed, they would make the knowledge base worse:", "zh": "未建议(会让知识库变差):"},
    "conflict": {"en": "  \"{text}\" for {entry}:", "zh": "  “{text}”(条目 {entry}):"},
    "check": {"en": "    leave-one-out: \"{text}\" ({expected}) would find {found}", "zh": "    留一检查:“{text}”({expected})将找到 {found}"},
    "coverage": {"en": "    coverage case would fail: \"{text}\" (expects {expected}, would get {found})", "zh": "    覆盖用例将不通过:“{text}”(应为 {expected},将得到 {found})"},
    "steals": {"en": "    would take \"{text}\" from {expected}", "zh": "    会把“{text}”从 {expected} 抢走"},
    "loses": {"en": "    \"{text}\" ({expected}) would no longer be answered", "zh": "    “{text}”({expected})将不再被回答"},
    "duplicate": {"en": "    reads almost the same as \"{text}\" ({expected})", "zh": "    与“{text}”({expected})几乎相同"},
    "skipped": {"en": "Held back: {counts}", "zh": "暂不建议:{counts}"},
    "not_helpful": {"en": "Answers often marked not helpful:", "zh": "经常被标为“没帮助”的答案:"},
    "not_helpful_row": {"en": "  {entry}: {bad} of {votes} votes not helpful ({rate}%), answered {answered} times", "zh": "  {entry}:{votes} 票中 {bad} 票没帮助({rate}%),共回答 {answered} 次"},
    "nothing": {"en": "nothing", "zh": "无"},
    # reasons a labelled question is held back (bot.learning.proposals.Skipped.reason)
    "already_answered": {"en": "already answered", "zh": "已能回答"},
    "already_there": {"en": "already a phrasing of the entry", "zh": "已是该条目的问法"},
    "phrasing_of_other": {"en": "a phrasing of another entry", "zh": "是其他条目的问法"},
    "labels_disagree": {"en": "labels disagree", "zh": "标注不一致"},
    "too_long": {"en": "too long", "zh": "太长"},
    "unknown_entry": {"en": "unknown entry", "zh": "条目不存在"},
    "no_question_in_lang": {"en": "entry lacks that language", "zh": "条目缺少该语言"},
}


def text(name: str, lang: str, **values: object) -> str:
    """Text ``name`` in ``lang`` (English when the language is unknown), with ``values`` filled in."""
    texts = TEXTS[name]
    return (texts.get(lang) or texts["en"]).format(**values)


def render_summary(suggestions: Suggestions, lang: str = "en") -> str:
    """The summary shown next to the diff."""
    s = suggestions
    lines = [text("proposed", lang, alternates=len(s.alternates), oos=len(s.out_of_scope), drafts=len(s.drafts), evaluations=s.evaluations)]
    if s.drafts:
        lines.append(text("drafts", lang))
        for draft in s.drafts:
            question = next(iter(draft.question.values()), "")
            lines.append(text("draft", lang, id=draft.id, count=draft.count, question=clip(question, lang),
                              closest=draft.closest_entry or "-"))
    if s.out_of_scope_entries:
        lines.append(text("oos_topics", lang))
        for topic in s.out_of_scope_entries:
            example = next((a.text for a in s.out_of_scope if a.entry_id == topic.id), "")
            lines.append(text("oos_topic", lang, id=topic.id, count=topic.count, question=clip(example, lang)))
    if s.conflicts:
        lines.append(text("conflicts", lang))
        for conflict in s.conflicts:
            lines.append(text("conflict", lang, text=clip(conflict.alternate.text, lang), entry=conflict.alternate.entry_id))
            for problem in conflict.problems[:3]:
                lines.append(text(problem.kind, lang, text=clip(problem.text, lang), expected=problem.expected,
                                  found=problem.found or "-"))
    if s.skipped:
        counts: dict[str, int] = {}
        for skipped in s.skipped:
            counts[skipped.reason] = counts.get(skipped.reason, 0) + 1
        lines.append(text("skipped", lang, counts=", ".join(f"{text(reason, lang)} {n}" for reason, n in sorted(counts.items()))))
    if s.not_helpful:
        lines.append(text("not_helpful", lang))
        for row in s.not_helpful:
            lines.append(text("not_helpful_row", lang, entry=row.entry_id, bad=row.not_helpful, votes=row.votes,
                              rate=f"{100 * row.rate:.0f}", answered=row.answered))
    return "\n".join(lines) + "\n"
