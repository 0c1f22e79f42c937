"""Hardening, round two, through the real process: ``faqbot slack --http`` on 127.0.0.1 against the fake Web API.

Each test starts the real command in a subprocess (its log is a real file),
sends it what an attacker or a flaky network would, and reads what came out:
the log, the fake Slack's calls, ``/healthz``, the database.
"""

from __future__ import annotations

import http.client
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.store import SqlStore
from bot.testkit.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from bot.testkit.slack_traffic import SUPPORT, Worker, start_worker
from test_slack_hardening import locked

REPO = Path(__file__).resolve().parents[1]
SECRET = "round-two-secret"
CHANNEL = "CHARDEN"
OUT_OF_SCOPE = "How much are FBA fulfillment fees?"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def worker(fake, tmp_path) -> Iterator[Worker]:
    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    started = start_worker(db_url=f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}", fake=fake,
                           kb_path=tmp_path / "knowledge.yaml", secret=SECRET, log_path=tmp_path / "faqbot.log",
                           lease=2.0, threads=4)
    yield started
    started.stop()


def send(worker: Worker, body: bytes, headers: dict[str, str], path: str = "/slack/events",
         method: str = "POST") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=30)
    try:
        connection.request(method, path, body=body if method == "POST" else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed(body: str, *, secret: str = SECRET, stamp: int | None = None,
           content_type: str = "application/json") -> tuple[bytes, dict[str, str]]:
    moment = str(int(time.time()) if stamp is None else stamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=moment, body=body)
    return body.encode("utf-8"), {"Content-Type": content_type, "X-Slack-Request-Timestamp": moment,
                                  "X-Slack-Signature": signature}


def mention(text: str, ts: str, event_id: str) -> str:
    event = {"type": "app_mention", "user": "UASKER", "channel": CHANNEL, "ts": ts, "event_ts": ts,
             "text": f"<@{BOT_USER_ID}> {text}"}
    return json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "AHARD", "type": "event_callback",
                       "event": event, "event_id": event_id, "event_time": int(time.time())})


def wait_until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def log_of(tmp_path: Path) -> str:
    return (tmp_path / "faqbot.log").read_text(encoding="utf-8", errors="replace")


# --- 1. a request that fails the signature check is one line, never its body ---------------------------------


def test_requests_that_fail_the_signature_check_are_logged_in_one_line_without_their_body(worker, tmp_path):
    forged = "text=hi%0A2026-01-01 00:00:00,000 ERROR faqbot.slack: FORGED-LINE"
    assert send(worker, forged.encode(), {"Content-Type": "application/x-www-form-urlencoded"})[0] == 401
    flood = b"text=" + b"A" * 1_000_000
    for _ in range(20):
        assert send(worker, flood, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 401
    # A real Slack request that fails the check (a rotated secret, a skewed clock): the seller's words stay out.
    for body, headers in (signed(mention("my PRIVATE-QUESTION about payouts", "1.000001", "EvOld"), stamp=1),
                          signed(mention("my PRIVATE-QUESTION again", "1.000002", "EvRotated"), secret="old-secret")):
        assert send(worker, body, headers)[0] == 401
    refusals = wait_until(lambda: [line for line in log_of(tmp_path).splitlines() if "signature" in line.lower()]
                          if log_of(tmp_path).lower().count("signature") >= 23 else None, what="23 refusals logged")
    log = log_of(tmp_path)
    assert "FORGED-LINE" not in log and "PRIVATE-QUESTION" not in log and "AAAAAAAA" not in log
    assert not any(line.startswith("2026-01-01") for line in log.splitlines())
    assert len(refusals) == 23 and all(len(line) < 300 for line in refusals)
    assert len(log.encode()) < 50_000


# --- 2. a connection dropped after Slack took the post is not posted again --------------------------------


def test_a_connection_dropped_after_slack_took_the_post_leaves_one_reply_and_one_card(worker, fake):
    fake.drop("chat.postMessage", times=2)  # the reply, then the card: each arrives, then the connection drops
    body, headers = signed(mention(OUT_OF_SCOPE, "1800000001.000001", "EvDropped"))
    assert send(worker, body, headers)[0] == 200
    wait_until(lambda: fake.posted(SUPPORT) and fake.posted(CHANNEL), what="a reply and a card")
    time.sleep(3)  # a blind resend by the client comes within its backoff; give it the time
    assert len(fake.posted(CHANNEL)) == 1 and len(fake.posted(SUPPORT)) == 1
    assert fake.calls_to("conversations.replies") or fake.calls_to("conversations.history")  # looked, then settled


# --- 5. /healthz tells an unauthenticated caller ok or "database unavailable", nothing more ------------------


def test_healthz_does_not_tell_where_the_database_is_or_what_the_driver_said(worker, tmp_path):
    status, body = send(worker, b"", {}, path="/healthz", method="GET")
    assert status == 200 and json.loads(body)["ok"] is True
    with locked(tmp_path / "faqbot.sqlite3"):
        status, body = send(worker, b"", {}, path="/healthz", method="GET")
    assert status == 503
    data = json.loads(body)
    assert data["database"] == {"ok": False, "backend": "sqlite", "error": "database unavailable"}
    assert str(tmp_path) not in body.decode() and "locked" not in body.decode()
    wait_until(lambda: "locked" in log_of(tmp_path), what="the details in the log")


# --- 8. a signed event whose "event" is not an object is a 400, not a 500 ----------------------------------------


@pytest.mark.parametrize("event", ["a string", [1, 2], 7, None])
def test_a_signed_event_that_is_not_an_object_gets_400(worker, tmp_path, event):
    body = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "AHARD", "type": "event_callback",
                       "event": event, "event_id": "EvNotAnObject", "event_time": int(time.time())})
    status, answer = send(worker, *signed(body))
    assert status == 400 and b"Traceback" not in answer
    body, headers = signed(mention("can I close my account?", "1800000002.000001", "EvAfter"))
    assert send(worker, body, headers)[0] == 200  # and the process still answers
    assert "Traceback" not in log_of(tmp_path)


