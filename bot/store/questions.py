"""The question log, picks and feedback: every question asked, every "did you mean" pick, every vote.

Reports (``faqbot report``) and exports read these; Slack buttons carry a
question's id rather than its text, so :meth:`SqlQuestions.question` is how a
button finds the question again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from bot.store import schema
from bot.store.database import Database
from bot.store.records import FeedbackRecord, QuestionRecord, storable_question, utc
from bot.store.schema import feedback, picks, questions
from faq.model import Reply


class SqlQuestions(Database):
    """Logged questions, sellers' picks and feedback on answers (:class:`QuestionStore`)."""

    def log_question(
        self, reply: Reply, source: str, asker: str | None = None, now: datetime | None = None
    ) -> int:
        """Log a question and the bot's decision (for reports); return its id."""
        self._check_source(source)
        with self._guard("could not log the question"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(questions).values(
                        asked_at=utc(now), lang=reply.lang, action=reply.action,
                        entry_id=reply.entry_id, score=round(float(reply.score), 2),
                        source=source, asker=asker, question=storable_question(reply.question, reply.lang),
                    )
                ).inserted_primary_key[0]

    def record_feedback(
        self,
        *,
        helpful: bool,
        source: str,
        question_id: int | None = None,
        case: int | None = None,
        message_id: str | None = None,
        entry_id: str | None = None,
        asker: str | None = None,
        now: datetime | None = None,
        question: str | None = None,
        lang: str | None = None,
    ) -> int:
        """Record whether an answer (a logged question, a case or a message) helped; return its id.

        ``question`` and ``lang`` keep the question with the vote when it is not
        in the log (the log could not be written); otherwise the log has them.
        """
        self._check_source(source)
        if question_id is None and case is None and message_id is None:
            raise ValueError("feedback needs a question_id, a case or a message_id")
        with self._guard("could not record the feedback"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(feedback).values(
                        created_at=utc(now), question_id=question_id, escalation_id=case,
                        message_id=message_id, entry_id=entry_id, helpful=bool(helpful),
                        source=source, asker=asker, lang=lang,
                        question=None if question is None else storable_question(question, lang),
                    )
                ).inserted_primary_key[0]

    def record_pick(
        self,
        *,
        question: str,
        lang: str,
        label: str,
        source: str,
        entry_id: str | None = None,
        question_id: int | None = None,
        asker: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Record a seller's "did you mean" choice (``label="entry"``) or "none of these"; return its id.

        The same pick of the same logged question (a double click, a retried
        request) is one example: the first one's id comes back.
        """
        self._check_source(source)
        if label not in schema.PICK_LABELS:
            raise ValueError(f"label must be one of {', '.join(schema.PICK_LABELS)}, not {label!r}")
        if (label == "entry") != bool(entry_id):
            raise ValueError("a pick names an entry exactly when its label is 'entry'")
        with self._guard("could not record the pick"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                if question_id is not None:
                    same = conn.execute(select(picks.c.id).where(
                        picks.c.question_id == question_id, picks.c.label == label,
                        picks.c.entry_id.is_(None) if entry_id is None else picks.c.entry_id == entry_id)).first()
                    if same is not None:
                        return same.id
                return conn.execute(
                    insert(picks).values(
                        picked_at=utc(now), question_id=question_id, question=storable_question(question, lang),
                        lang=lang, label=label, entry_id=entry_id, source=source, asker=asker,
                    )
                ).inserted_primary_key[0]

    def question(self, question_id: int) -> QuestionRecord | None:
        """One logged question by id (Slack buttons carry the id, not the text), or None."""
        with self._guard(f"could not read question {question_id}"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                row = conn.execute(select(questions).where(questions.c.id == question_id)).first()
        return None if row is None else QuestionRecord(**row._asdict())

    def questions_since(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Logged questions asked at or after ``since`` (all when None), oldest first."""
        query = select(questions).order_by(questions.c.asked_at, questions.c.id)
        if since is not None:
            query = query.where(questions.c.asked_at >= utc(since))
        with self._guard("could not read the question log"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query).all()
        return [QuestionRecord(**row._asdict()) for row in rows]

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackRecord]:
        """Feedback given at or after ``since`` (all when None), oldest first."""
        query = select(feedback).order_by(feedback.c.created_at, feedback.c.id)
        if since is not None:
            query = query.where(feedback.c.created_at >= utc(since))
        with self._guard("could not read the feedback"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query).all()
        return [
            FeedbackRecord(
                id=row.id, created_at=row.created_at, helpful=bool(row.helpful), source=row.source,
                entry_id=row.entry_id, question_id=row.question_id, case=row.escalation_id,
                message_id=row.message_id, asker=row.asker,
            )
            for row in rows
        ]

    def import_questions(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Log many questions in one transaction (imports, benchmarks); each row has the question log's columns."""
        values = [{**row, "asked_at": utc(row["asked_at"]),
                   "question": storable_question(row["question"], row.get("lang"))}
                  for row in rows]
        if not values:
            return 0
        with self._guard("could not import the questions"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                conn.execute(insert(questions), values)
        return len(values)
