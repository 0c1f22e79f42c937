"""The Slack event ledger's table: which events have been claimed, so each is answered once.

A claim is an ``INSERT`` keyed by the message (or the event id); the primary
key makes every other ``INSERT`` of the same key fail, so exactly one caller
wins. A claim whose holder died before finishing may be taken over by a later
delivery, with one conditional ``UPDATE`` that again only one caller can win.
The policy (keys, how stale is stale, when to prune) is
:class:`bot.slack.ledger.EventLedger`'s; this module is the SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.store import schema
from bot.store.database import Database
from bot.store.records import utc

_S = schema.slack_events


class SlackEvents(Database):
    """Claims on Slack events."""

    def claim_event(self, key: str, event_id: str | None, *, now: datetime, stale_before: datetime) -> bool:
        """Claim ``key`` at ``now``; True for exactly one caller, or for one taker-over of a claim older than ``stale_before`` never marked done."""
        moment = utc(now)
        with self._guard(f"could not record Slack event {key}"):
            self.ensure_schema()
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(_S).values(key=key, event_id=event_id, claimed_at=moment))
                return True
            except IntegrityError:
                with self._engine.begin() as conn:
                    result = conn.execute(
                        update(_S)
                        .where(_S.c.key == key, _S.c.done_at.is_(None), _S.c.claimed_at < utc(stale_before))
                        .values(claimed_at=moment, event_id=event_id)
                    )
                return result.rowcount == 1

    def event_done(self, key: str, *, now: datetime) -> None:
        """Mark ``key`` handled, so no stale-claim takeover ever answers it again."""
        with self._guard(f"could not mark Slack event {key} done"), self._engine.begin() as conn:
            conn.execute(update(_S).where(_S.c.key == key).values(done_at=utc(now)))

    def prune_events(self, *, before: datetime) -> int:
        """Forget claims made before ``before``; return how many."""
        with self._guard("could not prune old Slack events"), self._engine.begin() as conn:
            return conn.execute(delete(_S).where(_S.c.claimed_at < utc(before))).rowcount

    def event_count(self) -> int:
        """How many claims are recorded (for tests and diagnostics)."""
        with self._guard("could not count Slack events"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                return int(conn.scalar(select(func.count()).select_from(_S)) or 0)
