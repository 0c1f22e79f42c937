"""The case lifecycle: open a case (row first), read the queue, take, resolve, reopen, and card freshness.

A case is committed before anyone is told its number; the same idempotency key
returns the existing case instead of a second one. Transitions are single
conditional ``UPDATE`` statements, so two agents acting at once never both win.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from bot.errors import InvalidTransition, UnknownCase
from bot.store import schema
from bot.store.database import Database
from bot.store.records import (
    Escalation,
    EscalationList,
    escalation_from_row,
    idempotency_key_for,
    storable,
    storable_question,
    utc,
)
from bot.store.schema import escalations
from faq.model import Reply


def check_case_label(label: str | None, entry_id: str | None) -> None:
    """Refuse a label the learning loop does not know, or an ``entry`` label without its entry."""
    if label is None:
        return
    if label not in schema.CASE_LABELS:
        raise ValueError(f"label must be one of {', '.join(schema.CASE_LABELS)}, not {label!r}")
    if label == "entry" and not entry_id:
        raise ValueError("the label 'entry' needs the entry's id")


def _card_values(moment: datetime, card_redrawn: bool) -> dict[str, datetime]:
    """The column values that say the case's card will show the state written at ``moment``."""
    return {"card_synced_at": moment} if card_redrawn else {}


