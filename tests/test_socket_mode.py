"""Socket Mode over a real WebSocket: real ``faqbot slack`` processes, a fake Slack that drops connections.

``apps.connections.open`` (the fake Web API) hands out the URL of
``bot.testkit.socket_mode.FakeSocketMode``, a real WebSocket server that sends
envelopes, records every acknowledgement and closes connections midway. Two
Socket Mode processes share one database, as a scaled-out deployment does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.testkit.socket_mode import FakeSocketMode
from slack_harness import (  # noqa: F401 - fixtures: the fake Web API and a clean environment
    ASKER, GENERAL, OUT_OF_SCOPE, REPO, SUPPORT, TOKEN, clean_environment, event_envelope, fake,
)

pytest_plugins = ["postgres", "store_fixtures"]  # db_url: a SQLite file, then a PostgreSQL schema

APP_TOKEN = "xapp-1-A0FAQ-1-test"


@pytest.fixture
def sockets(fake):
    server = FakeSocketMode().start()
    fake.serve_sockets_at(server.url)
    yield server
    server.stop()


def start_socket_mode(fake, tmp_path: Path, name: str, db_url: str | None = None) -> subprocess.Popen:
    """``faqbot slack`` in Socket Mode, as an operator starts it, on ``db_url`` (default: a SQLite file in ``tmp_path``)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))},
           "SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT,
           "SLACK_API_URL": fake.base_url, "FAQBOT_KB": str(REPO / "knowledge.yaml"),
           "FAQBOT_DB_URL": db_url or f"sqlite:///{(tmp_path / 'shared.sqlite3').as_posix()}",
           "FAQBOT_AGENTS": "UAGENT"}
    log = open(tmp_path / f"{name}.log", "w", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "slack"], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT, text=True)


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM, as a process manager stops them: each finishes its queued work first."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def mention(number: int) -> tuple[dict, str]:
    ts = f"900.{number:06d}"
    question = OUT_OF_SCOPE if number % 5 == 0 else "can I close my account?"
    event = {"type": "app_mention", "user": ASKER, "channel": GENERAL, "ts": ts, "event_ts": ts,
             "text": f"<@UFAQBOT> {question}"}
    return event_envelope(event, f"EvSock{number:05d}"), ts


def test_two_socket_mode_processes_answer_each_event_once_across_a_dropped_connection(fake, sockets, tmp_path,
                                                                                     db_url):
    processes = [start_socket_mode(fake, tmp_path, name, db_url) for name in ("one", "two")]
    try:
        first = sockets.wait_for_connections(2, timeout=60)
        threads = {}
        for number in range(1, 21):  # spread over both connections
            payload, ts = mention(number)
            threads[ts] = sockets.deliver(payload)
        sockets.wait_acknowledged(list(threads.values()))
        assert sockets.drop_connections() == 2  # Slack refreshes the connections midway
        for number in range(21, 41):  # delivered as soon as a process has reconnected
            payload, ts = mention(number)
            threads[ts] = sockets.deliver(payload)
        sockets.wait_for_connections(2, timeout=60, opened=4)
        sockets.redeliver_unacknowledged()  # anything that went out on a closing connection
        for ts in list(threads)[:40:8]:  # and Slack's own retries, to the other process
            envelope = sockets.envelopes[threads[ts]]
            other = next((n for n in sockets.open_connections() if n not in envelope.sent_to), None)
            sockets.redeliver(threads[ts], to=other)
        sockets.wait_acknowledged()
        fake.wait_for("chat.postMessage", 40, lambda call: call.params.get("channel") == GENERAL, timeout=60)
        assert len(fake.calls_to("apps.connections.open")) >= 4 and set(first).isdisjoint(sockets.open_connections())
    finally:
        stop(processes)
    logs = "".join((tmp_path / f"{name}.log").read_text(encoding="utf-8") for name in ("one", "two"))
    assert all(process.returncode == 0 for process in processes), logs
    answers = Counter(call.params.get("thread_ts") for call in fake.calls_to("chat.postMessage")
                      if call.params.get("channel") == GENERAL)
    assert answers == Counter({ts: 1 for ts in threads}), logs
    cards = [call for call in fake.calls_to("chat.postMessage") if call.params.get("channel") == SUPPORT]
    assert len(cards) == 8  # every fifth question escalated: one case each, one card each
    both = {n for e in sockets.envelopes.values() for n in e.acks}
    assert len(both) >= 3  # envelopes were acknowledged on several connections (both processes, before and after)


def test_a_slash_command_over_the_websocket_is_acknowledged_and_answered(fake, sockets, tmp_path):
    processes = [start_socket_mode(fake, tmp_path, "solo")]
    try:
        sockets.wait_for_connections(1, timeout=60)
        command = {"team_id": "T0TEAM", "channel_id": GENERAL, "user_id": ASKER, "command": "/faq",
                   "text": "我可以关闭账户吗", "response_url": fake.response_url("sock"), "trigger_id": "trig-ws",
                   "api_app_id": "AFAQ"}
        envelope_id = sockets.deliver(command, kind="slash_commands")
        sockets.wait_acknowledged([envelope_id])
        answer = fake.wait_for("response_url", timeout=30)[0]
        assert "关闭账户" in answer.params["text"] and answer.params["response_type"] == "ephemeral"
    finally:
        stop(processes)
    assert processes[0].returncode == 0, (tmp_path / "solo.log").read_text(encoding="utf-8")
