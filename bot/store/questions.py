"""The question log and feedback: every question asked and every "helpful / not helpful" vote.

Reports (``faqbot report``) and exports read these; Slack buttons carry a
question's id rather than its text, so :meth:`QuestionLog.question` is how a
button finds the question again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from bot.store import schema
from bot.store.database import Database
from bot.store.records import FeedbackRecord, QuestionRecord, check_source, storable_question, utc
from faq.model import Reply

_Q = schema.questions
_F = schema.feedback


class QuestionLog(Database):
    """Logged questions and feedback on answers."""

    def log_question(
        self, reply: Reply, source: str, asker: str | None = None, now: datetime | None = None
    ) -> int:
        """Log a question and the bot's decision (for reports); return its id."""
        check_source(source)
        with self._guard("could not log the question"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(_Q).values(
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
        check_source(source)
        if question_id is None and case is None and message_id is None:
            raise ValueError("feedback needs a question_id, a case or a message_id")
        with self._guard("could not record the feedback"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(_F).values(
                        created_at=utc(now), question_id=question_id, escalation_id=case,
                        message_id=message_id, entry_id=entry_id, helpful=bool(helpful),
                        source=source, asker=asker, lang=lang,
                        question=None if question is None else storable_question(question, lang),
                    )
                ).inserted_primary_key[0]

    def question(self, question_id: int) -> QuestionRecord | None:
        """One logged question by id (Slack buttons carry the id, not the text), or None."""
        with self._guard(f"could not read question {question_id}"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                row = conn.execute(select(_Q).where(_Q.c.id == question_id)).first()
        return None if row is None else QuestionRecord(**row._asdict())

    def questions_since(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Logged questions asked at or after ``since`` (all when None), oldest first."""
        query = select(_Q).order_by(_Q.c.asked_at, _Q.c.id)
        if since is not None:
            query = query.where(_Q.c.asked_at >= utc(since))
        with self._guard("could not read the question log"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query).all()
        return [QuestionRecord(**row._asdict()) for row in rows]

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackRecord]:
        """Feedback given at or after ``since`` (all when None), oldest first."""
        query = select(_F).order_by(_F.c.created_at, _F.c.id)
        if since is not None:
            query = query.where(_F.c.created_at >= utc(since))
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
        values = [{**row, "asked_at": utc(row["asked_at"]), "question": storable_question(row["question"], row.get("lang"))}
                  for row in rows]
        if not values:
            return 0
        with self._guard("could not import the questions"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                conn.execute(insert(_Q), values)
        return len(values)
