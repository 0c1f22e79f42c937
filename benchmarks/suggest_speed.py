"""How long ``faqbot suggest``'s pipeline takes on a large question log (target: under 30 s for 100,000).

    python benchmarks/suggest_speed.py [--questions 100000] [--kb knowledge.yaml] [--cases tests/coverage/seed_cases.yaml]

Builds synthetic logged questions (see ``synthetic_traffic.py``), then times the
proposals, their proof (leave-one-out, coverage cases, stealing) and the YAML edit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from faq import load_knowledge  # noqa: E402
from faq.coverage import load_cases  # noqa: E402

from bot.learning.suggest import apply, suggest, unified_diff  # noqa: E402
from synthetic_traffic import synthetic_traffic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--kb", default=str(ROOT / "knowledge.yaml"))
    parser.add_argument("--cases", default=str(ROOT / "tests" / "coverage" / "seed_cases.yaml"))
    args = parser.parse_args()
    kb = load_knowledge(args.kb)
    cases = load_cases(args.cases) if args.cases else []
    started = time.perf_counter()
    traffic, _ = synthetic_traffic(kb, args.questions)
    built = time.perf_counter() - started
    print(f"{len(traffic.asked):,} logged questions, {len(traffic.labelled):,} labelled, {len(traffic.votes):,} votes "
          f"(built in {built:.1f} s)")
    started = time.perf_counter()
    suggestions = suggest(kb, traffic, cases)
    proposed = time.perf_counter() - started
    text = Path(args.kb).read_text(encoding="utf-8")
    started = time.perf_counter()
    diff = unified_diff(text, apply(text, kb, suggestions), Path(args.kb).name)
    edited = time.perf_counter() - started
    print(f"proposed {len(suggestions.alternates)} alternates, {len(suggestions.out_of_scope)} out-of-scope phrasings, "
          f"{len(suggestions.drafts)} draft entries, {len(suggestions.not_helpful)} not-helpful entries; "
          f"{len(suggestions.conflicts)} conflicts, {suggestions.evaluations} knowledge bases evaluated")
    print(f"diff: {sum(line.startswith('+') for line in diff.splitlines())} added lines")
    print(f"suggest (propose + prove): {proposed:.1f} s; YAML edit and diff: {edited:.2f} s; "
          f"total {proposed + edited:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
