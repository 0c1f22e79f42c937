"""Retrieval quality on the public benchmark data (CLINC150 English, SMP2017 Chinese).

For each knowledge base, every labelled validation question goes through
``Assistant.reply`` (the adapters' own call) and the table reports:
in-scope accuracy (answered with the right entry), clarify rate and how often
the right entry was among the clarify choices, out-of-scope recall (escalated)
and the wrong-answer rate (answered with a wrong entry, in scope or not).

    python benchmarks/quality.py [--data DIR] [--sweep]

Each row also shows the issue's target for that knowledge base (in-scope
accuracy at a minimum out-of-scope recall) and by how much it is met or missed.

``--sweep`` also searches the decision thresholds on these validation files
(tuning happens here, never on tests), prints the best settings found, and the
ceiling each knowledge base allows whatever the thresholds: the top-1 accuracy
and the best in-scope accuracy of any single score threshold that still
escalates the target share of out-of-scope questions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
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

#: The issue's quality targets per knowledge base: (in-scope accuracy %, out-of-scope recall %).
TARGETS = {
    "clinc150/kb_k5.yaml": (64.0, 45.0), "clinc150/kb_k20.yaml": (80.0, 45.0),
    "smp2017/kb_k5.yaml": (75.0, 60.0), "smp2017/kb_k20.yaml": (80.0, 60.0),
}


def target_gap(name: str, result: dict[str, float]) -> str:
    """How far ``result`` is above (+) or below (-) the target; a miss on out-of-scope recall says so."""
    accuracy, recall = TARGETS[name]
    if result["oos_recall"] < recall:
        return f"oos < {recall:.0f}%"
    return f"{result['in_scope_acc'] - accuracy:+.1f}"


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


def sweep(kb: KnowledgeBase, scored: list[tuple[list, str | None]]) -> list[tuple[dict, dict]]:
    """Try each threshold combination on the stored matches of every case."""
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


def ceiling(kb: KnowledgeBase, scored: list[tuple[list, str | None]], recall_target: float) -> tuple[float, float]:
    """Top-1 accuracy, and the best in-scope accuracy of a score threshold escalating ``recall_target``% of out of scope."""
    in_scope = [
        (matches[0].score, kb.entries[matches[0].entry_index].id == expect) if matches else (0.0, False)
        for matches, expect in scored if expect is not None
    ]
    out_scope = sorted(matches[0].score if matches else 0.0 for matches, expect in scored if expect is None)
    must_escalate = math.ceil(len(out_scope) * recall_target / 100)
    # escalate everything up to the must_escalate-th lowest out-of-scope score, answer above it
    threshold = math.nextafter(out_scope[must_escalate - 1], math.inf) if must_escalate else 0.0
    top1 = 100 * sum(right for _, right in in_scope) / max(len(in_scope), 1)
    reachable = 100 * sum(right and score >= threshold for score, right in in_scope) / max(len(in_scope), 1)
    return top1, reachable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bench-data folder (default: ../shared/bench-data)")
    parser.add_argument("--sweep", action="store_true", help="also search decision thresholds and print the best")
    args = parser.parse_args()

    header = (f"{'knowledge base':<22}{'in-scope acc':>13}{'oos recall':>11}{'wrong':>8}{'clarify':>9}"
              f"{'right in clarify':>17}{'target':>10}{'vs target':>11}")
    print(header)
    print("-" * len(header))
    sweeps, ceilings = {}, {}
    for folder, kb_name in VARIANTS:
        name = f"{folder}/{kb_name}"
        kb = load_knowledge(args.data / name)
        cases = read_cases(args.data / folder / "val.jsonl")
        assistant = Assistant(kb)
        r = measure(kb, cases, assistant)
        accuracy, recall = TARGETS[name]
        print(f"{name:<22}{r['in_scope_acc']:>12.1f}%{r['oos_recall']:>10.1f}%{r['wrong_rate']:>7.1f}%"
              f"{r['clarify_rate']:>8.1f}%{r['clarify_hit']:>16.1f}%{f'{accuracy:.0f}@{recall:.0f}':>10}{target_gap(name, r):>11}")
        if args.sweep:
            scored = [(assistant.retriever.search(question, limit=3), expect) for question, expect in cases]
            sweeps[name] = sweep(kb, scored)
            ceilings[name] = ceiling(kb, scored, recall)
    if args.sweep:
        print_sweep(sweeps)
        print("\nceiling whatever the thresholds (top-1 accuracy; best in-scope accuracy at the target oos recall):")
        for name, (top1, reachable) in ceilings.items():
            print(f"  {name:<22} top-1 {top1:5.1f}%   at {TARGETS[name][1]:.0f}% oos: {reachable:5.1f}%   target {TARGETS[name][0]:.0f}%")


def print_sweep(sweeps: dict[str, list[tuple[dict, dict]]]) -> None:
    """Settings meeting every knowledge base's out-of-scope target, ranked by their summed distance to the accuracy targets."""
    keys = [str(settings) for settings, _ in next(iter(sweeps.values()))]
    rows = []
    for i, key in enumerate(keys):
        per_kb = {name: results[i][1] for name, results in sweeps.items()}
        if all(r["oos_recall"] >= TARGETS[name][1] for name, r in per_kb.items()):
            distance = sum(r["in_scope_acc"] - TARGETS[name][0] for name, r in per_kb.items())
            rows.append((distance, key, per_kb))
    print("\nbest thresholds (every KB at its oos recall target; summed in-scope accuracy vs target; per KB acc/oos/wrong):")
    for distance, key, per_kb in sorted(rows, key=lambda row: -row[0])[:5]:
        detail = "  ".join(
            f"{name.split('/')[0][:5]}{name[-6:-5]}:{r['in_scope_acc']:.1f}/{r['oos_recall']:.0f}/{r['wrong_rate']:.0f}"
            for name, r in per_kb.items()
        )
        print(f"  {distance:+6.1f}  {key}  {detail}")


if __name__ == "__main__":
    main()
