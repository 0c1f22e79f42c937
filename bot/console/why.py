"""The console's "why" view: the engine's :class:`~faq.model.Why` (data) as lines in the agent's language."""

from __future__ import annotations

from bot.console.texts import CONSOLE_TEXTS
from faq.model import Why


def why_lines(why: Why, lang: str) -> list[str]:
    """The decision with its thresholds, the best phrasing with its scores, and the words that matched."""

    def t(key: str, **values: object) -> str:
        return CONSOLE_TEXTS.text(key, lang, **values)

    lines = [t("why_decision", action=t(f"action_{why.action}"), answer=f"{why.answer_score:g}",
               margin=f"{why.margin:g}", sure=f"{why.sure_score:g}", clarify=f"{why.clarify_score:g}")]
    if why.phrasing:
        shared = ", ".join(f"{word} {weight:.2f}" for word, weight in why.shared)
        lines.append(t("why_phrasing", phrasing=why.phrasing, lexical=f"{why.lexical:.2f}", fuzzy=f"{why.fuzzy:.0f}"))
        lines.append(t("why_shared", shared=shared or t("why_none")))
    elif why.phrasing is not None:  # a best entry, but no phrasing of it shares a word with the question
        lines.append(t("why_no_phrasing"))
    if why.phrasing is not None and why.semantic is not None:
        lines.append(t("why_meaning", cosine=f"{why.semantic:.2f}"))
    return lines
