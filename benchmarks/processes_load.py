"""``slack_load.py --processes N``: the load test against real ``faqbot slack --http`` processes.

Each process is the command users run, on one shared database (a SQLite file,
a throwaway PostgreSQL cluster with ``--postgres``, or ``--db-url``). Signed
events are spread across the live processes; with ``--kill9`` the first is
killed with SIGKILL after acknowledging a quarter of its share, and requests
that got no acknowledgement are delivered again to a survivor, as Slack does.
Prints ack latency p50/p95/p99, answers per second, and lost / duplicated
answers, cases and support-channel cards, once nothing recorded is left unhandled.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bot.store import SqlStore
from bot.testkit.fake_slack import FakeSlack
from bot.testkit.slack_traffic import Traffic, expected_cases, start_worker, tally, wait_for_answers

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _postgres(workdir: Path):
    """A throwaway PostgreSQL cluster (the test suite's helper); returns (url, cluster to stop)."""
    sys.path.insert(0, str(REPO / "tests"))
    from postgres import DATABASE, USER, _Cluster, _create_database, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries (initdb) not found; install postgresql or pass --db-url")
    cluster = _Cluster(bin_dir)
    cluster.start()
    _create_database(cluster.port)
    return f"postgresql+psycopg://{USER}@127.0.0.1:{cluster.port}/{DATABASE}", cluster


def run_processes(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="faqbot-slack-processes-"))
    cluster = None
    if args.postgres:
        db_url, cluster = _postgres(workdir)
        backend = "PostgreSQL (throwaway cluster)"
    elif args.db_url:
        db_url, backend = args.db_url, "the given database"
    else:
        db_url, backend = f"sqlite:///{(workdir / 'faqbot.sqlite3').as_posix()}", "SQLite file"
    fake = FakeSlack().start()
    workers = []
    try:
        logs = [workdir / f"worker-{n}.log" for n in range(args.processes)]
        workers = [start_worker(db_url=db_url, fake=fake, kb_path=REPO / "knowledge.yaml", secret=SECRET,
                                log_path=path, lease=args.lease, threads=args.workers) for path in logs]
        kill_after = args.events // (4 * args.processes) if args.kill9 else None
        traffic = Traffic(workers, SECRET, args.events, concurrency=args.concurrency, kill_after=kill_after)
        began = time.perf_counter()
        acked = traffic.run()
        store = SqlStore.from_url(db_url)
        finished = wait_for_answers(fake, args.events, store, timeout=args.timeout)
        answered_in = time.perf_counter() - began
        result = tally(fake, args.events, len(store.list()))
        unhandled = store.unhandled_requests()
        store.close()
    finally:
        for worker in workers:
            worker.stop()
        fake.stop()
        if cluster is not None:
            cluster.stop()
            cluster.cleanup()
    ms = [a * 1000 for a in traffic.acks]
    expected = expected_cases(args.events)
    ok = (finished and result.missing == 0 and result.doubled == 0 and result.cases == expected
          and result.cards == expected and result.doubled_cards == 0 and not traffic.failures)
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"events: {args.events} distinct, concurrency {args.concurrency}, {args.processes} x 'faqbot slack --http' "
          f"({args.workers} threads each), {backend}, lease {args.lease:g} s")
    if args.kill9:
        print(f"kill -9: worker 0 killed after acknowledging {traffic.killed_after} events; "
              f"{traffic.redelivered} unacknowledged deliveries sent again to a survivor")
    print(f"ack latency ms (durable write before the ack): p50 {percentile(ms, .50):.1f}  p95 {percentile(ms, .95):.1f}"
          f"  p99 {percentile(ms, .99):.1f}  max {max(ms, default=float('nan')):.1f}  (>= 3 s: "
          f"{sum(1 for m in ms if m >= 3000)})")
    print(f"all events acknowledged in {acked:.2f} s; answers: {result.answered} in {answered_in:.2f} s = "
          f"{result.answered / answered_in:.0f} answers/s"
          + (" (including the survivor's wait for the dead worker's leases)" if args.kill9 else ""))
    print(f"lost {result.missing}, duplicated {result.doubled}; cases {result.cases} (expected {expected}), "
          f"support cards {result.cards}, duplicated cards {result.doubled_cards}; unhandled left {unhandled}")
    if traffic.failures:
        print(f"client failures: {dict(traffic.failures)}")
    print("RESULT:", "OK" if ok else "FAILED")
    print(f"worker logs: {workdir}")
    return 0 if ok else 1
