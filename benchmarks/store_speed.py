"""Escalation store speed: cases per second into SQLite, and ``faqbot report`` on a big question log.

    python benchmarks/store_speed.py [--cases N] [--log N]

- escalations per second from one process, then from two processes writing to
  the same SQLite file at once (WAL mode, each case its own committed transaction);
- ``faqbot report`` wall time (a fresh process, as a KB author runs it) on a log
  of ``--log`` questions (default 100,000) drawn from the public benchmark
  questions, a third of them escalated. Target: under 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.store import SqlStore
from faq.model import Candidate, Reply
from faq.normalize import has_han

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DATA = ROOT.parent / "shared" / "bench-data"
WRITER = """
import sys, time
from bot.store import SqlStore
from faq.model import Candidate, Reply
url, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
store = SqlStore.from_url(url)
store.migrate()
start = time.perf_counter()
for n in range(count):
    reply = Reply(question=f"question {tag}-{n}", lang="en", action="escalate", text="", candidates=(Candidate("x", 12.0),))
    store.open_escalation(reply, source="console", asker=tag)
print(time.perf_counter() - start)
"""


def escalations_per_second(url: str, cases: int, processes: int) -> float:
    """Start ``processes`` writers at once, each opening ``cases`` cases; total cases per wall second."""
    SqlStore.from_url(url).migrate()
    start = time.perf_counter()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(cases), f"p{n}-{time.time_ns()}"], cwd=ROOT, stdout=subprocess.DEVNULL)
        for n in range(processes)
    ]
    if any(writer.wait() != 0 for writer in writers):
        raise SystemExit("a writer failed")
    return processes * cases / (time.perf_counter() - start)


def fill_log(url: str, questions: list[str], size: int) -> None:
    """Write ``size`` logged questions (a third escalated, a sixth "did you mean") in one transaction."""
    store = SqlStore.from_url(url)
    store.migrate()
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    rows = []
    for n in range(size):
        action = rng.choices(["answer", "escalate", "clarify"], weights=[3, 2, 1])[0]
        text = rng.choice(questions)
        rows.append(dict(
            asked_at=now - timedelta(seconds=n), lang="zh" if has_han(text) else "en",
            action=action, entry_id=None if action == "escalate" else f"entry-{rng.randrange(150)}",
            score=rng.uniform(0, 100), source="console", asker="bench", question=text,
        ))
    store.import_questions(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bench-data folder (for realistic questions)")
    parser.add_argument("--cases", type=int, default=1000, help="cases each writer opens (default 1000)")
    parser.add_argument("--log", type=int, default=100_000, help="logged questions for the report (default 100,000)")
    args = parser.parse_args()

    questions = []
    for name in ("clinc150", "smp2017"):
        with (args.data / name / "val.jsonl").open(encoding="utf-8") as handle:
            questions += [json.loads(line)["question"] for line in handle if line.strip()]

    with tempfile.TemporaryDirectory() as folder:
        one = escalations_per_second(f"sqlite:///{folder}/one.sqlite3", args.cases, 1)
        two = escalations_per_second(f"sqlite:///{folder}/two.sqlite3", args.cases, 2)
        url = f"sqlite:///{folder}/log.sqlite3"
        fill_log(url, questions, args.log)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--db", url, "--since", "all"],
                                cwd=ROOT, capture_output=True, text=True)
        report_seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(result.stderr)

    print(f"{'measure':<58}{'value':>14}")
    print("-" * 72)
    print(f"{'escalations into SQLite, 1 process':<58}{one:>10.0f} /s")
    print(f"{'escalations into SQLite, 2 processes at once (total)':<58}{two:>10.0f} /s")
    status = "PASS" if report_seconds < 5 else "MISS"
    print(f"{f'faqbot report on {args.log:,} logged questions':<58}{report_seconds:>12.2f} s   (< 5 s: {status})")


if __name__ == "__main__":
    main()
