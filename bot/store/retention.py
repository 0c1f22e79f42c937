"""Retention: forget what is older than the operator keeps (``faqbot prune --older-than 90d``).

Every seller question is stored, so a deployment needs a way to drop the old
ones. What goes, all in one transaction (a crash or an error leaves everything):

- ``questions``: logged questions asked before the cut-off;
- ``cases``: escalations resolved before the cut-off (an open or taken case is
  never touched, however old: someone still owes the seller an answer);
- ``feedback``: votes given before the cut-off, and votes on a question or
  case that goes now (they would otherwise point at nothing);
- ``held_replies``: Slack replies held for another try (``pending_replies``)
  created before the cut-off, once posted or past their retry window;
- ``slack_requests``: Slack requests recorded before the acknowledgement
  (``slack_inbox``) received before the cut-off, once handled or past their
  retry window (the bot drops handled ones after a day itself);
- ``picks``: sellers' "did you mean" picks made before the cut-off.

Work still to do is never pruned, however short ``--older-than`` is: a held
reply not yet posted and a recorded request not yet handled stay until their
:data:`RETRY_WINDOW` has passed (the delivery workers give up on them then).

A dry run counts the same rows with the same conditions and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, and_, delete, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from bot.store.database import Database
from bot.store.records import utc
from bot.store.schema import escalations, feedback, pending_replies, picks, questions, slack_inbox


#: How long the workers keep trying a held reply or a recorded Slack request (their ``expire_after``, a day).
RETRY_WINDOW = timedelta(days=1)

#: The kinds of rows pruned, in the order they are reported.
KINDS = ("questions", "cases", "feedback", "held_replies", "slack_requests", "picks")


@dataclass(frozen=True)
class PruneCounts:
    """How many rows of each kind were (or, in a dry run, would be) deleted."""

    questions: int = 0
    cases: int = 0
    feedback: int = 0
    held_replies: int = 0
    slack_requests: int = 0
    picks: int = 0

    def items(self) -> list[tuple[str, int]]:
        """``(kind, count)`` in :data:`KINDS` order."""
        return [(kind, getattr(self, kind)) for kind in KINDS]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.items())


def _conditions(cutoff: datetime, now: datetime) -> dict[str, tuple[object, ColumnElement[bool]]]:
    """Each kind's table and the condition its doomed rows meet (feedback first: it refers to the others)."""
    given_up = now - RETRY_WINDOW
    old_questions = select(questions.c.id).where(questions.c.asked_at < cutoff)
    closed_cases = select(escalations.c.id).where(
        escalations.c.status == "resolved", func.coalesce(escalations.c.resolved_at, escalations.c.updated_at) < cutoff
    )
    question_goes = feedback.c.question_id.in_(old_questions)
    case_goes = feedback.c.escalation_id.in_(closed_cases)
    orphaned = or_(
        and_(question_goes, or_(feedback.c.escalation_id.is_(None), case_goes)),
        and_(case_goes, feedback.c.question_id.is_(None)),
    )
    return {
        "feedback": (feedback, or_(feedback.c.created_at < cutoff, orphaned)),
        "picks": (picks, picks.c.picked_at < cutoff),  # before the questions they refer to
        "questions": (questions, questions.c.asked_at < cutoff),
        "cases": (escalations, escalations.c.id.in_(closed_cases)),
        "held_replies": (pending_replies, and_(
            pending_replies.c.created_at < cutoff,
            or_(pending_replies.c.delivered_at.is_not(None), pending_replies.c.created_at < given_up))),
        "slack_requests": (slack_inbox, and_(
            slack_inbox.c.received_at < cutoff,
            or_(slack_inbox.c.done_at.is_not(None), slack_inbox.c.received_at < given_up))),
    }


class SqlRetention(Database):
    """Deleting old questions, closed cases and what only served them (:class:`RetentionStore`)."""

    def prune(self, *, before: datetime, dry_run: bool = False, now: datetime | None = None) -> PruneCounts:
        """Delete (or with ``dry_run`` only count) what is older than ``before`` and finished; return the counts per kind."""
        cutoff = utc(before)
        moment = utc(now or datetime.now(timezone.utc))
        doing = "could not count old records" if dry_run else "could not delete old records"
        with self._guard(doing):
            self.ensure_schema()
            if dry_run:
                with self._engine.connect() as conn:
                    return PruneCounts(**self._run(conn, cutoff, moment, count_only=True))
            with self._writer.begin() as conn:
                return PruneCounts(**self._run(conn, cutoff, moment, count_only=False))

    @staticmethod
    def _run(conn: Connection, cutoff: datetime, now: datetime, *, count_only: bool) -> dict[str, int]:
        counts: dict[str, int] = {}
        for kind, (table, condition) in _conditions(cutoff, now).items():
            if count_only:
                counts[kind] = int(conn.scalar(select(func.count()).select_from(table).where(condition)) or 0)
            else:
                counts[kind] = conn.execute(delete(table).where(condition)).rowcount
        return counts
