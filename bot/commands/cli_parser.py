"""The ``faqbot`` command's argument parser in the user's language: its commands and options, help, section titles and usage errors.

The language is chosen before the parser is built (``requested_language`` reads
``--lang``/``--ui-lang`` from argv; the caller falls back to the locale), because
argparse prints help and errors while it parses. Each language has its own
parser class, so sub-command parsers (argparse builds them from ``type(parent)``)
speak the same language; argparse's own English words come from
``bot.commands.cli_texts`` through a formatter subclass and ``error``.
"""

from __future__ import annotations

import argparse
import re
import string
import sys
from functools import cache, partial
from typing import Callable, Sequence

from bot.commands.cli_texts import ARGPARSE_TEXTS, USAGE_ERRORS, help_texts

LANG_OPTIONS = ("--ui-lang", "--lang")  # with both, --ui-lang wins: the console's own language, not its replies'


UI_LANG_OPTION = "--ui-lang"


class UsageError(Exception):
    """Bad command-line arguments: reported as one line, exit code 2."""


def requested_language(argv: Sequence[str]) -> str | None:
    """The language asked for with ``--ui-lang`` or ``--lang`` (``en`` or ``zh``) anywhere in ``argv``, else None.

    Like argparse, the last value of an option counts; nothing after ``--`` is an option.
    """
    found: dict[str, str] = {}
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if name in LANG_OPTIONS:
            value = value if equals else (argv[index + 1] if index + 1 < len(argv) else "")
            if value in ("en", "zh"):
                found[name] = value
    return next((found[name] for name in LANG_OPTIONS if name in found), None)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """An English template (``invalid choice: {value} (choose from {choices})``) as a regular expression."""
    parts = [re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
             for literal, name, _, _ in string.Formatter().parse(template)]
    return re.compile("".join(parts), re.DOTALL)


def _known_error(message: str, lang: str) -> str | None:
    """``message`` in ``lang`` when it matches one of the English usage errors, else None."""
    for key, by_lang in USAGE_ERRORS.items():
        match = _pattern(by_lang["en"]).fullmatch(message)
        if match:
            return USAGE_ERRORS.text(key, lang, **match.groupdict())
    return None


def translated_error(message: str, lang: str) -> str:
    """An argparse error message in ``lang``; one it does not know stays in English, whole."""
    if lang == "en":
        return message
    argument = _pattern(ARGPARSE_TEXTS["argument"]["en"]).fullmatch(message)
    if argument:
        detail = _known_error(argument["detail"], lang)
        return message if detail is None else ARGPARSE_TEXTS.text("argument", lang, argument=argument["argument"], detail=detail)
    return _known_error(message, lang) or message


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with its words in ``lang``, wrapping and indenting by terminal columns (CJK is wide)."""

    SECTIONS = ("positional arguments", "options")

    def __init__(self, prog: str, *, lang: str = "en", **kwargs) -> None:
        super().__init__(prog, **kwargs)
        self.lang = lang

    def start_section(self, heading: str | None) -> None:
        if heading in self.SECTIONS:
            heading = ARGPARSE_TEXTS.text(heading, self.lang)
        super().start_section(heading)

    def _format_usage(self, usage, actions, groups, prefix):
        if prefix is None:
            prefix = ARGPARSE_TEXTS.text("usage", self.lang)
        if prefix.isascii():
            return super()._format_usage(usage, actions, groups, prefix)
        from bot.textwidth import width  # only for wide words: English starts without wcwidth

        # argparse lays the usage out by characters: lay it out behind as many spaces as the prefix has columns
        columns = width(prefix)
        return prefix + super()._format_usage(usage, actions, groups, " " * columns)[columns:]

    def _split_lines(self, text: str, width_: int) -> list[str]:
        if self.lang == "en":
            return super()._split_lines(text, width_)
        from bot.textwidth import wrap

        return wrap(text, width_)

    def _fill_text(self, text: str, width_: int, indent: str) -> str:
        if self.lang == "en":
            return super()._fill_text(text, width_, indent)
        from bot.textwidth import wrap

        return "\n".join(indent + line for line in wrap(text, width_ - len(indent)))


class Parser(argparse.ArgumentParser):
    """An argument parser speaking ``lang``: its help, its ``-h`` and its one-line usage errors.

    The top-level parser (``top_level=True``) leaves unknown arguments to ``parse_args``;
    a sub-command's parser refuses them itself, so the error points to that command's own
    help (``faqbot ask --help``) rather than to ``faqbot --help``.
    """

    lang = "en"

    def __init__(self, *args, add_help: bool = True, top_level: bool = False, **kwargs) -> None:
        kwargs.setdefault("formatter_class", partial(HelpFormatter, lang=self.lang))
        super().__init__(*args, add_help=False, **kwargs)
        self.top_level = top_level
        if add_help:  # argparse's own -h, with its help text in our language
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=ARGPARSE_TEXTS.text("help", self.lang))

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and not self.top_level:
            self.error(USAGE_ERRORS.text("unrecognized", "en", args=" ".join(extras)))
        return parsed, extras

    def error(self, message: str) -> None:  # one clear line instead of usage + message
        raise UsageError(ARGPARSE_TEXTS.text("see_help", self.lang, message=translated_error(message, self.lang),
                                             prog=self.prog))


class ChineseParser(Parser):
    """The same parser in Chinese; its sub-command parsers are Chinese too (argparse builds them from its class)."""

    lang = "zh"


def parser_class(lang: str) -> type[Parser]:
    """The parser class for ``lang`` (English for any language without one)."""
    return ChineseParser if lang == "zh" else Parser


def add_ui_lang_everywhere(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--ui-lang {en,zh}`` on ``parser`` and on every sub-command's parser that lacks it.

    So it is accepted before or after the sub-command. Only the top level has a default
    (None): a sub-command's parser leaves the value the top level parsed alone unless it
    is given again after the sub-command.
    """
    for index, each in enumerate(every_parser(parser)):
        if UI_LANG_OPTION not in each._option_string_actions:
            each.add_argument(UI_LANG_OPTION, choices=["en", "zh"], help=help_text,
                              **({} if index == 0 else {"default": argparse.SUPPRESS}))


