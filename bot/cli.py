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

from bot.config import one_blas_thread_by_default

one_blas_thread_by_default()  # before numpy loads

# The engine first, before bot's modules: measured on CPython 3.11, numpy (which the engine imports)
# took about 40 ms longer to import at the end of bot's chain of imports than at its start.
from faq import Assistant, KnowledgeBase, KnowledgeError, Reply, load_knowledge
from faq.notices import counted, notice
from faq.semantic_setup import Default, cache_directory
from bot.commands.cli_parser import UsageError, build_parser, chosen_command, requested_language, translated_error
from bot.config import ConfigError, database_url, knowledge_path, tool_language
from bot.errors import StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


#: Commands whose ``--lang`` is the language of the replies; everywhere else it is the language of faqbot's own words.
_REPLY_LANG_COMMANDS = ("ask", "console")


def ui_language(args: argparse.Namespace) -> str:
    """The language of faqbot's own words for this command: ``--ui-lang``, else ``--lang`` where it means that, else the locale."""
    explicit = getattr(args, "ui_lang", None)
    if explicit is None and args.command not in _REPLY_LANG_COMMANDS:
        explicit = getattr(args, "lang", None)
    return tool_language(explicit)


def _questions(arguments: list[str], stdin: TextIO, stdout: TextIO, lang: str) -> Iterable[str]:
    """The questions to answer: the arguments, else stdin lines read one at a time (streaming).

    At a terminal a prompt says what is expected, instead of waiting silently.
    """
    if arguments:
        yield from (_decoded_argument(argument) for argument in arguments)
        return
    prompt = stdin.isatty() and stdout.isatty()
    if prompt:
        stdout.write(notice("ask_prompt_intro", lang) + "\n")
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


def render_reply(reply: Reply, links: Iterable[str] = (), contact: str = "Seller Support", lang: str = "en") -> str:
    """A reply as a person reads it: the text, its links, then one line saying which entry, how sure and why.

    ``ask`` records nothing, so an escalation says what would happen instead of claiming it was passed on;
    that line is ``ask``'s own, in the UI language ``lang`` (the asker's words below it keep theirs).
    """
    detail = f"[{reply.action}"
    if reply.entry_id and (reply.action != "escalate" or reply.kind == "out_of_scope"):
        detail += f" {reply.entry_id}"
    detail += f" {reply.score:.0f}]"
    lines = [reply.text, *(f"  {link}" for link in links)]
    if reply.action == "escalate":
        told = [f"  {line}" for line in reply.text.splitlines()]
        lines = [notice("ask_would_escalate", lang, contact=contact), *told]
    return "\n".join([*lines, detail])


def _load(args: argparse.Namespace, path: Path | None = None) -> KnowledgeBase:
    """The knowledge base (read back from the user's cache when this file loaded before), lexical only with ``--no-semantic``."""
    kb = load_knowledge(path or knowledge_path(args.kb), cache_directory(Default.SHARED))
    if getattr(args, "no_semantic", False):
        kb = replace(kb, settings=replace(kb.settings, semantic=False))
    return kb


