"""What the learning loop reads: the log, picks, votes and labelled cases as ``bot.learning`` records.

Labelled examples come from two places: a seller's "did you mean" pick or
"none of these" (the ``picks`` table, written by :meth:`SqlQuestions.record_pick`)
and an agent's label on a resolved case (``escalations.label``, written by
:meth:`SqlCases.resolve`).
The readers build the plain records of :mod:`bot.learning.model` straight from
column tuples, one query per kind, so 100,000 logged questions take well
under a second to read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.learning.model import Asked, CaseRecord, Labelled, ResolvedCase, Traffic, Vote
from bot.store.database import Database
from bot.store.records import utc
from bot.store.schema import escalations, feedback, picks, questions


class SqlLearning(Database):
    """The question log, labels, votes and cases as learning-loop records (:class:`LearningStore`)."""

    def traffic(self, since: datetime | None = None) -> Traffic:
        """Everything logged at or after ``since`` (all when None) as the learning loop's :class:`Traffic`."""
        moment = None if since is None else utc(since)
        asked_q = select(questions.c.question, questions.c.lang, questions.c.asked_at, questions.c.action,
                         questions.c.entry_id)
        picks_q = select(picks.c.question, picks.c.lang, picks.c.picked_at, picks.c.label, picks.c.entry_id)
        cases_q = select(
            escalations.c.question, escalations.c.lang, escalations.c.resolved_at, escalations.c.label,
            escalations.c.label_entry_id,
        ).where(escalations.c.status == "resolved", escalations.c.label.is_not(None))
        votes_q = (
            select(func.coalesce(feedback.c.question, questions.c.question),
                   func.coalesce(feedback.c.lang, questions.c.lang), feedback.c.created_at,
                   func.coalesce(feedback.c.entry_id, questions.c.entry_id), feedback.c.helpful)
            .select_from(feedback.outerjoin(questions, feedback.c.question_id == questions.c.id))
        )
        if moment is not None:
            asked_q = asked_q.where(questions.c.asked_at >= moment)
            picks_q = picks_q.where(picks.c.picked_at >= moment)
            cases_q = cases_q.where(escalations.c.resolved_at >= moment)
            votes_q = votes_q.where(feedback.c.created_at >= moment)
        with self._guard("could not read the question log"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                asked = [Asked(q, lang, at, action, entry) for q, lang, at, action, entry
                         in conn.execute(asked_q.order_by(questions.c.asked_at, questions.c.id))]
                picked = [Labelled(q, lang, at, label, entry if label == "entry" else None, "pick")
                          for q, lang, at, label, entry
                          in conn.execute(picks_q.order_by(picks.c.picked_at, picks.c.id))]
                resolved = [Labelled(q, lang, at, label, entry if label == "entry" else None, "resolve")
                            for q, lang, at, label, entry
                            in conn.execute(cases_q.order_by(escalations.c.resolved_at, escalations.c.id))
                            if label != "entry" or entry]
                votes = [Vote(q, lang, at, entry, bool(helpful))
                         for q, lang, at, entry, helpful
                         in conn.execute(votes_q.order_by(feedback.c.created_at, feedback.c.id))
                         if q is not None and entry]
        labelled = sorted(picked + resolved, key=lambda record: record.at)
        return Traffic(asked=asked, labelled=labelled, votes=votes)

    def resolved_cases(self, since: datetime | None = None) -> list[ResolvedCase]:
        """Cases resolved with a label at or after ``since`` (all when None), oldest resolution first."""
        query = select(
            escalations.c.id, escalations.c.question, escalations.c.lang, escalations.c.label,
            escalations.c.label_entry_id, escalations.c.resolution,
        ).where(escalations.c.status == "resolved", escalations.c.label.is_not(None))
        if since is not None:
            query = query.where(escalations.c.resolved_at >= utc(since))
        with self._guard("could not read the resolved cases"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(escalations.c.resolved_at, escalations.c.id)).all()
        return [
            ResolvedCase(question=q, label=label, entry_id=entry if label == "entry" else None, lang=lang, case=case,
                         note=note or "")
            for case, q, lang, label, entry, note in rows
            if label != "entry" or entry
        ]

    def case_records(self, since: datetime | None = None) -> list[CaseRecord]:
        """Every case opened at or after ``since`` (all when None) with when it was resolved, for the report."""
        query = select(escalations.c.created_at, escalations.c.resolved_at, escalations.c.lang, escalations.c.status)
        if since is not None:
            query = query.where(escalations.c.created_at >= utc(since))
        with self._guard("could not read the escalations"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(escalations.c.created_at, escalations.c.id)).all()
        return [CaseRecord(opened, resolved if status == "resolved" else None, lang)
                for opened, resolved, lang, status in rows]
