"""The store's side of the learning loop: labels on resolved cases, sellers' picks, votes with their
question, read back as ``bot.learning`` records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.learning.model import Asked, CaseRecord, Labelled, ResolvedCase, Vote
from bot.store import SqlStore
from faq.model import Candidate, Reply

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store, postgres_server

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)


def reply(question: str, action: str = "escalate", entry_id: str | None = None, lang: str = "en") -> Reply:
    return Reply(question=question, lang=lang, action=action, text="...", entry_id=entry_id, score=30.0,
                 candidates=(Candidate("fees", 30.0),))


def test_resolving_with_a_label_is_a_labelled_example_and_reopening_clears_it(store: SqlStore):
    store.log_question(reply("how do I get paid faster"), "console", now=T0)
    case, _ = store.open_escalation(reply("how do I get paid faster"), source="console", now=T0)
    resolved = store.resolve(case.case, "ana", "told them", label="entry", entry_id="payment",
                             now=T0 + timedelta(hours=2))
    assert (resolved.label, resolved.label_entry_id) == ("entry", "payment")
    traffic = store.traffic()
    assert traffic.asked == [Asked("how do I get paid faster", "en", T0, "escalate", None)]
    assert traffic.labelled == [Labelled("how do I get paid faster", "en", T0 + timedelta(hours=2), "entry",
                                         "payment", "resolve")]
    assert store.resolved_cases() == [ResolvedCase("how do I get paid faster", "entry", "payment", "en", case.case)]
    assert store.resolved_cases()[0].note == "told them"

    reopened = store.reopen(case.case, now=T0 + timedelta(hours=3))
    assert reopened.label is None and store.traffic().labelled == [] and store.resolved_cases() == []
    store.resolve(case.case, "ana", label="out_of_scope", now=T0 + timedelta(hours=4))
    assert [(r.label, r.entry_id) for r in store.traffic().labelled] == [("out_of_scope", None)]
    store.reopen(case.case)
    store.resolve(case.case, "ana")  # no label: not an example
    assert store.traffic().labelled == [] and store.get(case.case).label is None


@pytest.mark.parametrize("label, entry", [("entry", None), ("bogus", None), ("none_of_these", None)])
def test_a_bad_case_label_is_refused_and_the_case_stays_open(store: SqlStore, label, entry):
    case, _ = store.open_escalation(reply("a question"), source="slack")
    with pytest.raises(ValueError):
        store.resolve(case.case, "ana", label=label, entry_id=entry)
    assert store.get(case.case).status == "open"


def test_picks_votes_and_cases_come_back_as_records_since_a_moment(store: SqlStore):
    old = store.log_question(reply("old question", "clarify", "fees"), "slack", now=T0 - timedelta(days=30))
    store.record_pick(question="old question", lang="en", label="entry", entry_id="fees", source="slack",
                      question_id=old, now=T0 - timedelta(days=30))
    asked = store.log_question(reply("退款多久到账", "clarify", "refund", lang="zh"), "slack", now=T0)
    store.record_pick(question="退款多久到账", lang="zh", label="entry", entry_id="refund", source="slack",
                      question_id=asked, asker="U1", now=T0 + timedelta(minutes=1))
    store.record_pick(question="something else", lang="en", label="none_of_these", source="slack",
                      now=T0 + timedelta(minutes=2))
    answered = store.log_question(reply("what are the fees", "answer", "fees"), "slack", now=T0)
    store.record_feedback(helpful=False, source="slack", question_id=answered, entry_id="fees", now=T0)
    # the log could not be written: the vote carries the question itself
    store.record_feedback(helpful=True, source="slack", message_id="123.4", entry_id="fees", question="fees?",
                          lang="en", now=T0)
    store.record_feedback(helpful=True, source="slack", case=None, message_id="9", now=T0)  # no entry: not a vote
    case, _ = store.open_escalation(reply("old case"), source="console", now=T0 - timedelta(days=30))
    store.resolve(case.case, "ana", now=T0 - timedelta(days=29))
    open_case, _ = store.open_escalation(reply("new case"), source="console", now=T0)

    traffic = store.traffic(since=T0)
    assert [a.question for a in traffic.asked] == ["退款多久到账", "what are the fees"]
    assert traffic.labelled == [
        Labelled("退款多久到账", "zh", T0 + timedelta(minutes=1), "entry", "refund", "pick"),
        Labelled("something else", "en", T0 + timedelta(minutes=2), "none_of_these", None, "pick"),
    ]
    assert traffic.votes == [Vote("what are the fees", "en", T0, "fees", False), Vote("fees?", "en", T0, "fees", True)]
    assert len(store.traffic().labelled) == 3
    assert store.case_records() == [CaseRecord(T0 - timedelta(days=30), T0 - timedelta(days=29), "en"),
                                    CaseRecord(T0, None, "en")]
    assert store.case_records(since=T0) == [CaseRecord(T0, None, "en")]
    assert open_case.label is None


@pytest.mark.parametrize("fields", [dict(label="entry"), dict(label="new_topic"), dict(label="none_of_these",
                                    entry_id="fees"), dict(label="entry", entry_id="fees", source="email")])
def test_a_bad_pick_is_refused(open_store, fields):
    store = open_store(sources=("console", "slack"))
    values = {"question": "q", "lang": "en", "source": "slack", **fields}
    with pytest.raises(ValueError):
        store.record_pick(**values)
    assert store.traffic().labelled == []


def test_the_same_pick_of_the_same_question_is_one_example(store: SqlStore):
    asked = store.log_question(reply("fees?", "clarify", "fees"), "slack", now=T0)
    first = store.record_pick(question="fees?", lang="en", label="entry", entry_id="fees", source="slack",
                              question_id=asked)
    again = store.record_pick(question="fees?", lang="en", label="entry", entry_id="fees", source="slack",
                              question_id=asked)
    other = store.record_pick(question="fees?", lang="en", label="none_of_these", source="slack", question_id=asked)
    assert first == again != other and len(store.traffic().labelled) == 2
