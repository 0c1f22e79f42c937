"""The Slack adapter end to end: conversations, buttons, cards, security and robustness, settings.

Driven through the harness in ``slack_harness.py`` (a real slack-bolt app over signed HTTP, a
fake Slack Web API on loopback, a real SQLite store).
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import signal
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from slack_bolt.request import BoltRequest

from bot.config import ConfigError, slack_settings
from bot.kb_reload import KnowledgeHolder
from bot.slack import blocks, wsgi_app  # wsgi_app: the README's gunicorn entry point, bot.slack:wsgi_app()
from bot.slack.blocks import Ref
from bot.slack.cli import cmd_slack
from bot.slack.resolve_menu import RESOLVE_AS
from bot.slack.server import create_bot
from bot.testkit.fake_slack import BOT_USER_ID, TEAM_ID
from slack_harness import (  # noqa: F401 - fixtures: clean_environment (autouse), fake, harness
    AGENT, ASKER, GENERAL, OUT_OF_SCOPE, REPO, SECRET, SUPPORT, TOKEN, action_elements, action_ids, button,
    clean_environment, event_envelope, fake, harness, in_channel, recorded_requests, replies_to,
    slack_args, support_posts, wait_until,
)


# --- conversations ----------------------------------------------------------------------------------


def test_mention_gets_an_answer_in_its_thread(harness, fake):
    assert harness.mention("can I close my account?", ts="100.000001") == 200
    call = replies_to(fake)[0]
    assert call.params["thread_ts"] == "100.000001"
    assert "close it yourself" in call.params["text"]
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert action_ids(call) == [blocks.HELPFUL, blocks.NOT_HELPFUL]
    assert button(call, blocks.NOT_HELPFUL)["text"]["text"] == "Not helpful, ask Seller Support"
    shown = call.params["text"] + json.dumps([b for b in call.params["blocks"] if b["type"] != "actions"])
    assert "close-account" not in shown and "confidence" not in shown  # entry ids and scores are for agents
    logged = harness.store.questions_since()
    assert [(q.entry_id, q.action, q.source, q.asker) for q in logged] == [("close-account", "answer", "slack", ASKER)]
    assert logged[0].question == "can I close my account?"  # the bot's own mention is stripped


def test_mention_inside_a_thread_replies_in_that_thread(harness, fake):
    harness.mention("can I close my account?", ts="101.000002", thread_ts="101.000001")
    assert replies_to(fake)[0].params["thread_ts"] == "101.000001"


def test_direct_message_reply_threaded_only_when_the_dm_was(harness, fake):
    harness.dm("How will I get paid?", ts="200.000001")
    first = replies_to(fake, "DASKER")[0]
    assert first.params.get("thread_ts") is None
    assert "payment schedule" in first.params["text"]
    harness.dm("can I close my account?", ts="200.000003", thread_ts="200.000002")
    second = replies_to(fake, "DASKER", 2)[1]
    assert second.params["thread_ts"] == "200.000002"


def test_chinese_question_gets_a_chinese_reply_and_buttons(harness, fake):
    harness.mention("我可以关闭账户吗", ts="300.000001")
    call = replies_to(fake)[0]
    assert "关闭账户" in call.params["text"]
    labels = [el["text"]["text"] for el in action_elements(call)]
    assert labels == ["有帮助", "没有帮助,转给销售伙伴支持"]
    assert Ref.decode(button(call, blocks.HELPFUL)["value"]).lang == "zh"


def test_chinese_escalation_tells_the_case_number_in_chinese(harness, fake):
    harness.mention("FBA 仓储费是多少?", ts="301.000001")
    reply = replies_to(fake)[0]
    assert "案例编号 #1" in reply.params["text"]
    card = support_posts(fake)[0]
    assert "zh (中文)" in card.text_everywhere()


def test_slash_command_is_private_and_can_be_shared(harness, fake):
    assert harness.command("<!channel> can I close my account?", response="cmd1") == 200
    answer = fake.wait_for("response_url")[0]
    assert answer.path.endswith("/cmd1")
    assert answer.params["response_type"] == "ephemeral"
    assert action_ids(answer) == [blocks.HELPFUL, blocks.NOT_HELPFUL, blocks.SHARE]
    value = button(answer, blocks.SHARE)["value"]
    harness.click(blocks.SHARE, value, ephemeral=True, response="share1")
    shared = fake.wait_for("response_url", 1, lambda c: c.params.get("response_type") == "in_channel")[0]
    shown = shared.text_everywhere()
    assert "close it yourself" in shown
    assert f"<@{ASKER}>" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown  # echoed, never obeyed
    fake.wait_for("response_url", 1, lambda c: c.params.get("delete_original") is True)


def test_empty_slash_command_gets_help_in_both_languages(harness, fake):
    harness.command("   ")
    text = fake.wait_for("response_url")[0].params["text"]
    assert "English or Chinese" in text and "中文" in text


def test_slash_command_escalation_is_stored_and_forwarded(harness, fake):
    harness.command(OUT_OF_SCOPE)
    notice = fake.wait_for("response_url")[0]
    assert "case #1" in notice.params["text"]
    card = support_posts(fake)[0]
    assert "/faq in" in card.text_everywhere()
    assert fake.calls_to("chat.getPermalink") == []  # no message to link to


# --- buttons ---------------------------------------------------------------------------------------


def test_helpful_records_feedback_and_updates_the_message(harness, fake):
    harness.mention("can I close my account?", ts="400.000001")
    reply = replies_to(fake)[0]
    harness.click(blocks.HELPFUL, button(reply, blocks.HELPFUL)["value"], message_ts=reply.response["ts"])
    update = fake.wait_for("chat.update")[0]
    assert update.params["ts"] == reply.response["ts"] and update.params["channel"] == GENERAL
    assert "Thanks for the feedback" in update.text_everywhere()
    assert "close it yourself" in update.params["text"]
    assert action_ids(update) == []
    feedback = harness.store.feedback_since()
    question = harness.store.questions_since()[0]
    assert [(f.helpful, f.entry_id, f.question_id, f.source) for f in feedback] == [
        (True, "close-account", question.id, "slack")
    ]


def test_not_helpful_escalates_once_even_when_clicked_twice(harness, fake):
    harness.mention("can I close my account?", ts="410.000001")
    reply = replies_to(fake)[0]
    value = button(reply, blocks.NOT_HELPFUL)["value"]
    harness.click(blocks.NOT_HELPFUL, value, message_ts=reply.response["ts"])
    first = fake.wait_for("chat.update")[0]
    assert "Seller Support has your question as case #1" in first.params["text"]
    card = support_posts(fake)[0]
    assert "can I close my account?" in card.params["text"]
    harness.click(blocks.NOT_HELPFUL, value, message_ts=reply.response["ts"])
    fake.wait_for("chat.update", 2)
    harness.finish()
    cases = harness.store.list()
    assert len(cases) == 1 and cases[0].message_id == "410.000001" and cases[0].asker == ASKER
    assert len(fake.calls_to("chat.postMessage", in_channel(SUPPORT), ok_only=True)) == 1
    assert [f.helpful for f in harness.store.feedback_since()] == [False, False]


def test_clarify_offers_candidates_and_a_choice_answers(harness, fake):
    harness.mention("do I need to do anything about payments", ts="420.000001")
    reply = replies_to(fake)[0]
    ids = action_ids(reply)
    assert ids == [f"{blocks.CHOOSE_PREFIX}0", f"{blocks.CHOOSE_PREFIX}1", blocks.NONE_OF_THESE]
    labels = [el["text"]["text"] for el in action_elements(reply)]
    assert labels[-1] == "None of these"
    assert "How will I get paid for my completed services?" in labels
    chosen = next(el for el in action_elements(reply) if Ref.decode(el["value"]).entry_id == "listings")
    harness.click(chosen["action_id"], chosen["value"], message_ts=reply.response["ts"])
    update = fake.wait_for("chat.update")[0]
    assert "No action is needed" in update.params["text"]
    assert action_ids(update) == [blocks.HELPFUL, blocks.NOT_HELPFUL]


def test_clarify_in_chinese_and_none_of_these_escalates(harness, fake):
    harness.mention("商品和回款需要处理吗", ts="430.000001")
    reply = replies_to(fake)[0]
    none = button(reply, blocks.NONE_OF_THESE)
    assert none["text"]["text"] == "都不是"
    harness.click(blocks.NONE_OF_THESE, none["value"], message_ts=reply.response["ts"])
    update = fake.wait_for("chat.update")[0]
    assert "案例编号 #1" in update.params["text"]
    card = support_posts(fake)[0]
    assert "商品和回款需要处理吗" in card.params["text"]
    case = harness.store.get(1)
    assert case.lang == "zh" and case.message_id == "430.000001" and case.channel == GENERAL


def test_escalation_card_take_and_resolve(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="440.000001")
    reply = replies_to(fake)[0]
    assert "passed it on to Seller Support" in reply.params["text"] and "case #1" in reply.params["text"]
    card = support_posts(fake)[0]
    shown = card.text_everywhere()
    assert OUT_OF_SCOPE in shown and f"<@{ASKER}>" in shown and "en (English)" in shown
    assert "https://faq-test.slack.com/archives/CGENERAL/p440000001" in shown
    assert "`oos-fees-fba`" in shown  # the engine's top candidate (a declared out-of-scope topic), with its score
    assert action_ids(card) == [blocks.TAKE, blocks.RESOLVE, RESOLVE_AS]
    permalink = fake.calls_to("chat.getPermalink")[0]
    assert permalink.params == {"channel": GENERAL, "message_ts": "440.000001"}
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 marked forwarded")

    card_ts = card.response["ts"]
    harness.click(blocks.TAKE, button(card, blocks.TAKE)["value"], user=AGENT, channel=SUPPORT, message_ts=card_ts)
    taken = fake.wait_for("chat.update")[0]
    assert harness.store.get(1).status == "taken" and harness.store.get(1).agent == AGENT
    assert f"Taken by <@{AGENT}>" in taken.text_everywhere()
    assert action_ids(taken) == [blocks.RESOLVE, RESOLVE_AS]
    assert "p440000001" in taken.text_everywhere()  # the link survives the update

    harness.click(blocks.TAKE, button(card, blocks.TAKE)["value"], user="UOTHER", channel=SUPPORT, message_ts=card_ts)
    notice = fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["user"] == "UOTHER" and f"already taken by <@{AGENT}>" in notice.params["text"]
    fake.wait_for("chat.update", 2)  # the card is refreshed for the late click too

    harness.click(blocks.RESOLVE, button(taken, blocks.RESOLVE)["value"], user=AGENT, channel=SUPPORT,
                  message_ts=card_ts)
    resolved = fake.wait_for("chat.update", 3)[-1]
    assert harness.store.get(1).status == "resolved"
    assert f"Resolved by <@{AGENT}>" in resolved.text_everywhere() and action_ids(resolved) == []


def test_a_case_resolved_from_the_console_gets_its_card_redrawn_once(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="445.000001")
    card = support_posts(fake)[0]
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 marked forwarded")
    harness.store.take(1, "ana")  # what the console's :take and :resolve do
    harness.store.resolve(1, "ana", "answered by phone")
    redrawn = wait_until(lambda: [c for c in fake.calls_to("chat.update") if "Resolved by" in c.text_everywhere()],
                         what="the card redrawn as resolved")[0]
    assert redrawn.params["channel"] == SUPPORT and redrawn.params["ts"] == card.response["ts"]
    assert action_ids(redrawn) == [] and OUT_OF_SCOPE in redrawn.text_everywhere()
    wait_until(lambda: not harness.store.stale_cards(), what="the card marked as showing the case")
    harness.finish()
    assert len(fake.calls_to("chat.update")) <= 2  # the take and the resolve, or just the latest state


def test_a_deleted_card_is_not_redrawn_again_and_again(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="446.000001")
    support_posts(fake)
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 marked forwarded")
    fake.fail("chat.update", status=200, error="message_not_found", times=1)
    harness.store.resolve(1, "ana", "answered by phone")
    wait_until(lambda: not harness.store.stale_cards(), what="the refused card given up")
    assert harness.bot.sync_cards() == 0  # nothing left to redraw: the next rounds leave it alone
    harness.finish()
    assert [c.response["error"] for c in fake.calls_to("chat.update")] == ["message_not_found"]


def test_case_buttons_outside_the_support_channel_are_ignored(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="450.000001")
    card = support_posts(fake)[0]
    harness.click(blocks.TAKE, button(card, blocks.TAKE)["value"], user=AGENT, channel=GENERAL, message_ts="1.2")
    harness.finish()
    assert harness.store.get(1).status == "open" and fake.calls_to("chat.update") == []


# --- security and robustness -------------------------------------------------------------------------


def test_bad_or_stale_signature_is_rejected_and_nothing_happens(harness, fake):
    body = json.dumps(event_envelope({"type": "app_mention", "user": ASKER, "text": "can I close my account?",
                                      "ts": "500.1", "channel": GENERAL}, "EvBad"))
    assert harness.post(body, "application/json", secret="not-the-secret")[0] == 401
    assert harness.post(body, "application/json", timestamp=int(time.time()) - 600)[0] == 401
    status, _ = harness.post(urlencode({"command": "/faq", "text": "hi", "response_url": fake.response_url()}),
                             "application/x-www-form-urlencoded", secret="wrong")
    assert status == 401
    harness.finish()
    assert [c.method for c in fake.calls] == ["auth.test"]
    assert harness.store.questions_since() == [] and recorded_requests(harness.store) == 0


def test_same_event_three_times_gets_one_reply_and_one_case(harness, fake):
    event = {"type": "app_mention", "user": ASKER, "text": f"<@{BOT_USER_ID}> {OUT_OF_SCOPE}",
             "ts": "510.000001", "channel": GENERAL}
    statuses: list[int] = []
    senders = [
        threading.Thread(target=lambda r=retry: statuses.append(harness.event(event, event_id="EvDup", retry=r)))
        for retry in (None, 1, 2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    # The same message again under another event id (as a second event type would bring it).
    statuses.append(harness.event(event, event_id="EvDupOther"))
    assert statuses == [200, 200, 200, 200]
    replies_to(fake)
    support_posts(fake)
    harness.finish()
    assert len(fake.calls_to("chat.postMessage", in_channel(GENERAL))) == 1
    assert len(fake.calls_to("chat.postMessage", in_channel(SUPPORT))) == 1
    assert len(harness.store.list()) == 1 and len(harness.store.questions_since()) == 1 and recorded_requests(harness.store) == 1


def test_bots_own_messages_and_subtypes_are_ignored(harness, fake):
    ignored = [
        {"type": "message", "channel_type": "im", "channel": "DASKER", "ts": "520.1", "text": "hello",
         "bot_id": "BOTHER", "subtype": "bot_message"},
        {"type": "message", "channel_type": "im", "channel": "DASKER", "ts": "520.2", "text": "hello",
         "user": BOT_USER_ID},
        {"type": "message", "channel_type": "im", "channel": "DASKER", "ts": "520.3", "subtype": "message_changed",
         "message": {"user": ASKER, "text": "can I close my account?", "ts": "520.0"}},
        {"type": "message", "channel_type": "im", "channel": "DASKER", "ts": "520.4", "subtype": "message_deleted",
         "deleted_ts": "520.0"},
        {"type": "message", "channel_type": "channel", "channel": GENERAL, "ts": "520.5", "subtype": "channel_join",
         "user": ASKER, "text": "<@UASKER> has joined the channel"},
        {"type": "message", "channel_type": "channel", "channel": GENERAL, "ts": "520.6", "user": ASKER,
         "text": f"<@{BOT_USER_ID}> can I close my account?"},  # channels are served by app_mention only
        {"type": "app_mention", "channel": GENERAL, "ts": "520.7", "bot_id": "BOTHER", "user": "UOTHERBOT",
         "bot_profile": {"id": "BOTHER"}, "text": f"<@{BOT_USER_ID}> can I close my account?"},
    ]
    for event in ignored:
        assert harness.event(event) == 200
    harness.finish()
    assert fake.calls_to("chat.postMessage") == []
    assert harness.store.questions_since() == [] and recorded_requests(harness.store) == 0


def test_pings_in_a_question_are_escaped(harness, fake):
    harness.dm("what about <!channel> and <@U999> and &lt;!here&gt; fees?", ts="530.000001")
    card = support_posts(fake)[0]
    shown = card.text_everywhere()
    for ping in ("<!channel>", "<@U999>", "<!here>"):
        assert ping not in shown
    assert "&lt;!here&gt;" in shown and "@channel" in shown and f"<@{ASKER}>" in shown
    assert all(el.get("verbatim") for b in card.params["blocks"] if b["type"] == "section" and "text" in b
               for el in [b["text"]])
    assert harness.store.get(1).question == "what about @channel and @U999 and <!here> fees?"


def test_slack_down_then_up_delivers_the_queued_case_once(harness, fake):
    # Every call to the support channel fails for a while (500: the card may have arrived, so the client does not
    # post again blindly; the forwarder looks in the channel, finds nothing, and retries later).
    fake.fail("chat.postMessage", status=500, times=4, when=lambda p: p.get("channel") == SUPPORT)
    harness.mention(OUT_OF_SCOPE, ts="540.000001")
    assert "case #1" in replies_to(fake)[0].params["text"]  # the seller is told at once
    support_posts(fake)
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 forwarded")
    harness.finish()
    case = harness.store.get(1)
    assert case.forward_attempts == 5  # four failed forwards, then success
    assert [c.status for c in fake.calls_to("chat.postMessage", in_channel(SUPPORT))] == [500, 500, 500, 500, 200]


def test_a_reply_slack_refuses_is_kept_and_posted_once_when_slack_is_back(harness, fake):
    # The reply fails (500: looked for, not there), then three times from the outbox, then goes through.
    fake.fail("chat.postMessage", status=500, times=4, when=lambda p: p.get("channel") == GENERAL)
    harness.mention("can I close my account?", ts="545.000001")
    wait_until(lambda: fake.calls_to("chat.postMessage", in_channel(GENERAL), ok_only=True), what="the held reply")
    harness.finish()
    calls = fake.calls_to("chat.postMessage", in_channel(GENERAL))
    assert [c.status for c in calls] == [500, 500, 500, 500, 200]
    delivered = calls[-1]
    assert delivered.params["thread_ts"] == "545.000001" and "Yes. You can ask" in delivered.text_everywhere()
    assert delivered.params["blocks"] == calls[0].params["blocks"]  # posted as it was rendered for the asker
    assert harness.bot.outbox.pending() == 0


def test_connection_refused_then_back_delivers_once(harness, fake):
    from faq import Reply

    reply = Reply(question=OUT_OF_SCOPE, lang="en", action="escalate", text="")
    fake.stop()  # Slack unreachable: connection refused on its port
    case, created = harness.store.open_escalation(reply, source="slack", asker=ASKER, channel=GENERAL,
                                                  message_id="550.000001")
    harness.bot.deliver_now()
    stored = harness.store.get(case.case)
    assert created and not stored.forwarded and stored.forward_attempts >= 1 and stored.last_error
    fake.start()  # back, on the same port
    harness.bot.ensure_background()
    support_posts(fake)
    wait_until(lambda: harness.store.get(case.case).forwarded, what="queued case forwarded")
    harness.finish()
    assert len(fake.calls_to("chat.postMessage", in_channel(SUPPORT), ok_only=True)) == 1


def test_rate_limited_reply_is_retried_after_retry_after(harness, fake):
    fake.fail("chat.postMessage", status=429, retry_after=0, when=lambda p: p.get("channel") == GENERAL)
    harness.mention("can I close my account?", ts="560.000001")
    replies_to(fake)
    harness.finish()
    calls = fake.calls_to("chat.postMessage", in_channel(GENERAL))
    assert [c.status for c in calls] == [429, 200]


def test_acknowledgement_does_not_wait_for_slow_work(harness, fake):
    gate = fake.hold("chat.postMessage")
    respond_gate = fake.hold("response_url")
    started = time.monotonic()
    assert harness.mention("can I close my account?", ts="570.000001") == 200
    assert harness.command("can I close my account?") == 200
    assert time.monotonic() - started < 2.0
    assert fake.calls_to("chat.postMessage") == [] and fake.calls_to("response_url") == []
    gate.set()
    respond_gate.set()
    replies_to(fake)
    fake.wait_for("response_url")


def test_healthz_reports_the_knowledge_base(harness):
    status, body = harness.get("/healthz")
    data = json.loads(body)
    assert status == 200 and data["ok"] is True
    assert data["entries"] == len(harness.bot.knowledge.kb.entries) > 0 and data["version"] == "1"


def test_socket_mode_requests_use_the_same_app(harness, fake):
    envelope = event_envelope({"type": "app_mention", "user": ASKER, "channel": GENERAL, "ts": "580.000001",
                               "text": f"<@{BOT_USER_ID}> can I close my account?"}, "EvSocket")
    response = harness.bot.app.dispatch(BoltRequest(body=envelope, mode="socket_mode"))
    assert response.status == 200
    assert replies_to(fake)[0].params["thread_ts"] == "580.000001"
    command = {"team_id": TEAM_ID, "channel_id": GENERAL, "user_id": ASKER, "command": "/faq",
               "text": "我可以关闭账户吗", "response_url": fake.response_url("socket"), "trigger_id": "trig-socket"}
    assert harness.bot.app.dispatch(BoltRequest(body=command, mode="socket_mode")).status == 200
    assert "关闭账户" in fake.wait_for("response_url")[0].params["text"]


# --- knowledge base reload ---------------------------------------------------------------------------


def edit_answer(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # a visible change, even on coarse clocks


def test_edited_knowledge_is_picked_up_and_a_broken_edit_keeps_the_last_good(harness, fake, caplog):
    caplog.set_level(logging.INFO, logger="faqbot.kb")
    holder = harness.bot.knowledge
    edit_answer(harness.kb_path, "Yes. You can ask Seller Support", "EDITED: yes. You can ask Seller Support")
    wait_until(lambda: holder.poll() or holder.reloads == 1, what="reload after edit")  # every event polls
    harness.mention("can I close my account?", ts="600.000001")
    assert replies_to(fake)[0].params["text"].startswith("EDITED")

    harness.kb_path.write_text("version: 2\nentries:\n  - id: Bad Id\n    question: {}\n", encoding="utf-8")
    os.utime(harness.kb_path, ns=(time.time_ns(), time.time_ns() + 4_000_000_000))

    def problems_logged_as_file_and_line() -> bool:
        holder.poll()  # the reload may also be running on a listener thread: wait for its last line, not its first
        return any("knowledge.yaml:" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)

    wait_until(problems_logged_as_file_and_line, what="each problem logged as file:line")
    harness.mention("can I close my account?", ts="600.000002")
    assert replies_to(fake, count=2)[1].params["text"].startswith("EDITED")  # the last good one still answers
    assert json.loads(harness.get("/healthz")[1])["version"] == "1"


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_sighup_reloads_the_knowledge_base(tmp_path):
    kb_path = tmp_path / "knowledge.yaml"
    shutil.copy(REPO / "knowledge.yaml", kb_path)
    holder = KnowledgeHolder(kb_path, min_interval=3600)  # no file polling: only the signal
    previous = signal.getsignal(signal.SIGHUP)
    try:
        assert holder.install_sighup()
        edit_answer(kb_path, "Yes. You can ask Seller Support", "HUP: yes. You can ask Seller Support")
        os.kill(os.getpid(), signal.SIGHUP)
        wait_until(lambda: holder.reloads == 1, what="reload on SIGHUP")
        assert holder.assistant.reply("can I close my account?").text.startswith("HUP")
    finally:
        signal.signal(signal.SIGHUP, previous)


# --- configuration, CLI, manifest, WSGI factory ---------------------------------------------------------


def test_settings_name_the_missing_variable_and_hide_secrets():
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        slack_settings({}, http=True)
    with pytest.raises(ConfigError, match="FAQBOT_SUPPORT_CHANNEL"):
        slack_settings({"SLACK_BOT_TOKEN": TOKEN}, http=True)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        slack_settings({"SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT}, http=True)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        slack_settings({"SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN") as error:
        slack_settings({"SLACK_BOT_TOKEN": "xoxp-user-token-secret", "FAQBOT_SUPPORT_CHANNEL": SUPPORT})
    assert "secret" not in str(error.value)
    settings = slack_settings({"SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT,
                               "SLACK_APP_TOKEN": "xapp-1-secret", "SLACK_SIGNING_SECRET": SECRET,
                               "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.socket_mode and settings.api_url == "http://127.0.0.1:9/api/"
    assert TOKEN not in repr(settings) and "xapp-1-secret" not in repr(settings) and SECRET not in repr(settings)
    assert settings.support_lang == "en"
    base = {"SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT, "SLACK_SIGNING_SECRET": SECRET}
    assert slack_settings({**base, "FAQBOT_SUPPORT_LANG": "zh"}, http=True).support_lang == "zh"
    with pytest.raises(ConfigError, match="FAQBOT_SUPPORT_LANG"):
        slack_settings({**base, "FAQBOT_SUPPORT_LANG": "fr"}, http=True)


def test_cli_stops_on_a_missing_setting_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    assert cmd_slack(slack_args(["slack", "--http"]), io.StringIO(), io.StringIO()) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FAQBOT_SUPPORT_CHANNEL" in err and TOKEN not in err and SECRET not in err
    monkeypatch.setenv("FAQBOT_SUPPORT_CHANNEL", SUPPORT)
    assert cmd_slack(slack_args(["slack"]), io.StringIO(), io.StringIO()) == 1
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_manifest_declares_scopes_events_command_and_modes():
    out = io.StringIO()
    assert cmd_slack(slack_args(["slack", "manifest"]), io.StringIO(), out) == 0
    manifest = yaml.safe_load(out.getvalue())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "im:read", "commands"} <= scopes
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True and settings["socket_mode_enabled"] is True
    assert manifest["features"]["slash_commands"][0]["command"] == "/faq"
    out = io.StringIO()
    cmd_slack(slack_args(["slack", "manifest", "--url", "https://bot.example.com/"]), io.StringIO(), out)
    http = yaml.safe_load(out.getvalue())
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.com/slack/events"
    assert http["features"]["slash_commands"][0]["url"] == "https://bot.example.com/slack/events"


def test_support_cards_follow_faqbot_support_lang(fake, tmp_path):
    from faq import Reply

    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    settings = slack_settings({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "FAQBOT_SUPPORT_CHANNEL": SUPPORT,
                               "SLACK_API_URL": fake.base_url, "FAQBOT_SUPPORT_LANG": "zh"}, http=True)
    bot = create_bot(settings, kb_path=tmp_path / "knowledge.yaml", db_url=f"sqlite:///{(tmp_path / 'db.sqlite3').as_posix()}")
    try:
        reply = Reply(question=OUT_OF_SCOPE, lang="en", action="escalate", text="")
        bot.store.open_escalation(reply, source="slack", asker=ASKER, channel=GENERAL, message_id="690.000001")
        bot.deliver_now()
    finally:
        bot.close()
    card = support_posts(fake)[0]
    assert "案例 #1" in card.text_everywhere() and OUT_OF_SCOPE in card.text_everywhere()


def test_wsgi_factory_reads_the_environment(monkeypatch, fake, tmp_path):
    from wsgiref.util import setup_testing_defaults

    shutil.copy(REPO / "knowledge.yaml", tmp_path / "knowledge.yaml")
    for name, value in {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "FAQBOT_SUPPORT_CHANNEL": SUPPORT,
                        "SLACK_API_URL": fake.base_url, "FAQBOT_KB": str(tmp_path / "knowledge.yaml"),
                        "FAQBOT_DB_URL": f"sqlite:///{(tmp_path / 'db.sqlite3').as_posix()}"}.items():
        monkeypatch.setenv(name, value)
    previous = signal.getsignal(signal.SIGHUP) if hasattr(signal, "SIGHUP") else None
    try:
        application = wsgi_app()
    finally:
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)
    environ: dict = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    seen: list[str] = []
    body = b"".join(application(environ, lambda status, headers: seen.append(status)))
    assert seen == ["200 OK"] and json.loads(body)["entries"] > 0
    assert fake.calls_to("auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"


# --- Block Kit limits and escaping (pure functions) ------------------------------------------------------


def test_escape_and_slack_markup():
    assert blocks.escape("a & <b> <!channel>") == "a &amp; &lt;b&gt; &lt;!channel&gt;"
    plain = blocks.slack_to_plain(
        f"<@{BOT_USER_ID}> hi <@U1|ana> <#C1|general> <!here> <https://x.example|site> &lt;3 &amp; more",
        BOT_USER_ID,
    )
    assert plain == "hi @ana #general @here site <3 & more"


def test_long_answers_are_split_and_messages_fit_slack_limits(harness):
    assistant = harness.bot.assistant
    ref = Ref(lang="en", question_id=1, asker=ASKER, message_ts="1.1")
    long_answer = "\n\n".join(f"Paragraph {n}: " + "word & more " * 60 for n in range(400))
    _text, content = blocks.render_answer(assistant, long_answer, "en", ref, entry_id="x" * 300)
    assert len(content) <= blocks.MAX_BLOCKS
    assert content[-1]["type"] == "actions"  # the buttons survive the cut
    for block in content:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= blocks.SECTION_TEXT_MAX
            assert not block["text"]["text"].endswith("&am")
    unbroken = "x" * 7000
    assert [len(piece) for piece in blocks.split_text(unbroken)] == [3000, 3000, 1000]
    label = blocks.button("y" * 200, "id", "v")["text"]["text"]
    assert len(label) == blocks.BUTTON_TEXT_MAX and label.endswith(blocks.ELLIPSIS)


def test_button_values_fit_and_round_trip():
    ref = Ref(lang="zh", question_id=None, asker=ASKER, channel=GENERAL, message_ts="1.1",
              question="问" * 5000 + '"quoted"', entry_id="close-account", score=88)
    value = ref.encode()
    assert len(value) <= blocks.BUTTON_VALUE_MAX
    back = Ref.decode(value)
    assert back.lang == "zh" and back.entry_id == "close-account" and back.score == 88
    assert back.question.startswith("问") and back.question.endswith(blocks.ELLIPSIS)
    with pytest.raises(ValueError):
        Ref.decode('{"l": 3}')
    with pytest.raises(ValueError):
        blocks.decode_case_value("nonsense")


def test_case_card_shortens_a_huge_question(harness):
    from datetime import datetime, timezone

    from bot.store import Escalation

    now = datetime.now(timezone.utc)
    case = Escalation(case=7, created_at=now, updated_at=now, lang="en", question="<!channel> " * 2000,
                      source="slack", idempotency_key="k", asker=ASKER, channel=GENERAL, message_id="1.1")
    text, content = blocks.render_case(harness.bot.assistant, case, "https://x.example/a?b=1&c=2")
    assert len(content) <= blocks.MAX_BLOCKS and "<!channel>" not in json.dumps(content) + text
    sections = [b for b in content if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= blocks.SECTION_TEXT_MAX for b in sections)
    assert "https://x.example/a?b=1&amp;c=2" in json.dumps(content)


def test_one_log_line_per_event_and_never_a_secret(harness, fake, caplog):
    caplog.set_level(logging.DEBUG)  # even debug output of slack-bolt and slack-sdk
    harness.mention(OUT_OF_SCOPE, ts="700.000001", event_id="EvLogged")
    replies_to(fake)
    support_posts(fake)
    harness.command("can I close my account?")
    fake.wait_for("response_url")
    harness.finish()
    messages = [r.getMessage() for r in caplog.records]
    lines = [m for m in messages if m.startswith("event=EvLogged ")]
    assert len(lines) == 1
    assert all(f" {field}=" in lines[0] for field in ("action", "entry", "score", "lang", "case", "latency_ms"))
    assert "action=escalate" in lines[0] and "case=1" in lines[0]
    assert " entry=oos-fees-fba " in lines[0]  # an out-of-scope escalation names the topic that sent it
    everything = "\n".join(messages)
    assert TOKEN not in everything and SECRET not in everything


def test_slash_command_clarify_choice_and_not_helpful_use_the_response_url(harness, fake):
    harness.command("do I need to do anything about payments", response="clarify")
    prompt = fake.wait_for("response_url")[0]
    chosen = next(el for el in action_elements(prompt) if Ref.decode(el["value"]).entry_id == "payment")
    harness.click(chosen["action_id"], chosen["value"], ephemeral=True, message_ts="1.1", response="chosen")
    answer = fake.wait_for("response_url", 1, lambda c: c.path.endswith("/chosen"))[0]
    assert answer.params["replace_original"] is True and "payment schedule" in answer.params["text"]
    assert action_ids(answer) == [blocks.HELPFUL, blocks.NOT_HELPFUL, blocks.SHARE]
    assert fake.calls_to("chat.update") == []  # an ephemeral message can only be replaced via response_url
    harness.click(blocks.NOT_HELPFUL, button(answer, blocks.NOT_HELPFUL)["value"], ephemeral=True,
                  message_ts="1.1", response="unhelpful")
    notice = fake.wait_for("response_url", 1, lambda c: c.path.endswith("/unhelpful"))[0]
    assert "case #1" in notice.params["text"]
    card = support_posts(fake)[0]
    assert "/faq in" in card.text_everywhere() and "do I need to do anything about payments" in card.params["text"]
    case = harness.store.get(1)
    assert case.asker == ASKER and case.channel == GENERAL and case.message_id is None
