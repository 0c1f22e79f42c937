"""A knowledge base names its own support team and hand-off words, in both languages; Seller Support is the default."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.commands.cli_texts import CLI_HELP
from bot.console import run_console
from bot.console.texts import COMMAND_HELP, CONSOLE_TEXTS
from bot.slack.texts import SLACK_TEXTS
from bot.store import SqlStore
from faq import KnowledgeError, load_knowledge
from faq.messages import DEFAULT_MESSAGES
from faq.notices import NOTICES

ROOT = Path(__file__).resolve().parents[1]

BANK = textwrap.dedent("""\
    version: 1
    settings:
      support_contact: {en: Card Services, zh: 银行卡服务部}
    messages:
      escalated_case:
        en: "Card Services will call you back about case #{case}."
        zh: "银行卡服务部会就案例 #{case} 回电给您。"
    entries:
      - id: lost-card
        question: {en: What do I do if I lose my card?, zh: 银行卡丢了怎么办？}
        alternates: {en: [I lost my debit card, my card was stolen], zh: [卡被偷了]}
        answer: {en: Freeze it in the app at once then order a new one., zh: 请立即在应用中冻结该卡，然后申请新卡。}
""")


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "knowledge.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


@pytest.mark.parametrize("catalog", [CONSOLE_TEXTS, COMMAND_HELP, SLACK_TEXTS, DEFAULT_MESSAGES, NOTICES, CLI_HELP],
                         ids=["console", "console help", "slack", "messages", "notices", "cli"])
def test_no_text_names_the_team_itself(catalog):
    named = [key for key, by_lang in catalog.items() if "Seller Support" in by_lang["en"] or "销售伙伴支持" in by_lang["zh"]]
    assert named == [], "these texts should say {contact}"


@pytest.mark.parametrize("lang, said", [("en", "Card Services will call you back about case #1."),
                                        ("zh", "银行卡服务部会就案例 #1 回电给您。")])
def test_the_console_hands_off_with_the_knowledge_bases_team_and_words(bank, tmp_path, lang, said):
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'faq.sqlite3'}")
    question = "how do I open a mortgage" if lang == "en" else "怎么申请房贷"
    out = io.StringIO()
    run_console(bank, io.StringIO(question + "\n"), out, interactive=False, store=store, ui_lang=lang)
    assert said in out.getvalue()
    assert "Seller Support" not in out.getvalue() and "销售伙伴支持" not in out.getvalue()


@pytest.mark.parametrize("ui, would", [("en", "Would escalate to Card Services"), ("zh", "将转交给银行卡服务部")])
def test_ask_names_the_knowledge_bases_team(bank, ui, would):
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--ui-lang", ui, "--kb", str(bank), "how do I open a mortgage"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ})
    assert done.stdout.startswith(would), done.stdout
    assert "passed it to Card Services" in done.stdout


def test_without_settings_the_team_is_seller_support(tmp_path):
    path = tmp_path / "knowledge.yaml"
    path.write_text(BANK.split("entries:")[0].split("settings:")[0] + "entries:" + BANK.split("entries:")[1], encoding="utf-8")
    kb = load_knowledge(path)
    assert dict(kb.settings.support_contact) == {"en": "Seller Support", "zh": "销售伙伴支持"}


@pytest.mark.parametrize("text, found", [("case #{cas}", "{cas}"), ("case #{case", "{"), ("{team} has it", "{team}")])
def test_a_placeholder_no_one_fills_is_a_load_error_with_its_line(tmp_path, text, found):
    path = tmp_path / "knowledge.yaml"
    path.write_text(BANK.replace("Card Services will call you back about case #{case}.", text), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(path)
    (line,) = error.value.lines("en")
    assert line.startswith(f"{path}:6: messages.escalated_case.en uses {found}, which is never filled in")


def test_literal_braces_are_fine(tmp_path):
    path = tmp_path / "knowledge.yaml"
    path.write_text(BANK.replace("about case #{case}.", "about case #{case} {{urgent}}."), encoding="utf-8")
    assert load_knowledge(path).messages["escalated_case"]["en"].endswith("{{urgent}}.")
