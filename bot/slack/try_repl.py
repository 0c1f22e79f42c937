"""``faqbot slack try``: talk to the real Slack app without a Slack workspace.

The user types as a seller in a direct message with the bot (or, after
``:faq``, with ``/faq``); ``:click N`` clicks button N of any message shown,
as the seller, or as an agent for the support channel's case cards. Each step
prints every message the app posted or updated, drawn from its Block Kit
(``bot.slack.terminal``), and the raw Web API call as JSON with ``--json`` or
after ``:json``. The UI speaks the operator's language; answers follow the
seller's, as in Slack.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bot.slack.playground import NAMES, SUPPORT_CHANNEL, Button, Playground
from bot.slack.terminal import Style, menu_options, render_blocks
from bot.testkit.fake_slack import Call
from faq.catalog import Catalog

TRY_TEXTS = Catalog({
    "try_banner": {
        "en": ("faqbot slack try: the real Slack app, answering on 127.0.0.1 against a local stand-in of"
               " Slack's Web API ({api}); nothing leaves this machine.\n"
               "You are a seller in a direct message with the bot; case cards go to #seller-support,"
               " where you click as an agent. {db}\nType a question, or :help."),
        "zh": ("faqbot slack try:真实的 Slack 应用在 127.0.0.1 上运行,连接本地模拟的 Slack Web API({api}),"
               "不会向外发送任何内容。\n您是与机器人私信的卖家;案例卡片发到 #seller-support,"
               "在那里您以客服身份点击按钮。{db}\n请输入问题,或输入 :help。"),
    },
    "try_db_temporary": {"en": "Cases go to a temporary database, deleted on exit.",
                         "zh": "案例保存在临时数据库中,退出时删除。"},
    "try_db_given": {"en": "Cases go to {url}.", "zh": "案例保存在 {url}。"},
    "try_help": {
        "en": ("  a line of text     send it to the bot (a direct message, or /faq after :faq)\n"
               "  /faq TEXT          send TEXT with the /faq command once\n"
               "  :click N  (or :N)  click button N (as an agent on a case card, else as the seller)\n"
               "  :N K               choose option N.K of menu N (the case card's \"Resolve as…\")\n"
               "  :faq / :dm         type with /faq from now on / go back to the direct message\n"
               "  :json              show or hide the raw Web API calls (Block Kit JSON)\n"
               "  :help, :quit       this help; leave (Ctrl-D leaves too)"),
        "zh": ("  输入一行文字        发送给机器人(私信;输入 :faq 后改用 /faq)\n"
               "  /faq 文字          用 /faq 命令发送一次\n"
               "  :click N(或 :N)   点击第 N 个按钮(在案例卡片上以客服身份,其他以卖家身份)\n"
               "  :N K               选择菜单 N 的第 K 项(案例卡片的“解决并标注为…”)\n"
               "  :faq / :dm         之后用 /faq 发送 / 回到私信\n"
               "  :json              显示或隐藏原始 Web API 调用(Block Kit JSON)\n"
               "  :help、:quit       显示帮助;退出(Ctrl-D 也可退出)"),
    },
    "try_to_dm": {"en": "direct message · faqbot", "zh": "私信 · faqbot"},
    "try_to_support": {"en": "#seller-support · faqbot", "zh": "#seller-support · faqbot"},
    "try_to_channel": {"en": "#{channel} · faqbot", "zh": "#{channel} · faqbot"},
    "try_updated": {"en": "{where} (message updated)", "zh": "{where}(消息已更新)"},
    "try_only_you": {"en": "/faq · only you can see this", "zh": "/faq · 仅您可见"},
    "try_in_channel": {"en": "/faq · shared in #general", "zh": "/faq · 已分享到 #general"},
    "try_deleted": {"en": "/faq · the private answer was removed", "zh": "/faq · 私密回答已删除"},
    "try_ephemeral": {"en": "#{channel} · only {user} can see this", "zh": "#{channel} · 仅 {user} 可见"},
    "try_nothing": {"en": "(nothing was posted)", "zh": "(没有发布任何内容)"},
    "try_no_button": {"en": "There is no button {number}.", "zh": "没有第 {number} 个按钮。"},
    "try_pick_option": {
        "en": "Menu {number} has options {number}.1 to {number}.{count}: type :{number} K to choose one.",
        "zh": "菜单 {number} 的选项为 {number}.1 到 {number}.{count}:输入 :{number} K 选择一项。",
    },
    "try_unknown": {"en": "Unknown command {command}; type :help.", "zh": "未知命令 {command};请输入 :help。"},
    "try_mode_faq": {"en": "Now typing with /faq.", "zh": "现在使用 /faq 发送。"},
    "try_mode_dm": {"en": "Now typing in the direct message.", "zh": "现在在私信中发送。"},
    "try_json_on": {"en": "Raw JSON on.", "zh": "已显示原始 JSON。"},
    "try_json_off": {"en": "Raw JSON off.", "zh": "已隐藏原始 JSON。"},
})


class TrySession:
    """The loop: read a line, act on the playground, print what the app posted."""

    def __init__(self, playground: Playground, out: TextIO, *, lang: str, color: bool, show_json: bool) -> None:
        self.playground, self.out, self.lang = playground, out, lang
        self.style = Style(color)
        self.show_json = show_json
        self.slash = False
        self.buttons: dict[int, Button] = {}

    def t(self, key: str, **values: Any) -> str:
        return TRY_TEXTS.text(key, self.lang, **values)

    def run(self, lines, interactive: bool) -> None:
        """Handle each input line until ``:quit`` or the end of input."""
        for line in lines:
            if not interactive and line.strip():  # piped: show what was typed, like a transcript
                self.say(self.style.dim(("/faq> " if self.slash else "you> ") + line.strip()))
            if not self.handle(line.strip()):
                break
            self.out.write("\n")

    def handle(self, line: str) -> bool:
        """Act on one input line; False to leave."""
        if not line:
            return True
        if line.startswith(":"):
            return self._command(line)
        if line.lower().startswith("/faq ") or line.lower() == "/faq":
            self.show(self.playground.command(line[4:].strip()))
        elif self.slash:
            self.show(self.playground.command(line))
        else:
            self.show(self.playground.dm(line))
        return True

    def _command(self, line: str) -> bool:
        name, _, rest = line[1:].partition(" ")
        name = name.lower()
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self.say(self.t("try_help"))
        elif name in ("click", "c"):
            self._click(rest)
        elif name.split(".")[0].isdigit():  # :N, :N K or :N.K
            self._click(f"{name} {rest}")
        elif name in ("faq", "dm"):
            self.slash = name == "faq"
            self.say(self.t("try_mode_faq" if self.slash else "try_mode_dm"))
        elif name == "json":
            self.show_json = not self.show_json
            self.say(self.t("try_json_on" if self.show_json else "try_json_off"))
        else:
            self.say(self.t("try_unknown", command=line.split()[0]))
        return True

    def _click(self, target: str) -> None:
        """``N`` clicks button N; ``N K`` or ``N.K`` chooses option K of menu N."""
        words = target.replace(".", " ").split()
        button = self.buttons.get(int(words[0])) if words and words[0].isdigit() else None
        if button is None:
            self.say(self.t("try_no_button", number=words[0] if words else "?"))
        elif not button.options:
            self.show(self.playground.click(button))
        elif len(words) > 1 and words[1].isdigit() and 1 <= int(words[1]) <= len(button.options):
            self.show(self.playground.click(button, option=int(words[1]) - 1))
        else:
            self.say(self.t("try_pick_option", number=words[0], count=len(button.options)))

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- showing the app's messages ----------------------------------------------------------------

    def show(self, calls: list[Call]) -> None:
        """Each posted or updated message: a header line, its blocks, and the JSON when asked."""
        if not calls:
            self.say(self.style.dim(self.t("try_nothing")))
            return
        # What the seller sees first, then the support channel: the same order whatever thread posted first.
        for call in sorted(calls, key=lambda c: c.params.get("channel") == SUPPORT_CHANNEL):
            self.say(self.style.bold(f"── {self._where(call)} ──"))
            if call.params.get("delete_original") is True:
                continue
            blocks = call.params.get("blocks")
            if blocks:
                lines = render_blocks(blocks, NAMES, self.style, lambda element, block: self._number(element, block, call))
            else:
                lines = [str(call.params.get("text") or "")]
            self.say("\n".join(lines))
            if self.show_json:
                shown = {k: v for k, v in call.params.items() if k in ("channel", "thread_ts", "ts", "text", "blocks",
                                                                        "response_type", "replace_original", "user")}
                self.say(self.style.dim(f"{call.method} " + json.dumps(shown, ensure_ascii=False)))
        self.out.flush()

    def _where(self, call: Call) -> str:
        params = call.params
        if call.method == "response_url":
            if params.get("delete_original") is True:
                return self.t("try_deleted")
            return self.t("try_in_channel" if params.get("response_type") == "in_channel" else "try_only_you")
        channel = str(params.get("channel") or "")
        if call.method == "chat.postEphemeral":
            return self.t("try_ephemeral", channel=NAMES.get(channel, channel), user=NAMES.get(params.get("user"), "?"))
        if channel == SUPPORT_CHANNEL:
            where = self.t("try_to_support")
        elif channel.startswith("D"):
            where = self.t("try_to_dm")
        else:
            where = self.t("try_to_channel", channel=NAMES.get(channel, channel))
        return self.t("try_updated", where=where) if call.method == "chat.update" else where

    def _number(self, element: dict[str, Any], block: dict[str, Any], call: Call) -> int:
        params = call.params
        if call.method == "response_url":
            channel, ts, ephemeral = "C0GENERAL", None, params.get("response_type") != "in_channel"
        else:
            channel = str(params.get("channel") or "")
            ts = params.get("ts") if call.method == "chat.update" else call.response.get("ts")
            ephemeral = call.method == "chat.postEphemeral"
        number = len(self.buttons) + 1
        label = (element.get("text") or element.get("placeholder") or {}).get("text", "")
        options = tuple(((option.get("text") or {}).get("text", ""), str(option.get("value") or ""))
                        for _, option in menu_options(element))
        self.buttons[number] = Button(element["action_id"], str(element.get("value") or ""), label, channel, ts,
                                      ephemeral, block_id=str(block.get("block_id") or "b"), options=options)
        return number


def run_try(kb_path: Path, stdin: TextIO, stdout: TextIO, *, lang: str, db_url: str | None,
            color: bool, show_json: bool, support_lang: str) -> int:
    """Start the app and its stand-in, run the session on ``stdin``, stop everything; return the exit code."""
    with tempfile.TemporaryDirectory(prefix="faqbot-try-") as folder:
        url = db_url or f"sqlite:///{(Path(folder) / 'try.sqlite3').as_posix()}"
        playground = Playground(kb_path, url, support_lang=support_lang)
        try:
            session = TrySession(playground, stdout, lang=lang, color=color, show_json=show_json)
            db = TRY_TEXTS.text("try_db_given", lang, url=playground.store.url) if db_url else \
                TRY_TEXTS.text("try_db_temporary", lang)
            session.say(TRY_TEXTS.text("try_banner", lang, api=playground.api_url, db=db))
            interactive = stdin.isatty()
            session.run(_lines(stdin, interactive, session), interactive)
        except KeyboardInterrupt:
            stdout.write("\n")
        finally:
            playground.close()
    return 0


def _lines(stdin: TextIO, interactive: bool, session: TrySession):
    """Input lines; on a terminal with a prompt that shows how the next line is sent (readline editing)."""
    while True:
        if interactive:
            try:
                yield input("/faq> " if session.slash else "you> ")
            except EOFError:
                session.out.write("\n")
                return
        else:
            line = stdin.readline()
            if not line:
                return
            yield line.rstrip("\r\n")
