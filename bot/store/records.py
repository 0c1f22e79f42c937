"""What the store hands back: frozen records built from rows, and the small helpers every table shares.

Records are plain data so adapters can render them without touching SQL; the
row converters live here so each table's module stays about queries only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Row

from bot.clipping import clip_question
from faq.model import Candidate

#: What a source (the channel a question came from) may look like: a short identifier that fits its column.
SOURCE_FORMAT = re.compile(r"[a-z][a-z0-9_-]{0,15}")


@dataclass(frozen=True)
class Escalation:
    """One escalated question as stored; ``case`` is the number shown to askers and agents."""

    case: int
    created_at: datetime
    updated_at: datetime
    lang: str
    question: str
    source: str
    idempotency_key: str
    status: str = "open"
    asker: str | None = None
    channel: str | None = None
    thread: str | None = None
    message_id: str | None = None
    candidates: tuple[Candidate, ...] = ()
    best_entry_id: str | None = None
    best_score: float = 0.0
    agent: str | None = None
    resolution: str | None = None
    resolved_at: datetime | None = None
    forward_attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    forwarded_at: datetime | None = None
    forward_ref: str | None = None
    label: str | None = None  # set when resolved: "entry" (label_entry_id answers it), "new_topic", "out_of_scope"
    label_entry_id: str | None = None
    undeliverable: str | None = None  # why Slack refused this case's card for good; it is not retried

    @property
    def forwarded(self) -> bool:
        """Whether Seller Support has been sent this case."""
        return self.forwarded_at is not None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (timestamps as ISO 8601 UTC)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif name == "candidates":
                value = [{"entry_id": c.entry_id, "score": c.score} for c in value]
            out[name] = value
        return out


EscalationList = list[Escalation]


@dataclass(frozen=True)
class QuestionRecord:
    """One logged question and what the bot did with it."""

    id: int
    asked_at: datetime
    lang: str
    action: str
    entry_id: str | None
    score: float
    source: str
    asker: str | None
    question: str


@dataclass(frozen=True)
class FeedbackRecord:
    """One "helpful / not helpful" vote on an answer or a case."""

    id: int
    created_at: datetime
    helpful: bool
    source: str
    entry_id: str | None = None
    question_id: int | None = None
    case: int | None = None
    message_id: str | None = None
    asker: str | None = None


@dataclass(frozen=True)
class PendingReply:
    """A Slack reply waiting to be posted: where, what, and how often it already failed."""

    id: int
    channel: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    event_key: str | None
    attempts: int


@dataclass(frozen=True)
class InboxRequest:
    """A Slack request recorded before it was acknowledged: its key, kind and body, until it is handled."""

    id: int
    key: str
    kind: str  # "event", "command" or "action"
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Leased:
    """A row leased from a work queue; ``unsure`` when an earlier holder's lease ran out unsettled.

    An unsettled lease means a worker died or hung mid-delivery: the item may
    already have arrived, so a deliverer that can look (the Slack channel, a
    file) should look before sending again.
    """

    item: Any
    unsure: bool = False


def idempotency_key_for(
    source: str,
    text: str,
    asker: str | None = None,
    message_id: str | None = None,
    now: datetime | None = None,
    *,
    channel: str | None = None,
) -> str:
    """The key that makes a retried escalation land on the same case.

    With a ``message_id`` (Slack: the message ``ts``, unique within its
    channel) the key is the message itself, so a redelivered event never opens a
    second case. Without one (the console) it is the asker, the text and the
    minute: the same question pasted twice within a minute is one case.
    """
    if message_id:
        parts = [source, "msg", channel or "", message_id]
    else:
        minute = utc(now).strftime("%Y-%m-%dT%H:%M")
        parts = [source, "text", asker or "", " ".join(text.split()), minute]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"{source}:{digest}"


def storable(text: str) -> str:
    """``text`` as the database can store it: lone surrogates (from broken JSON or pasted bytes) become '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def storable_question(text: str, lang: str | None) -> str:
    """A question as the store keeps it: :func:`storable`, cut at ``bot.clipping.QUESTION_LIMIT`` with the marker."""
    return storable(clip_question(text, lang))


def utc(moment: datetime | None) -> datetime:
    """``moment`` as an aware UTC datetime; now when None; naive values are taken as UTC."""
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def check_sources(sources: Iterable[str] | None) -> frozenset[str] | None:
    """The channels a store accepts, each checked against :data:`SOURCE_FORMAT`; None accepts any well-formed one."""
    if sources is None:
        return None
    if isinstance(sources, str):  # one name, not a collection of one-letter sources
        raise ValueError(f"sources must be a collection of names, not the string {sources!r}")
    accepted = frozenset(sources)
    for source in accepted:
        check_source(source, None)
    return accepted


def check_source(source: str, accepted: frozenset[str] | None) -> None:
    """Refuse a source that is not a short identifier, or not one the store was told of.

    Why: a typo in an adapter's name would file its questions under a channel
    nobody reads, and a name too long for the column fails on one backend only.
    """
    if accepted is not None and source not in accepted:
        raise ValueError(f"source must be one of {', '.join(sorted(accepted))}, not {source!r}")
    if not isinstance(source, str) or not SOURCE_FORMAT.fullmatch(source):
        raise ValueError(f"source must be a short identifier (a-z, 0-9, '_' or '-', at most 16), not {source!r}")


def escalation_from_row(row: Row) -> Escalation:
    """An :class:`Escalation` from an ``escalations`` row (unreadable candidates become none)."""
    data = row._mapping
    try:
        candidates = tuple(
            Candidate(entry_id=item["entry_id"], score=float(item["score"]))
            for item in json.loads(data["candidates"] or "[]")
        )
    except (ValueError, KeyError, TypeError):
        candidates = ()
    return Escalation(
        case=data["id"], created_at=data["created_at"], updated_at=data["updated_at"], lang=data["lang"],
        question=data["question"], source=data["source"], idempotency_key=data["idempotency_key"],
        status=data["status"], asker=data["asker"], channel=data["channel"], thread=data["thread"],
        message_id=data["message_id"], candidates=candidates, best_entry_id=data["best_entry_id"],
        best_score=float(data["best_score"] or 0.0), agent=data["agent"], resolution=data["resolution"],
        resolved_at=data["resolved_at"], forward_attempts=data["forward_attempts"], last_error=data["last_error"],
        next_attempt_at=data["next_attempt_at"], forwarded_at=data["forwarded_at"], forward_ref=data["forward_ref"],
        label=data.get("label"), label_entry_id=data.get("label_entry_id"), undeliverable=data.get("undeliverable"),
    )


def pending_reply_from_row(row: Row) -> PendingReply:
    """A :class:`PendingReply` from a ``pending_replies`` row."""
    return PendingReply(
        id=row.id, channel=row.channel, thread_ts=row.thread_ts, text=row.text,
        blocks=None if row.blocks is None else json.loads(row.blocks), event_key=row.event_key, attempts=row.attempts,
    )


def inbox_request_from_row(row: Row) -> InboxRequest:
    """An :class:`InboxRequest` from a ``slack_inbox`` row."""
    return InboxRequest(id=row.id, key=row.key, kind=row.kind, payload=json.loads(row.payload), attempts=row.attempts)
