"""Precision at the edges, on the shipped FAQ: out-of-scope ties, questions with too little to go on,
questions next to an entry, and replies in the Traditional Chinese the asker wrote."""

import textwrap

import pytest

from faq import Assistant, parse_knowledge
from faq.script import in_script, traditional_script
from faq.terms import too_little


@pytest.fixture(scope="module")
def assistant(shipped_kb):
    return Assistant(shipped_kb)


def routing_texts(assistant):
    """Every out-of-scope topic's routing text, in both languages."""
    return [text for entry in assistant.kb.entries if entry.kind == "out_of_scope" for text in entry.answer.values()]


# ---------------------------------------------------------------- an out-of-scope topic wins like an FAQ entry


@pytest.mark.parametrize(
    ("question", "offered"),
    [
        ("what happens to my account", "listings"),
        ("can I still sell", "seller-impact"),
        ("我还可以卖吗", "seller-impact"),
        ("账户会受什么影响", "seller-impact"),
    ],
)
def test_a_near_tie_with_an_out_of_scope_topic_offers_the_faq_entry(assistant, question, offered):
    kinds = {entry.id: entry.kind for entry in assistant.kb.entries}
    # what the old rule routed away: a topic ranks first
    assert kinds[assistant.kb.entries[assistant.search(question)[0].entry_index].id] == "out_of_scope"
    reply = assistant.reply(question)
    assert reply.action == "clarify"
    assert offered in [candidate.entry_id for candidate in reply.candidates]
    assert all(kinds[candidate.entry_id] != "out_of_scope" for candidate in reply.candidates)
    assert not any(routing in reply.text for routing in routing_texts(assistant))


@pytest.mark.parametrize(("question", "topic"), [("How do I reset my password?", "oos-account-security"),
                                                 ("FBA费用怎么算?", "oos-fees-fba")])
def test_a_topic_that_clearly_leads_still_routes(assistant, question, topic):
    reply = assistant.reply(question)
    assert (reply.action, reply.entry_id) == ("escalate", topic)
    assert reply.text.endswith(assistant.kb.entry(topic).answer[reply.lang])


# ---------------------------------------------------------------- too little to go on


@pytest.mark.parametrize("question", ["account", "services", "帐号", "服务", "帳號", "my account", "我的账户"])
def test_one_thing_named_is_never_answered_outright(assistant, question):
    reply = assistant.reply(question)
    assert reply.action == "clarify"
    assert reply.answer is None


@pytest.mark.parametrize(("question", "lang"), [("服务", "zh"), ("hours", "en")])
def test_nothing_close_to_a_bare_word_asks_for_more_in_the_askers_language(assistant, question, lang):
    reply = assistant.reply(question)
    assert (reply.action, reply.lang, reply.candidates) == ("clarify", lang, ())
    assert reply.text == assistant.text("say_more", lang)


@pytest.mark.parametrize(("question", "entry"), [("背调", "background-check"), ("回款", "payment")])
def test_a_one_word_phrasing_the_author_wrote_is_answered(assistant, question, entry):
    assert (assistant.reply(question).action, assistant.reply(question).entry_id) == ("answer", entry)


@pytest.mark.parametrize(("question", "little"), [
    ("account", True), ("帐号", True), ("我的帐号", True), ("services please", True),
    ("who should I message", False), ("关闭帐户", False), ("close account", False), ("怎么申请成为分包商", False),
])
def test_too_little_counts_content_and_its_frame(question, little):
    assert too_little(question) is little


def test_an_entry_asked_in_a_word_is_answered_in_a_word_and_a_shared_word_is_not():
    kb = parse_knowledge(textwrap.dedent("""\
        version: 1
        entries:
          - id: cancel
            question: {en: "cancel"}
            alternates: {en: ["stop", "cancel that", "never mind, cancel it"]}
            answer: {en: "Cancelled."}
          - id: store-hours
            question: {en: "When is the store open?"}
            alternates: {en: ["store opening hours", "what time does the store close"]}
            answer: {en: "Nine to five."}
          - id: phone-hours
            question: {en: "When can I call the hotline?"}
            alternates: {en: ["hotline hours", "phone support hours"]}
            answer: {en: "Eight to eight."}
        """))
    assistant = Assistant(kb, cache_dir=None)
    assert (assistant.reply("cancel it").action, assistant.reply("cancel it").entry_id) == ("answer", "cancel")
    assert assistant.reply("hours").action != "answer"  # two entries name it: which one is a guess
    assert assistant.reply("store hours").action == "answer"


# ---------------------------------------------------------------- questions next to an entry


@pytest.mark.parametrize("question", [
    "will my technicians' background checks be refunded",
    "do I have to pay tax on my last payout",
    "背景调查的费用会退给我吗",
    "背景调查的费用可以退税吗",
])
def test_a_question_next_to_an_entry_is_escalated_without_routing_text(assistant, question):
    lang = "zh" if any("\u4e00" <= char <= "\u9fff" for char in question) else "en"
    plain = assistant.variant(assistant.kb)
    plain.edges.next_to = lambda question, entry_index: False  # what the engine did before the test
    assert plain.reply(question).action == "answer"
    reply = assistant.reply(question)
    assert reply.action == "escalate"
    assert reply.text == assistant.text("escalate", lang)


# ---------------------------------------------------------------- Traditional Chinese


def test_a_traditional_question_is_answered_in_traditional(assistant):
    reply = assistant.reply("我的帳戶會被關閉嗎")
    assert (reply.action, reply.entry_id, reply.lang, reply.script) == ("answer", "close-account", "zh", "tw")
    assert "關閉" in reply.text and "关闭" not in reply.text
    assert reply.answer == reply.text
    simplified = assistant.reply("我的账户会被关闭吗")
    assert simplified.script is None and "关闭" in simplified.text


def test_traditional_prompts_and_notices(assistant):
    reply = assistant.reply("服務")
    assert reply.script == "tw" and reply.text == in_script(assistant.text("say_more", "zh"), "tw")
    assert "說" in reply.text
    notice = assistant.text("escalated_case", "zh", script="tw", case="7")
    assert "編號" in notice and "#7" in notice
    clarify = assistant.reply("帳號")
    assert clarify.action == "clarify" and "關閉" in clarify.text


@pytest.mark.parametrize(("question", "script"), [
    ("我的帳戶會被關閉嗎", "tw"), ("為什麼台灣的服務停了", "tw"), ("裏面的衞生服務還有嗎", "hk"),
    ("我的账户会被关闭吗", None), ("how do I close my account", None), ("FBA費用", "tw"),
])
def test_which_traditional_the_question_uses(question, script):
    assert traditional_script(question) == script


def test_links_and_ids_are_not_converted():
    kb = parse_knowledge(textwrap.dedent("""\
        version: 1
        settings: {semantic: false}
        entries:
          - id: close-account
            question: {zh: "怎么关闭账户"}
            answer: {zh: "请按照帮助页面 https://example.com/帮助/关闭?id=账户 上的步骤关闭账户。"}
            links: ["https://example.com/帮助"]
        """))
    assistant = Assistant(kb)
    reply = assistant.reply("怎麼關閉帳戶")
    assert reply.entry_id == "close-account" and reply.script == "tw"
    assert "https://example.com/帮助/关闭?id=账户" in reply.text
    assert reply.text.startswith("請按照幫助頁面")
    assert assistant.links(reply) == ("https://example.com/帮助",)
