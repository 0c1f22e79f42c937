"""No question is lost: a process killed mid-escalation, and two processes writing at once.

Each test runs real Python processes against one database (a SQLite file, then a
PostgreSQL server) and checks the database afterwards.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.delivery import Forwarder
from bot.testkit.sinks import JsonlFileSink
from bot.store import SqlStore

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, postgres_server

ROOT = Path(__file__).resolve().parents[1]

# Opens escalations forever, printing each case number once it is committed, and
# forwards after each one (write, then tell), like the console does. The sink file
# records every delivery (no dedupe), so a case sent twice is counted twice.
ESCALATE_FOREVER = """
import sys
from bot.delivery import Forwarder
from bot.testkit.sinks import JsonlFileSink
from bot.store import SqlStore
from faq.model import Reply

store = SqlStore.from_url(sys.argv[1])
forwarder = Forwarder(store, JsonlFileSink(sys.argv[2], dedupe=False))
i = 0
while True:
    reply = Reply(question=f"question {i}", lang="en", action="escalate", text="")
    case, _ = store.open_escalation(reply, source="console", asker="crash", idempotency_key=f"k{i}")
    print(case.case, flush=True)
    forwarder.deliver_due()
    i += 1
"""

# Opens N escalations with keys of its own, then prints how many and when it started and ended.
ESCALATE_N = """
import sys, time
from bot.store import SqlStore
from faq.model import Reply

url, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = SqlStore.from_url(url)
started = time.time()
for i in range(count):
    reply = Reply(question=f"{tag} question {i}", lang="en", action="escalate", text="")
    store.open_escalation(reply, source="console", asker=tag, idempotency_key=f"{tag}-{i}")
store.close()
print(count, started, time.time())
"""


def python(script: str, *args: str, **popen) -> subprocess.Popen:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_mid_escalation_loses_nothing_and_forwards_each_case_once(db_url, tmp_path):
    sink_path = tmp_path / "support.jsonl"
    child = python(ESCALATE_FOREVER, db_url, str(sink_path))
    committed: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(committed) < 60 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            committed.append(int(line))
    finally:
        child.send_signal(signal.SIGKILL)  # somewhere inside open_escalation or deliver_due
        child.wait(10)
        printed_later = child.stdout.read().split()  # printed before the kill, not read yet
        child.stdout.close()
        stderr = child.stderr.read()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert len(committed) == 60, stderr
    committed += [int(case) for case in printed_later]

    store = SqlStore.from_url(db_url)
    try:
        stored = {case.case for case in store.list()}
        assert set(committed) <= stored  # every case reported as committed is there
        assert len(stored - set(committed)) <= 1  # at most one committed, killed before printing

        # A new forwarder, after any lease the killed one held has expired.
        restarted = Forwarder(store, JsonlFileSink(sink_path, dedupe=False), clock=lambda: time.time() + 3600)
        restarted.deliver_due(limit=None)
        assert restarted.deliver_due(limit=None) == 0
        assert store.undelivered() == []
    finally:
        store.close()
    sent = collections.Counter(record["case"] for record in JsonlFileSink.read(sink_path))
    assert set(sent) == stored
    assert max(sent.values()) == 1, "a case was forwarded twice"


def test_two_processes_escalating_500_questions_each_lose_nothing(db_url):
    store = SqlStore.from_url(db_url)  # both children start on a database without a schema
    count = 500
    children = [python(ESCALATE_N, db_url, tag, str(count)) for tag in ("left", "right")]
    results, spans = [], []
    for child in children:
        out, err = child.communicate(timeout=60)
        done, started, ended = (out.split() + ["", "0", "0"])[:3]
        results.append((child.returncode, done, err))
        spans.append((float(started), float(ended)))
    assert results == [(0, str(count), ""), (0, str(count), "")]
    assert max(start for start, _ in spans) < min(end for _, end in spans), "they did not overlap"
    try:
        cases = store.list()
    finally:
        store.close()
    assert len(cases) == 2 * count
    assert len({case.case for case in cases}) == 2 * count
    assert {case.idempotency_key for case in cases} == {
        f"{tag}-{i}" for tag in ("left", "right") for i in range(count)
    }
    assert {case.asker for case in cases} == {"left", "right"}
