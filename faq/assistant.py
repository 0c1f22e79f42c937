"""``Assistant.reply``: the one call every adapter makes, from question text to a ``Reply``.

normalize -> detect language -> retrieve candidates -> decide:
``answer`` when the best entry is confident and clearly ahead, ``clarify``
("did you mean") when it is close, ``escalate`` to Seller Support below.
"""

from __future__ import annotations

from dataclasses import replace

from faq.messages import message
from faq.model import Action, Candidate, KnowledgeBase, Lang, Reply, Settings, Why
from faq.normalize import MAX_MATCH_CHARS, detect_language
from faq.retriever import Match, Retriever, Tuning


def decide(matches: list[Match], settings: Settings) -> Action:
    """The action for these candidates (best first) under the knowledge base's thresholds."""
    if not matches or matches[0].score < settings.clarify_score:
        return "escalate"
    best = matches[0].score
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if best >= settings.sure_score or (best >= settings.answer_score and best - runner_up >= settings.margin):
        return "answer"
    return "clarify"


class Assistant:
    """Answers questions from one knowledge base. Stateless per question; safe to share."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None):
        self.kb = kb
        self.retriever = Retriever(kb, tuning)

    def text(self, name: str, lang: str, **values: str) -> str:
        """The bot's own text ``name`` in ``lang`` (see ``faq.messages``), with ``{contact}`` and ``values`` filled in."""
        return message(self.kb.messages, name, lang, contact=self.contact(lang), **values)

    def contact(self, lang: str) -> str:
        """Whom to contact (``settings.support_contact``) in ``lang``, else in the language it has."""
        contact = self.kb.settings.support_contact
        return contact.get(lang) or next(iter(contact.values()), "")

    def reply(self, text: str, lang: Lang | None = None, explain: bool = False) -> Reply:
        """Answer ``text``; ``lang`` forces the reply language (default: the question's own).

        Never raises for any ``str``: empty input gets the empty-question prompt,
        very long input is matched on its first ``MAX_MATCH_CHARS`` characters.
        ``explain`` fills ``Reply.why`` (matched terms and phrasing) for the console.
        """
        text = text if isinstance(text, str) else str(text)
        reply_lang: Lang = lang or detect_language(text)  # type: ignore[assignment]
        if not text.strip() or not any(char.isalnum() for char in text[: MAX_MATCH_CHARS * 2]):
            return Reply(question=text, lang=reply_lang, action="clarify", text=self.text("empty_question", reply_lang))
        settings = self.kb.settings
        matches = self.retriever.search(text[: MAX_MATCH_CHARS * 2], limit=max(settings.max_choices, 2) + 2, explain=explain)
        matches = self._question_over_smalltalk(matches)[: max(settings.max_choices, 2)]
        action = decide(matches, settings)
        candidates = tuple(Candidate(self.kb.entries[m.entry_index].id, round(m.score, 1)) for m in matches)
        best = self.kb.entries[matches[0].entry_index] if matches else None
        why = self._why(matches, action, reply_lang) if explain else None
        common = dict(
            question=text, lang=reply_lang, action=action, candidates=candidates, why=why,
            entry_id=best.id if best else None, kind=best.kind if best else None,
            score=matches[0].score if matches else 0.0,
        )
        if action == "answer" and best is not None:
            answer = best.text_in(best.answer, reply_lang)
            return Reply(text=answer or "", answer=answer, **common)  # type: ignore[arg-type]
        if action == "clarify":
            choices = [
                self.kb.entries[m.entry_index] for m in matches[: settings.max_choices] if m.score >= settings.clarify_score
            ]
            lines = [self.text("clarify", reply_lang)]
            lines += [f"{n}. {entry.text_in(entry.question, reply_lang)}" for n, entry in enumerate(choices, 1)]
            return Reply(text="\n".join(lines), **{**common, "candidates": candidates[: len(choices)]})  # type: ignore[arg-type]
        return Reply(text=self.text("escalate", reply_lang), **common)  # type: ignore[arg-type]

    def _question_over_smalltalk(self, matches: list[Match]) -> list[Match]:
        """A greeting or a thank-you around a real question must not hide the question.

        When small talk ranks first but an FAQ entry also reaches the answer
        score ("Can I close my account? 谢谢"), the FAQ entries are what count.
        """
        entries = self.kb.entries
        if not matches or entries[matches[0].entry_index].kind != "smalltalk":
            return matches
        questions = [m for m in matches if entries[m.entry_index].kind != "smalltalk"]
        if questions and questions[0].score >= self.kb.settings.answer_score:
            return questions
        return matches

    def _why(self, matches: list[Match], action: Action, lang: str) -> Why:
        """The decision as data: thresholds, the best phrasing with its scores and the words that matched."""
        settings = self.kb.settings
        why = Why(action=action, answer_score=settings.answer_score, clarify_score=settings.clarify_score,
                  margin=settings.margin, sure_score=settings.sure_score)
        if not matches:
            return why
        best = matches[0]
        shared = tuple((term.split(":", 1)[1], weight) for term, weight in best.shared_terms[:6])
        return replace(why, entry_id=self.kb.entries[best.entry_index].id, score=best.score, phrasing=best.phrasing,
                       lexical=best.lexical, fuzzy=best.fuzzy, shared=shared)
