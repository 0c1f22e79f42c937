"""What callers need from the store, one small interface per subject.

Each caller types against the protocol it uses (the case commands against
:class:`CaseStore`, the delivery worker against :class:`ForwardingStore`, ...),
so a second backend (another database, a remote service, an in-memory double)
implements the subjects it serves and nothing else. :class:`bot.store.SqlStore`
implements every one of them over one SQL database; ``tests/test_store_protocols.py``
checks that it matches these signatures and that every public method it has
belongs to one of them.

No SQL here: these are interfaces, the SQL is in the subject modules beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.learning.model import CaseRecord, ResolvedCase, Traffic
    from bot.store.records import Escalation, EscalationList, FeedbackRecord, InboxRequest, Leased, QuestionRecord
    from bot.store.retention import PruneCounts
    from faq.model import Reply


class CaseStore(Protocol):
    """Cases (escalations): open one (row first), read the queue, take, resolve, reopen, card freshness."""

    def open_escalation(
        self, reply: Reply, *, source: str, asker: str | None = None, channel: str | None = None,
        thread: str | None = None, message_id: str | None = None, idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> tuple[Escalation, bool]: ...

    def get(self, case: int) -> Escalation | None: ...

    def queue(self) -> EscalationList: ...

    def list(self, status: str | None = None, since: datetime | None = None) -> EscalationList: ...

    def undelivered(self) -> EscalationList: ...

    def take(self, case: int, agent: str, *, now: datetime | None = None, card_redrawn: bool = False) -> bool: ...

    def resolve(
        self, case: int, agent: str, note: str = "", *, now: datetime | None = None, card_redrawn: bool = False,
        label: str | None = None, entry_id: str | None = None,
    ) -> Escalation: ...

    def reopen(self, case: int, *, agent: str | None = None, now: datetime | None = None,
               card_redrawn: bool = False) -> Escalation: ...

    def stale_cards(self, limit: int = 50) -> EscalationList: ...

    def mark_card_synced(self, case: int, as_of: datetime) -> None: ...


class QuestionStore(Protocol):
    """The question log, sellers' "did you mean" picks and "helpful / not helpful" feedback."""

    def log_question(self, reply: Reply, source: str, asker: str | None = None, now: datetime | None = None) -> int: ...

    def question(self, question_id: int) -> QuestionRecord | None: ...

    def questions_since(self, since: datetime | None = None) -> list[QuestionRecord]: ...

    def import_questions(self, rows: Iterable[Mapping[str, Any]]) -> int: ...

    def record_pick(
        self, *, question: str, lang: str, label: str, source: str, entry_id: str | None = None,
        question_id: int | None = None, asker: str | None = None, now: datetime | None = None,
    ) -> int: ...

    def record_feedback(
        self, *, helpful: bool, source: str, question_id: int | None = None, case: int | None = None,
        message_id: str | None = None, entry_id: str | None = None, asker: str | None = None,
        now: datetime | None = None, question: str | None = None, lang: str | None = None,
    ) -> int: ...

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackRecord]: ...


class CasesAndQuestions(CaseStore, QuestionStore, Protocol):
    """Cases and the question log together: what the desks write."""


class ForwardingStore(Protocol):
    """The queue of cases to forward to Seller Support: lease the due ones, settle each delivery (or give it up)."""

    def lease_cases(self, *, now: datetime, token: str, lease_seconds: float, limit: int,
                    after: int = 0) -> list[Leased]: ...

    def claim_due(self, *, now: datetime, token: str, lease_seconds: float, limit: int,
                  after: int = 0) -> EscalationList: ...

    def mark_forwarded(self, case: int, *, token: str, ref: str | None, now: datetime) -> bool: ...

    def mark_failed(self, case: int, *, token: str, error: str, retry_at: datetime, now: datetime) -> bool: ...

    def mark_undeliverable(self, case: int, *, token: str, error: str, now: datetime) -> bool: ...

    def undeliverable_cases(self) -> int: ...


class HeldReplyStore(Protocol):
    """Replies the chat service refused at first, kept to post again until they expire."""

    def hold_reply(
        self, *, channel: str, thread_ts: str | None, text: str, blocks: list[dict[str, Any]] | None,
        event_key: str | None, error: str, now: datetime, retry_at: datetime,
    ) -> int: ...

    def lease_replies(self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0,
                      created_after: datetime) -> list[Leased]: ...

    def mark_reply_posted(self, reply_id: int, *, token: str, ref: str | None, now: datetime) -> bool: ...

    def mark_reply_failed(self, reply_id: int, *, token: str, error: str, retry_at: datetime,
                          now: datetime) -> bool: ...

    def pending_replies(self) -> int: ...


class InboxStore(Protocol):
    """Requests recorded before they are acknowledged, leased until handled (the durable inbox)."""

    def record_request(self, key: str, kind: str, payload: dict[str, Any], *, now: datetime, token: str,
                       lease_seconds: float) -> InboxRequest | None: ...

    def renew_request(self, request_id: int, *, token: str, now: datetime, lease_seconds: float) -> bool: ...

    def lease_requests(self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int = 0,
                       received_after: datetime) -> list[Leased]: ...

    def mark_request_done(self, request_id: int, *, token: str, now: datetime, error: str | None = None) -> bool: ...

    def mark_request_failed(self, request_id: int, *, token: str, error: str, retry_at: datetime,
                            now: datetime) -> bool: ...

    def prune_requests(self, *, before: datetime) -> int: ...

    def unhandled_requests(self) -> int: ...


class LearningStore(Protocol):
    """The log read back as the learning loop's records (``faqbot suggest``, ``report --html``)."""

    def traffic(self, since: datetime | None = None) -> Traffic: ...

    def resolved_cases(self, since: datetime | None = None) -> list[ResolvedCase]: ...

    def case_records(self, since: datetime | None = None) -> list[CaseRecord]: ...


class ReportStore(CasesAndQuestions, LearningStore, Protocol):
    """What ``faqbot report`` reads: cases, feedback, and the log as the learning loop groups it."""


class RetentionStore(Protocol):
    """Forgetting what is older than the operator keeps (``faqbot prune``)."""

    def prune(self, *, before: datetime, dry_run: bool = False, now: datetime | None = None) -> PruneCounts: ...


class StoreAdmin(Protocol):
    """The database itself: where it is, its schema, whether it can be written, closing it."""

    @property
    def url(self) -> str: ...

    @property
    def backend(self) -> str: ...

    def migrate(self) -> int: ...

    def schema_version(self) -> int: ...

    def ensure_schema(self) -> None: ...

    def check_writable(self) -> None: ...

    def describe(self) -> dict[str, dict[str, set[str]]]: ...

    def connection_settings(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class Store(CasesAndQuestions, ForwardingStore, HeldReplyStore, InboxStore, LearningStore, RetentionStore,
            StoreAdmin, Protocol):
    """Every subject at once: what a composition root (the CLI, the Slack app) hands to the parts it builds."""

    def export(self, since: datetime | None = None) -> dict[str, list[dict[str, Any]]]: ...