class SqlCases(Database):
    """Escalations: the Seller Support queue (:class:`CaseStore`)."""

    def open_escalation(
        self,
        reply: Reply,
        *,
        source: str,
        asker: str | None = None,
        channel: str | None = None,
        thread: str | None = None,
        message_id: str | None = None,
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> tuple[Escalation, bool]:
        """Record ``reply``'s question as a case; return it and whether it was created just now.

        The row is committed before this returns. The same idempotency key (by
        default :func:`idempotency_key_for` the source, asker, text and minute,
        or the Slack message) returns the existing case instead of a second one.
        """
        self._check_source(source)
        moment = utc(now)
        key = idempotency_key or idempotency_key_for(
            source, storable(reply.question), asker, message_id, moment, channel=channel
        )
        values = {
            "created_at": moment,
            "updated_at": moment,
            "lang": reply.lang,
            "question": storable_question(reply.question, reply.lang),
            "asker": asker,
            "source": source,
            "channel": channel,
            "thread": thread,
            "message_id": message_id,
            "idempotency_key": key,
            "candidates": json.dumps(
                [{"entry_id": c.entry_id, "score": round(float(c.score), 2)} for c in reply.candidates]
            ),
            "best_entry_id": reply.entry_id,
            "best_score": round(float(reply.score), 2),
            "status": "open",
            "forward_attempts": 0,
            "next_attempt_at": moment,
        }
        with self._guard("could not save the escalation"):
            self.ensure_schema()
            try:
                with self._writer.begin() as conn:
                    row = conn.execute(select(escalations).where(escalations.c.idempotency_key == key)).first()
                    if row is not None:
                        return escalation_from_row(row), False
                    case = conn.execute(insert(escalations).values(**values)).inserted_primary_key[0]
                    row = conn.execute(select(escalations).where(escalations.c.id == case)).one()
                return escalation_from_row(row), True
            except IntegrityError:
                # Another process inserted the same key between our check and insert
                # (possible on PostgreSQL, whose writers do not exclude each other).
                existing = self._by_key(key)
                if existing is None:
                    raise
                return existing, False

    def _by_key(self, key: str) -> Escalation | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(escalations).where(escalations.c.idempotency_key == key)).first()
        return None if row is None else escalation_from_row(row)

    def get(self, case: int) -> Escalation | None:
        """The case with this number, or None."""
        with self._guard(f"could not read case {case}"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                row = conn.execute(select(escalations).where(escalations.c.id == case)).first()
        return None if row is None else escalation_from_row(row)

    def queue(self) -> EscalationList:
        """The cases still to handle (open and taken), oldest first."""
        return self._select(escalations.c.status.in_(("open", "taken")))

    def list(self, status: str | None = None, since: datetime | None = None) -> EscalationList:
        """Every case, oldest first; only those in ``status`` and created at or after ``since`` when given."""
        conditions = []
        if status is not None:
            if status not in schema.STATUSES:
                raise ValueError(f"status must be one of {', '.join(schema.STATUSES)}, not {status!r}")
            conditions.append(escalations.c.status == status)
        if since is not None:
            conditions.append(escalations.c.created_at >= utc(since))
        return self._select(*conditions)

    def undelivered(self) -> EscalationList:
        """The cases not yet forwarded to Seller Support, oldest first."""
        return self._select(escalations.c.forwarded_at.is_(None))

    def _select(self, *conditions) -> EscalationList:
        with self._guard("could not read the escalations"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(escalations).where(*conditions).order_by(escalations.c.created_at, escalations.c.id)
                ).all()
        return [escalation_from_row(row) for row in rows]

    def take(self, case: int, agent: str, *, now: datetime | None = None, card_redrawn: bool = False) -> bool:
        """Assign an open case to ``agent``; True if ``agent`` holds it now.

        Atomic: when two agents take the same case at once, exactly one gets True.
        False means another agent has it; a resolved case raises
        :class:`InvalidTransition` (reopen it first). ``card_redrawn``: the
        caller redraws the case's card itself (a Slack button), so it is not
        left to ``stale_cards``.
        """
        moment = utc(now)
        with self._guard(f"could not take case {case}"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                result = conn.execute(
                    update(escalations)
                    .where(escalations.c.id == case, escalations.c.status == "open")
                    .values(status="taken", agent=agent, updated_at=moment, **_card_values(moment, card_redrawn))
                )
                if result.rowcount == 1:
                    return True
                row = conn.execute(
                    select(escalations.c.status, escalations.c.agent).where(escalations.c.id == case)
                ).first()
        if row is None:
            raise UnknownCase(f"there is no case {case}")
        if row.status == "taken":
            return row.agent == agent
        raise InvalidTransition(f"case {case} is already resolved; reopen it first")

    def resolve(
        self, case: int, agent: str, note: str = "", *, now: datetime | None = None, card_redrawn: bool = False,
        label: str | None = None, entry_id: str | None = None,
    ) -> Escalation:
        """Close an open case, or a case ``agent`` has taken, with a resolution note; return the updated case.

        A case another agent has taken is theirs to resolve (one agent per case).
        ``card_redrawn`` as for :meth:`take`. ``label`` says what the question
        was (``entry``, with ``entry_id`` the entry that answers it; ``new_topic``;
        ``out_of_scope``), a labelled example for ``faqbot suggest``; resolving
        again replaces it and reopening clears it.
        """
        check_case_label(label, entry_id)
        moment = utc(now)

        def refusal(row: Row) -> str:
            if row.status == "taken":
                return f"case {case} is taken by {row.agent}"
            return f"case {case} is already resolved"

        return self._transition(
            case,
            f"could not resolve case {case}",
            or_(escalations.c.status == "open", (escalations.c.status == "taken") & (escalations.c.agent == agent)),
            {"status": "resolved", "agent": agent, "resolution": storable(note), "resolved_at": moment,
             "updated_at": moment, "label": label, "label_entry_id": entry_id if label == "entry" else None,
             **_card_values(moment, card_redrawn)},
            refusal,
        )

    def reopen(self, case: int, *, agent: str | None = None, now: datetime | None = None,
               card_redrawn: bool = False) -> Escalation:
        """Put a resolved case, or a case ``agent`` has taken, back in the queue, unassigned; return the updated case.

        A case another agent has taken is theirs (one agent per case); without
        ``agent`` (an administrator's tool) any taken case is reopened.
        ``card_redrawn`` as for :meth:`take`.
        """
        moment = utc(now)
        taken = escalations.c.status == "taken"
        if agent is not None:
            taken = taken & (escalations.c.agent == agent)

        def refusal(row: Row) -> str:
            if row.status == "taken":
                return f"case {case} is taken by {row.agent}"
            return f"case {case} is already open"

        return self._transition(
            case,
            f"could not reopen case {case}",
            or_(escalations.c.status == "resolved", taken),
            {"status": "open", "agent": None, "resolution": None, "resolved_at": None,
             "label": None, "label_entry_id": None, "updated_at": moment, **_card_values(moment, card_redrawn)},
            refusal,
        )

    def _transition(self, case: int, doing: str, allowed, values: dict, refusal: Callable[[Row], str]) -> Escalation:
        with self._guard(doing):
            self.ensure_schema()
            with self._writer.begin() as conn:
                result = conn.execute(update(escalations).where(escalations.c.id == case, allowed).values(**values))
                row = conn.execute(select(escalations).where(escalations.c.id == case)).first()
        if row is None:
            raise UnknownCase(f"there is no case {case}")
        if result.rowcount != 1:
            raise InvalidTransition(refusal(row))
        return escalation_from_row(row)

    # --- support-channel cards: which ones show an older state ---------------------------------

    def stale_cards(self, limit: int = 50) -> EscalationList:
        """Forwarded cases changed since their card last showed them (taken or resolved elsewhere), oldest first."""
        shown = func.coalesce(escalations.c.card_synced_at, escalations.c.forwarded_at)
        query = (
            select(escalations)
            .where(escalations.c.forward_ref.is_not(None), escalations.c.updated_at > shown)
            .order_by(escalations.c.id)
            .limit(limit)
        )
        with self._guard("could not read the cases whose cards are out of date"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                return [escalation_from_row(row) for row in conn.execute(query).all()]

    def mark_card_synced(self, case: int, as_of: datetime) -> None:
        """Record that the case's card shows its state as of ``as_of`` (its ``updated_at`` when rendered)."""
        moment = utc(as_of)
        with self._guard(f"could not record the card of case {case}"), self._writer.begin() as conn:
            conn.execute(
                update(escalations)
                .where(escalations.c.id == case,
                       or_(escalations.c.card_synced_at.is_(None), escalations.c.card_synced_at < moment))
                .values(card_synced_at=moment)
            )

