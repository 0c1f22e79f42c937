"""Nothing acknowledged is lost, nothing is posted twice: real ``faqbot slack --http`` processes killed with SIGKILL.

The workers are the real command in subprocesses, on a SQLite file or the
throwaway PostgreSQL cluster; events are signed ``app_mention`` requests over
loopback HTTP; the Web API is the fake on 127.0.0.1. The suite sends 300 events
(``benchmarks/slack_load.py --kill9`` runs 2,000).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.store import SqlStore
from bot.testkit.fake_slack import FakeSlack
from bot.testkit.slack_traffic import Traffic, expected_cases, start_worker, tally, wait_for_answers

pytest_plugins = ["postgres", "store_fixtures"]

REPO = Path(__file__).resolve().parents[1]
SECRET = "durability-secret"
EVENTS = 300
LEASE = 2.0


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


def _kb(tmp_path: Path) -> Path:
    path = tmp_path / "knowledge.yaml"
    shutil.copy(REPO / "knowledge.yaml", path)
    return path


def _assert_exactly_once(fake: FakeSlack, store: SqlStore, logs: list[Path]) -> None:
    finished = wait_for_answers(fake, EVENTS, store, timeout=90)
    result = tally(fake, EVENTS, len(store.list()))
    context = "\n".join(path.read_text(errors="replace")[-1500:] for path in logs)
    assert finished, f"not every event was answered: {result}\n{context}"
    assert result.missing == 0 and result.doubled == 0, result
    assert result.cases == expected_cases(EVENTS) and result.cards == result.cases and result.doubled_cards == 0
    assert len(store.questions_since()) >= EVENTS  # every question logged (a taken-over one may be logged twice)


def test_sigkill_then_restart_on_sqlite_loses_nothing_and_answers_once(fake, tmp_path):
    db_url = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    kb = _kb(tmp_path)
    logs = [tmp_path / "first.log", tmp_path / "restarted.log"]
    # One answering thread behind a slow Slack (posts arrive at once, answers come late): acknowledged work
    # piles up in the inbox, and some posts have arrived although their process never hears so.
    first = start_worker(db_url=db_url, fake=fake, kb_path=kb, secret=SECRET, log_path=logs[0], lease=LEASE,
                         threads=1)
    fake.slow("chat.postMessage", 0.05, times=EVENTS)
    traffic = Traffic([first], SECRET, EVENTS // 2, concurrency=10, kill_after=EVENTS // 4)
    traffic.run()  # after the kill, the rest of these get no acknowledgement at all (Slack would retry them)
    assert traffic.killed_after == EVENTS // 4 and traffic.failures["never acknowledged"] > 0
    with SqlStore.from_url(db_url) as store:
        assert store.unhandled_requests() > 0  # acknowledged, then killed before answering: only the inbox has them
    fake.reset_behaviour()  # Slack is quick again for the restarted process
    second = start_worker(db_url=db_url, fake=fake, kb_path=kb, secret=SECRET, log_path=logs[1], lease=LEASE)
    try:
        rest = Traffic([second], SECRET, EVENTS, concurrency=10)
        rest.run()  # Slack redelivers what was never acknowledged; the rest is new
        assert rest.failures == {}
        store = SqlStore.from_url(db_url)
        _assert_exactly_once(fake, store, logs)
        store.close()
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_one_killed_midway_the_survivor_finishes(fake, tmp_path, db_url):
    kb = _kb(tmp_path)
    logs = [tmp_path / "victim.log", tmp_path / "survivor.log"]
    workers = [start_worker(db_url=db_url, fake=fake, kb_path=kb, secret=SECRET, log_path=path, lease=LEASE,
                            threads=8) for path in logs]
    try:
        traffic = Traffic(workers, SECRET, EVENTS, concurrency=20, kill_after=EVENTS // 4)
        traffic.run()
        assert traffic.failures == {} and traffic.killed_after == EVENTS // 4
        store = SqlStore.from_url(db_url)
        _assert_exactly_once(fake, store, logs)
        store.close()
    finally:
        for worker in workers:
            worker.stop()
