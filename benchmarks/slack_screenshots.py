"""Pictures of faqbot in Slack, from the real Block Kit the app posts, captured with headless Chromium.

    python benchmarks/slack_screenshots.py [--out docs/images] [--html-dir DIR]

It runs the real Slack app against the local stand-in of Slack's Web API (the
same as ``faqbot slack try``), asks it questions as a seller, takes the
``blocks`` of the messages it posted and draws them in a small HTML page styled
like Slack: an answer with Helpful / Not helpful and the "did you mean" buttons
(each in English and Chinese), and the case card in the support channel. Each
page is measured (``--dump-dom``) and then captured (``--screenshot``) by
Debian's ``chromium`` (apt-get install -y chromium fonts-wqy-microhei). Re-run
it after changing the Block Kit or the knowledge base.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.slack.playground import NAMES, Playground  # noqa: E402
from faq import Assistant, load_knowledge  # noqa: E402

WIDTH = 760
# Questions tried in turn for the "did you mean" picture: the first that the bundled FAQ is unsure about.
UNSURE = ["what about my services", "what about my customers", "what happens next", "my account"]
UNSURE_ZH = ["我的服务怎么办", "我的服务还能用吗", "账户"]
CSS = """
body { margin: 0; background: #fff; font: 15px/1.47 Lato, 'Helvetica Neue', Arial, 'WenQuanYi Micro Hei', sans-serif;
       color: #1d1c1d; }
.bar { background: #3f0e40; color: #fff; padding: 10px 20px; font-weight: 700; font-size: 16px; }
.bar small { font-weight: 400; opacity: .75; margin-left: 8px; }
.msg { display: flex; padding: 8px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; flex: none; margin-right: 10px; color: #fff;
          font-weight: 700; font-size: 13px; display: flex; align-items: center; justify-content: center; }
.bot .avatar { background: #2eb67d; } .person .avatar { background: #e8912d; }
.who { font-weight: 900; } .app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700;
       padding: 1px 3px; border-radius: 2px; margin-left: 4px; vertical-align: 2px; }
.time { color: #616061; font-size: 12px; margin-left: 6px; }
.body { flex: 1; min-width: 0; }
.section { margin: 2px 0 6px; white-space: normal; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 16px; margin: 6px 0; }
.context { color: #616061; font-size: 12.5px; margin: 4px 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.button { border: 1px solid #bbbabb; border-radius: 4px; padding: 4px 12px; font-weight: 700; font-size: 14px;
          background: #fff; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.select { font-weight: 400; color: #616061; }
.button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
code { font: 12px Monaco, Menlo, monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #e0e0e0;
       border-radius: 3px; padding: 0 3px; }
blockquote { margin: 4px 0; padding-left: 12px; border-left: 4px solid #ddd; }
a { color: #1264a3; text-decoration: none; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
"""


def mrkdwn_html(text: str) -> str:
    """Slack mrkdwn (whose text is already escaped: &amp; &lt; &gt;) as HTML."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target[:1] in "@#":
            return f'<span class="mention">{target[0]}{html.escape(NAMES.get(target[1:], label or target[1:]))}</span>'
        return f'<a href="#">{label or target}</a>'

    lines = []
    for line in text.split("\n"):
        quoted = line.startswith(">")
        line = re.sub(r"<([^<>|]+)(?:\|([^<>]*))?>", link, line[1:] if quoted else line)
        line = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", line)
        line = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", line)
        lines.append(f"<blockquote>{line}</blockquote>" if quoted else line + "<br>")
    return "".join(lines).removesuffix("<br>")


def text_html(obj: dict) -> str:
    return mrkdwn_html(obj.get("text", "")) if obj.get("type") == "mrkdwn" else html.escape(obj.get("text", ""))


def blocks_html(blocks: list[dict]) -> str:
    """The blocks faqbot posts (section, context, actions) as Slack draws them."""
    parts = []
    for block in blocks:
        if block["type"] == "section":
            if block.get("text"):
                parts.append(f'<div class="section">{text_html(block["text"])}</div>')
            if block.get("fields"):
                parts.append('<div class="fields">' + "".join(f"<div>{text_html(f)}</div>" for f in block["fields"])
                             + "</div>")
        elif block["type"] == "context":
            parts.append('<div class="context">' + " ".join(text_html(e) for e in block["elements"]) + "</div>")
        elif block["type"] == "actions":
            buttons = "".join(
                f'<span class="button {e.get("style", "")}">{html.escape(e["text"]["text"])}</span>' if "text" in e
                else f'<span class="button select">{html.escape(e["placeholder"]["text"])} ▾</span>'  # "Resolve as…"
                for e in block["elements"])
            parts.append(f'<div class="actions">{buttons}</div>')
    return "".join(parts)


def message(who: str, body: str, *, bot: bool, time: str) -> str:
    badge = '<span class="app">APP</span>' if bot else ""
    initials = "FAQ" if bot else who[:1].upper()
    return (f'<div class="msg {"bot" if bot else "person"}"><div class="avatar">{initials}</div><div class="body">'
            f'<span class="who">{html.escape(who)}</span>{badge}<span class="time">{time}</span>{body}</div></div>')


def page(title: str, subtitle: str, messages: list[str]) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><style>{CSS}</style></head><body>'
            f'<div id="all"><div class="bar">{html.escape(title)}<small>{html.escape(subtitle)}</small></div>'
            + "".join(messages) + '<div style="height:8px"></div></div>'
            '<script>document.body.setAttribute("data-height", document.getElementById("all").scrollHeight)</script>'
            "</body></html>")


def exchange(playground: Playground, question: str, minute: int) -> list[str]:
    """The seller's question and the bot's reply in the DM, as messages."""
    calls = [c for c in playground.dm(question) if c.params.get("channel") == "D0SELLER"]
    shown = [message("seller", f'<div class="section">{html.escape(question)}</div>', bot=False, time=f"10:{minute:02d} AM")]
    shown += [message("faqbot", blocks_html(c.params["blocks"]), bot=True, time=f"10:{minute:02d} AM") for c in calls]
    return shown


def scenes(playground: Playground) -> dict[str, str]:
    """File name -> HTML page."""
    assistant = Assistant(load_knowledge(ROOT / "knowledge.yaml"))
    unsure = next(q for q in UNSURE if assistant.reply(q).action == "clarify")
    unsure_zh = next(q for q in UNSURE_ZH if assistant.reply(q).action == "clarify")
    answer = exchange(playground, "Can I close my account?", 41) + exchange(playground, "我可以关闭账户吗?", 42)
    clarify = exchange(playground, unsure, 43) + exchange(playground, unsure_zh, 43)
    calls = playground.dm("How much are FBA fulfillment fees?")
    card = next(c for c in calls if c.params.get("channel") == "C0SUPPORT")
    support = [message("faqbot", blocks_html(card.params["blocks"]), bot=True, time="10:44 AM")]
    return {
        "slack-answer.png": page("faqbot", "direct message", answer),
        "slack-did-you-mean.png": page("faqbot", "direct message", clarify),
        "slack-case-card.png": page("# seller-support", "the Seller Support channel", support),
    }


def capture(browser: str, html_path: Path, png: Path, profile: Path) -> None:
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size={WIDTH},1200"]
    dom = subprocess.run([*flags, "--dump-dom", html_path.resolve().as_uri()], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    height = int(re.search(r'data-height="(\d+)"', dom).group(1))
    flags[-1] = f"--window-size={WIDTH},{height}"
    subprocess.run([*flags, f"--screenshot={png.resolve()}", html_path.resolve().as_uri()], check=True,
                   capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"), help="folder for the PNGs")
    parser.add_argument("--html-dir", help="also keep the HTML pages here")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (Debian: apt-get install -y chromium fonts-wqy-microhei)")
    with tempfile.TemporaryDirectory(prefix="faqbot-shots-") as scratch:
        folder = Path(scratch)
        playground = Playground(ROOT / "knowledge.yaml", f"sqlite:///{(folder / 'shots.sqlite3').as_posix()}")
        try:
            pages = scenes(playground)
        finally:
            playground.close()
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        html_dir = Path(args.html_dir) if args.html_dir else folder
        html_dir.mkdir(parents=True, exist_ok=True)
        for name, content in pages.items():
            html_path = html_dir / name.replace(".png", ".html")
            html_path.write_text(content, encoding="utf-8")
            capture(browser, html_path, out / name, folder / "profile")
            print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
