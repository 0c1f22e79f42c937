"""The bot's own texts in both languages; a knowledge base's ``messages`` override them."""

from __future__ import annotations

from typing import Mapping

DEFAULT_MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi! Ask me a question about Home Services and I'll answer from the FAQ.",
        "zh": "您好!请提出有关上门服务的问题,我会根据常见问题为您解答。",
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
    # --- Slack: what sellers see ---------------------------------------------------------
    "slack_helpful": {"en": "Helpful", "zh": "有帮助"},
    "slack_not_helpful": {"en": "Not helpful, ask {contact}", "zh": "没有帮助,转给{contact}"},
    "slack_share": {"en": "Share in channel", "zh": "分享到频道"},
    "slack_answer_context": {
        "en": "FAQ entry `{entry}` · confidence {score}",
        "zh": "常见问题条目 `{entry}` · 置信度 {score}",
    },
    "slack_thanks": {
        "en": "Thanks for the feedback!",
        "zh": "感谢您的反馈!",
    },
    "slack_shared": {
        "en": "{user} asked: {question}",
        "zh": "{user} 提问:{question}",
    },
    "slack_error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "zh": "抱歉,我这边出了点问题,请稍后再试。",
    },
    # --- Slack: the Seller Support channel -----------------------------------------------
    "slack_case_title": {"en": "Case #{case}", "zh": "案例 #{case}"},
    "slack_case_asker": {"en": "Asked by", "zh": "提问人"},
    "slack_case_language": {"en": "Language", "zh": "语言"},
    "slack_case_where": {"en": "Where", "zh": "来源"},
    "slack_case_where_dm": {"en": "direct message", "zh": "私信"},
    "slack_case_where_command": {"en": "/faq in {channel}", "zh": "{channel} 中的 /faq"},
    "slack_case_candidates": {"en": "Closest FAQ entries", "zh": "最接近的常见问题条目"},
    "slack_case_no_candidates": {"en": "none", "zh": "无"},
    "slack_case_link": {"en": "Open the seller's message", "zh": "查看卖家的消息"},
    "slack_case_open": {"en": "Open: nobody has taken it yet.", "zh": "待处理:尚无人接手。"},
    "slack_case_taken": {"en": "Taken by {agent}.", "zh": "已由 {agent} 接手。"},
    "slack_case_resolved": {"en": "Resolved by {agent}.", "zh": "已由 {agent} 解决。"},
    "slack_take": {"en": "Take", "zh": "接手"},
    "slack_resolve": {"en": "Resolve", "zh": "解决"},
    "slack_case_resolution": {"en": "Resolved in Slack", "zh": "已在 Slack 中解决"},
    "slack_case_already_taken": {
        "en": "Case #{case} is already taken by {agent}.",
        "zh": "案例 #{case} 已由 {agent} 接手。",
    },
    "slack_case_already_resolved": {
        "en": "Case #{case} is already resolved.",
        "zh": "案例 #{case} 已经解决。",
    },
    "slack_case_unknown": {"en": "There is no case #{case}.", "zh": "没有案例 #{case}。"},
}


def message(overrides: Mapping[str, Mapping[str, str]], name: str, lang: str, **values: str) -> str:
    """The text called ``name`` in ``lang`` (KB first, then the defaults), with ``{placeholders}`` filled."""
    for source in (overrides.get(name, {}), DEFAULT_MESSAGES.get(name, {})):
        text = source.get(lang) or next(iter(source.values()), None)
        if text:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
    return name
