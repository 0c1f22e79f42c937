"""The durable escalation store: a question is a row before it is a message.

``EscalationStore`` keeps escalations (the Seller Support queue), a log of every
question asked, and feedback on answers, in any database SQLAlchemy supports:
a SQLite file by default (one machine), PostgreSQL when several processes serve
traffic. Every write is one transaction, committed before the call returns, so
an error leaves nothing half-written and a crash loses nothing already
acknowledged. Forwarding to Seller Support is :mod:`bot.forwarding`'s job; this
module only records what it needs (attempts, errors, the next retry, a lease).

SQLite specifics, set on every connection: WAL journal (readers never block the
writer), ``busy_timeout`` (wait for a lock instead of failing at once), foreign
keys on, and write transactions opened with ``BEGIN IMMEDIATE`` so two
processes never deadlock upgrading a read lock to a write lock. ``synchronous``
stays at SQLite's default (FULL): a commit survives a power cut, not just a
crash.

Typical use::

    store = EscalationStore.from_url(url)          # schema created on first use
    case, created = store.open_escalation(reply, source="console", asker="ana")
    store.take(case.case, "agent-7")
    store.resolve(case.case, "agent-7", "Answered by email")
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, create_engine, event, func, insert, or_, select, update
from sqlalchemy.engine import Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from bot.errors import InvalidTransition, StoreError, UnknownCase  # noqa: F401 (re-exported)
from bot import schema
from bot.schema import MIGRATIONS, Migration, SchemaTooNew
from faq.model import Candidate, Reply

SOURCES = ("console", "slack")
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a SQLite writer waits for another one

_E = schema.escalations
_Q = schema.questions
_F = schema.feedback
_SQLITE_BEGIN_OPTION = "faqbot_sqlite_begin"




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


EscalationList = list[Escalation]


def default_db_url() -> str:
    """``sqlite:///<user data dir>/faqbot.sqlite3``, creating the directory: the one-machine default."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("faqbot", appauthor=False))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {directory}: {exc.strerror or exc}") from exc
    return f"sqlite:///{(directory / 'faqbot.sqlite3').as_posix()}"


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
        minute = _utc(now).strftime("%Y-%m-%dT%H:%M")
        parts = [source, "text", asker or "", " ".join(text.split()), minute]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"{source}:{digest}"


def _storable(text: str) -> str:
    """``text`` as the database can store it: lone surrogates (from broken JSON or pasted bytes) become '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _safe_url(url: str) -> str:
    """``url`` with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: mask whatever sits between ':' and '@'
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


# --- SQLite connection set-up -------------------------------------------------------------

