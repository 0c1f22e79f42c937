"""``faqbot suggest`` on N new labelled questions, every one a candidate: the command as users run it, timed.

    python benchmarks/suggest_labelled_speed.py [--data ../shared/bench-data] [--kb clinc150/kb_k5.yaml]
                                                [--labelled 1000]

Takes N questions of the traffic file beside the knowledge base (real questions with
their gold labels, none of them a phrasing of the knowledge base), opens each as a case
and resolves it with its label through the store, as agents do (an entry, or out of
scope), then runs ``faqbot suggest --write`` in a subprocess and prints how long it took,
start-up included, with the summary's counts (target: 1,000 labelled in under 60 s).
Nothing is capped: every labelled question is proposed and proven in the same run.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from faq.model import Reply  # noqa: E402
from learning_curve import DEFAULT_DATA, FAQBOT, Labelled, checkout_env, read_labelled  # noqa: E402

from bot.store import SqlStore  # noqa: E402


def label_cases(store: SqlStore, questions: list[Labelled]) -> None:
    """Open and resolve one case per question, with its gold label."""
    start = datetime.now(timezone.utc) - timedelta(days=1)
    for n, question in enumerate(questions):
        lang = "zh" if any("\u4e00" <= char <= "\u9fff" for char in question.question) else "en"
        reply = Reply(question=question.question, lang=lang, action="escalate", text="")
        at = start + timedelta(seconds=n)
        case, _ = store.open_escalation(reply, source="console", now=at, idempotency_key=f"bench:{n}")
        if question.expect is None:
            store.resolve(case.case, "bench", label="out_of_scope", now=at)
        else:
            store.resolve(case.case, "bench", label="entry", entry_id=question.expect, now=at)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bench-data folder")
    parser.add_argument("--kb", default="clinc150/kb_k5.yaml", help="a knowledge base under --data")
    parser.add_argument("--labelled", type=int, default=1000, help="how many labelled questions")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kb = args.data / args.kb
    questions = read_labelled(kb.parent / "traffic.jsonl")
    random.Random(args.seed).shuffle(questions)
    questions = questions[: args.labelled]
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch, 'faqbot.sqlite3').as_posix()}"
        store = SqlStore.from_url(url)
        label_cases(store, questions)
        store.close()
        command = [*FAQBOT, "suggest", "--kb", str(kb), "--db", url, "--write", str(Path(scratch, "knowledge.yaml"))]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=checkout_env())
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    summary = [line for line in done.stdout.splitlines() if line[:1].isdigit() or line.startswith(("New", "Not", "Held"))]
    print(f"{args.kb}: faqbot suggest on {len(questions)} labelled questions took {seconds:.1f} s (target: < 60 s)")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
