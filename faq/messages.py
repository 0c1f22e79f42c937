"""The engine's own texts in both languages; a knowledge base's ``messages`` override them.

Only what the engine says to askers lives here (every key may be overridden
from ``knowledge.yaml``); each adapter keeps its own texts in its own catalog
(e.g. the Slack buttons in ``bot.slack.texts``).
"""

from __future__ import annotations

from typing import Mapping

from faq.catalog import Catalog

DEFAULT_MESSAGES = Catalog({
    # greeting, thanks, goodbye, help: the replies to built-in small talk (faq.smalltalk)
    "greeting": {
        "en": "Hi! Ask me a question and I'll answer from the FAQ.",
        "zh": "您好!请提出您的问题,我会根据常见问题为您解答。",
    },
    "thanks": {
        "en": "You're welcome! Ask me anything else about the FAQ.",
        "zh": "不客气!还有其他问题随时问我。",
    },
    "goodbye": {
        "en": "Goodbye! Come back any time you have a question.",
        "zh": "再见!有问题随时回来问我。",
    },
    "help": {
        "en": "I answer questions from the FAQ in English or Chinese. If your question isn't covered, I pass it to {contact}.",
        "zh": "我可以用中文或英文回答常见问题中的问题。如果您的问题不在其中,我会转交给{contact}。",
    },
    "empty_question": {
        "en": "Please type your question.",
        "zh": "请输入您的问题。",
    },
    "clarify": {
        "en": "I'm not sure I understood. Did you mean one of these?",
        "zh": "我不太确定您的意思。您是想问以下哪个问题?",
    },
    "say_more": {
        "en": "Could you tell me a little more? A whole question (what you want to do, or what happened) helps me find the answer.",
        "zh": "能再多说一点吗?请用一句完整的话告诉我您想做什么或遇到了什么情况,我才能找到答案。",
    },
    "escalate": {
        "en": "This question isn't covered by the FAQ, so I've passed it to {contact}.",
        "zh": "常见问题中没有这个问题的答案,我已将它转交给{contact}。",
    },
    "escalated_case": {
        "en": "{contact} has your question as case #{case}.",
        "zh": "{contact}已收到您的问题,案例编号 #{case}。",
    },
    "escalation_unsaved": {
        "en": "I couldn't record your question just now. Please contact {contact} directly.",
        "zh": "暂时无法记录您的问题,请直接联系{contact}。",
    },
    "none_of_these": {
        "en": "None of these",
        "zh": "都不是",
    },
})


def message(overrides: Mapping[str, Mapping[str, str]], name: str, lang: str, **values: str) -> str:
    """The text called ``name`` in ``lang`` (KB first, then the defaults), with ``{placeholders}`` filled; ``name`` if unknown."""
    try:
        return DEFAULT_MESSAGES.text(name, lang, overrides, **values)
    except KeyError:
        return name
