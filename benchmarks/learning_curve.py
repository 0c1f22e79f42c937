"""The learning curve: does the FAQ answer more, as right, after each round of its own traffic?

Each round plays one day of real use through faqbot's own commands, then scores questions
the loop never sees:

1. N traffic questions go through ``faqbot console`` (its ``run_console``, piped, with a
   fresh SQLite log). The asker picks the right "did you mean" option when it is shown
   and ``0`` ("none of these", escalate) when it is not.
2. An agent resolves every open case with its gold label through the console's
   ``:resolve N --entry ID`` (or ``--oos``).
3. ``faqbot suggest --write`` proposes; the author accepts every proposal as written
   (new out-of-scope topics included; new FAQ drafts stay drafts: they need an answer).
4. ``faqbot ask --json`` scores the evaluation file on the edited knowledge base.

It prints, per round, the shares of ALL evaluation questions answered right, offered
"did you mean", answered wrong (a wrong entry, or an out-of-scope question answered) and
escalated, with the picks and labels that round gave and the time it took::

    python benchmarks/learning_curve.py --data ../shared/bench-data --kb clinc150/kb_k5.yaml
    python benchmarks/learning_curve.py --kb smp2017/kb_k5.yaml --rounds 3 --per-round 400

The traffic and evaluation files sit beside the knowledge base (``traffic.jsonl``,
``val.jsonl``, lines of ``{"question": ..., "expect": id | null}``). Evaluation questions
never enter the traffic. ``--json FILE`` also writes the curve for charts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.console.repl import run_console  # noqa: E402
from bot.desks.questions import QuestionOutcome  # noqa: E402
from bot.store import SqlStore  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data"
FAQBOT = [sys.executable, "-m", "bot.cli"]


@dataclass(frozen=True)
class Labelled:
    """A question with its right reply: an entry id, or None for out of scope (escalate)."""

    question: str
    expect: str | None


@dataclass
class Score:
    """Shares (percent of all scored questions) of what ``faqbot ask`` did."""

    right: float
    clarify: float
    wrong: float
    escalated: float
    clarify_has_right: float
    oos_escalated: float


@dataclass
class Round:
    """One round: what the traffic gave, what suggest proposed, and the score after it."""

    number: int
    score: Score
    asked: int = 0
    picks: int = 0
    none_of_these: int = 0
    cases: int = 0
    proposals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def read_labelled(path: Path) -> list[Labelled]:
    """The ``{"question", "expect"}`` lines of ``path``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(row["question"], row.get("expect")) for row in rows]


class ScriptedAsker(io.TextIOBase):
    """The console's stdin: a seller asking the traffic questions, then an agent resolving the cases.

    After each question the console's listener has shown us the outcome, so the next line
    is decided as a person at the console would: the right choice's number when the
    did-you-mean offers it, ``0`` when it does not, else the next question. When the
    questions run out, every case opened gets ``:resolve N`` with the question's gold label.
    """

    def __init__(self, questions: list[Labelled]):
        self.questions = list(reversed(questions))
        self.current: Labelled | None = None
        self.last: QuestionOutcome | None = None
        self.gold_of_case: dict[int, str | None] = {}
        self.queued: list[str] = []
        self.asked = self.picks = self.none_of_these = self.cases = 0

    def observe(self, outcome: QuestionOutcome) -> None:
        """A desk listener: every question's (and every escalation's) outcome."""
        self.last = outcome
        if outcome.case is not None and outcome.created and self.current is not None:
            self.gold_of_case[outcome.case.case] = self.current.expect
            self.cases += 1

    def readable(self) -> bool:
        return True

    def readline(self, size: int = -1) -> str:
        if self.queued:
            return self.queued.pop()
        outcome, self.last = self.last, None
        if outcome is not None and outcome.reply.action == "clarify" and self.current is not None:
            offered = [candidate.entry_id for candidate in outcome.reply.candidates]
            if self.current.expect in offered:
                self.picks += 1
                return f"{offered.index(self.current.expect) + 1}\n"
            if offered:
                self.none_of_these += 1
                return "0\n"
        if self.questions:
            self.current = self.questions.pop()
            self.asked += 1
            return self.current.question.replace("\n", " ") + "\n"
        if self.gold_of_case:
            self.current = None
            lines = [f":resolve {case} --entry {gold}\n" if gold else f":resolve {case} --oos\n"
                     for case, gold in sorted(self.gold_of_case.items())]
            self.gold_of_case = {}
            self.queued = list(reversed(lines[1:]))
            return lines[0]
        return ""


def play_traffic(kb: Path, db_url: str, questions: list[Labelled]) -> ScriptedAsker:
    """Feed ``questions`` through the console as sellers and an agent would; return the script with its counts."""
    asker = ScriptedAsker(questions)
    store = SqlStore.from_url(db_url)
    out = io.StringIO()
    code = run_console(kb, asker, out, interactive=False, color=False, ui_lang="en", store=store, agent="bench",
                       listeners=[asker.observe])
    if code != 0:
        raise SystemExit(f"faqbot console exited {code}")
    return asker


def run_suggest(kb: Path, db_url: str, out: Path) -> dict[str, int]:
    """``faqbot suggest --write``; the author accepts it as written. Returns the summary's counts."""
    result = subprocess.run([*FAQBOT, "suggest", "--kb", str(kb), "--db", db_url, "--write", str(out)],
                            capture_output=True, text=True, env=checkout_env())
    if result.returncode != 0:
        raise SystemExit(f"faqbot suggest failed:\n{result.stderr}")
    if out.exists():
        shutil.copyfile(out, kb)
    return _summary_counts(result.stdout + result.stderr)


