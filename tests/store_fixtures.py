"""Fixtures shared by the store tests: one database per test, on SQLite and on PostgreSQL.

Test modules load them with ``pytest_plugins = ["postgres", "store_fixtures"]``
(``db_url`` looks ``postgres_server`` up by name, only for the PostgreSQL runs).
``db_url`` is parametrized over :data:`BACKENDS`, so every test that asks for it
runs once on a SQLite file in ``tmp_path`` and once on PostgreSQL, in a schema
of its own that is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.store import SqlStore

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL to an empty database of the parametrized backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(server).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def open_store(db_url) -> Iterator[Callable[..., SqlStore]]:
    """A factory of stores on ``db_url`` (each its own engine), all closed after the test."""
    stores: list[SqlStore] = []

    def factory(**options) -> SqlStore:
        store = SqlStore.from_url(db_url, **options)
        stores.append(store)
        return store

    yield factory
    for store in stores:
        store.close()


@pytest.fixture
def store(open_store) -> SqlStore:
    """A store on an empty database of the parametrized backend."""
    return open_store()
