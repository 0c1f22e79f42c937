"""``Assistant.reply``: the one call every adapter makes, from question text to a ``Reply``.

normalize -> detect language -> retrieve candidates (lexical, fused with the
sentence encoder unless ``settings.semantic`` is false) -> decide: ``answer``
when the best entry is confident and clearly ahead, ``clarify`` ("did you
mean") when it is close, ``escalate`` to Seller Support below, and at once
when the best entry is a declared ``out_of_scope`` topic. The thresholds are
the knowledge base's own, calibrated when it is indexed (``faq.calibration``)
unless its ``settings`` set them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence, TextIO

from faq.calibration import Calibration, choose
from faq.encoder import Encoder, MemoEncoder
from faq.hybrid import VERBATIM_SCORE, Fusion
from faq.messages import message
from faq.model import Action, Candidate, KnowledgeBase, Lang, Reply, Settings, Why
from faq.normalize import MAX_MATCH_CHARS, detect_language
from faq.prepared import PreparedTexts
from faq.retriever import Match, Retriever, Tuning
from faq.script import in_script, traditional_script
from faq.smalltalk import builtin_smalltalk
from faq.surface import surfaces, written_words
from faq.edges import Edges, Verdict
from faq.terms import bare, too_little
from faq.semantic_setup import Default, SemanticSetup, cache_directory, calibrated_settings, resolve


def decide(matches: list[Match], settings: Settings) -> Action:
    """The action for these candidates (best first) under the knowledge base's thresholds."""
    if not matches or matches[0].score < settings.clarify_score:
        return "escalate"
    best = matches[0].score
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if best >= settings.sure_score or (best >= settings.answer_score and best - runner_up >= settings.margin):
        return "answer"
    return "clarify"


#: At most this many out-of-scope topics are looked past for the best FAQ entry.
MAX_TOPICS_SKIPPED = 10


#: With semantic matching, an FAQ entry outranks the small talk before it only from this share of its score.
SMALLTALK_RATIO = 0.8


