"""Text normalization, language detection, synonyms and index terms."""

import pytest

from faq.normalize import MAX_MATCH_CHARS, detect_language, has_han, is_noise, normalize
from faq.synonyms import SynonymMap
from faq.terms import text_terms

# ---------------------------------------------------------------- normalize


def test_full_width_becomes_half_width():
    assert normalize("ＡＢＣ１２３") == "abc123"


def test_full_width_question_matches_its_ascii_form():
    assert normalize("ＣＡＮ Ｉ ＣＬＯＳＥ ＭＹ ＡＣＣＯＵＮＴ？") == "can i close my account"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello WORLD", "hello world"),
        ("Seller Central", "seller central"),
        ("STRASSE Straße", "strasse strasse"),  # casefold, not just lower()
        ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
    ],
)
def test_case_is_folded(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello, world! (test)", "hello world test"),
        ("what's up?", "what s up"),
        ("a-b_c/d", "a b c d"),
        ("你好，世界！", "你好 世界"),
        ("「上门服务」怎么了？", "上门服务 怎么了"),
        ("一、二。三；四：五《六》", "一 二 三 四 五 六"),
    ],
)
def test_ascii_and_cjk_punctuation_become_spaces(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_inside_a_word_are_removed(invisible):
    assert normalize(f"clo{invisible}se my acc{invisible}ount") == "close my account"


def test_zero_width_before_a_combining_mark_gives_the_composed_form():
    # what the reader sees is "café" either way, so both must normalize alike
    assert normalize("cafe\u200b\u0301") == normalize("café") == "café"


def test_zero_width_inside_chinese_is_removed():
    assert normalize("关\u200b闭账\u200d户") == "关闭账户"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\r\n", "\x0b", "\x0c"])
def test_control_characters_separate_words(control):
    assert normalize(f"close{control}account") == "close account"


def test_whitespace_is_collapsed_and_stripped():
    assert normalize("  close \t\n  my\u3000\u00a0account  ") == "close my account"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("關閉帳戶", "关闭账户"),
        ("我還能登錄賣家平台嗎", "我还能登录卖家平台吗"),
        ("上門服務怎麼了", "上门服务怎么了"),
        ("背景調查", "背景调查"),
    ],
)
def test_traditional_becomes_simplified(traditional, simplified):
    assert normalize(traditional) == simplified


def test_variant_zhang_is_unified():
    # 帐户 and 账户 are used interchangeably by sellers
    assert normalize("帐户") == normalize("账户") == "账户"


def test_simplified_is_left_alone():
    assert normalize("我想关闭账户") == "我想关闭账户"


@pytest.mark.parametrize(
    "text",
    [
        "😀🎉👍🏽",
        "👨‍👩‍👧‍👦 family",
        "مرحبا بالعالم",
        "\u202eclose account\u202c",
        "\u200fשלום\u200e",
        "🇨🇳🇺🇸",
        "\ud800 lone surrogate \udfff",
        "\U000e0001\U000e0041",  # tag characters
        "\ue000\U000f0000",  # private use
    ],
)
def test_emoji_rtl_and_odd_code_points_do_not_crash(text):
    result = normalize(text)
    assert isinstance(result, str)
    assert result == result.strip()
    assert "  " not in result
    result.encode("utf-8")  # no lone surrogates survive


def test_rtl_text_is_kept():
    assert normalize("مرحبا") == "مرحبا"


def test_emoji_alone_normalizes_to_empty():
    assert normalize("😀👍") == ""


def test_bidi_override_marks_are_removed():
    assert normalize("\u202eclose\u202c account") == "close account"


def test_empty_and_blank():
    assert normalize("") == ""
    assert normalize(" \t\n ") == ""


def test_very_long_text_is_truncated():
    result = normalize("close account " * 10_000)
    assert len(result) <= MAX_MATCH_CHARS
    assert result.startswith("close account close")


def test_has_han():
    assert has_han("seller central 还能登录吗")
    assert has_han("關")
    assert not has_han("seller central")
    assert not has_han("")
    assert not has_han("こんにちは")  # kana are not Han


# Extension A, the basic block's ends, a compatibility ideograph, Extension B; then a hexagram symbol
# (between Extension A and the basic block), kana and Latin, which are not Han.
HAN_SAMPLES = ["\u3400", "\u4e00", "\u9fff", "\uf900", "\U00020021"]
NOT_HAN_SAMPLES = ["\u4dc0", "か", "a"]


