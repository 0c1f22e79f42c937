"""Turn normalized text into the weighted terms the lexical index matches on.

English words are stemmed (Snowball) so "closing" meets "close"; Chinese is
written without spaces, so each Han character and each pair of neighbouring
characters is a term. Function words ("can I", "how do I", "我", "吗") are kept
but weighted down a little: they are boilerplate in many questions, yet in short
English questions they also carry intent ("what is my ..." vs "how do I ..."),
and inverse document frequency already discounts the ones every entry uses.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from faq.normalize import HAN_RUN, normalize

_WORD_RE = re.compile(r"[^\W_]+")

#: How much an English function word counts next to a content word.
FUNCTION_WORD_WEIGHT = 0.8
#: How much a Chinese function character (or a pair of them) counts next to a content character.
FUNCTION_CHAR_WEIGHT = 0.5

EN_FUNCTION_WORDS = frozenset(
    """a an the i me my mine we us our you your he she it its they them their this that these those
    is am are was were be been being do does did doing have has had having can could will would shall
    should may might must to of in on at by for with from as about into over than then so if or and
    but not no yes please what which who whom whose when where why how there here any some all just
    also still still get got tell know want need let s t don isn aren can't""".split()
)
ZH_FUNCTION_CHARS = frozenset("我你您他她它们的了吗呢吧啊呀么是在有和与及或也都就还要会能可以请问这那个些怎样什哪如何为")


#: Prefixes of terms made of two neighbouring words or characters (see ``word_terms``, ``han_terms``).
COMPOUND_PREFIXES = ("p:", "b:")


def is_compound(term: str) -> bool:
    """Whether ``term`` pairs two words or characters (a new pair of known words is not a new topic)."""
    return term.startswith(COMPOUND_PREFIXES)


_local = threading.local()


def _stemmer():
    """This thread's stemmer: PyStemmer objects must not be called from two threads at once (its own docs)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one lower-case English word (cached: words repeat a lot)."""
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """The non-Han words of normalized ``text`` (Latin and other scripts, digits)."""
    return _WORD_RE.findall(HAN_RUN.sub(" ", text))


def han_runs(text: str) -> list[str]:
    """The runs of consecutive Han characters in ``text``."""
    return HAN_RUN.findall(text)


@lru_cache(maxsize=65536)
def _word_term(token: str) -> tuple[str, float, bool]:
    """The stem of ``token``, its weight and whether it is a content word (cached)."""
    content = token not in EN_FUNCTION_WORDS
    return stem(token), 1.0 if content else FUNCTION_WORD_WEIGHT, content


def word_terms(tokens: list[str]) -> list[tuple[str, float]]:
    """Stemmed word unigrams and neighbouring-pair bigrams, function words weighted down."""
    looked_up = [_word_term(token) for token in tokens]
    terms = [("w:" + s, weight) for s, weight, _ in looked_up]
    content = [s for s, _, is_content in looked_up if is_content]
    terms.extend(("p:" + a + "_" + b, 0.5) for a, b in zip(content, content[1:]))
    return terms


def han_terms(runs: list[str]) -> list[tuple[str, float]]:
    """Han characters and character bigrams; function characters weighted down."""
    terms: list[tuple[str, float]] = []
    for run in runs:
        for char in run:
            terms.append(("h:" + char, FUNCTION_CHAR_WEIGHT if char in ZH_FUNCTION_CHARS else 1.0))
        for a, b in zip(run, run[1:]):
            weight = FUNCTION_CHAR_WEIGHT if a in ZH_FUNCTION_CHARS and b in ZH_FUNCTION_CHARS else 1.0
            terms.append(("b:" + a + b, weight))
    return terms


def text_terms(text: str) -> list[tuple[str, float]]:
    """All weighted terms of one normalized text (repeats kept: they count as term frequency)."""
    if text.isascii():
        return word_terms(_WORD_RE.findall(text))
    return word_terms(words(text)) + han_terms(han_runs(text))


#: A question naming at most this many things (content units) may have too little to go on ("account", "帐号").
TOO_LITTLE_CONTENT = 1
#: ... when it also has at most this many function units around it ("my account" yes, "who should I message" no):
#: 2 rather than 1 stopped 2 (SMP2017 K=5) and 1 (K=20) out-of-scope answers and cost 5-6 right ones (CLINC150).
TOO_LITTLE_FRAME = 2


def units(text: str) -> tuple[float, float]:
    """How much a normalized question says: (content units, function units).

    English words count one each; a Chinese word is about two characters, so
    Chinese characters count half ("帐号" is one unit like "account"). Function
    words and characters ("how do I", "我", "吗") are the frame around the content.
    """
    content = function = 0.0
    for word in words(text):
        if word in EN_FUNCTION_WORDS:
            function += 1
        else:
            content += 1
    for run in han_runs(text):
        for char in run:
            if char in ZH_FUNCTION_CHARS:
                function += 0.5
            else:
                content += 0.5
    return content, function


def too_little(question: str) -> bool:
    """Whether ``question`` names one thing with hardly a frame around it ("account", "我的帐号", "services"):
    too little to answer outright. "who should I message" (one thing, a question around it) is enough."""
    content, function = units(normalize(question))
    return content <= TOO_LITTLE_CONTENT and function <= TOO_LITTLE_FRAME


def bare(question: str) -> bool:
    """Whether ``question`` is a bare word or two with no question around it ("account", "服务"): escalating it
    would hand Seller Support nothing to act on, so its asker is asked to say more instead."""
    content, function = units(normalize(question))
    return content <= TOO_LITTLE_CONTENT and function == 0


def content_terms(prepared: str) -> frozenset[str]:
    """The content words (stemmed) and content characters of a prepared text: what it asks about."""
    found = {"w:" + stem(word) for word in words(prepared) if word not in EN_FUNCTION_WORDS}
    found.update("h:" + char for run in han_runs(prepared) for char in run if char not in ZH_FUNCTION_CHARS)
    return frozenset(found)


def term_units(terms: frozenset[str]) -> float:
    """Content units of ``content_terms``: an English word counts 1, a Chinese character 0.5."""
    return sum(0.5 if term.startswith("h:") else 1.0 for term in terms)
