"""Property tests: any text at all gets a well-formed Reply, and normalize is a fixed point."""

import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faq import Assistant, Reply
from faq.normalize import detect_language, normalize

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
RARE_HAN = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
EMOJI = st.sampled_from(["😀", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳", "🎉", "❤️", "\U0001f9d1\u200d\U0001f4bb"])
INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"])
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85", "\u2028", "\u2029"])
RTL = st.sampled_from(["\u200f", "\u202e", "\u202b", "\u2067", "مرحبا", "שלום", "\u0627\u064e"])
COMBINING = st.sampled_from(["\u0301", "\u0308", "\u0323", "\u3099", "\uff9e"])
PUNCT = st.sampled_from(list("，。！？、；：「」《》（）,.!?;:'\"()-_/ \u3000\t"))
LATIN = st.sampled_from(["close", "account", "seller", "central", "paid", "ＡＢＣ", "Straße", "e", "a", "K", "ﬁ"])
KB_WORDS = st.sampled_from(["关闭", "账户", "帳戶", "登录", "卖家平台", "上門服務", "回款", "背调", "你好", "谢谢"])

MIXED = st.lists(
    st.one_of(HAN, RARE_HAN, EMOJI, INVISIBLE, CONTROL, RTL, COMBINING, PUNCT, LATIN, KB_WORDS),
    max_size=40,
).map("".join)


@pytest.fixture(scope="module")
def assistant(shipped_kb):
    return Assistant(shipped_kb)


def check_reply(reply: Reply, question: str) -> None:
    assert isinstance(reply, Reply)
    assert reply.question == question
    assert reply.action in ("answer", "clarify", "escalate")
    assert reply.lang in ("en", "zh")
    assert 0 <= reply.score <= 100
    assert isinstance(reply.text, str) and reply.text.strip()
    assert all(0 <= c.score <= 100 for c in reply.candidates)
    if reply.entry_id is not None:
        assert reply.kind in ("faq", "smalltalk", "out_of_scope")
    data = reply.to_json()
    assert data["action"] == reply.action and data["lang"] == reply.lang


@SETTINGS
@given(text=st.text())
def test_any_text_gets_a_reply(assistant, text):
    check_reply(assistant.reply(text), text)


@SETTINGS
@given(text=MIXED)
@example(text="\ud800close account\udfff")  # lone surrogates
@example(text="\u202e\u200b\x00")
def test_mixed_scripts_get_a_reply(assistant, text):
    check_reply(assistant.reply(text), text)


@SETTINGS
@given(text=MIXED, lang=st.sampled_from(["en", "zh"]))
def test_forced_language_is_respected(assistant, text, lang):
    reply = assistant.reply(text, lang=lang)
    check_reply(reply, text)
    assert reply.lang == lang


@SETTINGS
@given(text=st.text() | MIXED)
def test_detect_language_is_en_or_zh(text):
    assert detect_language(text) in ("en", "zh")


@SETTINGS
@given(text=st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@SETTINGS
@given(text=MIXED)
@example(text="e\u200b\u0301")  # zero-width between a letter and its combining accent
@example(text="ｶ\u200bﾞ")  # same, with a half-width katakana voicing mark
def test_normalize_is_idempotent_on_mixed_scripts(text):
    once = normalize(text)
    assert normalize(once) == once


@SETTINGS
@given(text=st.text() | MIXED)
@example(text="T\u0308")  # folds to "t" + combining diaeresis, which NFKC composes into one letter, U+1E97
def test_normalize_output_is_clean(text):
    result = normalize(text)
    assert result == result.strip()
    assert "  " not in result
    # case-folded, up to composition: folding U+1E97 decomposes it again
    assert result == unicodedata.normalize("NFKC", result.casefold())
    result.encode("utf-8")
