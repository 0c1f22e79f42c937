"""Signed Slack traffic against real ``faqbot slack --http`` processes, for tests and benchmarks.

:func:`start_worker` runs the real command (``faqbot slack --http``) in a
subprocess with explicit settings and waits until it listens.
:class:`Traffic` sends distinct signed ``app_mention`` events to a set of
workers the way Slack and a load balancer would: spread across the live
workers, and an event whose request got no acknowledgement (the worker died)
delivered again to another one with ``X-Slack-Retry-Num``. It can kill one
worker with SIGKILL after it acknowledged a given number of events.
:func:`tally` then counts, from the fake Web API and the database, what was
answered: missing and doubled answers, cases and support-channel cards.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from slack_sdk.signature import SignatureVerifier

from bot.config import child_environment
from bot.store import Store
from bot.testkit.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack

CHANNEL = "CLOAD"
SUPPORT = "CSUPPORT"
OUT_OF_SCOPE = "How much are FBA fulfillment fees?"
QUESTIONS = [
    "can I close my account?",
    "How will I get paid for my completed services?",
    "我可以关闭账户吗",
    "Will I still be able to access my Seller Central account?",
    "payment listings",  # did you mean
    "Should I still submit technicians for a background check?",
    "卖家平台还能登录吗",
    "What is happening with Amazon Home Services?",
    OUT_OF_SCOPE,  # a case
    "Do I need to do anything with my listings?",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Worker:
    """One ``faqbot slack --http`` process."""

    process: subprocess.Popen
    port: int
    log: IO[bytes]

    def kill(self) -> None:
        """SIGKILL: no drain, no clean-up, as a crash or the OOM killer would."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def faqbot_command() -> list[str]:
    """The installed ``faqbot`` command next to this Python, else the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("faqbot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def start_worker(*, db_url: str, fake: FakeSlack, kb_path: Path, secret: str, log_path: Path, lease: float,
                 threads: int = 16, timeout: float = 60.0) -> Worker:
    """Run ``faqbot slack --http`` on a free port of 127.0.0.1 and wait until it serves; its log goes to ``log_path``."""
    env = child_environment({
        "SLACK_BOT_TOKEN": "xoxb-traffic-token", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fake.base_url,
        "FAQBOT_SUPPORT_CHANNEL": SUPPORT, "FAQBOT_DB_URL": db_url, "FAQBOT_KB": str(kb_path),
        "FAQBOT_SLACK_LEASE": str(lease), "PYTHONUNBUFFERED": "1",
    })
    port = free_port()
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [*faqbot_command(), "slack", "--http", "--host", "127.0.0.1", "--port", str(port), "--workers", str(threads)],
        env=env, stdout=subprocess.PIPE, stderr=log,
    )
    assert process.stdout is not None
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if b"Slack HTTP mode" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError(f"faqbot slack --http did not start: see {log_path}:\n"
                               f"{log_path.read_text(errors='replace')[-2000:]}")
    return Worker(process, port, log)


@dataclass
class Traffic:
    """Sends ``events`` distinct signed events to ``workers`` from ``concurrency`` client threads."""

    workers: list[Worker]
    secret: str
    events: int
    concurrency: int = 20
    kill_after: int | None = None  # SIGKILL workers[0] after it acknowledged this many events
    acks: list[float] = field(default_factory=list)  # seconds, each acknowledged delivery
    redelivered: int = 0
    failures: Counter = field(default_factory=Counter)
    killed_after: int | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._verifier = SignatureVerifier(self.secret)
        self._acked_by: Counter = Counter()
        self._dead: set[int] = set()

    def run(self) -> float:
        """Send every event; return the seconds it took until the last was acknowledged."""
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            list(pool.map(self._deliver, range(self.events)))
        return time.perf_counter() - began

    def _deliver(self, n: int) -> None:
        for attempt in range(len(self.workers) * 3):
            live = [i for i in range(len(self.workers)) if i not in self._dead]
            if not live:
                break
            index = live[(n + attempt) % len(live)]
            if self._send(n, index, attempt):
                return
        with self._lock:
            self.failures["never acknowledged"] += 1

    def _send(self, n: int, index: int, attempt: int) -> bool:
        body, headers = signed_event(self._verifier, n, attempt)
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.workers[index].port, timeout=30)
            connection.request("POST", "/slack/events", body=body, headers=headers)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            with self._lock:
                if self.workers[index].process.poll() is not None:
                    self._dead.add(index)
                self.redelivered += 1
            return False
        elapsed = time.perf_counter() - started
        with self._lock:
            if status != 200:
                self.failures[f"HTTP {status}"] += 1
                return False
            self.acks.append(elapsed)
            self._acked_by[index] += 1
            kill = index == 0 and self.kill_after is not None and self.killed_after is None \
                and self._acked_by[0] >= self.kill_after
            if kill:
                self.killed_after = self._acked_by[0]
                self._dead.add(0)
        if kill:
            self.workers[0].kill()
        return True


def signed_event(verifier: SignatureVerifier, n: int, attempt: int = 0) -> tuple[bytes, dict[str, str]]:
    """Event number ``n`` (its own message in CHANNEL) as a signed request body and headers."""
    ts = f"1800000000.{n:06d}"
    event = {"type": "app_mention", "user": f"U{n % 97:05d}", "channel": CHANNEL, "ts": ts, "event_ts": ts,
             "text": f"<@{BOT_USER_ID}> {QUESTIONS[n % len(QUESTIONS)]}"}
    body = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "ALOAD", "type": "event_callback",
                       "event": event, "event_id": f"EvLoad{n:08d}", "event_time": int(time.time())})
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body)}
    if attempt:
        headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_error"})
    return body.encode("utf-8"), headers


def expected_cases(events: int) -> int:
    """How many of the first ``events`` events are out of scope (each must open one case)."""
    return sum(1 for n in range(events) if QUESTIONS[n % len(QUESTIONS)] == OUT_OF_SCOPE)


@dataclass(frozen=True)
class Tally:
    answered: int  # events with at least one reply in their thread
    missing: int
    doubled: int  # events with more than one reply
    cases: int
    cards: int  # case cards in the support channel
    doubled_cards: int


def tally(fake: FakeSlack, events: int, cases: int) -> Tally:
    """Count what the fake Slack shows: one reply per event thread, one card per case."""
    per_thread = Counter(m.get("thread_ts") for m in fake.posted(CHANNEL))
    cards = Counter(json.dumps(m.get("metadata"), sort_keys=True) for m in fake.posted(SUPPORT))
    return Tally(answered=len(per_thread), missing=events - len(per_thread),
                 doubled=sum(1 for count in per_thread.values() if count > 1), cases=cases,
                 cards=sum(cards.values()), doubled_cards=sum(1 for count in cards.values() if count > 1))


def wait_for_answers(fake: FakeSlack, events: int, store: Store, timeout: float) -> bool:
    """Wait until every event is answered, every case has its card, and nothing recorded is left unhandled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cases = store.list()
        done = tally(fake, events, len(cases))
        if done.answered >= events and all(case.forwarded for case in cases) and done.cards >= len(cases) \
                and store.unhandled_requests() == 0:
            return True
        time.sleep(0.2)
    return False
