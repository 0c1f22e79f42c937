"""Retrieval quality on the public benchmark data (CLINC150 English, SMP2017 Chinese).

For each knowledge base, every labelled validation question goes through
``Assistant.reply`` (the adapters' own call) and the table reports:
in-scope accuracy (answered with the right entry), clarify rate and how often
the right entry was among the clarify choices, out-of-scope recall (escalated)
and the wrong-answer rate (answered with a wrong entry, in scope or not).

    python benchmarks/quality.py [--data DIR] [--sweep]

``--sweep`` also searches the decision thresholds on these validation files
(tuning happens here, never on tests) and prints the best settings found.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faq import Assistant, KnowledgeBase, load_knowledge  # noqa: E402
from faq.assistant import decide  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data"
VARIANTS = [
    ("clinc150", "kb_k5.yaml"), ("clinc150", "kb_k20.yaml"),
    ("smp2017", "kb_k5.yaml"), ("smp2017", "kb_k20.yaml"),
]


def read_cases(path: Path) -> list[tuple[str, str | None]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(row["question"], row["expect"]) for row in rows]


def measure(kb: KnowledgeBase, cases, assistant: Assistant) -> dict[str, float]:
    """Reply to every case and count the outcomes that sellers feel."""
    counts = dict(in_scope=0, correct=0, clarify=0, clarify_hit=0, out_scope=0, escalated=0, wrong=0)
    for question, expect in cases:
        reply = assistant.reply(question)
        if expect is None:
            counts["out_scope"] += 1
            counts["escalated"] += reply.action == "escalate"
            counts["wrong"] += reply.action == "answer"
            continue
        counts["in_scope"] += 1
        counts["correct"] += reply.action == "answer" and reply.entry_id == expect
        counts["wrong"] += reply.action == "answer" and reply.entry_id != expect
        if reply.action == "clarify":
            counts["clarify"] += 1
            counts["clarify_hit"] += any(c.entry_id == expect for c in reply.candidates)
    return summarize(counts)


def summarize(c: dict[str, int]) -> dict[str, float]:
    total = c["in_scope"] + c["out_scope"]
    return {
        "in_scope_acc": 100 * c["correct"] / max(c["in_scope"], 1),
        "oos_recall": 100 * c["escalated"] / max(c["out_scope"], 1),
        "wrong_rate": 100 * c["wrong"] / max(total, 1),
        "clarify_rate": 100 * c["clarify"] / max(c["in_scope"], 1),
        "clarify_hit": 100 * c["clarify_hit"] / max(c["clarify"], 1),
    }


def sweep(kb: KnowledgeBase, cases, assistant: Assistant) -> list[tuple[dict, dict]]:
    """Score every case once, then try each threshold combination on the stored matches."""
    scored = [(assistant.retriever.search(q, limit=3), expect) for q, expect in cases]
    results = []
    for answer, clarify_gap, margin in itertools.product(range(20, 71, 2), (0, 4, 8, 12), (0, 2, 4, 6, 8, 10)):
        settings = replace(kb.settings, answer_score=answer, clarify_score=max(answer - clarify_gap, 0), margin=margin)
        counts = dict(in_scope=0, correct=0, clarify=0, clarify_hit=0, out_scope=0, escalated=0, wrong=0)
        for matches, expect in scored:
            action = decide(matches, settings)
            best = kb.entries[matches[0].entry_index].id if matches else None
            if expect is None:
                counts["out_scope"] += 1
                counts["escalated"] += action == "escalate"
                counts["wrong"] += action == "answer"
            else:
                counts["in_scope"] += 1
                counts["correct"] += action == "answer" and best == expect
                counts["wrong"] += action == "answer" and best != expect
                counts["clarify"] += action == "clarify"
        results.append(({"answer": answer, "clarify": settings.clarify_score, "margin": margin}, summarize(counts)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bench-data folder (default: ../shared/bench-data)")
    parser.add_argument("--sweep", action="store_true", help="also search decision thresholds and print the best")
    args = parser.parse_args()

    header = f"{'knowledge base':<22}{'in-scope acc':>13}{'oos recall':>11}{'wrong':>8}{'clarify':>9}{'right in clarify':>17}"
    print(header)
    print("-" * len(header))
    sweeps = {}
    for folder, kb_name in VARIANTS:
        kb = load_knowledge(args.data / folder / kb_name)
        cases = read_cases(args.data / folder / "val.jsonl")
        assistant = Assistant(kb)
        r = measure(kb, cases, assistant)
        print(f"{folder + '/' + kb_name:<22}{r['in_scope_acc']:>12.1f}%{r['oos_recall']:>10.1f}%{r['wrong_rate']:>7.1f}%"
              f"{r['clarify_rate']:>8.1f}%{r['clarify_hit']:>16.1f}%")
        if args.sweep:
            sweeps[f"{folder}/{kb_name}"] = sweep(kb, cases, assistant)
    if args.sweep:
        print_sweep(sweeps)


def print_sweep(sweeps: dict[str, list[tuple[dict, dict]]]) -> None:
    """Settings ranked by the worst in-scope accuracy across KBs, among those escalating enough out of scope."""
    keys = [str(settings) for settings, _ in next(iter(sweeps.values()))]
    rows = []
    for i, key in enumerate(keys):
        per_kb = {name: results[i][1] for name, results in sweeps.items()}
        floor = min(r["in_scope_acc"] for r in per_kb.values())
        oos = min(r["oos_recall"] for r in per_kb.values())
        rows.append((floor, oos, key, per_kb))
    print("\nbest thresholds (min in-scope accuracy over KBs, with every KB's oos recall >= 45%):")
    for floor, oos, key, per_kb in sorted((r for r in rows if r[1] >= 45), reverse=True)[:5]:
        detail = "  ".join(f"{name.split('/')[0][:5]}{name[-6:-5]}:{r['in_scope_acc']:.1f}/{r['oos_recall']:.0f}" for name, r in per_kb.items())
        print(f"  {key}  {detail}")


if __name__ == "__main__":
    main()