def _summary_counts(summary: str) -> dict[str, int]:
    """The numbers ``faqbot suggest`` printed, by the line they lead (for the round's log)."""
    counts: dict[str, int] = {}
    for line in summary.splitlines():
        words = line.strip().split()
        if len(words) > 1 and words[0].isdecimal():
            counts[" ".join(words[1:4])] = int(words[0])
    return counts


def score(kb: Path, questions: list[Labelled]) -> Score:
    """``faqbot ask --json`` on every question; shares of all of them."""
    result = subprocess.run([*FAQBOT, "ask", "--json", "--kb", str(kb)], input="\n".join(q.question.replace("\n", " ") for q in questions) + "\n",
                            capture_output=True, text=True, env=checkout_env())
    if result.returncode not in (0, 3):
        raise SystemExit(f"faqbot ask failed ({result.returncode}):\n{result.stderr}")
    replies = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if len(replies) != len(questions):
        raise SystemExit(f"faqbot ask answered {len(replies)} of {len(questions)} questions")
    counts: Counter = Counter()
    for question, reply in zip(questions, replies):
        answered = reply["action"] == "answer" and reply["kind"] != "out_of_scope"
        if question.expect is None:
            counts["oos"] += 1
            if answered:
                counts["wrong"] += 1
                continue
            counts["oos_escalated"] += 1
            counts["clarify" if reply["action"] == "clarify" else "escalated"] += 1
            continue
        if answered:
            counts["right" if reply["entry_id"] == question.expect else "wrong"] += 1
        elif reply["action"] == "clarify":
            counts["clarify"] += 1
            counts["clarify_has_right"] += any(c["entry_id"] == question.expect for c in reply["candidates"])
        else:
            counts["escalated"] += 1
    total = len(questions)
    share = lambda key: round(100.0 * counts[key] / total, 1)  # noqa: E731
    return Score(share("right"), share("clarify"), share("wrong"), share("escalated"), share("clarify_has_right"),
                 round(100.0 * counts["oos_escalated"] / max(counts["oos"], 1), 1))


def checkout_env() -> dict[str, str]:
    """The environment for faqbot's own commands: this checkout first, no database from the caller."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FAQBOT_", "SLACK_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    return env


def learning_curve(kb_source: Path, traffic: list[Labelled], evaluation: list[Labelled], rounds: int,
                   per_round: int, workdir: Path, log=print) -> list[Round]:
    """Play ``rounds`` rounds of ``per_round`` traffic questions on a copy of ``kb_source``."""
    kb = workdir / "knowledge.yaml"
    shutil.copyfile(kb_source, kb)
    db_url = f"sqlite:///{workdir / 'faqbot.sqlite3'}"
    started = time.perf_counter()
    curve = [Round(0, score(kb, evaluation), seconds=round(time.perf_counter() - started, 1))]
    log(_row(curve[0]))
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        batch = traffic[(number - 1) * per_round: number * per_round]
        asker = play_traffic(kb, db_url, batch)
        proposals = run_suggest(kb, db_url, workdir / f"knowledge.round{number}.yaml")
        result = Round(number, score(kb, evaluation), asker.asked, asker.picks, asker.none_of_these,
                       asker.cases, proposals, round(time.perf_counter() - started, 1))
        curve.append(result)
        log(_row(result))
    return curve


def _row(r: Round) -> str:
    s = r.score
    fed = f"asked {r.asked:4d}  picks {r.picks:3d}  none {r.none_of_these:3d}  cases {r.cases:3d}" if r.number else " " * 42
    return (f"round {r.number}  right {s.right:5.1f}  did-you-mean {s.clarify:5.1f} (right offered {s.clarify_has_right:5.1f})"
            f"  wrong {s.wrong:4.1f}  escalated {s.escalated:5.1f}  oos escalated {s.oos_escalated:5.1f}"
            f"  | {fed}  {r.seconds:6.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bench-data folder")
    parser.add_argument("--kb", action="append", help="knowledge base(s) under --data (default: clinc150 and smp2017 K=5)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=400, help="traffic questions per round")
    parser.add_argument("--eval", type=int, default=800, help="evaluation questions scored (a fixed sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the curves here")
    parser.add_argument("--keep", type=Path, help="keep each knowledge base's files in this folder")
    args = parser.parse_args(argv)
    curves = {}
    for name in args.kb or ["clinc150/kb_k5.yaml", "smp2017/kb_k5.yaml"]:
        kb = args.data / name
        traffic = read_labelled(kb.parent / "traffic.jsonl")
        evaluation = read_labelled(kb.parent / "val.jsonl")
        if len(evaluation) > args.eval:
            evaluation = random.Random(args.seed).sample(evaluation, args.eval)
        print(f"{name}: {args.rounds} rounds x {args.per_round} traffic questions, {len(evaluation)} scored")
        with tempfile.TemporaryDirectory(prefix="faqbot-curve-") as tmp:
            workdir = Path(tmp)
            curve = learning_curve(kb, traffic, evaluation, args.rounds, args.per_round, workdir)
            if args.keep:
                target = args.keep / name.replace("/", "_").removesuffix(".yaml")
                shutil.copytree(workdir, target, dirs_exist_ok=True)
        first, last = curve[0].score, curve[-1].score
        print(f"{name}: right {first.right} -> {last.right} ({last.right - first.right:+.1f}), "
              f"did-you-mean {first.clarify} -> {last.clarify}, wrong {first.wrong} -> {last.wrong} "
              f"({last.wrong - first.wrong:+.1f})\n")
        curves[name] = [asdict(r) for r in curve]
    if args.json:
        args.json.write_text(json.dumps(curves, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
