"""Retention: ``faqbot prune`` and the store's ``prune``, on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.cli_parser import UsageError
from bot.commands.prune import PRUNE_TEXTS, cutoff_for, cutoff_from
from bot.store import SqlStore
from faq.model import Candidate, Reply

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store, postgres_server

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(timezone.utc)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


def reply(question: str, action: str = "escalate") -> Reply:
    return Reply(question=question, lang="en", action=action, text="...", entry_id=None if action == "escalate" else "fees",
                 score=12.5, candidates=(Candidate("fees", 12.5),))


def fill(store: SqlStore) -> dict[str, int]:
    """Old and recent rows of every kind; returns the ids the tests look at."""
    ids: dict[str, int] = {}
    ids["old_q"] = store.log_question(reply("old question", "answer"), "console", now=OLD)
    ids["new_q"] = store.log_question(reply("recent question", "answer"), "console", now=RECENT)
    old_resolved, _ = store.open_escalation(reply("old resolved"), source="console", now=OLD)
    store.resolve(old_resolved.case, "ana", "done", now=OLD + timedelta(days=1))
    old_open, _ = store.open_escalation(reply("old but open"), source="console", now=OLD)
    old_taken, _ = store.open_escalation(reply("old but taken"), source="console", now=OLD)
    store.take(old_taken.case, "ana", now=OLD)
    late_resolved, _ = store.open_escalation(reply("old, resolved lately"), source="console", now=OLD)
    store.resolve(late_resolved.case, "ana", "done", now=RECENT)
    ids.update(old_resolved=old_resolved.case, old_open=old_open.case, old_taken=old_taken.case,
               late_resolved=late_resolved.case)
    # feedback: old; recent but on an old question (goes with it); recent on a kept case (stays)
    store.record_feedback(helpful=True, source="slack", question_id=ids["old_q"], now=OLD)
    store.record_feedback(helpful=False, source="slack", question_id=ids["old_q"], now=RECENT)
    store.record_feedback(helpful=False, source="slack", case=old_open.case, now=RECENT)
    store.record_feedback(helpful=True, source="slack", question_id=ids["new_q"], now=RECENT)
    for moment in (OLD, RECENT):
        store.hold_reply(channel="D1", thread_ts=None, text="hi", blocks=None, event_key=None, error="boom",
                         now=moment, retry_at=moment)
    return ids


EXPECTED = {"questions": 1, "cases": 1, "feedback": 2, "held_replies": 1, "slack_requests": 0,
            "picks": 0}


def test_prune_deletes_old_questions_and_closed_cases_only(store):
    ids = fill(store)
    counts = store.prune(before=cutoff_for(timedelta(days=90)))
    assert dict(counts.items()) == EXPECTED
    assert [q.question for q in store.questions_since()] == ["recent question"]
    assert store.get(ids["old_resolved"]) is None
    for kept in ("old_open", "old_taken", "late_resolved"):
        assert store.get(ids[kept]) is not None, kept
    assert store.get(ids["old_taken"]).status == "taken"
    feedback = store.feedback_since()
    assert sorted([(f.question_id, f.case) for f in feedback], key=str) == sorted(
        [(None, ids["old_open"]), (ids["new_q"], None)], key=str)
    assert store.pending_replies() == 1
    assert dict(store.prune(before=cutoff_for(timedelta(days=90))).items()) == dict.fromkeys(EXPECTED, 0)


def test_dry_run_counts_the_same_rows_and_deletes_nothing(store):
    fill(store)
    before = store.export()
    counts = store.prune(before=cutoff_for(timedelta(days=90)), dry_run=True)
    assert dict(counts.items()) == EXPECTED
    assert store.export() == before


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, age", [("90d", timedelta(days=90)), ("12w", timedelta(days=84)), ("48h", timedelta(days=2)),
                                       (" 7D ", timedelta(days=7)), ("1m", timedelta(minutes=1))])
def test_ages(text, age):
    assert cutoff_from(text, NOW) == NOW - age


def test_an_iso_date_is_the_cutoff_itself():
    assert cutoff_from("2026-01-31", NOW) == datetime(2026, 1, 31, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["90", "0d", "-5d", "90 days", "soon", "1.5d"])
def test_bad_ages_are_refused(text):
    with pytest.raises(UsageError):
        cutoff_from(text, NOW)


def test_texts_are_bilingual():
    assert PRUNE_TEXTS.problems() == []


def faqbot(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, env=environment)


def test_cli_prints_counts_in_both_languages_and_dry_run_keeps_everything(db_url, open_store):
    fill(open_store())
    dry = faqbot("prune", "--older-than", "90d", "--dry-run", "--db", db_url)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stdout and "1  logged questions" in dry.stdout and "2  feedback votes" in dry.stdout
    assert len(open_store().questions_since()) == 2
    done = faqbot("prune", "--older-than", "90d", "--db", db_url, env={"LANG": "zh_CN.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "已删除" in done.stdout and "1  问题记录" in done.stdout and "1  已解决的案例" in done.stdout
    assert "未解决和已接手的案例始终保留" in done.stdout
    assert [q.question for q in open_store().questions_since()] == ["recent question"]
    again = faqbot("prune", "--older-than", "90d", "--db", db_url, "--lang", "en")
    assert "0  resolved cases" in again.stdout


def test_cli_refuses_a_bad_age_with_one_line(tmp_path):
    code = main(["prune", "--older-than", "ninety", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    assert code == 2
    assert not (tmp_path / "x.sqlite3").exists()
