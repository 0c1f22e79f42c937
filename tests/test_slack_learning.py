"""What Slack teaches the learning loop: the case card's "Resolve as…" menu, sellers' picks and
"none of these", and "not helpful" with its question, over the real app and signed loopback HTTP."""

from __future__ import annotations

import itertools
import json
from urllib.parse import urlencode

from bot.slack import blocks
from bot.slack.blocks import Ref
from bot.slack.resolve_menu import RESOLVE_AS
from slack_harness import (  # noqa: F401 (fixtures)
    AGENT, GENERAL, OUT_OF_SCOPE, SUPPORT, Harness, action_elements, block_actions, button, clean_environment,
    fake, harness, replies_to, support_posts, wait_until,
)


_ACTION_TS = itertools.count(1_800_000_000)  # Slack gives every click its own action_ts


def select(harness: Harness, card_call, value_prefix: str, *, user: str = AGENT) -> None:
    """Choose the first option of the card's "Resolve as…" menu whose value starts with ``value_prefix``."""
    block = next(b for b in card_call.params["blocks"] if b["type"] == "actions"
                 and b["elements"][0]["action_id"] == RESOLVE_AS)
    options = [o for g in block["elements"][0]["option_groups"] for o in g["options"]]
    option = next(o for o in options if o["value"].startswith(value_prefix))
    payload = block_actions(RESOLVE_AS, "", user=user, channel=SUPPORT, message_ts=card_call.response["ts"],
                            ephemeral=False, response_url=harness.fake.response_url("select"))
    payload["actions"] = [{"type": "static_select", "action_id": RESOLVE_AS, "block_id": block["block_id"],
                           "selected_option": option, "action_ts": f"{next(_ACTION_TS)}.000001"}]
    harness.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def menu(card_call, lang_key: str = "text") -> list[tuple[str, list[str]]]:
    block = next(b for b in card_call.params["blocks"] if b.get("elements", [{}])[0].get("action_id") == RESOLVE_AS)
    return [(g["label"][lang_key], [o["value"] for o in g["options"]]) for g in block["elements"][0]["option_groups"]]


def test_resolve_as_an_entry_labels_the_case_and_redraws_the_card(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="700.000001")
    card = support_posts(fake)[0]
    groups = menu(card)
    assert [name for name, _ in groups] == ["Closest entries", "Not answered by the FAQ", "Other entries"]
    assert groups[1][1] == ["new_topic", "out_of_scope"]
    assert "entry:oos-fees-fba" in groups[0][1]  # the engine's closest candidates come first (a declared topic)
    all_values = [v for _, values in groups for v in values]
    assert len(all_values) == len(set(all_values))  # each entry once
    wait_until(lambda: harness.store.get(1).forwarded, what="case 1 forwarded")
    select(harness, card, "entry:payment")
    redrawn = fake.wait_for("chat.update")[0]
    case = harness.store.get(1)
    assert (case.status, case.agent, case.label, case.label_entry_id) == ("resolved", AGENT, "entry", "payment")
    assert f"Resolved by <@{AGENT}>: answered by `payment`." in redrawn.text_everywhere()
    assert "p700000001" in redrawn.text_everywhere()  # the link to the seller's message survives
    assert [(r.label, r.entry_id, r.source) for r in harness.store.traffic().labelled] == [("entry", "payment", "resolve")]


def test_resolve_as_new_topic_or_out_of_scope_and_a_forged_or_stale_choice(harness, fake):
    harness.mention(OUT_OF_SCOPE, ts="710.000001")
    harness.mention("Do you sell gift wrap?", ts="710.000002")
    first, second = support_posts(fake, 2)
    by_question = {c.params["text"].split(": ", 1)[1]: c for c in (first, second)}
    select(harness, by_question[OUT_OF_SCOPE], "out_of_scope")
    select(harness, by_question["Do you sell gift wrap?"], "new_topic")
    wait_until(lambda: all(c.status == "resolved" for c in harness.store.list()), what="both resolved")
    labels = {c.question: c.label for c in harness.store.list()}
    assert labels == {OUT_OF_SCOPE: "out_of_scope", "Do you sell gift wrap?": "new_topic"}
    harness.store.reopen(1)
    # an entry that left the knowledge base since the card was drawn: refused, the case stays open
    payload = block_actions(RESOLVE_AS, "", user=AGENT, channel=SUPPORT, message_ts="1.1", ephemeral=False,
                            response_url=fake.response_url("x"))
    payload["actions"] = [{"type": "static_select", "action_id": RESOLVE_AS, "block_id": blocks.case_value(1, None),
                           "selected_option": {"value": "entry:gone-entry"}, "action_ts": "1.0"}]
    harness.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    notice = fake.wait_for("chat.postEphemeral")[0]
    assert "There is no entry `gone-entry`" in notice.params["text"] and notice.params["user"] == AGENT
    payload["actions"][0]["selected_option"] = {"value": "drop table"}
    harness.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    harness.finish()
    assert harness.store.get(1).status == "open" and harness.store.get(1).label is None


def test_a_sellers_pick_and_none_of_these_are_labelled_examples(harness, fake):
    harness.mention("do I need to do anything about payments", ts="720.000001")
    harness.mention("我的付款和商品列表怎么办", ts="720.000002")
    by_thread = {call.params.get("thread_ts"): call for call in replies_to(fake, count=2)}
    english, chinese = by_thread["720.000001"], by_thread["720.000002"]
    chosen = next(el for el in action_elements(english) if Ref.decode(el["value"]).entry_id == "listings")
    harness.click(chosen["action_id"], chosen["value"], message_ts=english.response["ts"])
    harness.click(chosen["action_id"], chosen["value"], message_ts=english.response["ts"])  # a double click
    none = button(chinese, blocks.NONE_OF_THESE)
    harness.click(blocks.NONE_OF_THESE, none["value"], message_ts=chinese.response["ts"])
    harness.finish()
    labelled = sorted((r.question, r.lang, r.label, r.entry_id, r.source) for r in harness.store.traffic().labelled)
    assert labelled == [("do I need to do anything about payments", "en", "entry", "listings", "pick"),
                        ("我的付款和商品列表怎么办", "zh", "none_of_these", None, "pick")]


def test_not_helpful_is_a_vote_with_the_question_and_the_entry(harness, fake):
    harness.mention("can I close my account?", ts="730.000001")
    reply = replies_to(fake)[0]
    harness.click(blocks.NOT_HELPFUL, button(reply, blocks.NOT_HELPFUL)["value"], message_ts=reply.response["ts"])
    harness.finish()
    votes = harness.store.traffic().votes
    assert [(v.question, v.lang, v.entry_id, v.helpful) for v in votes] == [
        ("can I close my account?", "en", "close-account", False)]
