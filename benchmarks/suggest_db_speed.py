"""``faqbot suggest`` on a real database of 100,000 logged questions: the command as users run it, timed.

    python benchmarks/suggest_db_speed.py [--questions 100000] [--kb knowledge.yaml]
        [--cases tests/coverage/seed_cases.yaml] [--db sqlite:///suggest.sqlite3]

Fills a SQLite database (a temporary file unless ``--db`` is given) through the store,
the way the adapters do: the question log in bulk, each "did you mean" pick with
``record_pick``, each labelled case with ``open_escalation`` and ``resolve(label=...)``,
each vote with ``record_feedback`` (synthetic traffic from ``synthetic_traffic.py``;
escalations nobody labelled are left out, ``suggest`` does not read them). Then runs
``faqbot suggest`` in a subprocess and prints how long it took, start-up included
(target: under 30 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from faq import load_knowledge  # noqa: E402
from faq.model import Reply  # noqa: E402

from bot.store import SqlStore  # noqa: E402
from synthetic_traffic import synthetic_traffic  # noqa: E402


def fill(store: SqlStore, kb_path: str, n: int) -> None:
    """Log ``n`` synthetic questions with their labels and votes through the store."""
    traffic, _ = synthetic_traffic(load_knowledge(kb_path), n)
    store.import_questions(
        {"asked_at": a.at, "lang": a.lang, "action": a.outcome, "entry_id": a.entry_id, "score": 0.0,
         "source": "slack", "asker": None, "question": a.question}
        for a in traffic.asked
    )
    for record in traffic.labelled:
        if record.source == "pick" or record.label == "none_of_these":
            store.record_pick(question=record.question, lang=record.lang, label=record.label, source="slack",
                              entry_id=record.entry_id, now=record.at)
            continue
        reply = Reply(question=record.question, lang=record.lang, action="escalate", text="")
        case, _ = store.open_escalation(reply, source="slack", now=record.at,
                                        idempotency_key=f"bench:{id(record)}:{record.at.timestamp()}")
        store.resolve(case.case, "agent", label=record.label, entry_id=record.entry_id, now=record.at)
    for vote in traffic.votes:
        store.record_feedback(helpful=vote.helpful, source="slack", entry_id=vote.entry_id, question=vote.question,
                              lang=vote.lang, message_id="bench", now=vote.at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--kb", default=str(ROOT / "knowledge.yaml"))
    parser.add_argument("--cases", default=str(ROOT / "tests" / "coverage" / "seed_cases.yaml"))
    parser.add_argument("--db", help="the database to fill (when it has no questions yet) and time; default: a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.db or f"sqlite:///{Path(scratch, 'suggest.sqlite3').as_posix()}"
        store = SqlStore.from_url(url)
        if store.question(1) is None:  # an empty database: fill it
            started = time.perf_counter()
            fill(store, args.kb, args.questions)
            print(f"filled {url} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        traffic = store.traffic()
        print(f"store.traffic(): {len(traffic.asked):,} questions, {len(traffic.labelled):,} labelled, "
              f"{len(traffic.votes):,} votes read in {time.perf_counter() - started:.2f} s")
        store.close()
        command = [sys.executable, "-m", "bot.cli", "suggest", "--kb", args.kb, "--db", url]
        if args.cases:
            command += ["--cases", args.cases]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=scratch)
        took = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"faqbot suggest failed ({done.returncode}): {done.stderr}")
        added = sum(line.startswith("+") and not line.startswith("+++") for line in done.stdout.splitlines())
        print(done.stderr.strip())
        print(f"faqbot suggest: {took:.1f} s for {len(traffic.asked):,} logged questions "
              f"(diff: {added} added lines; target < 30 s)")
        print(f"CPU time {cpu:.1f} s in all its processes, {os.cpu_count()} processors, "
              f"load average {load:.1f} when it started (other work on the machine slows it down)")


if __name__ == "__main__":
    main()
