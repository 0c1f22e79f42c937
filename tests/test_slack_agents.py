"""Only agents act on cases, and button values are not trusted (the real app over loopback HTTP).

The agent list comes from ``FAQBOT_AGENTS`` and/or a Slack user group the fake
Web API answers for; seller buttons are sealed and belong to the asker; a case
button only names a case, which must be the clicked card's.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading

import pytest
import yaml

from bot.config import ConfigError, slack_settings
from bot.slack import blocks
from bot.slack.agents import AgentList
from bot.slack.cli import cmd_slack
from bot.slack.client import build_client
from bot.slack.server import create_bot, make_http_server
from bot.store import SqlStore
from slack_harness import (  # noqa: F401 - fixtures: the fake Web API and a clean environment
    AGENT, ASKER, GENERAL, OUT_OF_SCOPE, REPO, SECRET, SUPPORT, TOKEN, Harness, button, clean_environment, fake,
    in_channel, make_bot, replies_to, slack_args, support_posts, wait_until,
)

GROUPIE = "UGROUPIE"
STRANGER = "USTRANGER"


def serve(fake, tmp_path, **options):
    bot, _, kb_path = make_bot(fake, tmp_path, **options)
    server = make_http_server(bot.wsgi(), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Harness(fake, bot, bot.store, kb_path, server.server_port), server  # bot.store: the one passed in, if any


@pytest.fixture
def agents_harness(fake, tmp_path):
    client = build_client(TOKEN, fake.base_url, timeout=5, rate_limit_retries=1, connection_retries=1,
                          server_retries=1, backoff=0.01)
    fake.set_usergroup("SAGENTS", [GROUPIE])
    harness, server = serve(fake, tmp_path, client=client, agents=AgentList(client, [AGENT], "SAGENTS"))
    yield harness
    server.shutdown()
    server.server_close()
    harness.bot.close()
    harness.store.close()


@pytest.fixture
def zh_harness(fake, tmp_path):
    harness, server = serve(fake, tmp_path, support_lang="zh", agents=AgentList(None, [AGENT]))
    yield harness
    server.shutdown()
    server.server_close()
    harness.bot.close()
    harness.store.close()


def a_card(harness, ts: str):
    harness.mention(OUT_OF_SCOPE, ts=ts)
    card = support_posts(harness.fake)[-1]
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 marked forwarded")
    return card


def click_card(harness, card, action_id: str, user: str, value: str | None = None) -> None:
    value = value if value is not None else button(card, action_id)["value"]
    harness.click(action_id, value, user=user, channel=SUPPORT, message_ts=card.response["ts"])


# --- the agent list ---------------------------------------------------------------------------------


def test_a_stranger_is_refused_politely_and_nothing_changes(agents_harness, fake):
    card = a_card(agents_harness, "600.000001")
    click_card(agents_harness, card, blocks.TAKE, STRANGER)
    notice = fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["user"] == STRANGER and notice.params["channel"] == SUPPORT
    english, chinese = notice.params["text"].splitlines()  # a stranger's language is unknown: both, ours first
    assert "only Seller Support agents" in english and "只有销售伙伴支持的客服" in chinese
    click_card(agents_harness, card, blocks.RESOLVE, STRANGER)
    fake.wait_for("chat.postEphemeral", 2)
    agents_harness.finish()
    case = agents_harness.store.get(1)
    assert case.status == "open" and case.agent is None
    assert fake.calls_to("chat.update") == []


def test_listed_and_group_agents_may_act_and_the_group_is_cached(agents_harness, fake):
    card = a_card(agents_harness, "601.000001")
    click_card(agents_harness, card, blocks.TAKE, GROUPIE)
    fake.wait_for("chat.update")
    assert agents_harness.store.get(1).agent == GROUPIE
    click_card(agents_harness, card, blocks.RESOLVE, GROUPIE)
    wait_until(lambda: agents_harness.store.get(1).status == "resolved", what="case resolved by the group member")
    assert len(fake.calls_to("usergroups.users.list")) == 1  # the second click used the cached members
    assert fake.calls_to("usergroups.users.list")[0].params["usergroup"] == "SAGENTS"


def test_resolve_on_a_case_someone_else_holds_names_the_holder(agents_harness, fake):
    card = a_card(agents_harness, "602.000001")
    agents_harness.store.take(1, GROUPIE)
    click_card(agents_harness, card, blocks.RESOLVE, AGENT)
    notice = fake.wait_for("chat.postEphemeral")[0]
    assert notice.params["user"] == AGENT
    assert f"taken by <@{GROUPIE}>" in notice.params["text"] and "already resolved" not in notice.params["text"]
    assert agents_harness.store.get(1).status == "taken"


def test_the_refusal_speaks_the_support_channels_language(zh_harness, fake):
    card = a_card(zh_harness, "603.000001")
    click_card(zh_harness, card, blocks.TAKE, STRANGER)
    assert "只有销售伙伴支持的客服" in fake.wait_for("chat.postEphemeral")[0].params["text"].splitlines()[0]
    zh_harness.finish()
    assert zh_harness.store.get(1).status == "open"


def test_group_members_are_asked_again_after_the_ttl_and_kept_when_slack_fails(fake):
    client = build_client(TOKEN, fake.base_url, timeout=5, rate_limit_retries=0, connection_retries=0,
                          server_retries=0, backoff=0.01)
    now = [0.0]
    agents = AgentList(client, (), "SAGENTS", ttl=60, clock=lambda: now[0])
    fake.set_usergroup("SAGENTS", ["U1"])
    assert agents.allows("U1") and not agents.allows("U2")
    fake.set_usergroup("SAGENTS", ["U2"])
    assert agents.allows("U1")  # still cached
    now[0] = 61
    assert agents.allows("U2") and not agents.allows("U1")
    now[0] = 122
    fake.fail("usergroups.users.list", status=500)
    assert agents.allows("U2")  # Slack down: the last known members
    assert not AgentList(client, (), "SNOSUCH").allows("U2")  # never resolved: nobody from the group


# --- button values are not trusted --------------------------------------------------------------------


def test_a_case_button_naming_another_case_or_a_link_is_not_believed(agents_harness, fake):
    card = a_card(agents_harness, "610.000001")
    agents_harness.mention("How much are FBA storage fees in winter?", ts="610.000002")
    support_posts(fake, 2)
    wait_until(lambda: agents_harness.store.get(2) and agents_harness.store.get(2).forwarded, what="case 2 forwarded")
    click_card(agents_harness, card, blocks.TAKE, AGENT, value=blocks.case_value(2, None))  # case 2 on case 1's card
    agents_harness.click(blocks.TAKE, blocks.case_value(1, "https://evil.example/phish"), user=AGENT, channel=SUPPORT,
                         message_ts=card.response["ts"])
    redrawn = fake.wait_for("chat.update")[0]
    agents_harness.finish()
    assert agents_harness.store.get(2).status == "open"
    assert agents_harness.store.get(1).agent == AGENT
    shown = redrawn.text_everywhere()
    assert "evil.example" not in shown and "https://faq-test.slack.com/archives/CGENERAL/p610000001" in shown
    assert "evil.example" not in json.dumps(redrawn.params.get("blocks"))


def test_an_impossible_case_number_is_told_as_no_such_case(agents_harness, fake):
    card = a_card(agents_harness, "611.000001")
    click_card(agents_harness, card, blocks.TAKE, AGENT, value=blocks.case_value(10**30, None))
    assert f"There is no case #{10**30}" in fake.wait_for("chat.postEphemeral")[0].params["text"]
    agents_harness.finish()
    assert agents_harness.store.get(1).status == "open"


def test_a_case_button_on_a_locked_database_tells_the_agent(fake, tmp_path):
    db = tmp_path / "locked.sqlite3"
    store = SqlStore.from_url(f"sqlite:///{db.as_posix()}", busy_timeout=0.2)
    harness, server = serve(fake, tmp_path, store=store, agents=AgentList(None, [AGENT]))
    try:
        card = a_card(harness, "612.000001")
        locker = sqlite3.connect(db, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
        try:
            click_card(harness, card, blocks.TAKE, AGENT)
            notice = fake.wait_for("chat.postEphemeral")[0]
        finally:
            locker.rollback()
            locker.close()
        assert notice.params["user"] == AGENT and "could not be updated" in notice.params["text"]
        harness.finish()
        assert harness.store.get(1).status == "open"
    finally:
        server.shutdown()
        server.server_close()
        harness.bot.close()
        store.close()


def not_helpful_value(harness, ts: str, user: str = ASKER) -> tuple[str, str]:
    """Ask as ``user``; the "Not helpful" button's value of the answer, and the answer's ts."""
    before = len(harness.fake.calls_to("chat.postMessage", in_channel(GENERAL)))
    harness.mention("can I close my account?", ts=ts, user=user)
    reply = replies_to(harness.fake, GENERAL, before + 1)[-1]
    return button(reply, blocks.NOT_HELPFUL)["value"], reply.response["ts"]


def test_someone_elses_not_helpful_button_opens_no_case(agents_harness, fake):
    value, reply_ts = not_helpful_value(agents_harness, "620.000001")
    agents_harness.click(blocks.NOT_HELPFUL, value, user=STRANGER, message_ts=reply_ts, response="stranger")
    refusal = fake.wait_for("response_url")[0]
    assert refusal.params["response_type"] == "ephemeral" and refusal.params["replace_original"] is False
    assert f"<@{ASKER}>'s question" in refusal.params["text"]
    agents_harness.finish()
    assert agents_harness.store.list() == [] and fake.calls_to("chat.update") == []


def test_a_forged_question_id_or_unsealed_value_opens_no_case(agents_harness, fake):
    mine, my_ts = not_helpful_value(agents_harness, "630.000001", user=STRANGER)
    not_helpful_value(agents_harness, "630.000002", user=ASKER)  # question 2: the victim's
    data = json.loads(mine)
    assert data["q"] == 1 and data["u"] == STRANGER
    forged = json.dumps({**data, "q": 2}, ensure_ascii=False, separators=(",", ":"))
    agents_harness.click(blocks.NOT_HELPFUL, forged, user=STRANGER, message_ts=my_ts, response="forged")
    unsealed = json.dumps({k: v for k, v in data.items() if k != "h"}, separators=(",", ":"))
    agents_harness.click(blocks.NONE_OF_THESE, unsealed, user=STRANGER, message_ts=my_ts, response="unsealed")
    refusals = fake.wait_for("response_url", 2)
    assert all("no longer works" in call.params["text"] and "此按钮已失效" in call.params["text"] for call in refusals)
    agents_harness.finish()
    assert agents_harness.store.list() == []


def test_the_asker_can_still_use_their_own_buttons(agents_harness, fake):
    value, reply_ts = not_helpful_value(agents_harness, "640.000001")
    agents_harness.click(blocks.NOT_HELPFUL, value, message_ts=reply_ts)
    update = fake.wait_for("chat.update")[0]
    assert "case #1" in update.params["text"]
    assert agents_harness.store.get(1).asker == ASKER


# --- settings, start-up and the manifest -------------------------------------------------------------


BASE = {"SLACK_BOT_TOKEN": TOKEN, "FAQBOT_SUPPORT_CHANNEL": SUPPORT, "SLACK_SIGNING_SECRET": SECRET}


def test_agent_settings_are_read_and_checked():
    settings = slack_settings({**BASE, "FAQBOT_AGENTS": " U1AAA, W2BBB,U1AAA ", "FAQBOT_AGENT_GROUP": "S0GROUP"},
                              http=True)
    assert settings.agents == ("U1AAA", "W2BBB") and settings.agent_group == "S0GROUP"
    with pytest.raises(ConfigError, match="FAQBOT_AGENTS"):
        slack_settings({**BASE, "FAQBOT_AGENTS": "alice"}, http=True)
    with pytest.raises(ConfigError, match="FAQBOT_AGENT_GROUP"):
        slack_settings({**BASE, "FAQBOT_AGENT_GROUP": "agents"}, http=True)


def test_start_up_warns_loudly_without_an_agent_list(fake, tmp_path, caplog):
    env = {**BASE, "SLACK_API_URL": fake.base_url}
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with caplog.at_level(logging.WARNING, logger="faqbot.slack"):
        bot = create_bot(slack_settings(env, http=True), kb_path=REPO / "knowledge.yaml", db_url=db)
        bot.close()
    assert any("ANYONE" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="faqbot.slack"):
        bot = create_bot(slack_settings({**env, "FAQBOT_AGENTS": AGENT}, http=True), kb_path=REPO / "knowledge.yaml",
                         db_url=db)
        bot.close()
    assert not any("ANYONE" in r.getMessage() for r in caplog.records)


def test_manifest_explains_the_agent_list_and_asks_for_usergroups_read():
    out = io.StringIO()
    assert cmd_slack(slack_args(["slack", "manifest"]), io.StringIO(), out) == 0
    text = out.getvalue()
    assert "FAQBOT_AGENTS" in text and "FAQBOT_AGENT_GROUP" in text
    assert "usergroups:read" in yaml.safe_load(text)["oauth_config"]["scopes"]["bot"]
