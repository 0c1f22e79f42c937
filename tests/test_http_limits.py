"""HTTP mode on an open port: where it listens, how big and how slow a request may be, bad bodies, clean logs.

The real app behind the real server (``faqbot slack --http``'s waitress) on
loopback; raw sockets where a well-behaved client cannot misbehave enough.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from bot.config import http_host
from bot.slack.http_gate import MAX_BODY
from slack_harness import (  # noqa: F401 - fixtures: the fake Web API and a clean environment
    ASKER, GENERAL, REPO, SECRET, SUPPORT, TOKEN, Harness, clean_environment, event_envelope, fake, make_bot, serving,
)


@pytest.fixture
def served(fake, tmp_path):
    """The app on a server with small limits, so that tests are quick: 1 worker thread, 1 s to send a request."""
    with serving(fake, tmp_path, threads=1, request_timeout=1.0, idle_timeout=5.0) as harness:
        yield harness


def raw(port: int, head: bytes, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send ``head`` (and ``body``) on a fresh connection; what came back until the server closed or went quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"Connection: close" in received:
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        return received


def post_head(port: int, length: int, content_type: str = "application/json") -> bytes:
    return (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode("ascii")


# --- where it listens -----------------------------------------------------------------------------------


def test_http_mode_listens_on_this_machine_only_unless_told(fake, tmp_path):
    assert http_host(None, {}) == "127.0.0.1"
    assert http_host(None, {"FAQBOT_HTTP_HOST": "0.0.0.0"}) == "0.0.0.0"
    assert http_host("::1", {"FAQBOT_HTTP_HOST": "0.0.0.0"}) == "::1"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))},
           "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "FAQBOT_SUPPORT_CHANNEL": SUPPORT,
           "SLACK_API_URL": fake.base_url, "FAQBOT_KB": str(REPO / "knowledge.yaml"),
           "FAQBOT_DB_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "FAQBOT_AGENTS": "UAGENT"}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "slack", "--http", "--port", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        banner = process.stdout.readline()
        assert "http://127.0.0.1:" in banner, banner + process.stderr.read()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


# --- size and speed -------------------------------------------------------------------------------------


def test_a_body_over_1_mb_is_refused_with_413_before_it_is_sent(served):
    started = time.monotonic()
    answer = raw(port_of(served), post_head(port_of(served), MAX_BODY + 1))  # the headers only, no body
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert time.monotonic() - started < 5
    served.finish()
    assert [c.method for c in served.fake.calls] == ["auth.test"]


def test_the_app_itself_refuses_a_huge_body_without_reading_it(fake, tmp_path):
    """The gunicorn path: no waitress in front, the WSGI app answers 413 from Content-Length alone."""
    bot, store, _ = make_bot(fake, tmp_path)

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

    seen: list[str] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_LENGTH": str(50 * MAX_BODY),
               "CONTENT_TYPE": "application/json", "wsgi.input": Unreadable()}
    body = b"".join(bot.wsgi()(environ, lambda status, headers, *exc: seen.append(status)))
    assert seen == ["413 Request Entity Too Large"] and b"too large" in body
    bot.close()
    store.close()


def port_of(harness: Harness) -> int:
    return int(harness.base.rsplit(":", 1)[1])


def test_slow_bodies_time_out_and_pin_no_worker(served):
    port = port_of(served)
    slow = []
    for _ in range(3):  # more slow clients than the server has worker threads (1)
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(post_head(port, 100) + b"{")
        slow.append(sock)
    status, body = served.get("/healthz")  # served at once by the only worker
    assert status == 200 and json.loads(body)["ok"] is True
    started = time.monotonic()
    for sock in slow:
        assert drip_until_dropped(sock, limit=8.0), "a slow body was kept open"
    assert time.monotonic() - started < 8  # dropped (request_timeout 1 s, checked every second), not kept for ever


def drip_until_dropped(sock: socket.socket, limit: float) -> bool:
    """Send one byte every 0.2 s (so the connection never looks idle); True once the server has dropped it."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            sock.sendall(b" ")
            try:
                if sock.recv(1024) == b"":
                    return True
            except socket.timeout:
                continue
    except (BrokenPipeError, ConnectionResetError):
        return True
    finally:
        sock.close()
    return False


# --- bad bodies ---------------------------------------------------------------------------------------------


BAD_BODIES = [
    ('{"type": "event_callback", bad\nERROR forged log line', "application/json"),
    ("payload=%7Bbad%0AERROR+forged+log+line", "application/x-www-form-urlencoded"),
    ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
    ('"a string"', "application/json"),
    ("[1, 2]", "application/json"),
]


@pytest.mark.parametrize("signed", [True, False])
def test_malformed_bodies_get_400_and_never_reach_the_log(served, caplog, signed):
    caplog.set_level(logging.DEBUG)
    for body, content_type in BAD_BODIES:
        status, answer = served.post(body, content_type, secret=SECRET if signed else "wrong-secret")
        assert status == 400, (body, status, answer)
        assert b"Traceback" not in answer
    not_utf8 = raw(port_of(served), post_head(port_of(served), 3), b"\xff\xfe{")
    assert not_utf8.startswith(b"HTTP/1.1 400")
    served.finish()
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "forged" not in logged and "Traceback" not in logged and "a string" not in logged
    assert [c.method for c in served.fake.calls] == ["auth.test"]


def test_a_good_request_still_works_behind_the_checks(served):
    envelope = event_envelope({"type": "app_mention", "user": ASKER, "channel": GENERAL, "ts": "700.000001",
                               "text": "<@UFAQBOT> can I close my account?"}, "EvGood")
    assert served.post(json.dumps(envelope), "application/json")[0] == 200
    assert "close it yourself" in served.fake.wait_for("chat.postMessage")[0].params["text"]
    form = urlencode({"command": "/faq", "text": "hi", "user_id": ASKER, "channel_id": GENERAL, "team_id": "T0TEAM",
                      "response_url": served.fake.response_url("ok"), "trigger_id": "t1"})
    assert served.post(form, "application/x-www-form-urlencoded")[0] == 200


# --- the gunicorn entry point --------------------------------------------------------------------------------


def test_wsgi_entry_reports_a_missing_setting_in_one_line(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))},
           "SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT}
    result = subprocess.run([sys.executable, "-c", "from bot.slack import wsgi_app; wsgi_app()"], env=env,
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_SIGNING_SECRET" in lines[0], result.stderr
