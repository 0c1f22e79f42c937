"""Load test of the Slack adapter in HTTP mode: signed events in, exactly-once answers out.

Starts the fake Slack Web API (``bot.testkit.fake_slack``) and the real app (the
same ``SlackBot`` and threaded WSGI server as ``faqbot slack --http``) on
127.0.0.1, with a SQLite store in a temporary directory and the repository's
``knowledge.yaml``. It then sends ``--events`` signed ``app_mention`` events
(each a different message, the questions cycling through answerable,
"did you mean" and out-of-scope ones) from ``--concurrency`` client threads,
optionally delivering each event ``--redeliver`` more times with
``X-Slack-Retry-Num`` as Slack does when it thinks an acknowledgement was lost.

Then it checks that every event was answered exactly once (one
``chat.postMessage`` in its thread), that every out-of-scope question opened
exactly one case and that each case reached the support channel once, and
prints:

- acknowledgement latency (HTTP request to response) p50 / p95 / p99 / max,
  and how many took 3 s or more (Slack's limit);
- answers per second (first request sent to last answer received).

Nothing is asserted beyond the exit code: 0 when every check holds, 1 otherwise.

    python benchmarks/slack_load.py [--events 2000] [--concurrency 20] [--workers 16] [--redeliver 0]

With ``--processes N`` the app runs as N real ``faqbot slack --http`` processes
(on a SQLite file, or with ``--postgres`` on a throwaway PostgreSQL cluster,
or on ``--db-url``), the events spread across them as a load balancer would;
``--kill9`` kills the first with SIGKILL after it acknowledged a quarter of its
share, and the run then counts lost (acknowledged, never answered) and
duplicated answers once the survivors have finished its recorded work:

    python benchmarks/slack_load.py --processes 2 --postgres --kill9
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bot.kb_reload import KnowledgeHolder
from bot.slack.app import SlackBot
from bot.slack.client import build_client
from bot.slack.server import make_http_server
from bot.store import SqlStore
from bot.testkit.fake_slack import FakeSlack
from bot.testkit.slack_traffic import CHANNEL, QUESTIONS, signed_event

REPO = Path(__file__).resolve().parents[1]

SECRET = "bench-signing-secret"
SUPPORT = "CSUPPORT"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="distinct events to send (default 2000)")
    parser.add_argument("--concurrency", type=int, default=20, help="client threads sending at once (default 20)")
    parser.add_argument("--workers", type=int, default=16, help="the app's worker threads (default 16)")
    parser.add_argument("--redeliver", type=int, default=0,
                        help="extra deliveries of each event with X-Slack-Retry-Num (default 0)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for all answers (default 300)")
    parser.add_argument("--verbose", action="store_true", help="print the app's per-event log lines")
    parser.add_argument("--processes", type=int, default=0,
                        help="run N real 'faqbot slack --http' processes instead of one in-process app")
    parser.add_argument("--postgres", action="store_true", help="with --processes: a throwaway PostgreSQL cluster")
    parser.add_argument("--db-url", help="with --processes: this database URL (default: a SQLite file)")
    parser.add_argument("--kill9", action="store_true", help="with --processes: SIGKILL the first one midway")
    parser.add_argument("--lease", type=float, default=5.0,
                        help="with --processes: FAQBOT_SLACK_LEASE, how soon a survivor takes over (default 5)")
    args = parser.parse_args(argv)
    if args.processes:
        from processes_load import run_processes

        return run_processes(args)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in [n for n in os.environ if n.startswith(("SLACK_", "FAQBOT_"))]:
        del os.environ[name]  # only explicit settings

    fake = FakeSlack().start()
    workdir = tempfile.TemporaryDirectory(prefix="faqbot-slack-load-")
    store = SqlStore.from_url(f"sqlite:///{Path(workdir.name, 'faqbot.sqlite3').as_posix()}")
    bot = SlackBot(
        knowledge=KnowledgeHolder(REPO / "knowledge.yaml"), store=store,
        client=build_client("xoxb-bench-token", fake.base_url), support_channel=SUPPORT,
        signing_secret=SECRET, workers=args.workers, forward_interval=0.5,
    )
    server = make_http_server(bot.wsgi(), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_port
    verifier = SignatureVerifier(SECRET)

    deliveries = [(n, attempt) for attempt in range(args.redeliver + 1) for n in range(args.events)]
    acks: list[float] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    def send(item: tuple[int, int]) -> None:
        n, attempt = item
        body, headers = signed_event(verifier, n, attempt)
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/slack/events", body=body, headers=headers)
            status = connection.getresponse().status
            connection.close()
        except OSError as error:
            with lock:
                failures[type(error).__name__] += 1
            return
        elapsed = time.perf_counter() - started
        with lock:
            acks.append(elapsed)
            if status != 200:
                failures[f"HTTP {status}"] += 1

    in_thread = lambda call: call.params.get("channel") == CHANNEL  # noqa: E731
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(send, deliveries))
    acked = time.perf_counter()
    ok = True
    try:
        fake.wait_for("chat.postMessage", args.events, in_thread, timeout=args.timeout)
    except AssertionError:
        ok = False
    answered = time.perf_counter()
    escalations = sum(1 for n in range(args.events) if QUESTIONS[n % len(QUESTIONS)].startswith("How much are FBA"))
    try:
        fake.wait_for("chat.postMessage", escalations, lambda c: c.params.get("channel") == SUPPORT, timeout=60)
    except AssertionError:
        ok = False
    bot.close()  # let every queued listener finish before counting
    replies = fake.calls_to("chat.postMessage", in_thread, ok_only=True)
    per_thread = Counter(call.params.get("thread_ts") for call in replies)
    missing = args.events - len(per_thread)
    doubled = sum(1 for count in per_thread.values() if count > 1)
    cases = store.list()
    support = fake.calls_to("chat.postMessage", lambda c: c.params.get("channel") == SUPPORT, ok_only=True)
    ok = ok and not missing and not doubled and len(cases) == escalations and len(support) == escalations
    ok = ok and not failures

    ms = [a * 1000 for a in acks]
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"events: {args.events} distinct, {len(deliveries)} deliveries (redeliver={args.redeliver}), "
          f"concurrency {args.concurrency}, app workers {args.workers}, SQLite store")
    print(f"ack latency ms: p50 {percentile(ms, .50):.1f}  p95 {percentile(ms, .95):.1f}  "
          f"p99 {percentile(ms, .99):.1f}  max {max(ms, default=float('nan')):.1f}  "
          f"(>= 3 s: {sum(1 for m in ms if m >= 3000)})  mean {statistics.fmean(ms) if ms else float('nan'):.1f}")
    print(f"all deliveries acknowledged in {acked - began:.2f} s ({len(deliveries) / (acked - began):.0f} req/s)")
    rate = len(per_thread) / (answered - began)
    print(f"answers: {len(per_thread)} in {answered - began:.2f} s = {rate:.0f} answers/s")
    print(f"exactly once: missing {missing}, answered more than once {doubled}; "
          f"cases {len(cases)} (expected {escalations}), support posts {len(support)}")
    if failures:
        print(f"client failures: {dict(failures)}")
    print("RESULT:", "OK" if ok else "FAILED")
    server.shutdown()
    server.server_close()
    store.close()
    fake.stop()
    workdir.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
