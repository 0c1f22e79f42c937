"""The escalation store's tables and the small migration runner that creates them.

Why a migration table of our own rather than Alembic: the store has a handful of tables
and will change rarely; faqbot is a CLI and a bot that create their database on
first use, so there is no separate "upgrade" deployment step, no ``alembic.ini``
or versions directory to ship inside the package, and no extra import on every
start-up. An ordered list of :class:`Migration` steps and a ``schema_version``
table give the same guarantees we need (each step applied once, in order, in
one transaction, safely when two processes start together).

Rules for future changes: never edit a released migration; append a new step
(for example ``ALTER TABLE ... ADD COLUMN``) and update the query-side tables
below to match. ``tests/test_store.py`` checks that a migrated database and these
definitions agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator

STATUSES = ("open", "taken", "resolved")

# An arbitrary constant: the PostgreSQL advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 0x6661_7162_6F74  # "faqbot"


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back as an aware UTC ``datetime``.

    SQLite has no time zones and PostgreSQL's ``timestamp`` drops them; storing
    UTC everywhere keeps comparisons and ordering identical on every backend.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def _define_v1(metadata: MetaData) -> tuple[Table, Table, Table]:
    """The tables of schema version 1, defined on ``metadata``."""
    escalations = Table(
        "escalations",
        metadata,
        # The case number shown to askers and agents; never reused (AUTOINCREMENT on SQLite).
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("lang", String(8), nullable=False),
        Column("question", Text, nullable=False),
        Column("asker", String(255)),
        Column("source", String(16), nullable=False),
        Column("channel", String(255)),
        Column("thread", String(255)),
        Column("message_id", String(255)),
        Column("idempotency_key", String(128), nullable=False, unique=True),
        Column("candidates", Text, nullable=False, default="[]"),  # JSON [{entry_id, score}]
        Column("best_entry_id", String(255)),
        Column("best_score", Float, nullable=False, default=0.0),
        Column("status", String(16), nullable=False, default="open"),
        Column("agent", String(255)),
        Column("resolution", Text),
        Column("resolved_at", UTCDateTime),
        Column("forward_attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        Column("next_attempt_at", UTCDateTime, nullable=False),
        Column("forwarded_at", UTCDateTime),
        Column("forward_ref", String(255)),
        Column("claim_token", String(64)),
        Column("claimed_until", UTCDateTime),
        CheckConstraint("status IN ('open', 'taken', 'resolved')", name="ck_escalations_status"),
        Index("ix_escalations_status_created", "status", "created_at"),
        Index("ix_escalations_created", "created_at"),
        Index("ix_escalations_due", "forwarded_at", "next_attempt_at"),
        sqlite_autoincrement=True,
    )
    questions = Table(
        "questions",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("asked_at", UTCDateTime, nullable=False),
        Column("lang", String(8), nullable=False),
        Column("action", String(16), nullable=False),
        Column("entry_id", String(255)),
        Column("score", Float, nullable=False, default=0.0),
        Column("source", String(16), nullable=False),
        Column("asker", String(255)),
        Column("question", Text, nullable=False),
        Index("ix_questions_asked", "asked_at"),
        sqlite_autoincrement=True,
    )
    feedback = Table(
        "feedback",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("question_id", Integer, ForeignKey("questions.id", ondelete="SET NULL")),
        Column("escalation_id", Integer, ForeignKey("escalations.id", ondelete="SET NULL")),
        Column("message_id", String(255)),
        Column("entry_id", String(255)),
        Column("helpful", Boolean, nullable=False),
        Column("source", String(16), nullable=False),
        Column("asker", String(255)),
        Index("ix_feedback_created", "created_at"),
        sqlite_autoincrement=True,
    )
    return escalations, questions, feedback


def _define_v2(metadata: MetaData) -> Table:
    """Version 2: which Slack events had been claimed, so each was answered once.

    Only migration 2 uses it, so that a new database replays the released steps as they were;
    version 8 drops the table, since the Slack inbox (version 5) answers each event once.
    """
    return Table(
        "slack_events",
        metadata,
        Column("key", String(255), primary_key=True),  # "msg:<channel>:<ts>" or "evt:<event_id>"
        Column("event_id", String(64)),
        Column("claimed_at", UTCDateTime, nullable=False, index=True),
        Column("done_at", UTCDateTime),
    )


def _define_v3(metadata: MetaData) -> Table:
    """Version 3: Slack replies that could not be posted, posted again until Slack takes them (``bot.store.queues``)."""
    return Table(
        "pending_replies",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("channel", String(64), nullable=False),
        Column("thread_ts", String(64)),
        Column("text", Text, nullable=False),
        Column("blocks", Text),  # JSON, as rendered for the asker
        Column("event_key", String(255)),  # the Slack event it answers (bot.slack.requests.event_key)
        Column("created_at", UTCDateTime, nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", UTCDateTime, nullable=False, index=True),
        Column("claim_token", String(32)),
        Column("claimed_until", UTCDateTime),
        Column("last_error", Text),
        Column("delivered_at", UTCDateTime),
    )


def _define_v5(metadata: MetaData) -> Table:
    """Version 5: Slack requests recorded before they are acknowledged, until handled (``bot.store.queues``)."""
    return Table(
        "slack_inbox",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("key", String(255), nullable=False, unique=True),  # one row per message/command/click
        Column("kind", String(16), nullable=False),  # "event", "command" or "action"
        Column("payload", Text, nullable=False),  # JSON: the request body and what is needed to handle it later
        Column("received_at", UTCDateTime, nullable=False, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", UTCDateTime, nullable=False),
        Column("claim_token", String(32)),
        Column("claimed_until", UTCDateTime),
        Column("last_error", Text),
        Column("done_at", UTCDateTime),
        Index("ix_slack_inbox_due", "done_at", "next_attempt_at"),
        sqlite_autoincrement=True,
    )


# Version 4: when the case's card in the support channel last showed its state (see ``bot.store.cases``).
_CARD_SYNCED_AT = "card_synced_at"

#: what an agent said a resolved case was: answered by an entry, a new topic, or out of scope
CASE_LABELS = ("entry", "new_topic", "out_of_scope")
#: what a seller said by picking a "did you mean" choice: that entry, or none of them
PICK_LABELS = ("entry", "none_of_these")


def _define_v6(metadata: MetaData) -> Table:
    """Version 6: sellers' "did you mean" picks and "none of these", labelled examples for ``faqbot suggest``."""
    return Table(
        "picks",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("picked_at", UTCDateTime, nullable=False, index=True),
        Column("question_id", Integer, ForeignKey("questions.id", ondelete="SET NULL")),
        Column("question", Text, nullable=False),
        Column("lang", String(8), nullable=False),
        Column("label", String(16), nullable=False),
        Column("entry_id", String(255)),
        Column("source", String(16), nullable=False),
        Column("asker", String(255)),
        CheckConstraint("label IN ('entry', 'none_of_these')", name="ck_picks_label"),
        sqlite_autoincrement=True,
    )


