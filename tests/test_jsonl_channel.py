"""A third channel is one folder: the JSON-lines adapter (``bot/jsonl/``) asks, escalates, picks, gives feedback,
takes and resolves through the same desks as the console and Slack, on a real database."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.jsonl import open_front_desk, serve
from faq import Assistant, load_knowledge
from test_layout import imported, importers_of, modules

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store

KB = Path(__file__).resolve().parents[1] / "knowledge.yaml"
ENGINE = Assistant(load_knowledge(KB))
CLARIFY = "do I need to do anything about payments"  # did you mean: payment, listings
OUT_OF_SCOPE = "How do I reset my password?"


def run(store, *requests: dict) -> list[dict]:
    out = io.StringIO()
    serve([json.dumps(request, ensure_ascii=False) for request in requests], out, open_front_desk(store, lambda: ENGINE))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_ask_escalate_pick_feedback_take_and_resolve_through_the_desks(store):
    escalated, choices = run(store, {"who": "ana", "text": OUT_OF_SCOPE}, {"who": "ana", "text": CLARIFY})
    assert escalated["kind"] == "answer" and escalated["case"] == 1
    assert escalated["lines"][-1] == "Seller Support has your question as case #1."
    assert choices["kind"] == "choices" and choices["choices"][:2] == ["payment", "listings"]

    picked, = run(store, {"who": "ana", "action": "pick", "question_id": choices["question_id"], "entry_id": "listings"})
    assert picked["picked"] and picked["entry_id"] == "listings" and "No action is needed" in picked["lines"][0]
    answer, = run(store, {"who": "bo", "text": "Can I close my account?"})
    thanks, unhelpful, refused = run(
        store,
        {"who": "bo", "action": "feedback", "question_id": answer["question_id"], "entry_id": "close-account",
         "helpful": True},
        {"who": "bo", "action": "feedback", "question_id": answer["question_id"], "entry_id": "close-account",
         "helpful": False},
        {"who": "ana", "action": "none_of_these", "question_id": answer["question_id"]},
    )
    assert thanks["notice"] == "feedback_thanks" and unhelpful["case"] == 2
    assert refused == {"to": "ana", "kind": "notice", "notice": "not_your_question", "asker": "bo"}

    taken, late, resolved = run(
        store, {"who": "agent-1", "action": "take", "case": 1}, {"who": "agent-2", "action": "take", "case": 1},
        {"who": "agent-1", "action": "resolve", "case": 1, "label": "out_of_scope", "note": "phone"})
    assert taken["done"] and taken["agent"] == "agent-1"
    assert late["refusal"] == "taken_by_other" and late["agent"] == "agent-1"
    assert resolved["done"] and resolved["status"] == "resolved"

    case = store.get(1)
    assert (case.source, case.label, case.resolution) == ("jsonl", "out_of_scope", "phone")
    assert [(q.source, q.asker) for q in store.questions_since()][:2] == [("jsonl", "ana"), ("jsonl", "ana")]
    assert [(f.helpful, f.source) for f in store.feedback_since()] == [(True, "jsonl"), (False, "jsonl")]
    assert [(p.label, p.entry_id) for p in store.traffic().labelled if p.source == "pick"] == [("entry", "listings")]


def test_a_bad_line_gets_a_clear_error_and_the_channel_goes_on(store):
    answers = run(store, {"who": "ana", "case": "one", "action": "take"}, {"who": "ana", "colour": "red"},
                  {"who": "ana", "text": "7"})
    assert [a["kind"] for a in answers] == ["error", "error", "answer"]
    assert "case" in answers[0]["error"] and "colour" in answers[1]["error"]
    assert answers[2]["case"] is None and store.list() == []  # a stray number never opens a case


def test_the_channel_is_one_folder_that_only_the_desks_and_the_store_serve():
    own = {name for name in modules() if name.startswith("bot.jsonl")}
    deps = set().union(*(imported(modules()[name], everywhere=True) for name in own))
    assert {dep for dep in deps if dep.startswith("bot.") and not dep.startswith("bot.jsonl")} <= {
        "bot.desks.cases", "bot.desks.front", "bot.desks.output", "bot.desks.questions", "bot.desks.request",
        "bot.store"}
    assert importers_of("bot.jsonl") == set()  # nothing else had to change to let it in