# --- 7. a card Slack refuses for good: one plain-text fallback, then undeliverable, never retried ------------


def to_support(with_blocks: bool | None = None):
    def matches(params: dict) -> bool:
        return params.get("channel") == SUPPORT and (with_blocks is None or bool(params.get("blocks")) == with_blocks)
    return matches


def support_posts(fake: FakeSlack) -> list:
    return fake.calls_to("chat.postMessage", lambda call: call.params.get("channel") == SUPPORT)


def test_a_card_slack_refuses_for_good_is_posted_once_as_plain_text(worker, fake):
    fake.fail("chat.postMessage", error="invalid_blocks", times=100, when=to_support(with_blocks=True))
    body, headers = signed(mention(OUT_OF_SCOPE + " \U0001f600" * 2000, "1800000003.000001", "EvRefused"))
    assert send(worker, body, headers)[0] == 200
    wait_until(lambda: fake.posted(SUPPORT), timeout=20, what="the plain-text card")
    time.sleep(4)  # the delivery worker's backoff starts at 2 s: a retry would show by now
    calls = support_posts(fake)
    assert [bool(call.params.get("blocks")) for call in calls] == [True, False]  # the card once, the fallback once
    [card] = fake.posted(SUPPORT)
    assert "#1" in card["text"] and "invalid_blocks" in card["text"]
    assert len(card["text"].encode("utf-16-le")) // 2 <= 3000  # Slack counts UTF-16 units: an emoji is two


def test_a_case_refused_in_every_form_is_marked_undeliverable_for_healthz_and_the_console(worker, fake, tmp_path):
    fake.fail("chat.postMessage", error="invalid_blocks", times=100, when=to_support(with_blocks=True))
    fake.fail("chat.postMessage", error="msg_too_long", times=100, when=to_support(with_blocks=False))
    body, headers = signed(mention(OUT_OF_SCOPE, "1800000004.000001", "EvUndeliverable"))
    assert send(worker, body, headers)[0] == 200

    def undeliverable() -> int:
        return json.loads(send(worker, b"", {}, path="/healthz", method="GET")[1]).get("cases", {}).get("undeliverable")

    wait_until(undeliverable, timeout=20, what="/healthz to count the undeliverable case")
    time.sleep(4)
    assert [bool(call.params.get("blocks")) for call in support_posts(fake)] == [True, False]  # never retried
    with SqlStore.from_url(f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}") as store:
        case = store.get(1)
        assert case.undeliverable and "msg_too_long" in case.undeliverable and not case.forwarded
    from test_hardening_files import faqbot

    console = faqbot("console", cwd=tmp_path, stdin=":queue\n:case 1\n:quit\n", env={
        "FAQBOT_DB_URL": f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}", "FAQBOT_KB": "knowledge.yaml"})
    assert "1 case(s) could not be delivered" in console.stderr  # the banner's warning (stderr when piped)
    assert "[NOT DELIVERED]" in console.stdout and "Slack refused this case for good" in console.stdout