_configured_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """Install the per-connection pragmas and our own BEGIN on a SQLite engine (once)."""
    if engine in _configured_engines:
        return
    milliseconds = max(0, int(busy_timeout * 1000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
            cursor.execute("PRAGMA foreign_keys = ON")
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() not in ("wal", "memory"):
                try:  # persistent: the first connection that can switches the file to WAL
                    cursor.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError:
                    pass  # a read-only connection cannot switch; it still reads and reports errors
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get(_SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    _configured_engines.add(engine)
    engine.dispose()  # connections opened before the listeners existed lack the pragmas


# --- the store --------------------------------------------------------------------------


class EscalationStore:
    """Escalations, the question log and feedback in one SQL database (SQLAlchemy Core).

    Build it with :meth:`from_url` (or from an ``Engine``). The schema is created
    or upgraded on first use (:meth:`migrate`). Every public method is safe to call
    from several threads and processes at once.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        self.engine = engine
        self.busy_timeout = busy_timeout
        self._migrations = tuple(migrations)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, busy_timeout)
            self._writer = engine.execution_options(**{_SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        else:
            self._writer = engine

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> EscalationStore:
        """A store on the database at ``url`` (any SQLAlchemy URL); a bad URL is a :class:`StoreError`."""
        try:
            parsed = make_url(url)
            options: dict[str, Any] = {}
            if parsed.get_backend_name() != "sqlite":
                options["pool_pre_ping"] = True
            engine = create_engine(parsed, **options)
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise StoreError(
                f"invalid database URL {_safe_url(url)!r}: {_first_line(exc)}"
                " (expected e.g. sqlite:///path/to/faqbot.sqlite3 or postgresql+psycopg://user@host/db)"
            ) from exc
        except ImportError as exc:
            raise StoreError(
                f"the database driver for {_safe_url(url)!r} is not installed: {exc.name or exc}"
            ) from exc
        return cls(engine, busy_timeout=busy_timeout, migrations=migrations)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> EscalationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema (missing migrations, in one transaction); return its version."""
        with self.guard("could not prepare the database"):
            try:
                version = schema.migrate(self.engine, self._migrations, writer=self._writer)
            except SchemaTooNew as exc:
                raise StoreError(str(exc)) from exc
        self._schema_ready = True
        return version

    def schema_version(self) -> int:
        """The version the database is at now (0 when it was never migrated)."""
        with self.guard("could not read the schema version"), self.engine.connect() as conn:
            return schema.current_version(conn)

    def ensure_schema(self) -> None:
        """Migrate on first use, once per store (thread-safe); cheap afterwards.

        Public for the modules that keep their own tables in this database
        (``bot.slack_events``, ``bot.reply_outbox``).
        """
        if self._schema_ready:
            return
        with self._schema_lock:
            if not self._schema_ready:
                self.migrate()

    # --- escalations ----------------------------------------------------------------------

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
        _check_source(source)
        moment = _utc(now)
        key = idempotency_key or idempotency_key_for(
            source, _storable(reply.question), asker, message_id, moment, channel=channel
        )
        values = {
            "created_at": moment,
            "updated_at": moment,
            "lang": reply.lang,
            "question": _storable(reply.question),
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
        with self.guard("could not save the escalation"):
            self.ensure_schema()
            try:
                with self._writer.begin() as conn:
                    row = conn.execute(select(_E).where(_E.c.idempotency_key == key)).first()
                    if row is not None:
                        return _escalation(row), False
                    case = conn.execute(insert(_E).values(**values)).inserted_primary_key[0]
                    row = conn.execute(select(_E).where(_E.c.id == case)).one()
                return _escalation(row), True
            except IntegrityError:
                # Another process inserted the same key between our check and insert
                # (possible on PostgreSQL, whose writers do not exclude each other).
                existing = self._by_key(key)
                if existing is None:
                    raise
                return existing, False

    def _by_key(self, key: str) -> Escalation | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_E).where(_E.c.idempotency_key == key)).first()
        return None if row is None else _escalation(row)

    def get(self, case: int) -> Escalation | None:
        """The case with this number, or None."""
        with self.guard(f"could not read case {case}"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                row = conn.execute(select(_E).where(_E.c.id == case)).first()
        return None if row is None else _escalation(row)

    def queue(self) -> EscalationList:
        """The cases still to handle (open and taken), oldest first."""
        return self._select(_E.c.status.in_(("open", "taken")))

    def list(self, status: str | None = None, since: datetime | None = None) -> EscalationList:
        """Every case, oldest first; only those in ``status`` and created at or after ``since`` when given."""
        conditions = []
        if status is not None:
            if status not in schema.STATUSES:
                raise ValueError(f"status must be one of {', '.join(schema.STATUSES)}, not {status!r}")
            conditions.append(_E.c.status == status)
        if since is not None:
            conditions.append(_E.c.created_at >= _utc(since))
        return self._select(*conditions)

    def undelivered(self) -> EscalationList:
        """The cases not yet forwarded to Seller Support, oldest first."""
        return self._select(_E.c.forwarded_at.is_(None))

    def _select(self, *conditions) -> EscalationList:
        with self.guard("could not read the escalations"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(_E).where(*conditions).order_by(_E.c.created_at, _E.c.id)
                ).all()
        return [_escalation(row) for row in rows]

    def take(self, case: int, agent: str, *, now: datetime | None = None, card_redrawn: bool = False) -> bool:
        """Assign an open case to ``agent``; True if ``agent`` holds it now.

        Atomic: when two agents take the same case at once, exactly one gets True.
        False means another agent has it; a resolved case raises
        :class:`InvalidTransition` (reopen it first). ``card_redrawn``: the
        caller redraws the case's card itself (a Slack button), so it is not
        left to ``stale_cards``.
        """
        moment = _utc(now)
        with self.guard(f"could not take case {case}"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                result = conn.execute(
                    update(_E)
                    .where(_E.c.id == case, _E.c.status == "open")
                    .values(status="taken", agent=agent, updated_at=moment, **_card_values(moment, card_redrawn))
                )
                if result.rowcount == 1:
                    return True
                row = conn.execute(select(_E.c.status, _E.c.agent).where(_E.c.id == case)).first()
        if row is None:
            raise UnknownCase(f"there is no case {case}")
        if row.status == "taken":
            return row.agent == agent
        raise InvalidTransition(f"case {case} is already resolved; reopen it first")

    def resolve(
        self, case: int, agent: str, note: str = "", *, now: datetime | None = None, card_redrawn: bool = False
    ) -> Escalation:
        """Close an open case, or a case ``agent`` has taken, with a resolution note; return the updated case.

        A case another agent has taken is theirs to resolve (one agent per case).
        ``card_redrawn`` as for :meth:`take`.
        """
        moment = _utc(now)

        def refusal(row: Row) -> str:
            if row.status == "taken":
                return f"case {case} is taken by {row.agent}"
            return f"case {case} is already resolved"

        return self._transition(
            case,
            f"could not resolve case {case}",
            or_(_E.c.status == "open", (_E.c.status == "taken") & (_E.c.agent == agent)),
            {"status": "resolved", "agent": agent, "resolution": _storable(note), "resolved_at": moment,
             "updated_at": moment, **_card_values(moment, card_redrawn)},
            refusal,
        )

    def reopen(self, case: int, *, now: datetime | None = None) -> Escalation:
        """Put a taken or resolved case back in the queue, unassigned; return the updated case."""
        moment = _utc(now)
        return self._transition(
            case,
            f"could not reopen case {case}",
            _E.c.status.in_(("taken", "resolved")),
            {"status": "open", "agent": None, "resolution": None, "resolved_at": None,
             "updated_at": moment},
            lambda row: f"case {case} is already open",
        )

    def _transition(self, case: int, doing: str, allowed, values: dict, refusal: Callable[[Row], str]) -> Escalation:
        with self.guard(doing):
            self.ensure_schema()
            with self._writer.begin() as conn:
                result = conn.execute(update(_E).where(_E.c.id == case, allowed).values(**values))
                row = conn.execute(select(_E).where(_E.c.id == case)).first()
        if row is None:
            raise UnknownCase(f"there is no case {case}")
        if result.rowcount != 1:
            raise InvalidTransition(refusal(row))
        return _escalation(row)

    # --- forwarding support (used by bot.forwarding) ----------------------------------------

    def claim_due(
        self,
        *,
        now: datetime,
        token: str,
        lease_seconds: float,
        limit: int,
        after: int = 0,
    ) -> EscalationList:
        """Lease up to ``limit`` unforwarded cases due at ``now`` (case number > ``after``), oldest first (see :meth:`lease`)."""
        moment = _utc(now)
        rows = self.lease(
            _E, waiting=_E.c.forwarded_at.is_(None), due=and_(_E.c.next_attempt_at <= moment, _E.c.id > after),
            now=moment, token=token, lease_seconds=lease_seconds, limit=limit, doing="could not claim escalations to forward",
        )
        return [_escalation(row) for row in rows]

    def lease(
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
    ) -> list[Row]:
        """Lease up to ``limit`` rows of ``table`` that are ``waiting`` and ``due``, oldest id first; return them.

        The work queues (cases to forward, replies to post) share this: a row is
        leased only when nobody holds an unexpired lease on it (``claim_token``,
        ``claimed_until``), so two workers never hold the same row at once, and
        the leased rows are read back from the database, never built from memory.
        """
        moment = _utc(now)
        free = or_(table.c.claimed_until.is_(None), table.c.claimed_until <= moment)
        candidates = select(table.c.id).where(waiting, due, free).order_by(table.c.id).limit(limit)
        with self.guard(doing):
            self.ensure_schema()
            with self.engine.connect() as conn:  # a plain read first: idle polls take no write lock
                if not conn.scalars(candidates).first():
                    return []
            with self._writer.begin() as conn:
                leased = [
                    row_id for row_id in conn.scalars(candidates).all()
                    if conn.execute(
                        update(table).where(table.c.id == row_id, waiting, free)
                        .values(claim_token=token, claimed_until=moment + timedelta(seconds=lease_seconds))
                    ).rowcount == 1
                ]
                if not leased:
                    return []
                return conn.execute(select(table).where(table.c.id.in_(leased)).order_by(table.c.id)).all()

    def mark_forwarded(self, case: int, *, token: str, ref: str | None, now: datetime) -> bool:
        """Record a delivery, if ``token`` still holds the lease; False means another forwarder took over."""
        moment = _utc(now)
        return self._settle(
            case, token, f"could not record the delivery of case {case}",
            {"forwarded_at": moment, "forward_ref": ref, "updated_at": moment},
        )

    def mark_failed(
        self, case: int, *, token: str, error: str, retry_at: datetime, now: datetime
    ) -> bool:
        """Record a failed delivery and when to retry, if ``token`` still holds the lease."""
        return self._settle(
            case, token, f"could not record the failed delivery of case {case}",
            {"last_error": error[:1000], "next_attempt_at": _utc(retry_at), "updated_at": _utc(now)},
        )

    def _settle(self, case: int, token: str, doing: str, values: dict) -> bool:
        with self.guard(doing), self._writer.begin() as conn:
            result = conn.execute(
                update(_E)
                .where(_E.c.id == case, _E.c.claim_token == token, _E.c.forwarded_at.is_(None))
                .values(forward_attempts=_E.c.forward_attempts + 1, claim_token=None,
                        claimed_until=None, **values)
            )
            return result.rowcount == 1

    # --- support-channel cards ----------------------------------------------------------------

    def stale_cards(self, limit: int = 50) -> EscalationList:
        """Forwarded cases changed since their card last showed them (taken or resolved elsewhere), oldest first."""
        shown = func.coalesce(_E.c.card_synced_at, _E.c.forwarded_at)
        query = select(_E).where(_E.c.forward_ref.is_not(None), _E.c.updated_at > shown).order_by(_E.c.id).limit(limit)
        with self.guard("could not read the cases whose cards are out of date"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                return [_escalation(row) for row in conn.execute(query).all()]

    def mark_card_synced(self, case: int, as_of: datetime) -> None:
        """Record that the case's card shows its state as of ``as_of`` (its ``updated_at`` when rendered)."""
        moment = _utc(as_of)
        with self.guard(f"could not record the card of case {case}"), self._writer.begin() as conn:
            conn.execute(
                update(_E)
                .where(_E.c.id == case, or_(_E.c.card_synced_at.is_(None), _E.c.card_synced_at < moment))
                .values(card_synced_at=moment)
            )

    # --- question log and feedback ------------------------------------------------------------

    def log_question(
        self, reply: Reply, source: str, asker: str | None = None, now: datetime | None = None
    ) -> int:
        """Log a question and the bot's decision (for reports); return its id."""
        _check_source(source)
        with self.guard("could not log the question"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(_Q).values(
                        asked_at=_utc(now), lang=reply.lang, action=reply.action,
                        entry_id=reply.entry_id, score=round(float(reply.score), 2),
                        source=source, asker=asker, question=_storable(reply.question),
                    )
                ).inserted_primary_key[0]

    def record_feedback(
        self,
        *,
        helpful: bool,
        source: str,
        question_id: int | None = None,
        case: int | None = None,
        message_id: str | None = None,
        entry_id: str | None = None,
        asker: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Record whether an answer (a logged question, a case or a message) helped; return its id."""
        _check_source(source)
        if question_id is None and case is None and message_id is None:
            raise ValueError("feedback needs a question_id, a case or a message_id")
        with self.guard("could not record the feedback"):
            self.ensure_schema()
            with self._writer.begin() as conn:
                return conn.execute(
                    insert(_F).values(
                        created_at=_utc(now), question_id=question_id, escalation_id=case,
                        message_id=message_id, entry_id=entry_id, helpful=bool(helpful),
                        source=source, asker=asker,
                    )
                ).inserted_primary_key[0]

    def question(self, question_id: int) -> QuestionRecord | None:
        """One logged question by id (Slack buttons carry the id, not the text), or None."""
        with self.guard(f"could not read question {question_id}"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                row = conn.execute(select(_Q).where(_Q.c.id == question_id)).first()
        return None if row is None else QuestionRecord(**row._asdict())

    def questions_since(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Logged questions asked at or after ``since`` (all when None), oldest first."""
        query = select(_Q).order_by(_Q.c.asked_at, _Q.c.id)
        if since is not None:
            query = query.where(_Q.c.asked_at >= _utc(since))
        with self.guard("could not read the question log"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        return [QuestionRecord(**row._asdict()) for row in rows]

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackRecord]:
        """Feedback given at or after ``since`` (all when None), oldest first."""
        query = select(_F).order_by(_F.c.created_at, _F.c.id)
        if since is not None:
            query = query.where(_F.c.created_at >= _utc(since))
        with self.guard("could not read the feedback"):
            self.ensure_schema()
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        return [
            FeedbackRecord(
                id=row.id, created_at=row.created_at, helpful=bool(row.helpful), source=row.source,
                entry_id=row.entry_id, question_id=row.question_id, case=row.escalation_id,
                message_id=row.message_id, asker=row.asker,
            )
            for row in rows
        ]

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

    # --- errors -------------------------------------------------------------------------------

    @property
    def writer(self) -> Engine:
        """The engine for transactions that read, then write (``BEGIN IMMEDIATE`` on SQLite, so they never deadlock)."""
        return self._writer

    @contextmanager
    def guard(self, doing: str) -> Iterator[None]:
        """Turn database errors into a one-line :class:`StoreError` (the transaction is rolled back).

        Public so that modules keeping their own tables in this database
        (``bot.reply_outbox``) report failures the same way.
        """
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"{doing}: {self._explain(exc)}") from exc

    def _explain(self, exc: SQLAlchemyError) -> str:
        where = self._where()
        detail = _first_line(exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc)
        lowered = detail.lower()
        if "locked" in lowered or "busy" in lowered:
            return (f"the database {where} stayed locked by another process"
                    f" for more than {self.busy_timeout:g} s")
        if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
            return f"the database {where} is read-only"
        if "unable to open database file" in lowered:
            return f"cannot open the database {where} (missing directory or no permission)"
        if "connection" in lowered and ("failed" in lowered or "refused" in lowered):
            return f"cannot connect to the database {where}: {detail}"
        if "disk i/o error" in lowered or "disk is full" in lowered:
            return f"cannot write the database {where}: {detail}"
        return f"{where}: {detail}"

    def _where(self) -> str:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        return url.render_as_string(hide_password=True)


def _first_line(exc: BaseException | object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")


def _card_values(moment: datetime, card_redrawn: bool) -> dict[str, datetime]:
    """The column values that say the case's card will show the state written at ``moment``."""
    return {"card_synced_at": moment} if card_redrawn else {}


def _escalation(row: Row) -> Escalation:
    data = row._mapping
    try:
        candidates = tuple(
            Candidate(entry_id=item["entry_id"], score=float(item["score"]))
            for item in json.loads(data["candidates"] or "[]")
        )
    except (ValueError, KeyError, TypeError):
        candidates = ()
    return Escalation(
        case=data["id"],
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        lang=data["lang"],
        question=data["question"],
        source=data["source"],
        idempotency_key=data["idempotency_key"],
        status=data["status"],
        asker=data["asker"],
        channel=data["channel"],
        thread=data["thread"],
        message_id=data["message_id"],
        candidates=candidates,
        best_entry_id=data["best_entry_id"],
        best_score=float(data["best_score"] or 0.0),
        agent=data["agent"],
        resolution=data["resolution"],
        resolved_at=data["resolved_at"],
        forward_attempts=data["forward_attempts"],
        last_error=data["last_error"],
        next_attempt_at=data["next_attempt_at"],
        forwarded_at=data["forwarded_at"],
        forward_ref=data["forward_ref"],
    )