@pytest.mark.parametrize("char", HAN_SAMPLES + NOT_HAN_SAMPLES)
def test_one_definition_of_a_han_character_everywhere(char):
    from faq.prepared import spaced
    from faq.terms import han_runs, words

    han = has_han(char)
    assert han == (char in HAN_SAMPLES)
    assert spaced(f"x{char}y") == ("x " + char + " y" if han else f"x{char}y")
    assert han_runs(f"a{char}") == ([char] if han else [])
    assert (char in "".join(words(char))) == (not han and char.isalpha())


# ---------------------------------------------------------------- detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("seller central 还能登录吗", "zh"),
        ("Can I close my account?", "en"),
        ("how do I say 你好 in French", "en"),
        ("", "en"),
        ("   ", "en"),
        ("我想关闭账户", "zh"),
        ("我想關閉帳戶", "zh"),
        ("上门服务怎么了？", "zh"),
        ("listing还能编辑吗", "zh"),
        ("12345", "en"),
        ("😀", "en"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


# ---------------------------------------------------------------- SynonymMap


@pytest.fixture(scope="module")
def synonyms():
    return SynonymMap(
        [
            ["close", "delete", "deactivate"],
            ["关闭", "注销", "关掉"],
            ["seller central", "卖家平台"],
            ["account", "账户"],
        ]
    )


def test_synonyms_count_every_word_but_the_canonical_one(synonyms):
    assert len(synonyms) == 6
    assert len(SynonymMap([])) == 0


def test_latin_synonym_is_replaced_as_a_whole_word(synonyms):
    assert synonyms.apply("delete my account").split() == ["close", "my", "account"]
    assert synonyms.apply("please deactivate").split() == ["please", "close"]


@pytest.mark.parametrize("text", ["undelete my files", "deleted", "deletes", "redeactivate"])
def test_latin_synonym_does_not_touch_parts_of_words(synonyms, text):
    assert synonyms.apply(text) == text


def test_chinese_synonym_is_replaced_inside_a_run(synonyms):
    result = synonyms.apply("我想注销账户")
    assert "注销" not in result
    assert "关闭" in result
    assert result.replace(" ", "").startswith("我想关闭")


def test_multi_word_synonym_group(synonyms):
    assert synonyms.apply("卖家平台还能登录吗").replace(" ", "") == "sellercentral还能登录吗"


def test_canonical_word_is_unchanged(synonyms):
    assert synonyms.apply("close my account") == "close my account"


def test_empty_synonym_map_is_identity():
    assert SynonymMap([]).apply("delete my account") == "delete my account"


def test_synonym_words_are_normalized():
    mapping = SynonymMap([["Close", "ＤＥＬＥＴＥ", "關閉"]])
    assert mapping.apply("delete").split() == ["close"]
    assert mapping.apply("关闭").split() == ["close"]


# ---------------------------------------------------------------- terms


def test_english_terms_are_stemmed_with_pairs():
    terms = dict(text_terms("closing accounts"))
    assert terms["w:close"] == 1.0
    assert terms["w:account"] == 1.0
    assert "p:close_account" in terms


def test_english_function_words_weigh_less():
    terms = dict(text_terms("how do i close"))
    assert terms["w:close"] == 1.0
    assert terms["w:how"] < terms["w:close"]


def test_chinese_terms_are_characters_and_bigrams():
    terms = [term for term, _ in text_terms("关闭账户")]
    assert terms == ["h:关", "h:闭", "h:账", "h:户", "b:关闭", "b:闭账", "b:账户"]


def test_chinese_function_characters_weigh_less():
    terms = dict(text_terms("关闭吗"))
    assert terms["h:吗"] < terms["h:关"]


def test_mixed_text_terms():
    names = {term for term, _ in text_terms("seller central 还能登录吗")}
    assert {"w:seller", "w:central", "h:登", "b:登录"} <= names


def test_no_terms_for_empty_text():
    assert text_terms("") == []


@pytest.mark.parametrize("text", ["0", "5", " ??? ", "12 34", "a", "钱", "！！", "🙂", "", "\u200b"])
def test_lines_without_letters_or_of_one_character_are_noise(text):
    assert is_noise(text)


@pytest.mark.parametrize("text", ["ok", "账户", "account", "fees?", "关闭帐户", "x y"])
def test_words_are_not_noise(text):
    assert not is_noise(text)