# Version 6 also labels resolved cases and keeps the question and language with feedback.
_V6_COLUMNS = (
    ("escalations", "label", String(16)),
    ("escalations", "label_entry_id", String(255)),
    ("feedback", "question", Text()),
    ("feedback", "lang", String(8)),
)

# The tables the store queries: the current schema.
metadata = MetaData()
escalations, questions, feedback = _define_v1(metadata)
escalations.append_column(Column(_CARD_SYNCED_AT, UTCDateTime))
pending_replies = _define_v3(metadata)
slack_inbox = _define_v5(metadata)
picks = _define_v6(metadata)
for _table_name, _column_name, _column_type in _V6_COLUMNS:
    metadata.tables[_table_name].append_column(Column(_column_name, _column_type))
# Version 7: why a case can never be delivered (Slack refused its card and the plain-text one for good).
escalations.append_column(Column("undeliverable", Text))

_version_metadata = MetaData()
schema_version = Table(
    "schema_version",
    _version_metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(255), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply(connection)`` runs inside the migration transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    frozen = MetaData()
    _define_v1(frozen)
    frozen.create_all(conn)


def _create_v2(conn: Connection) -> None:
    frozen = MetaData()
    _define_v2(frozen).create(conn)


def _create_v3(conn: Connection) -> None:
    frozen = MetaData()
    _define_v3(frozen).create(conn)


def _create_v5(conn: Connection) -> None:
    frozen = MetaData()
    _define_v5(frozen).create(conn)


def _add_card_synced_at(conn: Connection) -> None:
    column_type = UTCDateTime().impl.compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE escalations ADD COLUMN {_CARD_SYNCED_AT} {column_type}"))


def _create_v6(conn: Connection) -> None:
    frozen = MetaData()
    _define_v1(frozen)  # so the picks' foreign key finds the questions table
    _define_v6(frozen).create(conn)
    for table_name, column_name, column_type in _V6_COLUMNS:
        compiled = column_type.compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {column_name} {compiled}"))


def _add_undeliverable(conn: Connection) -> None:
    conn.execute(text(f"ALTER TABLE escalations ADD COLUMN undeliverable {Text().compile(dialect=conn.dialect)}"))


def _drop_slack_events(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS slack_events"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "escalations, questions and feedback", _create_v1),
    Migration(2, "Slack event claims", _create_v2),
    Migration(3, "Slack replies waiting to be posted again", _create_v3),
    Migration(4, "escalations.card_synced_at: support-channel cards that show an older state", _add_card_synced_at),
    Migration(5, "Slack requests recorded before they are acknowledged", _create_v5),
    Migration(6, "labels: sellers' picks, resolved cases' labels, feedback's question", _create_v6),
    Migration(7, "escalations.undeliverable: cases Slack refused for good, never retried", _add_undeliverable),
    Migration(8, "drop the Slack event claims: the inbox answers each event once", _drop_slack_events),
)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer faqbot than this one."""


def current_version(conn: Connection) -> int:
    """The highest applied migration, or 0 for a database faqbot has never touched."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(select(func.max(schema_version.c.version))).scalar() or 0


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The version a fully migrated database has."""
    return max((m.version for m in migrations), default=0)


def migrate(
    engine: Engine, migrations: Sequence[Migration] = MIGRATIONS, *, writer: Engine | None = None
) -> int:
    """Apply the missing ``migrations`` in one transaction and return the version reached.

    ``engine`` reads the current version; ``writer`` (default: ``engine``) must
    start transactions that exclude other writers (``BEGIN IMMEDIATE`` on SQLite,
    as the store's writer does); on PostgreSQL an advisory lock does the same,
    so two processes starting at once apply each step exactly once: the second
    waits, then finds nothing left to do.
    """
    ordered = sorted(migrations, key=lambda m: m.version)
    versions = [m.version for m in ordered]
    if len(set(versions)) != len(versions) or (versions and versions[0] < 1):
        raise ValueError(f"migration versions must be distinct positive integers, got {versions}")
    target = latest_version(ordered)
    with engine.connect() as conn:  # a plain read first: no write lock when up to date
        version = current_version(conn)
        conn.rollback()
    _refuse_newer(version, target)
    if version == target:
        return version
    with (writer or engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        schema_version.create(conn, checkfirst=True)
        version = current_version(conn)
        _refuse_newer(version, target)
        for step in ordered:
            if step.version <= version:
                continue
            step.apply(conn)
            conn.execute(
                insert(schema_version).values(
                    version=step.version,
                    description=step.description,
                    applied_at=datetime.now(timezone.utc),
                )
            )
            version = step.version
    return version


def _refuse_newer(version: int, target: int) -> None:
    if version > target:
        raise SchemaTooNew(
            f"the database has schema version {version}, newer than this faqbot knows ({target});"
            " upgrade faqbot"
        )