def cmd_ask(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.clipping import clip_question

    assistant = Assistant(_load(args))
    stdin, stdout = _forgiving_streams(stdin, stdout, utf8_out=args.json)
    lang = ui_language(args)
    for question in _questions(args.questions, stdin, stdout, lang):
        reply = assistant.reply(question, lang=args.lang)
        links = assistant.links(reply)
        if args.json:
            data = reply.to_json()
            data["question"] = clip_question(data["question"], reply.lang)  # a 5 MB paste is not echoed whole
            stdout.write(json.dumps({**data, "links": list(links)}, ensure_ascii=False) + "\n")
        else:
            stdout.write(render_reply(reply, links, assistant.contact(lang), lang) + "\n\n")
        stdout.flush()
    return EXIT_OK


def cmd_check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.check_report import write_findings
    from faq import Assistant
    from faq.check import lint, thresholds

    path = knowledge_path(args.kb)
    kb = _load(args, path)
    lang = ui_language(args)
    assistant = Assistant(kb)
    findings = lint(kb, thorough=not args.quick, assistant=assistant)
    write_findings(findings, path, lang, stdout)
    errors = sum(finding.level == "error" for finding in findings)
    phrasings = sum(len(entry.phrasings()) for entry in kb.entries)
    topics = [entry.id for entry in kb.entries if entry.kind == "out_of_scope"]
    if topics:
        stdout.write(f"{path}: {notice('check_out_of_scope', lang, ids=', '.join(topics))}\n")
    stdout.write(f"{path}: {thresholds(assistant, lang)}\n")
    counts = {"entries": len(kb.entries), "phrasings": phrasings, "errors": errors, "warnings": len(findings) - errors}
    summary = notice("check_summary", lang, **{name: counted(name, n, lang) for name, n in counts.items()})
    stdout.write(f"{path}: {summary}\n")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_coverage(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.coverage_report import write_coverage_report
    from faq.coverage import load_cases, run_coverage

    kb = _load(args)
    cases = [case for path in args.cases for case in load_cases(path)]
    report = run_coverage(Assistant(kb), cases)
    if args.json:
        stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        write_coverage_report(report, kb, stdout, args.min_accuracy, ui_language(args))
    return EXIT_OK if report.accuracy >= args.min_accuracy else EXIT_FAILED


def cmd_init(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.init_kb import InitError, write_starter

    try:
        write_starter(Path(args.directory), ui_language(args), stdout)
    except InitError as error:
        sys.stderr.write(f"faqbot: {error}\n")
        return EXIT_FAILED
    return EXIT_OK


def cmd_docs(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.guides import GuideError, write_guide

    try:
        write_guide(args.name, ui_language(args), stdout)
    except GuideError as error:
        sys.stderr.write(f"faqbot: {error}\n")
        return EXIT_FAILED
    return EXIT_OK


def cmd_tune(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.tune_report import run_tune

    return run_tune(knowledge_path(args.kb), [*args.cases, *args.more_cases], args.write, ui_language(args),
                    stdout, sys.stderr)


def cmd_console(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.config import agent_name, forwarding_settings
    from bot.console import run_console
    from bot.console.forwarding import ConsoleForwarding

    store = _store(args)
    settings = forwarding_settings()
    forwarding = None
    if settings is not None:  # the console posts its own cases to Slack's support channel
        from bot.slack.cards import console_connection

        forwarding = ConsoleForwarding(store, console_connection(settings))
    return run_console(knowledge_path(args.kb), stdin, stdout, lang=args.lang, ui_lang=getattr(args, "ui_lang", None), store=store,
                       agent=agent_name(args.agent), forwarding=forwarding)


def _store(args: argparse.Namespace):
    from bot.store import SqlStore

    return SqlStore.from_url(args.db or database_url())


def cmd_report(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.learning_commands import since_option
    from bot.commands.report import build_report, write_report

    since = since_option(args.since)
    if args.html:
        from bot.commands.learning_commands import TEXTS, write_html_report

        lang = ui_language(args)
        try:
            write_html_report(args.html, _store(args), since, knowledge_path(args.kb), args.cases, lang,
                              top=min(args.top, 20))
        except OSError as error:
            sys.stderr.write(f"faqbot: {error.filename or args.html}: {error.strerror or error}\n")
            return EXIT_FAILED
        stdout.write(TEXTS.text("report_wrote", lang, path=args.html) + "\n")
        return EXIT_OK
    from bot.learning.grouping import KnowledgeBaseVectors

    report = build_report(_store(args), since, top=args.top, vectors=KnowledgeBaseVectors(knowledge_path(args.kb)))
    if args.json:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        write_report(report, stdout, ui_language(args))
    return EXIT_OK


def cmd_escalations(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.export import export_escalations

    if args.format == "cases":
        from bot.commands.learning_commands import write_cases_export

        write_cases_export(_store(args), stdout, ui_language(args))
        return EXIT_OK
    export_escalations(_store(args).list(status=args.status), args.format, stdout)
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.learning_commands import run_suggest, since_option

    since = since_option(args.since)
    try:
        run_suggest(knowledge_path(args.kb), _store(args), since, args.cases, args.write, ui_language(args), stdout)
    except OSError as error:  # --write into a missing folder, a read-only file...
        sys.stderr.write(f"faqbot: {error.filename or args.write}: {error.strerror or error}\n")
        return EXIT_FAILED
    return EXIT_OK


def cmd_slack(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.slack.cli import cmd_slack as run_slack  # Slack's modules only for `faqbot slack`

    return run_slack(args, stdin, stdout)


def cmd_prune(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.commands.prune import cutoff_from, write_counts

    cutoff = cutoff_from(args.older_than)
    counts = _store(args).prune(before=cutoff, dry_run=args.dry_run)
    write_counts(counts, cutoff, stdout, ui_language(args), dry_run=args.dry_run)
    return EXIT_OK


COMMANDS = {
    "ask": cmd_ask, "check": cmd_check, "coverage": cmd_coverage, "console": cmd_console,
    "report": cmd_report, "tune": cmd_tune, "init": cmd_init, "escalations": cmd_escalations, "slack": cmd_slack,
    "suggest": cmd_suggest, "prune": cmd_prune, "docs": cmd_docs,
}


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run one ``faqbot`` command; returns the exit code instead of raising."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    argv = sys.argv[1:] if argv is None else argv
    lang = tool_language(requested_language(argv))  # help and usage errors in the user's language
    parser = build_parser(lang, only=chosen_command(argv))  # only the parser of the command run
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
        for line in error.lines(lang if args is None else ui_language(args)):
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
