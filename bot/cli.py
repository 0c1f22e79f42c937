"""The ``faqbot`` command: a thin shell over the ``faq`` engine.

It parses arguments, turns every failure into one readable line and an exit
code, and delegates the work to the library. ``main(argv, stdin, stdout)``
takes its streams as arguments so tests can run it in process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterable, TextIO

# The engine first, before bot's modules: measured on CPython 3.11, numpy (which the engine imports)
# took about 40 ms longer to import at the end of bot's chain of imports than at its start.
from faq import Assistant, KnowledgeBase, KnowledgeError, Reply, load_knowledge
from faq.notices import notice
from bot.commands.cli_parser import UsageError, parser_class, requested_language, translated_error
from bot.commands.cli_texts import help_texts
from bot.config import ConfigError, database_url, knowledge_path, tool_language
from bot.errors import StoreError
from bot.commands.learning_commands import add_suggest_parser
from bot.slack.cli import add_slack_parser, cmd_slack

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """``faqbot``'s parser, its help and usage errors in ``lang``."""
    t = help_texts(lang)
    parser = parser_class(lang)(prog="faqbot", description=t("description"))
    parser.add_argument("--version", action=_VersionAction, nargs=0, help=t("version"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    kb_help, lang_help, semantic_help, db_help = t("kb"), t("lang_report"), t("no_semantic"), t("db")

    ask = commands.add_parser("ask", help=t("ask"))
    ask.add_argument("questions", nargs="*", metavar="QUESTION")
    ask.add_argument("--kb", help=kb_help)
    ask.add_argument("--lang", choices=["en", "zh"], help=t("lang_reply"))
    ask.add_argument("--json", action="store_true", help=t("ask_json"))
    ask.add_argument("--no-semantic", action="store_true", help=semantic_help)

    check = commands.add_parser("check", help=t("check"))
    check.add_argument("--kb", help=kb_help)
    check.add_argument("--quick", action="store_true", help=t("check_quick"))
    check.add_argument("--lang", choices=["en", "zh"], help=lang_help)
    check.add_argument("--no-semantic", action="store_true", help=semantic_help)

    coverage = commands.add_parser("coverage", help=t("coverage"))
    coverage.add_argument("cases", nargs="+", metavar="CASES.yaml")
    coverage.add_argument("--kb", help=kb_help)
    coverage.add_argument("--min-accuracy", type=_share, default=0.95, help=t("coverage_min"))
    coverage.add_argument("--json", action="store_true", help=t("json_report"))
    coverage.add_argument("--lang", choices=["en", "zh"], help=lang_help)
    coverage.add_argument("--no-semantic", action="store_true", help=semantic_help)

    init = commands.add_parser("init", help=t("init"))
    init.add_argument("directory", nargs="?", default=".", metavar="DIR", help=t("init_dir"))
    init.add_argument("--lang", choices=["en", "zh"], help=lang_help)

    tune = commands.add_parser("tune", help=t("tune"))
    tune.add_argument("cases", nargs="*", metavar="CASES.yaml", help=t("tune_cases"))
    tune.add_argument("--cases", nargs="+", default=[], metavar="FILE", dest="more_cases", help=t("tune_cases"))
    tune.add_argument("--kb", help=kb_help)
    tune.add_argument("--write", action="store_true", help=t("tune_write"))
    tune.add_argument("--lang", choices=["en", "zh"], help=lang_help)

    console = commands.add_parser("console", help=t("console"))
    console.add_argument("--kb", help=kb_help)
    console.add_argument("--lang", choices=["en", "zh"], help=t("lang_reply"))
    console.add_argument("--ui-lang", choices=["en", "zh"], help=t("console_ui_lang"))
    console.add_argument("--db", help=db_help)
    console.add_argument("--agent", help=t("console_agent"))

    report = commands.add_parser("report", help=t("report"))
    report.add_argument("--since", default="7d", help=t("report_since"))
    report.add_argument("--top", type=int, default=20, help=t("report_top"))
    report.add_argument("--json", action="store_true", help=t("json_report"))
    report.add_argument("--db", help=db_help)
    report.add_argument("--lang", choices=["en", "zh"], help=lang_help)
    report.add_argument("--html", metavar="FILE", help=t("report_html"))
    report.add_argument("--cases", nargs="+", default=[], metavar="FILE", help=t("report_cases"))
    report.add_argument("--kb", help=t("report_kb"))

    escalations = commands.add_parser("escalations", help=t("escalations"))
    escalation_commands = escalations.add_subparsers(dest="escalations_command", metavar="COMMAND", required=True)
    export = escalation_commands.add_parser("export", help=t("export"))
    export.add_argument("--format", choices=["csv", "jsonl", "cases"], default="csv", help=t("export_format"))
    export.add_argument("--status", choices=["open", "taken", "resolved"], help=t("export_status"))
    export.add_argument("--db", help=db_help)
    export.add_argument("--lang", choices=["en", "zh"], help=lang_help)

    add_suggest_parser(commands, lang)

    prune = commands.add_parser("prune", help=t("prune"))
    prune.add_argument("--older-than", required=True, metavar="AGE", help=t("prune_older"))
    prune.add_argument("--dry-run", action="store_true", help=t("prune_dry_run"))
    prune.add_argument("--db", help=db_help)
    prune.add_argument("--lang", choices=["en", "zh"], help=t("prune_lang"))

    add_slack_parser(commands, lang)
    return parser


def _version() -> str:
    """The installed package's version (one place: pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("faqbot")
    except PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked, so every other command starts as fast as before."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        sys.stdout.write(f"faqbot {_version()}\n")
        parser.exit()


def _share(text: str) -> float:
    """A share between 0 and 1 (``0.95``), for ``--min-accuracy``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.95 for 95%), not {text}")
    return value


def _questions(arguments: list[str], stdin: TextIO, stdout: TextIO) -> Iterable[str]:
    """The questions to answer: the arguments, else stdin lines read one at a time (streaming).

    At a terminal a prompt says what is expected, instead of waiting silently.
    """
    if arguments:
        yield from (_decoded_argument(argument) for argument in arguments)
        return
    prompt = stdin.isatty() and stdout.isatty()
    if prompt:
        stdout.write(notice("ask_prompt_intro", tool_language()) + "\n")
    while True:
        if prompt:
            stdout.write("? ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            return
        yield line.rstrip("\r\n")


def _decoded_argument(argument: str) -> str:
    """An argument as UTF-8 with bad bytes as U+FFFD (Python hands them over as lone surrogates)."""
    return os.fsencode(argument).decode("utf-8", "replace")


def _forgiving_streams(stdin: TextIO, stdout: TextIO, *, utf8_out: bool) -> tuple[TextIO, TextIO]:
    """The process's own stdin/stdout as UTF-8 that never raises: a bad byte in is U+FFFD, a bad character out is replaced.

    One undecodable line must not stop a batch (every line gets its reply), and
    ``--json`` output must be valid UTF-8 whatever the locale. Streams passed
    in by a caller (tests, embedding) are used as they are.
    """
    if stdin is sys.stdin and isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(encoding="utf-8", errors="replace")
    if stdout is sys.stdout and isinstance(stdout, io.TextIOWrapper):
        stdout.reconfigure(**({"encoding": "utf-8"} if utf8_out else {}), errors="replace")
    return stdin, stdout


def render_reply(reply: Reply, links: Iterable[str] = (), contact: str = "Seller Support") -> str:
    """A reply as a person reads it: the text, its links, then one line saying which entry, how sure and why.

    ``ask`` records nothing, so an escalation says what would happen instead of claiming it was passed on.
    """
    detail = f"[{reply.action}"
    if reply.entry_id and (reply.action != "escalate" or reply.kind == "out_of_scope"):
        detail += f" {reply.entry_id}"
    detail += f" {reply.score:.0f}]"
    lines = [reply.text, *(f"  {link}" for link in links)]
    if reply.action == "escalate":
        told = [f"  {line}" for line in reply.text.splitlines()]
        lines = [notice("ask_would_escalate", reply.lang, contact=contact), *told]
    return "\n".join([*lines, detail])


def _load(args: argparse.Namespace, path: Path | None = None) -> KnowledgeBase:
    """The knowledge base, lexical only when ``--no-semantic`` was given."""
    kb = load_knowledge(path or knowledge_path(args.kb))
    if getattr(args, "no_semantic", False):
        kb = replace(kb, settings=replace(kb.settings, semantic=False))
    return kb


def cmd_ask(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    assistant = Assistant(_load(args))
    stdin, stdout = _forgiving_streams(stdin, stdout, utf8_out=args.json)
    for question in _questions(args.questions, stdin, stdout):
        reply = assistant.reply(question, lang=args.lang)
        links = assistant.links(reply)
        if args.json:
            stdout.write(json.dumps({**reply.to_json(), "links": list(links)}, ensure_ascii=False) + "\n")
        else:
            stdout.write(render_reply(reply, links, assistant.contact(reply.lang)) + "\n\n")
        stdout.flush()
    return EXIT_OK


def cmd_check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.check_report import write_findings
    from faq import Assistant
    from faq.check import lint, thresholds

    path = knowledge_path(args.kb)
    kb = _load(args, path)
    lang = tool_language(args.lang)
    assistant = Assistant(kb)
    findings = lint(kb, thorough=not args.quick, assistant=assistant)
    write_findings(findings, path, lang, stdout)
    errors = sum(finding.level == "error" for finding in findings)
    phrasings = sum(len(entry.phrasings()) for entry in kb.entries)
    topics = [entry.id for entry in kb.entries if entry.kind == "out_of_scope"]
    if topics:
        stdout.write(f"{path}: {notice('check_out_of_scope', lang, ids=', '.join(topics))}\n")
    stdout.write(f"{path}: {thresholds(assistant, lang)}\n")
    summary = notice("check_summary", lang, entries=len(kb.entries), phrasings=phrasings, errors=errors, warnings=len(findings) - errors)
    stdout.write(f"{path}: {summary}\n")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_coverage(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.coverage_report import write_report
    from faq.coverage import load_cases, run_coverage

    kb = _load(args)
    cases = [case for path in args.cases for case in load_cases(path)]
    report = run_coverage(Assistant(kb), cases)
    if args.json:
        stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        write_report(report, kb, stdout, args.min_accuracy, tool_language(args.lang))
    return EXIT_OK if report.accuracy >= args.min_accuracy else EXIT_FAILED


def cmd_init(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.init_kb import InitError, write_starter

    try:
        write_starter(Path(args.directory), tool_language(args.lang), stdout)
    except InitError as error:
        sys.stderr.write(f"faqbot: {error}\n")
        return EXIT_FAILED
    return EXIT_OK


def cmd_tune(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.tune_report import run_tune

    return run_tune(knowledge_path(args.kb), [*args.cases, *args.more_cases], args.write, tool_language(args.lang),
                    stdout, sys.stderr)


def cmd_console(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.config import agent_name, forwarding_settings
    from bot.console import run_console
    from bot.console.forwarding import ConsoleForwarding

    store = _store(args)
    settings = forwarding_settings()
    forwarding = ConsoleForwarding(store, settings) if settings is not None else None
    return run_console(knowledge_path(args.kb), stdin, stdout, lang=args.lang, ui_lang=args.ui_lang, store=store,
                       agent=agent_name(args.agent), forwarding=forwarding)


def _store(args: argparse.Namespace):
    from bot.store import EscalationStore

    return EscalationStore.from_url(args.db or database_url())


def cmd_report(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.report import build_report, parse_since, write_report

    try:
        since = None if args.since == "all" else parse_since(args.since)
    except (ValueError, OverflowError):
        raise UsageError(f"--since: expected 7d, 24h, 30m, 2w, an ISO date or 'all', got {args.since!r}") from None
    if args.html:
        from bot.commands.learning_commands import TEXTS, write_html_report

        lang = tool_language(args.lang)
        try:
            write_html_report(args.html, _store(args), since, knowledge_path(args.kb) if args.cases else None,
                              args.cases, lang, top=min(args.top, 20))
        except OSError as error:
            sys.stderr.write(f"faqbot: {error.filename or args.html}: {error.strerror or error}\n")
            return EXIT_FAILED
        stdout.write(TEXTS.text("report_wrote", lang, path=args.html) + "\n")
        return EXIT_OK
    report = build_report(_store(args), since, top=args.top)
    if args.json:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        write_report(report, stdout, tool_language(args.lang))
    return EXIT_OK


def cmd_escalations(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.export import export_escalations

    if args.format == "cases":
        from bot.commands.learning_commands import write_cases_export

        write_cases_export(_store(args), stdout, tool_language(args.lang))
        return EXIT_OK
    export_escalations(_store(args).list(status=args.status), args.format, stdout)
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.learning_commands import run_suggest, since_option

    try:
        since = since_option(args.since)
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        run_suggest(knowledge_path(args.kb), _store(args), since, args.cases, args.write, tool_language(args.lang), stdout)
    except OSError as error:  # --write into a missing folder, a read-only file...
        sys.stderr.write(f"faqbot: {error.filename or args.write}: {error.strerror or error}\n")
        return EXIT_FAILED
    return EXIT_OK


def cmd_prune(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.prune import cutoff_for, parse_age, write_counts

    try:
        cutoff = cutoff_for(parse_age(args.older_than))
    except (ValueError, OverflowError) as error:
        raise UsageError(f"--older-than: {error}") from None
    counts = _store(args).prune(before=cutoff, dry_run=args.dry_run)
    write_counts(counts, cutoff, stdout, tool_language(args.lang), dry_run=args.dry_run)
    return EXIT_OK


COMMANDS = {
    "ask": cmd_ask, "check": cmd_check, "coverage": cmd_coverage, "console": cmd_console,
    "report": cmd_report, "tune": cmd_tune, "init": cmd_init, "escalations": cmd_escalations, "slack": cmd_slack,
    "suggest": cmd_suggest, "prune": cmd_prune,
}


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run one ``faqbot`` command; returns the exit code instead of raising."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    argv = sys.argv[1:] if argv is None else argv
    lang = tool_language(requested_language(argv))  # help and usage errors in the user's language
    parser = build_parser(lang)
    args = None
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(stdout)
            return EXIT_USAGE
        return COMMANDS[args.command](args, stdin, stdout)
    except UsageError as error:  # the parser's are in ``lang`` already; the commands' own checks are translated here
        sys.stderr.write(f"faqbot: {translated_error(str(error), lang)}\n")
        return EXIT_USAGE
    except KnowledgeError as error:
        for line in error.lines(tool_language(getattr(args, "lang", None))):
            sys.stderr.write(line + "\n")
        return EXIT_FAILED
    except ConfigError as error:  # a malformed setting: one line naming it
        sys.stderr.write(f"faqbot: {error}\n")
        return EXIT_FAILED
    except StoreError as error:  # the database: one line, no traceback
        sys.stderr.write(f"faqbot: {error}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `faqbot ask ... | head -1`: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