class Assistant:
    """Answers questions from one knowledge base. Stateless per question; safe to share."""

    def __init__(
        self,
        kb: KnowledgeBase,
        tuning: Tuning | None = None,
        *,
        encoder: Encoder | None | Default = Default.SHARED,
        cache_dir: Path | None | Default = Default.SHARED,
        cases: Sequence[tuple[str, str | None]] = (),
        decisions: Settings | None = None,
        progress: TextIO | None = None,
        fusion: Fusion | None = None,
        prepared: PreparedTexts | None = None,
    ):
        """Index ``kb``; with ``settings.semantic`` (the default) also encode it and calibrate its thresholds.

        ``encoder``: the sentence encoder (default: the shared USE model; None:
        lexical only). ``cache_dir``: where vectors and calibration are cached
        (default: the user's cache directory; None: no disk cache).
        ``cases``: coverage cases ``(question, entry id or None for escalate)``
        that join the calibration. ``decisions``: use these thresholds as they
        are, without calibrating (``faqbot check`` passes its own). ``progress``:
        where a long first build reports progress (stderr, on a terminal).
        ``prepared``: phrasings already prepared for another copy of this knowledge base.
        """
        self.kb = kb
        directory = cache_directory(cache_dir)
        self.retriever = self._lexical_index(kb, tuning, prepared, directory)
        self.search: Callable[..., list[Match]] = self.retriever.search
        self.settings: Settings = decisions or kb.settings
        self._calibration: Calibration | None = None
        #: built-in small talk ("hi", "thanks"...) only for a knowledge base with no small talk of its own
        self.builtin_smalltalk = not any(entry.kind == "smalltalk" for entry in kb.entries)
        self.semantic: SemanticSetup | None = None
        self._copies: Copies | None = None
        #: out-of-scope topics: a search looks this many entries further, to find the best FAQ entry behind them
        self._topics = min(sum(entry.kind == "out_of_scope" for entry in kb.entries), MAX_TOPICS_SKIPPED)
        self._calibrates = decisions is None
        if kb.settings.semantic and encoder is not None and kb.entries:
            chosen_encoder, chosen_dir = resolve(encoder, directory)
            self.semantic = SemanticSetup.build(
                kb, self.retriever, chosen_encoder, chosen_dir, cases, progress, fusion, calibrate=decisions is None,
            )
            self.search = self.semantic.hybrid.search
            if decisions is None:
                # a file that sets every threshold calibration would choose needs no sweep at start (faqbot ask)
                needed = not {"answer_score", "margin", "clarify_score"} <= kb.settings.explicit
                self.settings = calibrated_settings(kb.settings, self.calibration if needed else None)
        self.edges = Edges(kb, self.retriever.prepare, self.retriever.correct_typos, self.retriever.prepared.mentions)

    @staticmethod
    def _lexical_index(kb: KnowledgeBase, tuning: Tuning | None, prepared: PreparedTexts | None,
                       cache_dir: Path | None) -> Retriever:
        """The lexical index: from the disk cache for a knowledge base on its own, built here for a copy (``prepared``)."""
        if prepared is not None or cache_dir is None:
            return Retriever(kb, tuning, prepared)
        from faq.lexical_cache import cached_retriever

        return cached_retriever(kb, tuning, cache_dir)

    @property
    def calibration(self) -> Calibration | None:
        """What calibration chooses for this knowledge base (None without the encoder, or with ``decisions``).

        Computed when first asked for: deciding needs it only for thresholds the file leaves out.
        """
        if self._calibration is None and self.semantic is not None and self.settings is not None and self._calibrates:
            self._calibration = choose(self.semantic.outcomes, self.kb.settings.max_wrong_rate)
        return self._calibration

    def variant(self, kb: KnowledgeBase) -> Assistant:
        """An engine for an edited copy of this knowledge base (a phrasing left out or added).

        It decides with these thresholds and encodes only texts not seen before:
        leave-one-out and proofs build hundreds of copies, and recalibrating each
        would cost seconds and move the goalposts between them.
        """
        if self._copies is None:
            semantic = self.semantic
            self._copies = Copies(self.settings, MemoEncoder(semantic.encoder) if semantic else None,
                                  self.retriever.prepared, self.retriever.tuning, semantic.hybrid.fusion if semantic else None)
        return self._copies(kb)

    def text(self, name: str, lang: str, *, script: str | None = None, **values: str) -> str:
        """The bot's own text ``name`` in ``lang`` (see ``faq.messages``), with ``{contact}`` and ``values`` filled in;
        ``script``: in Traditional Chinese (``Reply.script``, the asker's)."""
        return in_script(message(self.kb.messages, name, lang, contact=self.contact(lang), **values), script)

    def contact(self, lang: str) -> str:
        """Whom to contact (``settings.support_contact``) in ``lang``, else in the language it has."""
        contact = self.kb.settings.support_contact
        return contact.get(lang) or next(iter(contact.values()), "")

    def links(self, reply: Reply) -> tuple[str, ...]:
        """The answered entry's ``links`` (shown under the answer by every adapter); none for anything else."""
        entry = self.kb.entry(reply.entry_id) if reply.action == "answer" and reply.entry_id else None
        return entry.links if entry is not None else ()

    def reply(self, text: str, *, lang: Lang | None = None, explain: bool = False) -> Reply:
        """Answer ``text``; ``lang`` forces the reply language (default: the question's own).

        The options are keyword-only (as in RapidFuzz), so ``reply(text, "en")`` cannot
        be misread and a new option never shifts a caller's arguments.

        Never raises for any ``str``: empty input gets the empty-question prompt,
        very long input is matched on its first ``MAX_MATCH_CHARS`` characters.
        ``explain`` fills ``Reply.why`` (matched terms and phrasing) for the console.
        """
        text = text if isinstance(text, str) else str(text)
        asked_lang: Lang = detect_language(text)  # type: ignore[assignment]
        reply_lang: Lang = lang or asked_lang
        script = traditional_script(text) if reply_lang == "zh" else None
        if not text.strip() or not any(char.isalnum() for char in text[: MAX_MATCH_CHARS * 2]):
            return Reply(question=text, lang=reply_lang, action="clarify", text=self.text("empty_question", reply_lang))
        if self.builtin_smalltalk:
            key = builtin_smalltalk(text)
            if key is not None:  # "hi", "谢谢"...: answered from the KB's messages, never escalated
                said = self.text(key, reply_lang, script=script)
                return Reply(question=text, lang=reply_lang, action="answer", text=said, answer=said, kind="smalltalk", script=script,
                             score=100.0, why=Why("answer", self.settings.answer_score, self.settings.clarify_score,
                                                  self.settings.margin, self.settings.sure_score) if explain else None)
        settings = self.settings
        shown = max(settings.max_choices, 2)
        # room behind the out-of-scope topics for the best FAQ entry, which a topic must lead to win
        matches = self.search(text[: MAX_MATCH_CHARS * 2], limit=shown + 2 + self._topics, explain=explain)
        matches = self._question_over_smalltalk(matches)
        verdict = self._verdict(matches, settings, text, asked_lang)
        action = verdict.action
        if verdict.choices:  # a near tie with an out-of-scope topic: offer the FAQ entries, never the topic
            matches = list(verdict.choices)
        matches = matches[:shown]
        candidates = tuple(Candidate(self.kb.entries[m.entry_index].id, round(m.score, 1)) for m in matches)
        best = self.kb.entries[matches[0].entry_index] if matches else None
        why = self._why(matches, action, reply_lang, text) if explain else None
        common = dict(
            question=text, lang=reply_lang, action=action, candidates=candidates, why=why,
            entry_id=best.id if best else None, kind=best.kind if best else None,
            score=matches[0].score if matches else 0.0, script=script,
        )
        if verdict.routed and best is not None:  # with the topic's routing text, when it has one
            routing = best.text_in(best.answer, reply_lang) if best.answer else None
            text_out = self.text("escalate", reply_lang) + (f"\n{routing}" if routing else "")
            return Reply(text=in_script(text_out, script), **common)  # type: ignore[arg-type]
        if action == "answer" and best is not None:
            answer = in_script(best.text_in(best.answer, reply_lang) or "", script)
            return Reply(text=answer, answer=answer, **common)  # type: ignore[arg-type]
        if action == "clarify":
            offered = [
                (self.kb.entries[m.entry_index], candidate) for m, candidate in zip(matches[: settings.max_choices], candidates)
                if m.score >= settings.clarify_score and self.kb.entries[m.entry_index].kind != "out_of_scope"
            ]
            if not offered:  # too little to go on and nothing close: ask for more rather than guess
                return Reply(text=self.text("say_more", reply_lang, script=script), **{**common, "candidates": ()})  # type: ignore[arg-type]
            lines = [self.text("clarify", reply_lang)]
            lines += [f"{n}. {entry.text_in(entry.question, reply_lang)}" for n, (entry, _) in enumerate(offered, 1)]
            # the candidates are the choices as numbered, so "2" (or the second button) is the second line
            offered_candidates = tuple(candidate for _, candidate in offered)
            return Reply(text=in_script("\n".join(lines), script), **{**common, "candidates": offered_candidates})  # type: ignore[arg-type]
        return Reply(text=self.text("escalate", reply_lang, script=script), **common)  # type: ignore[arg-type]

    def _verdict(self, matches: list[Match], settings: Settings, text: str, lang: str) -> Verdict:
        """The action for ``matches`` (best first): ``decide``, then out-of-scope topics and too-short questions.

        A declared out-of-scope topic wins the way an FAQ entry does (the answer
        score and the margin over the best FAQ entry) and is escalated with its
        routing text; in a near tie the asker is offered the FAQ entries instead
        (a routing text there would say a covered topic is not covered). A
        question that asks about something next to the best entry
        (``Edges.next_to``) is escalated, without a routing text. A question with
        too little to go on (``faq.terms.too_little``) is never answered outright
        unless an author wrote it word for word or ``Edges.brief_enough`` says the
        entry is asked that briefly: it gets "did you mean", or, a bare word with
        nothing close, a request to say more.
        """
        action = decide(matches, settings)
        if not matches:
            return Verdict(action)
        entries = self.kb.entries
        best = matches[0]
        if entries[best.entry_index].kind == "out_of_scope" and action != "escalate":
            questions = self._measured_like_topics(text, [m for m in matches if entries[m.entry_index].kind != "out_of_scope"])
            lead = best.score - (questions[0].score if questions else 0.0)
            wins = best.score >= settings.sure_score or (best.score >= settings.answer_score and lead >= settings.margin)
            if wins:
                return Verdict("escalate", routed=True)
            if questions and questions[0].score >= settings.clarify_score:
                return Verdict("clarify", choices=tuple(questions))
            return Verdict("clarify" if bare(text) else "escalate")
        kind = entries[best.entry_index].kind
        if best.score >= VERBATIM_SCORE or (kind == "smalltalk" and action == "answer"):
            return Verdict(action)
        if action == "answer" and kind == "faq" and self.edges.next_to(text, best.entry_index):
            return Verdict("escalate")  # a question next to the entry, not about it: for Seller Support
        if not too_little(text):
            return Verdict(action)
        if action == "answer" and self.edges.brief_enough(text, lang, best.entry_index):
            return Verdict(action)
        if action == "escalate" and not bare(text):
            return Verdict(action)  # "are you hiring?": a real question, for Seller Support
        return Verdict("clarify")  # offered what is close enough, else asked to say more

    def _measured_like_topics(self, text: str, questions: list[Match]) -> list[Match]:
        """``questions`` (FAQ entries behind an out-of-scope topic) scored as topics are: by the closer of the
        centroid and the closest phrasing, best first, when the entry mentions all the question asks about.
        Without the encoder they keep their scores."""
        if self.semantic is None or not questions:
            return questions
        # only entries that mention everything the question asks about (else "groceries" next to "can I sell"
        # would tie with the topic it belongs to)
        covering = self.edges.covering(text, [m.entry_index for m in questions])
        closest = self.semantic.closest_phrasing(self.kb, text, covering)
        weight = self.semantic.hybrid.fusion.weight
        rescored = [replace(m, score=min(m.score + 100 * weight * max(0.0, closest[m.entry_index] - (m.semantic or 0.0)), 100.0))
                    if m.entry_index in closest else m for m in questions]
        return sorted(rescored, key=lambda m: -m.score)

    def _question_over_smalltalk(self, matches: list[Match]) -> list[Match]:
        """A greeting or a thank-you around a real question must not hide the question.

        When small talk ranks first but an FAQ entry also reaches the answer
        score ("Can I close my account? 谢谢"), the FAQ entries are what count.
        """
        entries = self.kb.entries
        if not matches or entries[matches[0].entry_index].kind != "smalltalk":
            return matches
        questions = [m for m in matches if entries[m.entry_index].kind != "smalltalk"]
        if questions and questions[0].score >= self.settings.answer_score:
            # semantic scores put some FAQ entry near any sentence: it must also come close to the small talk
            if self.semantic is None or questions[0].score >= SMALLTALK_RATIO * matches[0].score:
                return questions
        return matches

    def _why(self, matches: list[Match], action: Action, lang: str, question: str = "") -> Why:
        """The decision as data: thresholds, the best phrasing with its scores and the words that matched."""
        settings = self.settings
        why = Why(action=action, answer_score=settings.answer_score, clarify_score=settings.clarify_score,
                  margin=settings.margin, sure_score=settings.sure_score)
        if not matches:
            return why
        best = matches[0]
        synonyms = self.retriever.synonyms
        asked, authored = surfaces(question, synonyms), surfaces(best.phrasing or "", synonyms)
        shared: dict[str, float] = {}
        for term, weight in best.shared_terms:  # best first; one line per word as written
            shared.setdefault(written_words(term, asked, authored), weight)
        return replace(why, entry_id=self.kb.entries[best.entry_index].id, score=best.score, phrasing=best.phrasing,
                       lexical=best.lexical, fuzzy=best.fuzzy, semantic=best.semantic,
                       shared=tuple(shared.items())[:6])


class Copies:
    """Engines for edited copies of one knowledge base (leave-one-out, proofs): hundreds of them.

    Each decides with the same ``decisions``, uncalibrated (recalibrating would cost
    seconds a copy and move the goalposts between copies), encodes through one memo
    (``encoder``; None: lexical only) and prepares its phrasings through one
    ``PreparedTexts``, so a text seen in an earlier copy costs a look-up.
    """

    def __init__(self, decisions: Settings, encoder: MemoEncoder | None, prepared: PreparedTexts | None = None,
                 tuning: Tuning | None = None, fusion: Fusion | None = None):
        self.decisions = decisions
        self.encoder = encoder
        self.prepared = prepared
        self.tuning, self.fusion = tuning, fusion

    def __call__(self, kb: KnowledgeBase) -> Assistant:
        """An engine for ``kb``, a copy of the knowledge base."""
        if self.prepared is None or not self.prepared.fits(kb.synonyms):
            self.prepared = PreparedTexts(kb.synonyms)
        return Assistant(kb, self.tuning, encoder=self.encoder, cache_dir=None, decisions=self.decisions,
                         fusion=self.fusion, prepared=self.prepared)
