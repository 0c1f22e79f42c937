"""The database under the store: engine set-up, SQLite pragmas, migrations on first use, one-line errors.

Every table module (``cases``, ``questions``, ``queues``, ``learning``,
``retention``) builds on :class:`Database`, so locking and error translation
hold for every statement: writes go through ``self._writer`` (``BEGIN
IMMEDIATE`` on SQLite, so two processes never deadlock upgrading a read lock)
and every call runs inside ``self._guard`` (database errors become one readable
:class:`StoreError`).
Neither is handed out: SQL lives in ``bot/store/`` and nowhere else.

SQLite specifics, set on every connection: WAL journal (readers never block the
writer), ``busy_timeout`` (wait for a lock instead of failing at once), foreign
keys on. ``synchronous`` stays at SQLite's default (FULL): a commit survives a
power cut, not just a crash.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from bot.errors import StoreBusy, StoreError
from bot.store import schema
from bot.store.records import check_source, check_sources
from bot.store.schema import MIGRATIONS, Migration, SchemaTooNew

DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a SQLite writer waits for another one
_SQLITE_BEGIN_OPTION = "faqbot_sqlite_begin"


def default_db_url() -> str:
    """``sqlite:///<user data dir>/faqbot.sqlite3``, creating the directory: the one-machine default."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("faqbot", appauthor=False))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {directory}: {exc.strerror or exc}") from exc
    return f"sqlite:///{(directory / 'faqbot.sqlite3').as_posix()}"


#: Query parameters that carry a secret (``?password=``, libpq's ``sslpassword``, a token): always masked.
_SECRET_PARAMETER = re.compile(r"(?i)pass|pwd|secret|token|key")


def mask_url(url: str | URL) -> str:
    """``url`` for messages, logs and banners: the ``user:pw@`` password and every secret query parameter masked.

    The one masking function for database URLs: the store's errors, ``url``
    and every command that shows a database go through it.
    """
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:  # an unparsable URL: mask what sits between ':' and '@', and secret-looking parameters
        text = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))
        return re.sub(r"(?i)([?&][^=&]*(?:pass|pwd|secret|token|key)[^=&]*=)[^&]*", r"\1***", text)
    hidden = {name: "***" for name in parsed.query if _SECRET_PARAMETER.search(name)}
    return parsed.update_query_dict(hidden).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def _create_private(database: str | None, *, uri: bool) -> None:
    """Create a new SQLite file readable by its owner only: it will hold sellers' questions.

    SQLite would create it with the umask (usually 0644); its ``-wal`` and
    ``-shm`` files copy the database file's mode. An existing file is left alone.
    """
    if not database or database == ":memory:" or uri or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing folder or no permission: connecting reports it in one line


