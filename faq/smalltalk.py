"""Built-in small talk: "hi", "thanks", "bye" and "help" in English and Chinese, for knowledge bases without their own.

Without it a new knowledge base escalates a greeting (and in Slack opens a
case for it). The replies are the knowledge base's ``messages`` (``greeting``,
``thanks``, ``goodbye``, ``help``), so an author words them without writing
entries; a knowledge base with any ``kind: smalltalk`` entry answers small
talk itself and this list is not used. Only a whole message matches (after
normalization, punctuation ignored): "hi, can I close my account?" is a question.
"""

from __future__ import annotations

from faq.normalize import normalize

#: message key -> the whole messages that mean it (normalized: lower case, no punctuation).
PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "hi", "hello", "hey", "hi there", "hello there", "hey there", "good morning", "good afternoon",
        "good evening", "你好", "您好", "嗨", "哈喽", "早上好", "下午好", "晚上好", "在吗", "你好啊",
    ),
    "thanks": (
        "thanks", "thank you", "thx", "ty", "thanks a lot", "thank you very much", "many thanks", "thanks so much",
        "谢谢", "多谢", "谢谢你", "谢谢您", "感谢", "非常感谢", "谢了",
    ),
    "goodbye": ("bye", "goodbye", "bye bye", "see you", "see you later", "再见", "拜拜", "回头见"),
    "help": ("help", "help me", "what can you do", "帮助", "帮忙", "你能做什么", "你可以做什么", "怎么用"),
}

_BY_PHRASE = {phrase: key for key, phrases in PHRASES.items() for phrase in phrases}


def builtin_smalltalk(text: str) -> str | None:
    """The message key (``greeting``, ``thanks``, ``goodbye``, ``help``) when ``text`` is only small talk, else None."""
    if len(text) > 40:
        return None
    return _BY_PHRASE.get(" ".join(normalize(text).split()))
