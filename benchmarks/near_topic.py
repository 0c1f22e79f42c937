"""Near-topic questions: what separates "a question about this entry" from "a question next to it".

Asks labelled questions of a knowledge base through ``Assistant.reply`` with
the engine's near-topic test switched off, then counts, for each candidate
test, what it would do to the answers given: a test only takes answers away
(to "did you mean" or Seller Support), so it can only lower answered-right and
wrong answers. Per test it prints in-scope answered right, out-of-scope
questions answered, in-scope questions answered wrongly, and wrong answers over
all questions. The line ``shipped`` is the engine as it is (``faq.edges.Edges.next_to``: ``topic-only``).

Candidates (issue "Precision at the edges"), all about the answered entry:

- ``uncovered``: the question names content (an English content word, stemmed,
  or a Chinese content character) that neither the entry's phrasings, keywords
  nor its answer mention; ``uncovered>=1.5``: at least 1.5 such units (an
  English word 1, a Chinese character 0.5), or 1 that is half of the question;
- ``uncovered-elsewhere``: only content some other entry mentions;
- ``topic-only``: at least one unit of content that only out-of-scope topics mention;
- ``never-named drop>=D``: at least one unit of content no answerable entry
  mentions, whose removal moves the question's vector by 1 - cosine >= D;
- ``answer-cos<T``: the encoder's cosine between the question and the entry's answer is under T.

    python benchmarks/near_topic.py            # the bundled FAQ: benchmarks/data/near_topic.jsonl + the coverage cases
    python benchmarks/near_topic.py --kb KB --cases FILE.jsonl|FILE.yaml [--no-answers]

Cases are JSON lines ``{"question": ..., "expect": entry id | null}`` or a
coverage-case YAML file (``expect: escalate`` is out of scope). ``--no-answers``
leaves answers out of what an entry mentions (the public benchmark knowledge
bases' answers are "Answer for <intent id>": their words are the labels).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faq import Assistant, load_knowledge  # noqa: E402
from faq.coverage import load_cases  # noqa: E402
from faq.normalize import normalize  # noqa: E402
from faq.edges import ANSWERABLE  # noqa: E402
from faq.terms import content_terms, stem, term_units  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = [ROOT / "benchmarks" / "data" / "near_topic.jsonl", ROOT / "tests" / "coverage" / "seed_cases.yaml"]
COS_LEVELS = (0.2, 0.3, 0.4)
DROP_LEVELS = (0.1, 0.15, 0.2, 0.25, 0.3)


def read_cases(path: Path) -> list[tuple[str, str | None]]:
    """``(question, expected entry id or None)`` from JSON lines or a coverage-case file."""
    if path.suffix in (".yaml", ".yml"):
        return [(case.question, None if case.expect == "escalate" else case.expect) for case in load_cases(path)]
    with path.open(encoding="utf-8") as handle:
        return [(row["question"], row["expect"]) for row in map(json.loads, filter(str.strip, handle))]


def without_terms(prepared: str, terms: frozenset[str]) -> str:
    """``prepared`` text without the words (English) and characters (Chinese) that make these content terms."""
    kept = []
    for token in prepared.split():
        if token.isascii():
            if "w:" + stem(token) not in terms:
                kept.append(token)
        else:
            kept.append("".join(char for char in token if "h:" + char not in terms and "w:" + stem(char) not in terms))
    return " ".join(token for token in kept if token)


def too_far(uncovered: frozenset[str], asked: frozenset[str]) -> bool:
    """At least 1.5 units uncovered, or at least one unit that is half of what is asked."""
    missing = term_units(uncovered)
    return missing >= 1.5 or (missing >= 1 and 2 * missing >= term_units(asked))


class Candidates:
    """The candidate tests on one knowledge base (see the module docstring)."""

    def __init__(self, assistant: Assistant, answers: bool):
        self.assistant = assistant
        kb = assistant.kb
        self.mentioned = []
        for entry in kb.entries:
            texts = [text for _, text in entry.phrasings()] + list(entry.keywords)
            texts += list(entry.answer.values()) if answers else []
            self.mentioned.append(frozenset().union(*(content_terms(assistant.retriever.prepare(t)) for t in texts)))
        self.everywhere = frozenset().union(*self.mentioned)
        self.answerable = frozenset().union(*(m for m, e in zip(self.mentioned, kb.entries) if e.kind in ANSWERABLE))
        self.topics = frozenset().union(*(m for m, e in zip(self.mentioned, kb.entries) if e.kind == "out_of_scope"))
        self.encoder = assistant.semantic.encoder if assistant.semantic else None
        self.answers = answers
        self.names = ["uncovered", "uncovered>=1.5", "uncovered-elsewhere", "topic-only"]
        if self.encoder is not None:
            self.names += [f"never-named drop>={d:g}" for d in DROP_LEVELS]
            if answers:
                self.names += [f"answer-cos<{t:g}" for t in COS_LEVELS]

    def flags(self, question: str, index: int, lang: str) -> dict[str, bool]:
        """Which candidates would take the answer to ``question`` (entry ``index``) away."""
        retriever = self.assistant.retriever
        prepared = retriever.correct_typos(retriever.prepare(question))
        asked = content_terms(prepared)
        uncovered = asked - self.mentioned[index]
        flags = {
            "uncovered": bool(uncovered), "uncovered>=1.5": too_far(uncovered, asked),
            "uncovered-elsewhere": bool(uncovered & (self.everywhere - self.mentioned[index])),
            "topic-only": term_units((uncovered & self.topics) - self.answerable) >= 1,
        }
        if self.encoder is None:
            return flags
        unnamed = uncovered - self.answerable
        drop = 0.0
        if term_units(unnamed) >= 1:
            rest = without_terms(prepared, unnamed)
            if rest:
                whole, without = self.encoder.encode([prepared, rest])
                drop = 1.0 - float(whole @ without)
            else:
                drop = 1.0
        flags.update({f"never-named drop>={d:g}": drop >= d for d in DROP_LEVELS})
        if self.answers:
            entry = self.assistant.kb.entries[index]
            answer = self.encoder.encode([normalize(entry.text_in(entry.answer, lang) or "")])[0]
            cosine = float(self.encoder.encode([normalize(question)])[0] @ answer)
            flags.update({f"answer-cos<{t:g}": cosine < t for t in COS_LEVELS})
        return flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", type=Path, default=ROOT / "knowledge.yaml")
    parser.add_argument("--cases", type=Path, nargs="*", default=DEFAULT_CASES)
    parser.add_argument("--no-answers", action="store_true", help="entries mention only their phrasings and keywords")
    args = parser.parse_args()

    shipped = Assistant(load_knowledge(args.kb))
    plain = shipped.variant(shipped.kb)  # the same thresholds, without the near-topic test
    plain.edges.next_to = lambda question, entry_index: False  # type: ignore[method-assign]
    candidates = Candidates(plain, not args.no_answers)
    ids = [entry.id for entry in shipped.kb.entries]
    for path in args.cases:
        cases = read_cases(path)
        rules = ["without near-topic test", "shipped", *candidates.names]
        counts = {rule: dict(right=0, wrong_in=0, wrong_out=0) for rule in rules}
        for question, expect in cases:
            key = lambda reply: "right" if reply.entry_id == expect else ("wrong_out" if expect is None else "wrong_in")  # noqa: E731
            reply = shipped.reply(question)
            if reply.action == "answer":
                counts["shipped"][key(reply)] += 1
            reply = plain.reply(question)
            if reply.action != "answer":
                continue
            counts["without near-topic test"][key(reply)] += 1
            if reply.kind != "faq":
                flags = dict.fromkeys(candidates.names, False)
            else:
                flags = candidates.flags(question, ids.index(reply.entry_id), reply.lang)
            for rule in candidates.names:
                if not flags[rule]:
                    counts[rule][key(reply)] += 1
        n_in = sum(expect is not None for _, expect in cases)
        total = len(cases)
        print(f"\n{args.kb.name} x {path.name}: {n_in} in scope, {total - n_in} out of scope")
        print(f"{'test':<26}{'right':>8}{'oos answered':>15}{'wrong in':>10}{'wrong':>8}")
        for rule in rules:
            c = counts[rule]
            print(f"{rule:<26}{100 * c['right'] / max(n_in, 1):>7.1f}%{c['wrong_out']:>9} / {total - n_in:<4}"
                  f"{c['wrong_in']:>8}{100 * (c['wrong_in'] + c['wrong_out']) / max(total, 1):>7.1f}%")


if __name__ == "__main__":
    main()
