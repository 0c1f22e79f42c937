"""The work queues: cases to forward, Slack replies to post again, Slack requests to handle.

Each queue is a table whose rows carry a lease (``claim_token``, ``claimed_until``),
an attempt count, the last error and the next attempt time. :mod:`bot.delivery`
runs one worker over any of them; this module only says, in SQL, what "lease the due
rows", "it was delivered" and "it failed, retry at" mean for each table. A
settlement counts only while the caller's token still holds the lease, so a
worker whose lease ran out cannot overwrite the one that took over.

The Slack inbox is recorded before Slack gets its acknowledgement, already
leased to the process that received it; if that process dies, the lease runs
out and another process leases the request and handles it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database
from bot.store.records import (
    EscalationList,
    InboxRequest,
    Leased,
    escalation_from_row,
    inbox_request_from_row,
    pending_reply_from_row,
    utc,
)
from bot.store.schema import escalations, pending_replies, slack_inbox


class SqlQueues(Database):
    """Leases and settlements: :class:`ForwardingStore`, :class:`HeldReplyStore` and :class:`InboxStore` in SQL."""

    def _lease(
        self,
        table: Table,
        *,
        waiting: ColumnElement[bool],
        due: ColumnElement[bool],
        now: datetime,
        token: str,
        lease_seconds: float,
        limit: int,
        doing: str,
    ) -> list[tuple[Any, bool]]:
        """Lease up to ``limit`` rows of ``table`` that are ``waiting`` and ``due``, oldest id first.

        A row is leased only when nobody holds an unexpired lease on it, so two
        workers never hold the same row at once; the leased rows are read back
        from the database. Each comes with ``unsure``: an earlier lease ran out
        without being settled (its holder died mid-delivery).
        """
        moment = utc(now)
        free = or_(table.c.claimed_until.is_(None), table.c.claimed_until <= moment)
        candidates = select(table.c.id, table.c.claim_token).where(waiting, due, free).order_by(table.c.id).limit(limit)
        with self._guard(doing):
            self.ensure_schema()
            with self._engine.connect() as conn:  # a plain read first: idle polls take no write lock
                if not conn.execute(candidates).first():
                    return []
            with self._writer.begin() as conn:
                unsure: dict[int, bool] = {}
                for row_id, previous in conn.execute(candidates).all():
                    taken = conn.execute(
                        update(table).where(table.c.id == row_id, waiting, free)
                        .values(claim_token=token, claimed_until=moment + timedelta(seconds=lease_seconds))
                    ).rowcount == 1
                    if taken:
                        unsure[row_id] = previous is not None
                if not unsure:
                    return []
                rows = conn.execute(select(table).where(table.c.id.in_(list(unsure))).order_by(table.c.id)).all()
                return [(row, unsure[row.id]) for row in rows]

    # --- cases to forward -----------------------------------------------------------------------

    def lease_cases(self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0) -> list[Leased]:
        """Lease up to ``limit`` unforwarded cases due at ``now`` (case number > ``after``), oldest first."""
        moment = utc(now)
        rows = self._lease(
            escalations, waiting=and_(escalations.c.forwarded_at.is_(None), escalations.c.undeliverable.is_(None)),
            due=and_(escalations.c.next_attempt_at <= moment, escalations.c.id > after), now=moment, token=token,
            lease_seconds=lease_seconds, limit=limit, doing="could not claim escalations to forward",
        )
        return [Leased(escalation_from_row(row), unsure) for row, unsure in rows]

    def claim_due(self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0) -> EscalationList:
        """:meth:`lease_cases`, the cases only."""
        leased = self.lease_cases(now=now, token=token, lease_seconds=lease_seconds, limit=limit, after=after)
        return [item.item for item in leased]

    def mark_forwarded(self, case: int, *, token: str, ref: str | None, now: datetime) -> bool:
        """Record a delivery, if ``token`` still holds the lease; False means another forwarder took over."""
        moment = utc(now)
        return self._settle_case(
            case, token, f"could not record the delivery of case {case}",
            {"forwarded_at": moment, "forward_ref": ref, "updated_at": moment},
        )

    def mark_failed(self, case: int, *, token: str, error: str, retry_at: datetime, now: datetime) -> bool:
        """Record a failed delivery and when to retry, if ``token`` still holds the lease."""
        return self._settle_case(
            case, token, f"could not record the failed delivery of case {case}",
            {"last_error": error[:1000], "next_attempt_at": utc(retry_at), "updated_at": utc(now)},
        )

    def mark_undeliverable(self, case: int, *, token: str, error: str, now: datetime) -> bool:
        """Record that Slack refused this case for good (never retried again), if ``token`` still holds the lease."""
        return self._settle_case(
            case, token, f"could not record that case {case} cannot be delivered",
            {"last_error": error[:1000], "undeliverable": error[:1000], "updated_at": utc(now)},
        )

    def undeliverable_cases(self) -> int:
        """How many cases Slack refused for good (shown by ``/healthz``, the console's banner and ``:queue``)."""
        with self._guard("could not count undeliverable cases"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                refused = select(func.count()).select_from(escalations).where(escalations.c.undeliverable.is_not(None))
                return int(conn.scalar(refused) or 0)

    def _settle_case(self, case: int, token: str, doing: str, values: dict) -> bool:
        with self._guard(doing), self._writer.begin() as conn:
            result = conn.execute(
                update(escalations)
                .where(escalations.c.id == case, escalations.c.claim_token == token,
                       escalations.c.forwarded_at.is_(None))
                .values(forward_attempts=escalations.c.forward_attempts + 1, claim_token=None, claimed_until=None,
                        **values)
            )
            return result.rowcount == 1

    # --- Slack replies to post again --------------------------------------------------------------

    def hold_reply(
        self,
        *,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None,
        event_key: str | None,
        error: str,
        now: datetime,
        retry_at: datetime,
    ) -> int:
        """Keep a reply whose first post failed with ``error`` (one attempt made); return its row id."""
        row = dict(
            channel=channel, thread_ts=thread_ts, text=text, blocks=None if blocks is None else json.dumps(blocks),
            event_key=event_key, created_at=utc(now), attempts=1, next_attempt_at=utc(retry_at), last_error=error,
        )
        with self._guard("could not keep the reply to post again"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return int(conn.execute(insert(pending_replies).values(**row)).inserted_primary_key[0])

    def lease_replies(
        self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0, created_after: datetime,
    ) -> list[Leased]:
        """Lease the due, unposted replies created after ``created_after`` (older ones have expired), oldest first."""
        moment = utc(now)
        due = and_(pending_replies.c.next_attempt_at <= moment, pending_replies.c.created_at > utc(created_after),
                   pending_replies.c.id > after)
        rows = self._lease(
            pending_replies, waiting=pending_replies.c.delivered_at.is_(None), due=due, now=moment, token=token,
            lease_seconds=lease_seconds, limit=limit, doing="could not read the replies to post again",
        )
        return [Leased(pending_reply_from_row(row), unsure) for row, unsure in rows]

    def mark_reply_posted(self, reply_id: int, *, token: str, ref: str | None, now: datetime) -> bool:
        """Record that a held reply was posted, if ``token`` still holds its lease."""
        return self._settle_reply(reply_id, token, "could not record a posted reply", {"delivered_at": utc(now)})

    def mark_reply_failed(self, reply_id: int, *, token: str, error: str, retry_at: datetime, now: datetime) -> bool:
        """Record a failed post and when to retry, if ``token`` still holds its lease."""
        return self._settle_reply(
            reply_id, token, "could not record a failed reply",
            {"last_error": error[:1000], "next_attempt_at": utc(retry_at)},
        )

    def _settle_reply(self, reply_id: int, token: str, doing: str, values: dict) -> bool:
        with self._guard(doing), self._writer.begin() as conn:
            result = conn.execute(
                update(pending_replies)
                .where(pending_replies.c.id == reply_id, pending_replies.c.claim_token == token,
                       pending_replies.c.delivered_at.is_(None))
                .values(attempts=pending_replies.c.attempts + 1, claim_token=None, claimed_until=None, **values)
            )
            return result.rowcount == 1

    def pending_replies(self) -> int:
        """How many held replies were never posted (expired ones included)."""
        with self._guard("could not count pending replies"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                unposted = pending_replies.c.delivered_at.is_(None)
                return int(conn.scalar(select(func.count()).select_from(pending_replies).where(unposted)) or 0)

    # --- Slack requests to handle (the inbox) -----------------------------------------------------

    def record_request(
        self, key: str, kind: str, payload: dict[str, Any], *, now: datetime, token: str, lease_seconds: float,
    ) -> InboxRequest | None:
        """Record a request, leased to ``token``; None when ``key`` was recorded before (a redelivery)."""
        moment = utc(now)
        row = dict(key=key, kind=kind, payload=json.dumps(payload, ensure_ascii=False), received_at=moment,
                   attempts=0, next_attempt_at=moment, claim_token=token,
                   claimed_until=moment + timedelta(seconds=lease_seconds))
        with self._guard(f"could not record Slack request {key}"):
            self.ensure_schema()
            try:
                with self._writer.begin() as conn:
                    ident = int(conn.execute(insert(slack_inbox).values(**row)).inserted_primary_key[0])
            except IntegrityError:
                return None
        return InboxRequest(id=ident, key=key, kind=kind, payload=payload, attempts=0)

    def renew_request(self, request_id: int, *, token: str, now: datetime, lease_seconds: float) -> bool:
        """Extend ``token``'s lease on an unhandled request; False when another process took it over."""
        moment = utc(now)
        with self._guard("could not renew the lease on a Slack request"), self._writer.begin() as conn:
            return conn.execute(
                update(slack_inbox)
                .where(slack_inbox.c.id == request_id, slack_inbox.c.claim_token == token,
                       slack_inbox.c.done_at.is_(None))
                .values(claimed_until=moment + timedelta(seconds=lease_seconds))
            ).rowcount == 1

    def lease_requests(
        self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0,
        received_after: datetime,
    ) -> list[Leased]:
        """Lease unhandled requests whose holder's lease ran out (or whose retry is due), oldest first."""
        moment = utc(now)
        due = and_(slack_inbox.c.next_attempt_at <= moment, slack_inbox.c.received_at > utc(received_after),
                   slack_inbox.c.id > after)
        rows = self._lease(
            slack_inbox, waiting=slack_inbox.c.done_at.is_(None), due=due, now=moment, token=token,
            lease_seconds=lease_seconds, limit=limit, doing="could not read the Slack requests to handle",
        )
        return [Leased(inbox_request_from_row(row), unsure) for row, unsure in rows]

    def mark_request_done(self, request_id: int, *, token: str, now: datetime, error: str | None = None) -> bool:
        """Record that a request was handled (or given up, with ``error``), if ``token`` still holds its lease."""
        values: dict[str, Any] = {"done_at": utc(now)}
        if error is not None:
            values["last_error"] = error[:1000]
        return self._settle_request(request_id, token, "could not record a handled Slack request", values)

    def mark_request_failed(self, request_id: int, *, token: str, error: str, retry_at: datetime,
                            now: datetime) -> bool:
        """Record a failed attempt and when to retry, if ``token`` still holds the lease."""
        return self._settle_request(
            request_id, token, "could not record a failed Slack request",
            {"last_error": error[:1000], "next_attempt_at": utc(retry_at)},
        )

    def _settle_request(self, request_id: int, token: str, doing: str, values: dict) -> bool:
        with self._guard(doing), self._writer.begin() as conn:
            result = conn.execute(
                update(slack_inbox)
                .where(slack_inbox.c.id == request_id, slack_inbox.c.claim_token == token,
                       slack_inbox.c.done_at.is_(None))
                .values(attempts=slack_inbox.c.attempts + 1, claim_token=None, claimed_until=None, **values)
            )
            return result.rowcount == 1

    def prune_requests(self, *, before: datetime) -> int:
        """Forget requests received before ``before`` (Slack never redelivers that late); return how many."""
        with self._guard("could not prune old Slack requests"), self._writer.begin() as conn:
            return conn.execute(delete(slack_inbox).where(slack_inbox.c.received_at < utc(before))).rowcount

    def unhandled_requests(self) -> int:
        """How many recorded Slack requests are not handled yet."""
        with self._guard("could not count unhandled Slack requests"):
            self.ensure_schema()
            with self._engine.connect() as conn:
                unhandled = select(func.count()).select_from(slack_inbox).where(slack_inbox.c.done_at.is_(None))
                return int(conn.scalar(unhandled) or 0)