def every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and all its sub-command parsers, depth first."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += every_parser(child)
    return found


def build_parser(lang: str = "en", only: str | None = None) -> argparse.ArgumentParser:
    """``faqbot``'s parser, its help and usage errors in ``lang``.

    ``only``: just that command's parser (``chosen_command``), all a run of it needs, with the same
    help and errors; building all twelve (and importing what two of them need) took longer than
    ``faqbot ask`` parsing its arguments. None: every command, for ``faqbot --help`` and the rest.
    """
    t = help_texts(lang)
    parser = parser_class(lang)(prog="faqbot", description=t("description"), top_level=True)
    parser.add_argument("--version", action=_VersionAction, nargs=0, help=t("version"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, add_command in _COMMANDS.items():
        if only is None or name == only:
            add_command(commands, t, lang)
    add_ui_lang_everywhere(parser, t("ui_lang"))
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when nothing but ``--ui-lang`` comes before it, else None (the whole parser decides)."""
    index = 0
    while index < len(argv) and argv[index].startswith(UI_LANG_OPTION):
        if argv[index] == UI_LANG_OPTION:
            index += 2
        elif argv[index].startswith(UI_LANG_OPTION + "="):
            index += 1
        else:
            return None
    return argv[index] if index < len(argv) and argv[index] in _COMMANDS else None


Texts = Callable[[str], str]


def _add_ask(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    ask = commands.add_parser("ask", help=t("ask"))
    ask.add_argument("questions", nargs="*", metavar="QUESTION")
    ask.add_argument("--kb", metavar="FILE", help=t("kb"))
    ask.add_argument("--lang", choices=["en", "zh"], help=t("lang_reply"))
    ask.add_argument("--json", action="store_true", help=t("ask_json"))
    ask.add_argument("--no-semantic", action="store_true", help=t("no_semantic"))


def _add_check(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    check = commands.add_parser("check", help=t("check"))
    check.add_argument("--kb", metavar="FILE", help=t("kb"))
    check.add_argument("--quick", action="store_true", help=t("check_quick"))
    check.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))
    check.add_argument("--no-semantic", action="store_true", help=t("no_semantic"))


def _add_coverage(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    coverage = commands.add_parser("coverage", help=t("coverage"))
    coverage.add_argument("cases", nargs="+", metavar="CASES.yaml")
    coverage.add_argument("--kb", metavar="FILE", help=t("kb"))
    coverage.add_argument("--min-accuracy", type=_share, default=0.95, metavar="SHARE", help=t("coverage_min"))
    coverage.add_argument("--json", action="store_true", help=t("json_report"))
    coverage.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))
    coverage.add_argument("--no-semantic", action="store_true", help=t("no_semantic"))


def _add_init(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    init = commands.add_parser("init", help=t("init"))
    init.add_argument("directory", nargs="?", default=".", metavar="DIR", help=t("init_dir"))
    init.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))


def _add_tune(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    tune = commands.add_parser("tune", help=t("tune"))
    tune.add_argument("cases", nargs="*", metavar="CASES.yaml", help=t("tune_cases"))
    tune.add_argument("--cases", nargs="+", default=[], metavar="FILE", dest="more_cases", help=t("tune_cases"))
    tune.add_argument("--kb", metavar="FILE", help=t("kb"))
    tune.add_argument("--write", action="store_true", help=t("tune_write"))
    tune.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))


def _add_console(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    console = commands.add_parser("console", help=t("console"))
    console.add_argument("--kb", metavar="FILE", help=t("kb"))
    console.add_argument("--lang", choices=["en", "zh"], help=t("lang_reply"))
    console.add_argument("--ui-lang", choices=["en", "zh"], default=argparse.SUPPRESS, help=t("console_ui_lang"))
    console.add_argument("--db", metavar="URL", help=t("db"))
    console.add_argument("--agent", metavar="NAME", help=t("console_agent"))


def _add_report(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    report = commands.add_parser("report", help=t("report"))
    report.add_argument("--since", default="7d", metavar="WHEN", help=t("report_since"))
    report.add_argument("--top", type=int, default=20, metavar="N", help=t("report_top"))
    report.add_argument("--json", action="store_true", help=t("json_report"))
    report.add_argument("--db", metavar="URL", help=t("db"))
    report.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))
    report.add_argument("--html", metavar="FILE", help=t("report_html"))
    report.add_argument("--cases", nargs="+", default=[], metavar="FILE", help=t("report_cases"))
    report.add_argument("--kb", metavar="FILE", help=t("report_kb"))


def _add_escalations(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    escalations = commands.add_parser("escalations", help=t("escalations"))
    escalation_commands = escalations.add_subparsers(dest="escalations_command", metavar="COMMAND", required=True)
    export = escalation_commands.add_parser("export", help=t("export"))
    export.add_argument("--format", choices=["csv", "jsonl", "cases"], default="csv", help=t("export_format"))
    export.add_argument("--status", choices=["open", "taken", "resolved"], help=t("export_status"))
    export.add_argument("--db", metavar="URL", help=t("db"))
    export.add_argument("--lang", choices=["en", "zh"], help=t("lang_report"))


def _add_suggest(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    from bot.commands.learning_commands import add_suggest_parser

    add_suggest_parser(commands, lang)


def _add_prune(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    prune = commands.add_parser("prune", help=t("prune"))
    prune.add_argument("--older-than", required=True, metavar="AGE", help=t("prune_older"))
    prune.add_argument("--dry-run", action="store_true", help=t("prune_dry_run"))
    prune.add_argument("--db", metavar="URL", help=t("db"))
    prune.add_argument("--lang", choices=["en", "zh"], help=t("prune_lang"))


def _add_docs(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    docs = commands.add_parser("docs", help=t("docs"))
    docs.add_argument("name", nargs="?", metavar="NAME", help=t("docs_name"))


def _add_slack(commands: argparse._SubParsersAction, t: Texts, lang: str) -> None:
    from bot.slack.cli import add_slack_parser

    add_slack_parser(commands, lang)


#: Every command with what adds its parser, in the order ``faqbot --help`` lists them.
_COMMANDS: dict[str, Callable[[argparse._SubParsersAction, Texts, str], None]] = {
    "ask": _add_ask, "check": _add_check, "coverage": _add_coverage, "init": _add_init, "tune": _add_tune,
    "console": _add_console, "report": _add_report, "escalations": _add_escalations, "suggest": _add_suggest,
    "prune": _add_prune, "docs": _add_docs, "slack": _add_slack,
}


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
