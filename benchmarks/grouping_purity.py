"""How well ``bot.learning.grouping`` groups alike questions: purity against known labels, per threshold.

    python benchmarks/grouping_purity.py [--data ../shared/bench-data] [--sample 3000]
        [--meaning 0.6,0.65,0.7,0.75] [--words 0.3,0.4,0.5]

Groups the labelled questions of each traffic file (``<data>/*/traffic.jsonl``, lines of
``{"question": ..., "expect": id | null}``; out-of-scope ones left out, they share no topic)
and the phrasings of the repository's bilingual knowledge base (labels: their entries, so
English and Chinese phrasings of one entry belong together), with the sentence encoder's
vectors and with the word vectors, at each threshold. Prints per run:

- purity: share of questions whose group's most common label is theirs (precision first:
  a group mixing two topics sends an author to write the wrong entry);
- inverse purity: share of questions in the largest group of their label (how much of one
  topic a group gathers);
- groups, and the share of questions in a group of two or more;
- for the bilingual file, the share of entries whose largest group holds both languages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.learning.grouping import MeaningVectors, WordVectors, group_questions  # noqa: E402
from faq import load_knowledge  # noqa: E402
from faq.encoder import MemoEncoder, shared_encoder  # noqa: E402
from faq.normalize import detect_language, normalize  # noqa: E402
from faq.vector_cache import default_cache_dir  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench-data"


def labelled_sets(data: Path, sample: int) -> dict[str, list[tuple[str, str, str]]]:
    """``name -> [(question, lang, label)]``: each traffic file (a seeded sample) and the bundled KB's phrasings."""
    sets: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted(data.glob("*/traffic.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [row for row in rows if row.get("expect")]
        random.Random(1).shuffle(rows)
        sets[path.parent.name] = [(row["question"], detect_language(row["question"]), row["expect"]) for row in rows[:sample]]
    kb = load_knowledge(ROOT / "knowledge.yaml")
    sets["knowledge.yaml (en+zh)"] = [(text, lang, entry.id) for entry in kb.entries for lang, text in entry.phrasings()]
    return sets


def measure(rows: list[tuple[str, str, str]], vectors) -> str:
    started = time.perf_counter()
    groups = group_questions([(text, lang) for text, lang, _ in rows], vectors)
    took = time.perf_counter() - started
    labels = [label for _, _, label in rows]
    members = [[labels[n] for n in group.indexes] for group in groups]
    grouped = sum(len(m) for m in members)
    purity = sum(Counter(m).most_common(1)[0][1] for m in members) / grouped
    by_label: dict[str, Counter] = defaultdict(Counter)
    for number, group in enumerate(groups):
        for n in group.indexes:
            by_label[labels[n]][number] += 1
    inverse = sum(c.most_common(1)[0][1] for c in by_label.values()) / grouped
    together = sum(len(m) for m in members if len(m) > 1) / grouped
    line = (f"purity {purity:.3f}  inverse purity {inverse:.3f}  groups {len(groups):5d}  "
            f"in groups of 2+ {together:.2f}  ({took:.1f} s)")
    if len({lang for _, lang, _ in rows}) > 1:
        both = sum(len(groups[c.most_common(1)[0][0]].languages()) > 1 for c in by_label.values()) / len(by_label)
        line += f"  entries whose largest group has both languages {both:.2f}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sample", type=int, default=3000, help="questions taken from each traffic file")
    parser.add_argument("--meaning", default="0.6,0.65,0.7,0.75", help="thresholds for the encoder's vectors")
    parser.add_argument("--words", default="0.3,0.4,0.5", help="thresholds for the word vectors")
    args = parser.parse_args()
    encoder = MemoEncoder(shared_encoder(default_cache_dir()))  # each text encoded once across thresholds
    for name, rows in labelled_sets(args.data, args.sample).items():
        print(f"{name}: {len(rows)} questions, {len({label for *_, label in rows})} labels")
        encoder.encode(list(dict.fromkeys(normalize(text) for text, _, _ in rows)))
        for alike in map(float, filter(None, args.meaning.split(","))):
            print(f"  meaning {alike:.2f}  " + measure(rows, MeaningVectors(encoder, alike)))
        for alike in map(float, filter(None, args.words.split(","))):
            print(f"  words   {alike:.2f}  " + measure(rows, WordVectors(alike)))


if __name__ == "__main__":
    main()
