"""The console's escalation desk on a real database: cases opened, numbered, taken and resolved."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from bot.cli import main as cli
from bot.console import run_console
from bot.store import SqlStore

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store

KB = Path(__file__).resolve().parents[1] / "knowledge.yaml"
OUT_OF_SCOPE_EN = "How do I reset my password?"
OUT_OF_SCOPE_ZH = "如何设置广告活动?"


def session(store: SqlStore, lines: list[str], agent: str = "ana", ui_lang: str = "en") -> str:
    out = io.StringIO()
    code = run_console(KB, io.StringIO("\n".join(lines) + "\n"), out, interactive=False, store=store, agent=agent,
                       ui_lang=ui_lang)
    assert code == 0
    return out.getvalue()


def test_an_escalated_question_becomes_a_numbered_case_told_in_the_askers_language(store):
    out = session(store, [OUT_OF_SCOPE_EN, OUT_OF_SCOPE_ZH, "Can I close my account?"])
    assert "Seller Support has your question as case #1." in out
    assert "销售伙伴支持已收到您的问题,案例编号 #2。" in out
    cases = store.queue()
    assert [(c.case, c.lang, c.source, c.asker, c.status) for c in cases] == [
        (1, "en", "console", "ana", "open"), (2, "zh", "console", "ana", "open"),
    ]
    assert cases[0].question == OUT_OF_SCOPE_EN and cases[0].candidates  # the engine's candidates are kept
    logged = store.questions_since()
    assert [q.action for q in logged] == ["escalate", "escalate", "answer"]
    assert logged[2].entry_id == "close-account"


def test_queue_take_resolve_and_reopen(store):
    session(store, [OUT_OF_SCOPE_EN, OUT_OF_SCOPE_ZH])
    out = session(store, [":queue", ":take 1", ":case 1", ":resolve 1 sent the reset link", ":queue", ":reopen 1", ":take x", ":case 99"])
    assert re.search(r"#1 +open .*How do I reset my password\?", out)
    assert "You have case #1." in out
    assert "case #1 [taken]" in out and "agent: ana" in out
    assert "Case #1 resolved." in out and "Case #1 is open again." in out
    assert "Usage: :take N" in out and "No case #99." in out
    after_resolve = out.split("Case #1 resolved.")[1].split("Case #1 is open again.")[0]
    assert "#1 " not in after_resolve and "#2 " in after_resolve  # resolved cases leave the queue
    assert store.get(1).status == "open" and store.get(1).agent is None


def test_two_agents_on_two_consoles_never_both_take_a_case(open_store):
    first, second = open_store(), open_store()
    session(first, [OUT_OF_SCOPE_EN])
    assert "You have case #1." in session(first, [":take 1"], agent="ana")
    assert "Case #1 is already taken by ana." in session(second, [":take 1"], agent="bo")
    assert second.get(1).agent == "ana"


def test_an_unwritable_database_still_tells_the_asker_to_contact_seller_support(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    broken = SqlStore.from_url(f"sqlite:///{blocker / 'faqbot.sqlite3'}")
    out = session(broken, [OUT_OF_SCOPE_EN, "Can I close my account?"])
    assert "Please contact Seller Support directly." in out
    assert "Database problem:" in out
    assert "Yes. You can ask" in out  # the console keeps answering


def test_report_and_export_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 'faqbot.sqlite3'}"
    store = SqlStore.from_url(url)
    session(store, ["How do I reset my password?", "how can I reset my password", "重置密码怎么操作", "Can I close my account?"])
    out = io.StringIO()
    assert cli(["report", "--db", url, "--since", "1d", "--json"], stdout=out) == 0
    report = json.loads(out.getvalue())
    assert report["questions"] == 4 and report["answers_per_entry"] == {"close-account": 1}
    assert report["escalations"]["opened"] == 3
    biggest = report["groups"][0]
    assert biggest["count"] == 3 and len(biggest["examples"]["en"]) == 2  # the two password questions group,
    assert biggest["examples"]["zh"] == ["重置密码怎么操作"]  # and the Chinese one joins them: grouped by meaning
    out = io.StringIO()
    assert cli(["escalations", "export", "--db", url, "--format", "jsonl", "--status", "open"], stdout=out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["case"] for row in rows] == [1, 2, 3] and rows[2]["lang"] == "zh"
    out = io.StringIO()
    assert cli(["escalations", "export", "--db", url, "--format", "csv"], stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("case,created_at") and len(lines) == 4
    assert cli(["report", "--db", url, "--since", "yesterday"], stdout=io.StringIO()) == 2
    for lang, expected in (("en", "questions: 4 (3 escalated or unsure)"), ("zh", "问题：4 个（其中 3 个已转交或不确定）")):
        out = io.StringIO()
        assert cli(["report", "--db", url, "--since", "1d", "--lang", lang], stdout=out) == 0
        text = out.getvalue()
        assert text.startswith(expected + "\n") and "close-account" in text
        assert ("escalations: 3 opened" in text) == (lang == "en")  # every heading follows --lang


def test_a_case_another_agent_took_is_theirs_to_resolve_and_refusals_are_bilingual(open_store):
    first, second = open_store(), open_store()
    session(first, [OUT_OF_SCOPE_EN])
    session(first, [":take 1"], agent="ana")
    out = session(second, [":resolve 1 mine now", OUT_OF_SCOPE_ZH, ":resolve 1 还是我的"], agent="bo")
    assert out.count("Case #1 is already taken by ana.") == 2  # the agent's language, whatever was asked
    zh = io.StringIO()
    run_console(KB, io.StringIO(":resolve 1 还是我的\n"), zh, interactive=False, store=second, agent="bo", ui_lang="zh")
    assert "案例 #1 已被 ana 接手。" in zh.getvalue()
    assert second.get(1).status == "taken" and second.get(1).agent == "ana"
    out = session(first, [":resolve 1 done", ":resolve 1 again", ":take ²", ":take 99999999999999999999"], agent="ana")
    assert "Case #1 resolved." in out and "Case #1 is already resolved." in out
    assert out.count("Usage: :take N") == 2 and "internal error" not in out.lower()


def test_with_slack_settings_the_console_posts_its_cases_to_the_support_channel(tmp_path, monkeypatch):
    from bot.testkit.fake_slack import FakeSlack

    fake = FakeSlack().start()
    try:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-console")
        monkeypatch.setenv("FAQBOT_SUPPORT_CHANNEL", "CSUPPORT")
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        url = f"sqlite:///{(tmp_path / 'db.sqlite3').as_posix()}"
        out = io.StringIO()
        assert cli(["console", "--kb", str(KB), "--db", url, "--agent", "ana"],
                   stdin=io.StringIO(OUT_OF_SCOPE_EN + "\n"), stdout=out) == 0
        assert "case #1" in out.getvalue()
        (card,) = fake.wait_for("chat.postMessage", 1, lambda call: call.params.get("channel") == "CSUPPORT")
        assert OUT_OF_SCOPE_EN in card.params["text"]
        store = SqlStore.from_url(url)
        assert store.get(1).forwarded and store.undelivered() == []
        # Taken in a later session: the card in the channel is redrawn before the console leaves.
        assert cli(["console", "--kb", str(KB), "--db", url, "--agent", "ana"],
                   stdin=io.StringIO(":take 1\n"), stdout=io.StringIO()) == 0
        (update,) = fake.wait_for("chat.update", 1)
        content = update.params["blocks"]
        buttons = [el["action_id"] for block in content if block["type"] == "actions" for el in block["elements"]]
        assert update.params["ts"] == card.response["ts"]
        assert buttons == ["case_resolve", "case_resolve_as"] and "Taken by ana." in json.dumps(content)  # no Take
    finally:
        fake.stop()


def test_without_slack_settings_the_banner_says_cases_wait_for_faqbot_slack(store):
    out = io.StringIO()
    assert run_console(KB, io.StringIO(":quit\n"), out, interactive=True, store=store, agent="ana") == 0
    assert "faqbot slack" in out.getvalue() and store.url in out.getvalue()


def test_resolve_says_which_entry_answers_or_that_it_is_new_or_out_of_scope(store):
    session(store, [OUT_OF_SCOPE_EN, OUT_OF_SCOPE_ZH, "Do you sell gift wrap?"])
    out = session(store, [":resolve 1 --entry close-acount", ":resolve 1 --entry close-account told them how",
                          ":case 1", ":resolve 2 --oos", ":resolve 3 --new seen twice today"])
    assert "There is no entry 'close-acount' in the knowledge base; case #1 is unchanged." in out
    assert "Closest ids: close-account" in out
    assert "Case #1 resolved; its question is now an example of entry close-account" in out
    assert "note: told them how  label: entry close-account" in out
    assert "Case #2 resolved as out of scope" in out and "Case #3 resolved as a new topic" in out
    assert [(c.label, c.label_entry_id, c.resolution) for c in store.list()] == [
        ("entry", "close-account", "told them how"), ("out_of_scope", None, ""), ("new_topic", None, "seen twice today"),
    ]
    assert [(r.label, r.entry_id, r.question) for r in store.resolved_cases()] == [
        ("entry", "close-account", OUT_OF_SCOPE_EN), ("out_of_scope", None, OUT_OF_SCOPE_ZH),
        ("new_topic", None, "Do you sell gift wrap?"),
    ]


def test_a_malformed_resolve_is_refused_in_the_agents_language_and_changes_nothing(store):
    session(store, [OUT_OF_SCOPE_EN])
    lines = [":resolve 1 --entry", ":resolve 1 --new --oos", ":resolve 1 --bogus", ":resolve 1 --entry="]
    out = session(store, lines) + session(store, [":resolve 1 --entry nope", ":resolve 1 --new --entry close-account"],
                                          ui_lang="zh")  # the agent's own UI language
    assert out.count("Usage: :resolve N [--entry ID | --new | --oos] [note]") == 4
    assert "知识库中没有条目 'nope';案例 #1 未改变。" in out
    assert "用法::resolve N [--entry ID | --new | --oos]" in out
    assert store.get(1).status == "open" and store.get(1).label is None


def test_an_agent_cannot_reopen_a_case_another_agent_has_taken(store):
    session(store, [OUT_OF_SCOPE_EN])
    session(store, [":take 1"], agent="ana")
    out = session(store, [":reopen 1"], agent="bo")
    assert "Case #1 is already taken by ana." in out and "open again" not in out
    assert store.get(1).status == "taken" and store.get(1).agent == "ana"
    assert "Case #1 is open again." in session(store, [":reopen 1"], agent="ana")  # the holder gives it back
    session(store, [":resolve 1 done"], agent="ana")
    assert "Case #1 is open again." in session(store, [":reopen 1"], agent="bo")  # a resolved case is anyone's to reopen


def test_a_stray_number_or_punctuation_opens_no_case(store):
    out = session(store, ["Can I close my account?", "5", "0", "???", "7"])
    assert out.count("There is no did-you-mean to pick from") == 3
    assert store.list() == [] and "case #" not in out
    out = session(store, ["5"], ui_lang="zh")
    assert "当前没有可选择的候选" in out and store.list() == []


def test_a_did_you_mean_pick_in_the_console_is_recorded_like_a_sellers_click(store, tmp_path):
    """Picks are the strongest evidence faqbot suggest gets: the console keeps them as Slack does."""
    kb = tmp_path / "kb.yaml"
    kb.write_text(
        "version: 1\nsettings: {semantic: false, answer_score: 95, sure_score: 100, clarify_score: 5, margin: 50}\n"
        "entries:\n"
        "  - {id: refunds, question: {en: 'how do refunds work'}, answer: {en: 'Refunds take a week.'}}\n"
        "  - {id: shipping, question: {en: 'how does shipping work'}, answer: {en: 'Shipping takes two days.'}}\n",
        encoding="utf-8")
    out = io.StringIO()
    lines = "how do refunds and shipping work\n2\nhow does it all work\n0\n"
    assert run_console(kb, io.StringIO(lines), out, interactive=False, store=store, agent="ana") == 0
    picked = {(r.question, r.label, r.entry_id, r.source) for r in store.traffic().labelled}
    offered = out.getvalue().split("\n\n")[0]
    second = "shipping" if offered.index("shipping") > offered.index("refunds") else "refunds"
    assert picked == {("how do refunds and shipping work", "entry", second, "pick"),
                      ("how does it all work", "none_of_these", None, "pick")}
