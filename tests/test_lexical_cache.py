"""The lexical index kept on disk: read back for the same knowledge base, built again for an edited or damaged one."""

import textwrap
from dataclasses import replace

import pytest

from faq import Assistant, parse_knowledge
from faq.lexical_cache import FOLDER, cached_retriever, index_key
from faq.prepared import PreparedTexts
from faq.retriever import Tuning

KB = """\
    version: 1
    entries:
      - id: opening-hours
        question: {en: "When do you open?", zh: "你们几点开门?"}
        alternates: {en: ["opening hours", "are you open on sundays"], zh: ["营业时间是什么时候"]}
        answer: {en: "Nine to six.", zh: "九点到六点。"}
      - id: delivery
        question: {en: "How long does delivery take?"}
        alternates: {en: ["when will my parcel arrive", "shipping time"]}
        answer: {en: "Three to five days."}
    """
QUESTIONS = ["when do you open", "营业时间", "my parcel", "shiping time", "nothing like it"]


@pytest.fixture
def kb():
    return parse_knowledge(textwrap.dedent(KB))


def replies(assistant: Assistant) -> list[tuple[str, str | None]]:
    return [(reply.action, reply.entry_id) for reply in map(assistant.reply, QUESTIONS)]


def test_the_same_knowledge_base_reads_its_index_back(kb, tmp_path):
    built = Assistant(kb, encoder=None, cache_dir=tmp_path)
    (saved,) = (tmp_path / FOLDER).iterdir()
    before = saved.stat()
    again = Assistant(kb, encoder=None, cache_dir=tmp_path)
    assert replies(again) == replies(built) == replies(Assistant(kb, encoder=None, cache_dir=None))
    after = saved.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # read, not written again


def test_an_edited_phrasing_builds_a_new_index(kb, tmp_path):
    Assistant(kb, encoder=None, cache_dir=tmp_path)
    delivery = kb.entries[1]
    edited = replace(kb, entries=(kb.entries[0], replace(delivery, alternates={"en": (*delivery.alternates["en"], "courier status")})))
    assert Assistant(edited, encoder=None, cache_dir=tmp_path).reply("courier status").entry_id == "delivery"
    assert len(list((tmp_path / FOLDER).iterdir())) == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_index_file_is_built_again(kb, tmp_path, damage):
    expected = replies(Assistant(kb, encoder=None, cache_dir=None))
    Assistant(kb, encoder=None, cache_dir=tmp_path)
    (saved,) = (tmp_path / FOLDER).iterdir()
    saved.write_bytes(saved.read_bytes()[:100] if damage is None else damage)
    assert replies(Assistant(kb, encoder=None, cache_dir=tmp_path)) == expected
    assert cached_retriever(kb, None, tmp_path).phrasings  # the file was written whole again


def test_copies_and_no_cache_directory_write_nothing(kb, tmp_path):
    Assistant(kb, encoder=None, cache_dir=tmp_path, prepared=PreparedTexts(kb.synonyms))
    assert not (tmp_path / FOLDER).exists()


def test_the_key_follows_what_the_index_depends_on(kb):
    assert index_key(kb, Tuning()) == index_key(parse_knowledge(textwrap.dedent(KB)), Tuning())
    assert index_key(kb, Tuning()) != index_key(kb, replace(Tuning(), smoothing=Tuning().smoothing + 1))
    assert index_key(kb, Tuning()) != index_key(replace(kb, synonyms=(("parcel", "package"),)), Tuning())
