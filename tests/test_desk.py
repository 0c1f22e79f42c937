"""The question desk: one flow (log, decide, open the case row first, notice) for every adapter.

The desk itself on a real database, then one test per adapter (console, Slack
message, ``/faq``, "None of these") proving the adapter went through the desk
(its outcome listener saw the question) and showed the desk's notice, worded
and ordered the same way everywhere: the reply, then the case notice.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from bot.console import run_console
from bot.desks.questions import Origin, QuestionDesk, QuestionOutcome
from bot.errors import StoreError
from bot.slack import blocks
from bot.store import SqlStore
from faq import Assistant, load_knowledge

from bot.slack.server import make_http_server
from slack_harness import ASKER, GENERAL, OUT_OF_SCOPE, Harness, button, make_bot, replies_to, support_posts
from slack_harness import clean_environment, fake  # noqa: F401 (fixtures)

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store

KB = Path(__file__).resolve().parents[1] / "knowledge.yaml"
ENGINE = Assistant(load_knowledge(KB))
# The engine's reply to the out-of-scope question, in the knowledge base's own wording (a declared
# out-of-scope topic adds its routing line after the escalation text).
ESCALATE_EN = ENGINE.reply(OUT_OF_SCOPE).text
assert ESCALATE_EN.startswith(ENGINE.text("escalate", "en"))


@pytest.fixture
def assistant() -> Assistant:
    return ENGINE


def test_the_desk_logs_opens_the_case_before_telling_and_words_the_notice(store, assistant):
    seen: list[tuple[QuestionOutcome, bool]] = []
    desk = QuestionDesk(store, listeners=[lambda o: seen.append((o, store.get(o.case.case) is not None))])
    outcome = desk.ask(assistant, OUT_OF_SCOPE, Origin("console", asker="ana"))
    assert outcome.reply.action == "escalate" and outcome.created and outcome.case.case == 1
    assert seen == [(outcome, True)]  # the row exists before anyone is told
    assert outcome.notice == "Seller Support has your question as case #1."
    assert outcome.lines == [ESCALATE_EN, outcome.notice]
    assert [q.action for q in store.questions_since()] == ["escalate"]
    again = desk.ask(assistant, OUT_OF_SCOPE, Origin("console", asker="ana"))
    assert again.case.case == 1 and not again.created  # the same asker, text and minute: one case
    answered = desk.ask(assistant, "Can I close my account?", Origin("console", asker="ana"))
    assert answered.notice is None and answered.case is None and answered.question_id is not None


def test_an_escalation_the_asker_asked_for_shows_only_the_notice(store, assistant):
    desk = QuestionDesk(store)
    outcome = desk.escalate(assistant, "payment listings", Origin("slack", asker="U1", key="slack:q:7"), lang="en")
    assert outcome.forced and outcome.lines == ["Seller Support has your question as case #1."]
    assert store.get(1).idempotency_key == "slack:q:7"


def test_an_unwritable_store_still_answers_and_says_contact_support(tmp_path, assistant):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    desk = QuestionDesk(SqlStore.from_url(f"sqlite:///{blocker / 'db.sqlite3'}"))
    outcome = desk.ask(assistant, OUT_OF_SCOPE, Origin("slack", asker="U1"))
    assert isinstance(outcome.error, StoreError) and outcome.case is None
    assert outcome.lines == [ESCALATE_EN, "I couldn't record your question just now. Please contact Seller Support directly."]
    answered = desk.ask(assistant, "Can I close my account?", Origin("slack"))
    assert answered.reply.action == "answer" and answered.notice is None and answered.error is not None


def test_without_a_store_the_desk_only_asks_the_engine(assistant):
    outcome = QuestionDesk(None).ask(assistant, OUT_OF_SCOPE, Origin("console"))
    assert outcome.reply.action == "escalate" and outcome.notice is None and outcome.lines == [ESCALATE_EN]


# --- one test per adapter --------------------------------------------------------------------------


def test_console_goes_through_the_desk_and_shows_its_notice_after_the_reply(tmp_path):
    store = SqlStore.from_url(f"sqlite:///{(tmp_path / 'db.sqlite3').as_posix()}")
    seen: list[QuestionOutcome] = []
    out = io.StringIO()
    assert run_console(KB, io.StringIO(OUT_OF_SCOPE + "\n"), out, interactive=False, store=store, agent="ana",
                       listeners=[seen.append]) == 0
    (outcome,) = seen
    assert outcome.case.source == "console" and outcome.case.asker == "ana"
    text = out.getvalue()
    reply_at, notice_at = text.index(outcome.reply.text), text.index(outcome.notice)
    assert outcome.lines == [ESCALATE_EN, "Seller Support has your question as case #1."]
    assert reply_at < notice_at


@pytest.fixture
def slack(fake, tmp_path):  # noqa: F811 (the fake Slack fixture)
    seen: list[QuestionOutcome] = []
    bot, store, kb_path = make_bot(fake, tmp_path, outcome_listeners=[seen.append])
    server = make_http_server(bot.wsgi(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Harness(fake, bot, store, kb_path, server.server_port), seen
    server.shutdown()
    server.server_close()
    bot.close()
    store.close()


def test_slack_message_goes_through_the_desk_with_the_same_notice(slack, fake):  # noqa: F811
    harness, seen = slack
    harness.mention(OUT_OF_SCOPE, ts="900.000001")
    reply = replies_to(fake)[0]
    support_posts(fake)  # the desk's listener woke the forwarder
    (outcome,) = seen
    assert outcome.case.source == "slack" and outcome.case.message_id == "900.000001"
    assert reply.params["text"] == outcome.text == f"{ESCALATE_EN}\nSeller Support has your question as case #1."


def test_slash_command_goes_through_the_desk_with_the_same_notice(slack, fake):  # noqa: F811
    harness, seen = slack
    harness.command(OUT_OF_SCOPE)
    response = fake.wait_for("response_url")[0]
    (outcome,) = seen
    assert outcome.case.asker == ASKER and outcome.case.channel == GENERAL and outcome.case.message_id is None
    assert response.params["text"] == outcome.text == f"{ESCALATE_EN}\nSeller Support has your question as case #1."


def test_none_of_these_goes_through_the_desk_with_the_same_notice(slack, fake):  # noqa: F811
    harness, seen = slack
    harness.mention("do I need to do anything about payments", ts="910.000001")
    prompt = replies_to(fake)[0]
    assert [o.reply.action for o in seen] == ["clarify"]
    none = button(prompt, blocks.NONE_OF_THESE)
    harness.click(blocks.NONE_OF_THESE, none["value"], message_ts=prompt.response["ts"])
    update = fake.wait_for("chat.update")[0]
    outcome = seen[-1]
    assert outcome.forced and outcome.case.case == 1
    assert update.params["text"] == outcome.text == "Seller Support has your question as case #1."


def test_a_line_with_nothing_to_answer_is_never_escalated(store, assistant):
    desk = QuestionDesk(store)
    for noise in ("5", "0", "???", "1.2", "x"):
        outcome = desk.ask(assistant, noise, Origin("slack", asker="U1"))
        assert outcome.reply.action != "escalate" and outcome.case is None and outcome.notice is None, noise
    forced = desk.escalate(assistant, "7", Origin("slack", asker="U1"), lang="en")
    assert forced.case is None and forced.notice is None
    assert store.list() == []


def test_slack_not_helpful_keeps_the_answer_and_adds_the_notice_below(slack, fake):  # noqa: F811
    harness, seen = slack
    harness.mention("can I close my account?", ts="920.000001")
    answer = replies_to(fake)[0]
    harness.click(blocks.NOT_HELPFUL, button(answer, blocks.NOT_HELPFUL)["value"], message_ts=answer.response["ts"])
    update = fake.wait_for("chat.update")[0]
    sections = [b["text"]["text"] for b in update.params["blocks"] if b["type"] == "section"]
    assert "close it yourself" in sections[0] and sections[-1] == "Seller Support has your question as case #1."
    assert [b for b in update.params["blocks"] if b["type"] == "actions"] == []  # asked and answered: no buttons
    assert "close it yourself" in update.params["text"] and "case #1" in update.params["text"]


# --- the case desk: the rules as data, the same for every channel ----------------------------------


def test_the_case_rules_and_refusals_are_one_table(store, assistant):
    from bot.desks.cases import REFUSALS, RULES, CaseDesk

    desk = CaseDesk(store, may_act=lambda agent: agent != "intruder")
    case, _ = store.open_escalation(assistant.reply(OUT_OF_SCOPE), source="console", asker="ana")
    n = case.case
    assert desk.take(n, "intruder").refusal == "not_an_agent" and store.get(n).status == "open"
    assert desk.take(n, "ana").done and desk.take(n, "ana").done  # taking your own case again changes nothing
    held = [desk.take(n, "bo"), desk.resolve(n, "bo"), desk.reopen(n, "bo")]
    assert [(o.refusal, o.holder) for o in held] == [("taken_by_other", "ana")] * 3
    assert desk.resolve(n, "ana", label="entry", entry_id="close-acount", kb=assistant.kb).closest[0] == "close-account"
    assert desk.resolve(n, "ana", "done").done and desk.resolve(n, "ana").refusal == "already_resolved"
    assert desk.take(n, "bo").refusal == "already_resolved"
    assert desk.reopen(n, "bo").done and desk.reopen(n, "bo").refusal == "already_open"
    assert desk.take(10**30, "ana").refusal == desk.take(999, "ana").refusal == "no_case"
    assert set(RULES) == {"take", "resolve", "reopen"}
    assert {o.refusal for o in held} <= set(REFUSALS)
