"""The store's interfaces: the SQL store implements each protocol as written, and every method has a home.

A second backend implements the protocols its callers use; these tests keep the
interfaces honest: a method added to ``SqlStore`` without a protocol, or a
signature that drifts from its protocol, fails here.
"""

from __future__ import annotations

import inspect
from datetime import datetime, timezone

import pytest

from bot.store import SqlStore, protocols
from bot.store.cases import SqlCases
from bot.store.learning import SqlLearning
from bot.store.questions import SqlQuestions
from bot.store.queues import SqlQueues
from bot.store.retention import SqlRetention
from faq.model import Reply

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store

SUBJECTS = [
    (protocols.CaseStore, SqlCases),
    (protocols.QuestionStore, SqlQuestions),
    (protocols.ForwardingStore, SqlQueues),
    (protocols.HeldReplyStore, SqlQueues),
    (protocols.InboxStore, SqlQueues),
    (protocols.LearningStore, SqlLearning),
    (protocols.RetentionStore, SqlRetention),
]


def members(protocol: type) -> set[str]:
    """The names a protocol declares (its own and its bases'), without Python's and typing's own."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls is object or not getattr(cls, "_is_protocol", False) or cls.__module__ != protocols.__name__:
            continue
        names |= {name for name in vars(cls) if not name.startswith("_")}
    return names


def shape(function) -> list[tuple[str, object, object]]:
    """Parameter names, kinds and defaults: what a caller relies on."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize(("protocol", "implementation"), SUBJECTS, ids=lambda item: item.__name__)
def test_each_sql_subject_implements_its_protocol_with_the_same_signatures(protocol, implementation):
    for name in members(protocol):
        declared = inspect.getattr_static(protocol, name)
        given = inspect.getattr_static(implementation, name, None)
        assert given is not None, f"{implementation.__name__} lacks {name}"
        if isinstance(declared, property):
            assert isinstance(given, property), name
            continue
        assert shape(given) == shape(declared), name


def test_the_sql_store_implements_every_protocol_and_every_public_method_belongs_to_one():
    declared = members(protocols.Store)
    public = {name for name in dir(SqlStore) if not name.startswith("_")} - {"from_url"}
    assert public == declared
    for name in declared - {"url", "backend"}:
        assert shape(getattr(SqlStore, name)) == shape(getattr(protocols.Store, name)), name


def test_the_protocols_split_the_store_without_overlap():
    subjects = [protocols.CaseStore, protocols.QuestionStore, protocols.ForwardingStore, protocols.HeldReplyStore,
                protocols.InboxStore, protocols.LearningStore, protocols.RetentionStore, protocols.StoreAdmin]
    seen: dict[str, str] = {}
    for protocol in subjects:
        for name in members(protocol):
            assert name not in seen, f"{name} is in {seen.get(name)} and {protocol.__name__}"
            seen[name] = protocol.__name__


def test_one_subject_alone_is_a_backend_for_its_protocol(db_url):
    cases: protocols.CaseStore = SqlCases.from_url(db_url)
    try:
        reply = Reply(question="fees?", lang="en", action="escalate", text="", entry_id=None, score=0.0)
        opened, created = cases.open_escalation(reply, source="console", now=datetime(2026, 1, 5, tzinfo=timezone.utc))
        assert created and cases.take(opened.case, "agent-1")
        assert [case.case for case in cases.queue()] == [opened.case]
    finally:
        cases.close()


# --- sources: data told from outside, not the store's list of adapters ------------------------------


def test_any_short_identifier_is_a_source_unless_the_store_was_told_which(open_store):
    reply = Reply(question="fees?", lang="en", action="escalate", text="", entry_id=None, score=0.0)
    anyone = open_store()
    assert anyone.log_question(reply, "teams") > 0
    for malformed in ("", "Teams", "web chat", "x" * 17, "7up"):
        with pytest.raises(ValueError, match="source"):
            anyone.log_question(reply, malformed)
    told = open_store(sources=("console", "teams"))
    assert told.log_question(reply, "teams") > 0
    with pytest.raises(ValueError, match="one of console, teams"):
        told.open_escalation(reply, source="slack")
    with pytest.raises(ValueError, match="source"):
        open_store(sources=("console", "Not A Source"))
    with pytest.raises(ValueError, match="collection"):
        open_store(sources="slack")
