"""The durable store: a question is a row before it is a message.

``SqlStore`` keeps escalations (the Seller Support queue), a log of every
question asked, sellers' picks, feedback on answers and the work queues (cases to
forward, Slack replies to post again, Slack requests to handle: the inbox), in
any database SQLAlchemy supports: a SQLite file by default (one machine),
PostgreSQL when several processes serve traffic. Callers type against the small
protocol they use (``protocols``: ``CaseStore``, ``QuestionStore``, ...), so a
second backend implements those interfaces; ``SqlStore`` implements them all.
Every write is one transaction, committed before the call returns, so an error
leaves nothing half-written and a crash loses nothing already acknowledged. All SQL of faqbot lives in this package:

- ``protocols``: the interfaces, one per subject below (no SQL);
- ``database``: engine set-up, SQLite pragmas, migrations on first use, errors;
- ``schema``: the tables and the migration steps;
- ``cases``: the case lifecycle and card freshness;
- ``questions``: the question log, sellers' picks and feedback;
- ``queues``: leases and settlements of the work queues (run by ``bot.delivery``), the
  Slack inbox among them: its unique key is what answers each Slack event once;
- ``learning``: the log read back as the learning loop's records;
- ``retention``: deleting old questions and closed cases (``faqbot prune``);
- ``records``: the frozen records handed back.

Typical use::

    store = SqlStore.from_url(url)                 # schema created on first use
    case, created = store.open_escalation(reply, source="console", asker="ana")
    store.take(case.case, "agent-7")
    store.resolve(case.case, "agent-7", "Answered by email")
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.errors import InvalidTransition, StoreBusy, StoreError, UnknownCase
from bot.store.cases import SqlCases
from bot.store.database import DEFAULT_BUSY_TIMEOUT, default_db_url, mask_url
from bot.store.learning import SqlLearning
from bot.store.protocols import (
    CaseStore,
    CasesAndQuestions,
    ForwardingStore,
    HeldReplyStore,
    InboxStore,
    LearningStore,
    QuestionStore,
    ReportStore,
    RetentionStore,
    Store,
    StoreAdmin,
)
from bot.store.questions import SqlQuestions
from bot.store.queues import SqlQueues
from bot.store.records import (
    SOURCE_FORMAT,
    Escalation,
    EscalationList,
    FeedbackRecord,
    InboxRequest,
    Leased,
    PendingReply,
    QuestionRecord,
    idempotency_key_for,
)
from bot.store.retention import PruneCounts, SqlRetention

__all__ = [
    "DEFAULT_BUSY_TIMEOUT", "SOURCE_FORMAT", "Escalation", "EscalationList", "FeedbackRecord",
    "InboxRequest", "InvalidTransition", "Leased", "PendingReply", "PruneCounts", "QuestionRecord", "StoreBusy",
    "StoreError", "UnknownCase",
    "CaseStore", "CasesAndQuestions", "ForwardingStore", "HeldReplyStore", "InboxStore", "LearningStore",
    "QuestionStore", "ReportStore", "RetentionStore", "Store", "StoreAdmin", "SqlStore",
    "default_db_url", "idempotency_key_for", "mask_url",
]


class SqlStore(SqlCases, SqlQuestions, SqlQueues, SqlLearning, SqlRetention):
    """Every protocol of :mod:`bot.store.protocols` on one SQL database: each base owns its tables, one engine.

    Each base is also a backend on its own (``SqlCases.from_url(url)`` is a
    :class:`CaseStore`); this class is the one a deployment builds, since every
    subject lives in the same database.
    """

    def export(self, since: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
        """Everything recorded at or after ``since`` as JSON-ready dicts: escalations, questions, feedback."""

        def plain(record: Any) -> dict[str, Any]:
            return {
                name: value.isoformat() if isinstance(value, datetime) else value
                for name, value in record.__dict__.items()
            }

        return {
            "escalations": [esc.to_json() for esc in self.list(since=since)],
            "questions": [plain(q) for q in self.questions_since(since)],
            "feedback": [plain(f) for f in self.feedback_since(since)],
        }
