"""Block Kit rendering for the Slack adapter: escaping, Slack markup, size limits, the messages.

Pure functions from a ``Reply`` (or an ``Escalation``) to ``(fallback_text, blocks)``;
nothing here talks to Slack. Two rules hold for every message built here:

- Text that came from a person (a question) or from the knowledge base is
  escaped (``&``, ``<``, ``>``) and sent in ``verbatim`` mrkdwn objects, so a
  question containing ``<!channel>`` or ``<@U123>`` is shown, never obeyed.
  Our own mentions (the asker in the support channel) are built from ids that
  match Slack's id pattern.
- Slack's size limits are respected by splitting or shortening: section text
  3,000 characters, 50 blocks per message, button text 75, button value 2,000,
  25 elements per actions block, 10 elements per context block, 10 fields.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from bot.slack.resolve_menu import render_resolve_menu
from bot.slack.texts import say
from bot.slack.values import (  # noqa: F401 (part of the rendering API)
    BUTTON_VALUE_MAX,
    ELLIPSIS,
    Ref,
    case_value,
    decode_case_value,
    shorten,
    slack_length,
)
from faq import Assistant, Reply
from faq.script import in_script

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
MAX_BLOCKS = 50
BUTTON_TEXT_MAX = 75
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
FALLBACK_TEXT_MAX = 3000  # Slack accepts 40,000 but truncates notifications long before
QUESTION_SHOWN_MAX = 2800  # the question in the support channel card; the full text is in the database

# action ids (the listeners in bot.slack.app match on these)
HELPFUL = "faq_helpful"
NOT_HELPFUL = "faq_not_helpful"
SHARE = "faq_share"
CHOOSE_PREFIX = "faq_choose:"
CHOOSE_PATTERN = re.compile(r"^faq_choose:\d+$")
NONE_OF_THESE = "faq_none"
TAKE = "case_take"
RESOLVE = "case_resolve"

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,}$")
_MARKUP = re.compile(r"<([^<>\n]*)>")


# --- text -------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, as Slack requires for literal text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_to_plain(text: str, bot_user_id: str | None = None) -> str:
    """A message's Slack markup as the plain text a person typed, for the engine.

    ``<@BOT>`` (our own mention) disappears; ``<@U1|ana>`` becomes ``@ana``,
    ``<#C1|general>`` ``#general``, ``<!channel>`` ``@channel``, ``<url|label>``
    ``label``; ``&lt;``, ``&gt;`` and ``&amp;`` are unescaped.
    """

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return ""
            return label if label.startswith("@") else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            if label:
                return label
            return "@" + target[1:].split("^", 1)[0]
        return label or target

    converted = _MARKUP.sub(plain, text)
    converted = converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return converted.strip()


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Escaped ``text`` in pieces of at most ``limit`` characters, cut at line breaks or spaces when possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 6), cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def user_mention(user_id: str | None) -> str:
    """``<@U123>`` for a real user id, else the escaped text (or ``?``)."""
    if user_id and _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return escape(user_id or "?")


def channel_mention(channel_id: str | None) -> str:
    """``<#C123>`` for a real channel id, else the escaped text."""
    if channel_id and _CHANNEL_ID.match(channel_id):
        return f"<#{channel_id}>"
    return escape(channel_id or "?")


# --- blocks -----------------------------------------------------------------------------------


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object that Slack does not pre-process (no automatic mentions or links)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def link_line(link: str) -> str:
    """One of an entry's ``links`` as a bullet: a clickable Slack link for http(s) URLs, else literal text."""
    if link.startswith(("https://", "http://")) and not any(char in link for char in "<>|"):
        return f"• <{link.replace('&', '&amp;')}>"
    return f"• {escape(link)}"


def sections(text: str) -> list[dict[str, Any]]:
    """Escaped ``text`` as one or more section blocks of at most 3,000 characters each."""
    return [{"type": "section", "text": mrkdwn(piece)} for piece in split_text(text)]