def first_line(exc: BaseException | object) -> str:
    """The first line of an error's message (drivers add SQL and background links below it)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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


class _TakingTurnsWriter:
    """A SQLite writer whose transactions in one process take turns on a lock before ``BEGIN IMMEDIATE``.

    Why: SQLite makes a waiting writer poll with sleeps of up to 100 ms, so with
    many threads writing, an unlucky one (a Slack acknowledgement) can wait
    seconds while others get in. Waiting on a lock wakes the next thread as soon
    as the writer commits. Other processes still meet at SQLite's own lock.
    """

    def __init__(self, engine: Engine, timeout: float) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        self._timeout = timeout

    @contextmanager
    def begin(self) -> Iterator[Any]:
        turn = self._lock.acquire(timeout=self._timeout)  # on timeout SQLite's busy handler decides
        try:
            with self._engine.begin() as conn:
                yield conn
        finally:
            if turn:
                self._lock.release()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


class Database:
    """One SQL database: its engine, its writer, its schema and its error messages.

    The schema is created or upgraded on first use (:meth:`ensure_schema`).
    Every public method of the store is safe to call from several threads and
    processes at once. ``sources``: the channels whose questions and cases it
    accepts, told from outside (the store knows no adapter); None accepts any
    short identifier.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        migrations: Sequence[Migration] = MIGRATIONS,
        sources: Iterable[str] | None = None,
    ) -> None:
        self._engine = engine
        self._sources = check_sources(sources)
        self.busy_timeout = busy_timeout
        self._migrations = tuple(migrations)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, busy_timeout)
            self._writer = _TakingTurnsWriter(engine.execution_options(**{_SQLITE_BEGIN_OPTION: "IMMEDIATE"}),
                                              busy_timeout)
        else:
            self._writer = engine

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        migrations: Sequence[Migration] = MIGRATIONS,
        sources: Iterable[str] | None = None,
    ):
        """A store on the database at ``url`` (any SQLAlchemy URL); a bad URL is a :class:`StoreError`."""
        try:
            parsed = make_url(url)
            options: dict[str, Any] = {}
            if parsed.get_backend_name() != "sqlite":
                options["pool_pre_ping"] = True
            engine = create_engine(parsed, **options)
            if parsed.get_backend_name() == "sqlite":
                _create_private(parsed.database, uri=parsed.query.get("uri") in ("true", "1"))
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise StoreError(
                f"invalid database URL {mask_url(url)!r}: {first_line(exc)}"
                " (expected e.g. sqlite:///path/to/faqbot.sqlite3 or postgresql+psycopg://user@host/db)"
            ) from exc
        except ImportError as exc:
            hint = ""
            if url.strip().lower().startswith("postgres"):
                hint = " (for PostgreSQL: pip install 'faqbot[postgres]' and a postgresql+psycopg:// URL)"
            raise StoreError(
                f"the database driver for {mask_url(url)!r} is not installed: {exc.name or exc}{hint}"
            ) from exc
        return cls(engine, busy_timeout=busy_timeout, migrations=migrations, sources=sources)

    @property
    def url(self) -> str:
        """The database URL, passwords hidden (:func:`mask_url`)."""
        return mask_url(self._engine.url)

    @property
    def backend(self) -> str:
        """``sqlite``, ``postgresql``, ...: the SQLAlchemy backend name."""
        return self._engine.url.get_backend_name()

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema (missing migrations, in one transaction); return its version."""
        with self._guard("could not prepare the database"):
            try:
                version = schema.migrate(self._engine, self._migrations, writer=self._writer)
            except SchemaTooNew as exc:
                raise StoreError(str(exc)) from exc
        self._schema_ready = True
        return version

    def schema_version(self) -> int:
        """The version the database is at now (0 when it was never migrated)."""
        with self._guard("could not read the schema version"), self._engine.connect() as conn:
            return schema.current_version(conn)

    def ensure_schema(self) -> None:
        """Migrate on first use, once per store (thread-safe); cheap afterwards."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if not self._schema_ready:
                self.migrate()

    def check_writable(self) -> None:
        """Raise :class:`StoreError` unless a write can be committed now (e.g. a read-only file, a replica).

        The probe writes inside a transaction and rolls it back, so nothing changes.
        """
        self.ensure_schema()
        with self._guard("the database cannot be written"), self._writer.connect() as conn:
            transaction = conn.begin()
            try:
                conn.execute(
                    schema.schema_version.update()
                    .where(schema.schema_version.c.version == select(func.max(schema.schema_version.c.version))
                           .scalar_subquery())
                    .values(description=schema.schema_version.c.description)
                )
            finally:
                transaction.rollback()

    def describe(self) -> dict[str, dict[str, set[str]]]:
        """The tables as the database has them: ``{table: {"columns": {...}, "indexes": {...}}}`` (diagnostics)."""
        from sqlalchemy import inspect

        with self._guard("could not read the schema"), self._engine.connect() as conn:
            inspector = inspect(conn)
            return {
                name: {
                    "columns": {column["name"] for column in inspector.get_columns(name)},
                    "indexes": {index["name"] for index in inspector.get_indexes(name)},
                }
                for name in inspector.get_table_names()
            }

    def connection_settings(self) -> dict[str, Any]:
        """What a SQLite connection runs with (journal mode, foreign keys, busy timeout); empty elsewhere."""
        if self.backend != "sqlite":
            return {}
        with self._guard("could not read the connection settings"), self._engine.connect() as conn:
            return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "foreign_keys", "busy_timeout")}

    def _check_source(self, source: str) -> None:
        check_source(source, self._sources)

    # --- errors ---------------------------------------------------------------------------

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Turn database errors into a one-line :class:`StoreError` (the transaction is rolled back)."""
        try:
            yield
        except SQLAlchemyError as exc:
            explained = self._explain(exc)
            busy = "stayed locked" in explained or "cannot connect" in explained
            raise (StoreBusy if busy else StoreError)(f"{doing}: {explained}") from exc
        except OverflowError as exc:  # a number too large for the database's integers (a forged case number)
            raise StoreError(f"{doing}: a number is out of range ({exc})") from exc

    def _explain(self, exc: SQLAlchemyError) -> str:
        where = self._where()
        detail = first_line(exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc)
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
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        return mask_url(url)
