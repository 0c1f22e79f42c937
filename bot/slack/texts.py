"""What the Slack adapter says: button labels, the answer's context line and the support channel's case card.

Slack's own words belong to the Slack adapter, not to the engine. The engine's
texts (the escalation notice, "did you mean", "none of these") still come from
``Assistant.text``; a knowledge base's ``messages`` may override any key here
too, and ``{contact}`` is always the knowledge base's support contact.
"""

from __future__ import annotations

from faq import Assistant
from faq.catalog import Catalog

SLACK_TEXTS = Catalog({
    # --- Slack: what sellers see ---------------------------------------------------------
    "slack_helpful": {"en": "Helpful", "zh": "有帮助"},
    "slack_not_helpful": {"en": "Not helpful, ask {contact}", "zh": "没有帮助,转给{contact}"},
    "slack_share": {"en": "Share in channel", "zh": "分享到频道"},
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
    "slack_case_plain": {
        "en": "(Plain text: Slack refused this case's full card ({error}). Take and resolve it from the console: "
              "faqbot console, :case {case}.)",
        "zh": "(纯文本:Slack 拒绝了此案例的完整卡片({error})。请在控制台中接手并解决:faqbot console,:case {case}。)",
    },
    "slack_case_taken": {"en": "Taken by {agent}.", "zh": "已由 {agent} 接手。"},
    "slack_case_resolved": {"en": "Resolved by {agent}.", "zh": "已由 {agent} 解决。"},
    "slack_take": {"en": "Take", "zh": "接手"},
    "slack_resolve": {"en": "Resolve", "zh": "解决"},
    "slack_case_resolution": {"en": "Resolved in Slack", "zh": "已在 Slack 中解决"},
    # the "Resolve as…" menu: what the case was, a labelled example for `faqbot suggest`
    "slack_resolve_as": {"en": "Resolve as…", "zh": "解决并标注为…"},
    "slack_resolve_group_closest": {"en": "Closest entries", "zh": "最接近的条目"},
    "slack_resolve_group_other": {"en": "Not answered by the FAQ", "zh": "常见问题无法回答"},
    "slack_resolve_group_entries": {"en": "Other entries", "zh": "其他条目"},
    "slack_resolve_new_topic": {"en": "New topic (the FAQ lacks it)", "zh": "新主题(常见问题尚未涵盖)"},
    "slack_resolve_out_of_scope": {"en": "Out of scope (the FAQ should not answer)", "zh": "超出范围(常见问题不应回答)"},
    "slack_case_resolved_as": {"en": "Resolved by {agent}: {label}.", "zh": "已由 {agent} 解决:{label}。"},
    "slack_label_entry": {"en": "answered by `{entry}`", "zh": "由条目 `{entry}` 回答"},
    "slack_label_new_topic": {"en": "a new topic", "zh": "新主题"},
    "slack_label_out_of_scope": {"en": "out of scope", "zh": "超出范围"},
    "slack_case_unknown_entry": {
        "en": "There is no entry `{entry}` in the knowledge base any more; case #{case} is unchanged.",
        "zh": "知识库中已没有条目 `{entry}`;案例 #{case} 未改变。",
    },
    "slack_case_already_taken": {
        "en": "Case #{case} is already taken by {agent}.",
        "zh": "案例 #{case} 已由 {agent} 接手。",
    },
    "slack_case_already_resolved": {
        "en": "Case #{case} is already resolved.",
        "zh": "案例 #{case} 已经解决。",
    },
    "slack_case_unknown": {"en": "There is no case #{case}.", "zh": "没有案例 #{case}。"},
    "slack_case_failed": {
        "en": "Case #{case} could not be updated just now (the database is busy or unavailable). "
              "Nothing was changed; please try again in a moment.",
        "zh": "案例 #{case} 暂时无法更新(数据库繁忙或不可用)。未做任何更改,请稍后再试。",
    },
    "slack_case_held": {
        "en": "Case #{case} is taken by {agent}; only they can resolve it.",
        "zh": "案例 #{case} 已由 {agent} 接手,只有该同事可以将其解决。",
    },
    "slack_not_an_agent": {
        "en": "Sorry, only {contact} agents can take or resolve cases. Nothing was changed.",
        "zh": "抱歉,只有{contact}的客服可以接手或解决案例。未做任何更改。",
    },
    # --- Slack: buttons pressed by someone they are not for -------------------------------
    "slack_not_your_question": {
        "en": "These buttons belong to {asker}'s question. To ask your own, mention me or use /faq.",
        "zh": "这些按钮属于 {asker} 的问题。如需提问,请提及我或使用 /faq。",
    },
    "slack_button_stale": {
        "en": "Sorry, this button no longer works. Please ask your question again.",
        "zh": "抱歉,此按钮已失效,请重新提问。",
    },
})


def say_both(assistant: Assistant, key: str, first: str, **values: str) -> str:
    """Slack text ``key`` in ``first`` and then the other language: for someone whose language we do not know."""
    langs = (first, "zh" if first == "en" else "en")
    return "\n".join(dict.fromkeys(say(assistant, key, lang, **values) for lang in langs))


def say(assistant: Assistant, key: str, lang: str, **values: str) -> str:
    """Slack text ``key`` in ``lang`` (the knowledge base's override first), ``{contact}`` and ``values`` filled in."""
    return SLACK_TEXTS.text(key, lang, assistant.kb.messages, contact=assistant.contact(lang), **values)