def context(*texts: str) -> dict[str, Any]:
    """A context block (small grey text) with at most ten elements."""
    return {
        "type": "context",
        "elements": [mrkdwn(shorten(text, SECTION_TEXT_MAX)) for text in texts[:CONTEXT_ELEMENTS_MAX]],
    }


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button; the label is shortened to 75 characters and the value must fit in 2,000."""
    if len(value) > BUTTON_VALUE_MAX:
        raise ValueError(f"button value of {len(value)} characters exceeds {BUTTON_VALUE_MAX}")
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": shorten(label, BUTTON_TEXT_MAX) or "?", "emoji": True},
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: Iterable[dict[str, Any]], block_id: str | None = None) -> dict[str, Any]:
    """An actions block with at most 25 elements."""
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)[:ACTIONS_ELEMENTS_MAX]}
    if block_id:
        block["block_id"] = block_id
    return block


def fit(content: list[dict[str, Any]], tail: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """``content`` then ``tail`` in at most 50 blocks: ``content`` is cut (and marked) if need be, ``tail`` kept."""
    room = MAX_BLOCKS - len(tail)
    if len(content) > room:
        content = content[: max(room - 1, 0)] + [context(ELLIPSIS)]
    return content + list(tail)


def fallback(text: str) -> str:
    """The plain-text fallback (notifications, screen readers): escaped and shortened."""
    return shorten(escape(text), FALLBACK_TEXT_MAX)


# --- what sellers see -------------------------------------------------------------------------

Rendered = tuple[str, list[dict[str, Any]]]


def render_text(text: str) -> Rendered:
    """A plain message (escalation notice, prompt, error): escaped sections and the same fallback."""
    return fallback(text), fit(sections(escape(text)))


def render_answer(
    assistant: Assistant,
    answer: str,
    lang: str,
    ref: Ref,
    *,
    entry_id: str | None,
    share: bool = False,
    done: str | None = None,
    notice: str | None = None,
) -> Rendered:
    """An answer (with the entry's links) and the feedback buttons.

    ``share`` adds "Share in channel" (``/faq`` answers, seen only by the asker).
    ``done`` replaces the buttons with that note (after feedback was given);
    ``notice`` replaces them with that text below the answer (after "Not
    helpful": the case notice). Entry ids and scores are for agents, never shown here.
    """
    content = sections(escape(answer))
    entry = assistant.kb.entry(entry_id) if entry_id else None
    if entry is not None and entry.links:
        content += sections("\n".join(link_line(link) for link in entry.links))
    if notice:
        return fallback(f"{answer}\n{notice}"), fit(content, sections(escape(notice)))
    tail = [context(escape(done))] if done else []
    if not done:
        value = ref.encode()
        buttons = [
            button(say(assistant, "slack_helpful", lang), HELPFUL, value, style="primary"),
            button(say(assistant, "slack_not_helpful", lang), NOT_HELPFUL, value),
        ]
        if share:
            buttons.append(button(say(assistant, "slack_share", lang), SHARE, value))
        tail.append(actions(buttons, block_id="faq_feedback"))
    return fallback(answer), fit(content, tail)


def render_reply_answer(assistant: Assistant, reply: Reply, ref: Ref, *, share: bool = False) -> Rendered:
    """:func:`render_answer` for a ``Reply`` whose action is ``answer``."""
    return render_answer(
        assistant, reply.answer or reply.text, reply.lang, ref.with_entry(reply.entry_id, reply.score),
        entry_id=reply.entry_id, share=share,
    )


def render_clarify(assistant: Assistant, reply: Reply, ref: Ref) -> Rendered:
    """"Did you mean": the prompt, one button per candidate (its question in the asker's language), "None of these"."""
    lang = reply.lang
    buttons = []
    for number, candidate in enumerate(reply.candidates[: ACTIONS_ELEMENTS_MAX - 1]):
        entry = assistant.kb.entry(candidate.entry_id)
        if entry is None:
            continue
        label = in_script(entry.text_in(entry.question, lang) or "", reply.script) or entry.id
        buttons.append(button(label, f"{CHOOSE_PREFIX}{number}", ref.with_entry(entry.id, candidate.score).encode()))
    buttons.append(button(assistant.text("none_of_these", lang, script=reply.script), NONE_OF_THESE,
                          ref.with_entry(None).encode()))
    prompt = assistant.text("clarify", lang, script=reply.script)
    return fallback(reply.text), fit(sections(escape(prompt)), [actions(buttons, block_id="faq_clarify")])


def render_shared(assistant: Assistant, lang: str, user: str, question: str | None, answer: str) -> Rendered:
    """A ``/faq`` answer shared in the channel: who asked what, then the answer (no buttons)."""
    content = []
    if question:
        asked = say(assistant, "slack_shared", lang, user=user_mention(user), question=escape(question))
        content += sections(shorten(asked, SECTION_TEXT_MAX))
    content += sections(escape(answer))
    text = f"{question}\n{answer}" if question else answer
    return fallback(text), fit(content)


# --- what Seller Support sees -----------------------------------------------------------------


def render_case(assistant: Assistant, case: Any, permalink: str | None, lang: str = "en") -> Rendered:
    """The support channel's card for an ``Escalation``.

    Question (quoted, shortened), asker, language, where it was asked, the closest
    entries, a link to the seller's message, the status, and Take / Resolve.
    """

    def t(name: str, **values: str) -> str:
        return say(assistant, name, lang, **values)

    title = t("slack_case_title", case=str(case.case))
    question = shorten(escape(case.question), QUESTION_SHOWN_MAX)
    quoted = ">" + question.replace("\n", "\n>")
    content: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(shorten(f"*{escape(title)}*\n{quoted}", SECTION_TEXT_MAX))}
    ]
    if case.channel and case.channel.startswith("D"):
        where = t("slack_case_where_dm")
    elif case.channel and not case.message_id:
        where = t("slack_case_where_command", channel=channel_mention(case.channel))
    else:
        where = channel_mention(case.channel) if case.channel else "-"
    language = f"{case.lang} ({LANGUAGE_NAMES[case.lang]})" if case.lang in LANGUAGE_NAMES else escape(case.lang)
    fields = [
        f"*{t('slack_case_asker')}*\n{user_mention(case.asker)}",
        f"*{t('slack_case_language')}*\n{language}",
        f"*{t('slack_case_where')}*\n{where}",
    ]
    content.append({"type": "section", "fields": [mrkdwn(shorten(f, FIELD_TEXT_MAX)) for f in fields[:FIELDS_MAX]]})
    candidates = " · ".join(f"`{escape(c.entry_id)}` {c.score:.0f}" for c in case.candidates[:5])
    content.append(context(f"{t('slack_case_candidates')}: {candidates or t('slack_case_no_candidates')}"))
    if permalink:
        content.append({"type": "section", "text": mrkdwn(f"<{escape(permalink)}|{t('slack_case_link')}>")})
    if case.status == "resolved" and getattr(case, "label", None):
        label = t(f"slack_label_{case.label}", entry=escape(getattr(case, "label_entry_id", None) or "?"))
        status = t("slack_case_resolved_as", agent=user_mention(case.agent), label=label)
    elif case.status == "resolved":
        status = t("slack_case_resolved", agent=user_mention(case.agent))
    elif case.status == "taken":
        status = t("slack_case_taken", agent=user_mention(case.agent))
    else:
        status = t("slack_case_open")
    tail = [context(status)]
    value = case_value(case.case, permalink)
    buttons = []
    if case.status == "open":
        buttons.append(button(t("slack_take"), TAKE, value, style="primary"))
    if case.status in ("open", "taken"):
        buttons.append(button(t("slack_resolve"), RESOLVE, value))
    if buttons:
        tail.append(actions(buttons, block_id="case_actions"))
        tail.append(render_resolve_menu(assistant, case, permalink, lang))
    text = f"{title}: {case.question}"
    return fallback(text), fit(content, tail)


def render_case_plain(assistant: Assistant, case: Any, error: str, lang: str = "en") -> str:
    """The case as one plain-text message (no blocks), for a card Slack refused: within every limit Slack counts."""
    title = say(assistant, "slack_case_title", lang, case=str(case.case))
    note = say(assistant, "slack_case_plain", lang, case=str(case.case), error=escape(error))
    asker = user_mention(case.asker) if case.asker else "-"
    head = f"*{escape(title)}* · {asker} · {escape(case.lang)}\n{note}\n"
    room = FALLBACK_TEXT_MAX - slack_length(head)
    return head + shorten(">" + escape(case.question).replace("\n", "\n>"), room)
