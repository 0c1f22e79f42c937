"""Synthetic question logs for benchmarks and the report screenshot: deterministic, from any knowledge base.

Questions are the KB's own phrasings reworded (a word dropped, a typo, case and
punctuation changed) plus off-topic questions built from a small grammar, spread over
``days`` days; some are labelled by "agents" and "sellers", some answers get votes.
Outcomes are drawn, not computed, so building 100,000 records takes a second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from faq.model import KnowledgeBase

from bot.learning.model import Asked, CaseRecord, Labelled, Traffic, Vote

_OFF_TOPIC_EN = (
    ["how do I", "how can I", "where do I", "can I", "is it possible to"],
    ["set up", "change", "cancel", "pay for", "get a refund for", "report"],
    ["sponsored ads", "shipping fees", "my bank account", "a coupon", "FBA storage", "a product review", "my tax form"],
)
_OFF_TOPIC_ZH = (
    ["怎么", "如何", "能不能", "在哪里"],
    ["设置", "修改", "取消", "申请"],
    ["广告", "运费", "银行账户", "优惠券", "仓储费", "商品评论", "税表"],
)


def _reword(text: str, rnd: random.Random) -> str:
    words = text.split()
    roll = rnd.random()
    if roll < 0.3 and len(words) > 3:
        del words[rnd.randrange(len(words))]
    elif roll < 0.55:
        word = rnd.randrange(len(words))
        if len(words[word]) > 4:
            chars = list(words[word])
            at = rnd.randrange(len(chars) - 1)
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
            words[word] = "".join(chars)
    text = " ".join(words)
    return text.lower() if rnd.random() < 0.5 else text + rnd.choice(["", "?", " please", "??"])


def _off_topic(lang: str, rnd: random.Random) -> tuple[str, int]:
    """An off-topic question and the number of its topic (even topics are out of scope, odd ones new topics)."""
    asks, verbs, topics = _OFF_TOPIC_ZH if lang == "zh" else _OFF_TOPIC_EN
    joiner = "" if lang == "zh" else " "
    topic = rnd.randrange(len(topics))
    text = joiner.join([rnd.choice(asks), rnd.choice(verbs), topics[topic]])
    return text + ("?" if rnd.random() < 0.3 else ""), topic


def synthetic_traffic(kb: KnowledgeBase, n: int = 100_000, days: int = 28, seed: int = 7,
                      start: datetime | None = None) -> tuple[Traffic, list[CaseRecord]]:
    """``n`` logged questions over ``days`` days, with labels, votes and escalation cases."""
    rnd = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=timezone.utc)
    phrasings = [(entry.id, lang, text) for entry in kb.entries if entry.kind == "faq" for lang, text in entry.phrasings()]
    asked: list[Asked] = []
    labelled: list[Labelled] = []
    votes: list[Vote] = []
    cases: list[CaseRecord] = []
    for i in range(n):
        at = start + timedelta(seconds=rnd.randrange(days * 86400))
        if rnd.random() < 0.75:
            entry_id, lang, text = rnd.choice(phrasings)
            question = _reword(text, rnd) if lang == "en" else text + rnd.choice(["", "?", "呀", "啊"])
            outcome = rnd.choices(["answer", "clarify", "escalate"], [0.8, 0.12, 0.08])[0]
            asked.append(Asked(question, lang, at, outcome, entry_id))
            if outcome == "answer" and rnd.random() < 0.1:
                liked = 0.5 if entry_id == phrasings[0][0] else 0.85  # one entry's answer disappoints
                votes.append(Vote(question, lang, at, entry_id, rnd.random() < liked))
            elif outcome != "answer" and rnd.random() < 0.5:
                labelled.append(Labelled(question, lang, at, "entry", entry_id, "pick" if outcome == "clarify" else "resolve"))
        else:
            lang = "zh" if rnd.random() < 0.4 else "en"
            question, topic = _off_topic(lang, rnd)
            outcome = rnd.choices(["escalate", "clarify"], [0.85, 0.15])[0]
            asked.append(Asked(question, lang, at, outcome, None))
            if rnd.random() < 0.3:
                labelled.append(Labelled(question, lang, at, "new_topic" if topic % 2 else "out_of_scope"))
        if asked[-1].outcome == "escalate":
            resolved = at + timedelta(minutes=rnd.randrange(10, 3000)) if rnd.random() < 0.85 else None
            cases.append(CaseRecord(at, resolved, asked[-1].lang))
    return Traffic(asked, labelled, votes), cases
