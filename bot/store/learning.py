"""What the learning loop reads and what feeds it: sellers' picks, and the log as ``bot.learning`` records.

Labelled examples come from two places: a seller's "did you mean" pick or
"none of these" (the ``picks`` table, written here) and an agent's label on a
resolved case (``escalations.label``, written by :meth:`Cases.resolve`).
The readers build the plain records of :mod:`bot.learning.model` straight from
column tuples, one query per kind, so 100,000 logged questions take well
under a second to read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from bot.learning.model import Asked, CaseRecord, Labelled, ResolvedCase, Traffic, Vote
from bot.store import schema
from bot.store.database import Database
from bot.store.records import check_source, storable_question, utc

_Q = schema.questions
_F = schema.feedback
_E = schema.escalations
_P = schema.picks


class LearningRecords(Database):
    """Sellers' picks, and the question log, labels, votes and cases as learning-loop records."""

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
        check_source(source)
        if label not in schema.PICK_LABELS:
            raise ValueError(f"label must be one of {', '.join(schema.PICK_LABELS)}, not {label!r}")
        if (label == "entry") != bool(entry_id):
            raise ValueError("a pick names an entry exactly when its label is 'entry'")
        with self._guard("could not record the pick"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                if question_id is not None:
                    same = conn.execute(select(_P.c.id).where(
                        _P.c.question_id == question_id, _P.c.label == label,
                        _P.c.entry_id.is_(None) if entry_id is None else _P.c.entry_id == entry_id)).first()
                    if same is not None:
                        return same.id
                return conn.execute(
                    insert(_P).values(
                        picked_at=utc(now), question_id=question_id, question=storable_question(question, lang), lang=lang,
                        label=label, entry_id=entry_id, source=source, asker=asker,
                    )
                ).inserted_primary_key[0]

    def traffic(self, since: datetime | None = None) -> Traffic:
        """Everything logged at or after ``since`` (all when None) as the learning loop's :class:`Traffic`."""
        moment = None if since is None else utc(since)
        asked_q = select(_Q.c.question, _Q.c.lang, _Q.c.asked_at, _Q.c.action, _Q.c.entry_id)
        picks_q = select(_P.c.question, _P.c.lang, _P.c.picked_at, _P.c.label, _P.c.entry_id)
        cases_q = select(_E.c.question, _E.c.lang, _E.c.resolved_at, _E.c.label, _E.c.label_entry_id).where(
            _E.c.status == "resolved", _E.c.label.is_not(None))
        votes_q = (
            select(func.coalesce(_F.c.question, _Q.c.question), func.coalesce(_F.c.lang, _Q.c.lang),
                   _F.c.created_at, func.coalesce(_F.c.entry_id, _Q.c.entry_id), _F.c.helpful)
            .select_from(_F.outerjoin(_Q, _F.c.question_id == _Q.c.id))
        )
        if moment is not None:
            asked_q = asked_q.where(_Q.c.asked_at >= moment)
            picks_q = picks_q.where(_P.c.picked_at >= moment)
            cases_q = cases_q.where(_E.c.resolved_at >= moment)
            votes_q = votes_q.where(_F.c.created_at >= moment)
        with self._guard("could not read the question log"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                asked = [Asked(q, lang, at, action, entry) for q, lang, at, action, entry
                         in conn.execute(asked_q.order_by(_Q.c.asked_at, _Q.c.id))]
                picked = [Labelled(q, lang, at, label, entry if label == "entry" else None, "pick")
                          for q, lang, at, label, entry in conn.execute(picks_q.order_by(_P.c.picked_at, _P.c.id))]
                resolved = [Labelled(q, lang, at, label, entry if label == "entry" else None, "resolve")
                            for q, lang, at, label, entry in conn.execute(cases_q.order_by(_E.c.resolved_at, _E.c.id))
                            if label != "entry" or entry]
                votes = [Vote(q, lang, at, entry, bool(helpful))
                         for q, lang, at, entry, helpful in conn.execute(votes_q.order_by(_F.c.created_at, _F.c.id))
                         if q is not None and entry]
        labelled = sorted(picked + resolved, key=lambda record: record.at)
        return Traffic(asked=asked, labelled=labelled, votes=votes)

    def resolved_cases(self, since: datetime | None = None) -> list[ResolvedCase]:
        """Cases resolved with a label at or after ``since`` (all when None), oldest resolution first."""
        query = select(_E.c.id, _E.c.question, _E.c.lang, _E.c.label, _E.c.label_entry_id, _E.c.resolution).where(
            _E.c.status == "resolved", _E.c.label.is_not(None))
        if since is not None:
            query = query.where(_E.c.resolved_at >= utc(since))
        with self._guard("could not read the resolved cases"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(_E.c.resolved_at, _E.c.id)).all()
        return [
            ResolvedCase(question=q, label=label, entry_id=entry if label == "entry" else None, lang=lang, case=case,
                         note=note or "")
            for case, q, lang, label, entry, note in rows
            if label != "entry" or entry
        ]

    def case_records(self, since: datetime | None = None) -> list[CaseRecord]:
        """Every case opened at or after ``since`` (all when None) with when it was resolved, for the report."""
        query = select(_E.c.created_at, _E.c.resolved_at, _E.c.lang, _E.c.status)
        if since is not None:
            query = query.where(_E.c.created_at >= utc(since))
        with self._guard("could not read the escalations"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(_E.c.created_at, _E.c.id)).all()
        return [CaseRecord(opened, resolved if status == "resolved" else None, lang)
                for opened, resolved, lang, status in rows]
