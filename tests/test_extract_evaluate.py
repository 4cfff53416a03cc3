"""Tests of extract/evaluate.py: the same figures and text as the project's reference scorer.

The expected outputs in data/eval_cases.jsonl were printed by ``../shared/eval/score.py``
(see data/make_eval_cases.py); the tests do not need that script.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from policykg.extract.errors import InputError
from policykg.extract.evaluate import (
    LENIENT,
    PRF,
    STRICT,
    Annotations,
    Evaluation,
    evaluate,
    evaluation_to_json,
    format_report,
    load_annotations,
    match,
    read_annotations,
    score,
)
from policykg.extract.normalize import normalize_label

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
SEED_GOLD = ROOT / "seeds" / "000_e07ead4074b87c09.json"


def _doc(value: Any) -> dict[str, Any]:
    """A case's gold or pred: inline, or a path relative to the repository root."""
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads((ROOT / value).read_text(encoding="utf-8"))
        return loaded
    assert isinstance(value, dict)
    return value


def _cases() -> list[dict[str, Any]]:
    with (DATA / "eval_cases.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


CASES = _cases()
CASE_IDS = [case["name"] for case in CASES]


def _seed_gold() -> dict[str, Any]:
    gold: dict[str, Any] = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return gold


def test_cases_are_there() -> None:
    assert len(CASES) == 14
    assert len(set(CASE_IDS)) == len(CASE_IDS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_json_equals_score_py(case: dict[str, Any]) -> None:
    evaluation = evaluate(_doc(case["gold"]), _doc(case["pred"]))
    got = evaluation_to_json(evaluation)
    assert got == case["expected"]
    # same keys in the same order, same number formatting: the same --json text
    dump = json.dumps(got, ensure_ascii=False, indent=1)
    assert dump == json.dumps(case["expected"], ensure_ascii=False, indent=1)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_report_equals_score_py(case: dict[str, Any]) -> None:
    evaluation = evaluate(_doc(case["gold"]), _doc(case["pred"]))
    assert format_report(evaluation) + "\n" == case["report"]
    assert format_report(evaluation, show_errors=True) + "\n" == case["report_show_errors"]


def test_seed_against_itself_is_perfect() -> None:
    gold = _seed_gold()
    evaluation = evaluate(gold, copy.deepcopy(gold))
    for result in (evaluation.strict, evaluation.lenient):
        assert result.entities == PRF(1.0, 1.0, 1.0, 146, 146, 146)
        assert result.relations.f1 == 1.0
        assert all(s.f1 == 1.0 for s in result.entity_types.values())
        assert all(s.f1 == 1.0 for s in result.relation_types.values())
        assert result.missed_entities == result.spurious_entities == ()
    assert format_report(evaluation).splitlines()[-1] == (
        "entity F1 1.000 relation F1 1.000 (lenient)"
    )


def test_repeating_sub_task_facts_on_parents_changes_nothing() -> None:
    """The most-specific rule: a fact repeated on the tasks above its sub-task is not counted."""
    gold = _seed_gold()
    types = {e["id"]: e["type"] for e in gold["entities"]}
    parent = {
        r["head"]: r["tail"]
        for r in gold["relations"]
        if r["type"] == "partOf" and types[r["head"]] == types[r["tail"]] == "Task"
    }
    pred = copy.deepcopy(gold)
    repeated = [
        dict(r, head=parent[r["head"]])
        for r in gold["relations"]
        if r["type"] in {"involves", "implements", "hasTarget", "addresses"} and r["head"] in parent
    ]
    assert len(repeated) > 50
    pred["relations"] += repeated
    result = score(gold, pred, STRICT)
    assert result.relations.f1 == 1.0
    assert result.relations.pred == result.relations.gold


def test_lenient_accepts_what_strict_refuses() -> None:
    gold = {"entities": [{"id": "a", "type": "Task", "label": "慎终如始抓好疫情防控"}]}
    pred = {"entities": [{"id": "b", "type": "Task", "label": "抓好疫情防控工作"}]}
    evaluation = evaluate(gold, pred)
    assert evaluation.strict.entities.tp == 0
    assert evaluation.strict.missed_entities == ("Task:慎终如始抓好疫情防控",)
    assert evaluation.lenient.entities == PRF(1.0, 1.0, 1.0, 1, 1, 1)
    assert score(gold, pred, 0.7).entities.tp == 0  # char F1 here is 2*6/(10+8) = 0.667


def test_normalised_labels_match_strictly() -> None:
    gold = {"entities": [{"id": "a", "type": "Policy", "label": "“四个不摘”", "aliases": ["x"]}]}
    pred = {"entities": [{"id": "b", "type": "Policy", "label": " 《四个 不摘》。"}]}
    assert normalize_label(" 《四个 不摘》。") == normalize_label("“四个不摘”") == "四个不摘"
    assert score(gold, pred, STRICT).entities.tp == 1


def test_types_must_agree() -> None:
    gold = {"entities": [{"id": "a", "type": "Policy", "label": "三权分置"}]}
    pred = {"entities": [{"id": "a", "type": "Principle", "label": "三权分置"}]}
    result = score(gold, pred, LENIENT)
    assert result.entities.tp == 0
    assert list(result.entity_types) == ["Policy", "Principle"]


def test_to_json_of_score_and_prf() -> None:
    result = score({"entities": []}, {"entities": [{"id": "a", "type": "Event", "label": "会"}]}, 1)
    assert result.to_json() == {
        "entities": {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "pred": 1, "gold": 0},
        "entity_types": {"Event": {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "pred": 1, "gold": 0}},
        "relations": {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "pred": 0, "gold": 0},
        "relation_types": {},
        "missed_entities": [],
        "spurious_entities": ["Event:会"],
    }
    assert PRF.of(2, 3, 4) == PRF(0.6667, 0.5, 0.5714, 2, 3, 4)


def test_passes_checks_lenient_minimums() -> None:
    case = next(c for c in CASES if c["name"] == "seed_drop_entities")
    evaluation = evaluate(_doc(case["gold"]), _doc(case["pred"]))
    assert evaluation.lenient.entities.f1 == 0.8594
    assert evaluation.lenient.relations.f1 == 0.6398
    assert evaluation.passes()
    assert evaluation.passes(min_f1=0.8594, min_rel_f1=0.6)
    assert not evaluation.passes(min_f1=0.86)
    assert not evaluation.passes(min_rel_f1=0.65)


def test_annotations_are_accepted_as_input() -> None:
    gold = load_annotations(_seed_gold(), "gold.json")
    assert isinstance(gold, Annotations)
    assert (len(gold.entities), len(gold.relations)) == (146, 253)
    assert load_annotations({"entities": []}).relations == ()
    evaluation = evaluate(gold, gold)
    assert isinstance(evaluation, Evaluation)
    assert evaluation.lenient.entities.f1 == 1.0


def test_annotations_keep_the_document_name() -> None:
    assert load_annotations(_seed_gold()).document == "000_e07ead4074b87c09.txt"
    assert load_annotations({"entities": []}).document == ""
    assert load_annotations({"document": 3, "entities": []}).document == ""


def test_match_pairs_records_as_score_counts_them() -> None:
    gold = load_annotations(
        {
            "entities": [
                {"id": "g1", "type": "Organization", "label": "市委"},
                {"id": "g2", "type": "Task", "label": "抓好疫情防控"},
                {"id": "g3", "type": "Task", "label": "慎终如始抓好疫情防控"},
                {"id": "g4", "type": "Policy", "label": "中央八项规定精神"},
            ],
            "relations": [
                {"head": "g1", "type": "deploys", "tail": "g3"},
                {"head": "g2", "type": "partOf", "tail": "g3"},
                {"head": "g2", "type": "implements", "tail": "g4"},
                {"head": "g3", "type": "implements", "tail": "g4"},  # stated on the sub-task
                {"head": "g1", "type": "deploys", "tail": "nobody"},  # no such entity
            ],
        }
    )
    pred = load_annotations(
        {
            "entities": [
                {"id": "p1", "type": "Policy", "label": "八项规定精神"},
                {"id": "p2", "type": "Organization", "label": "市委"},
                {"id": "p3", "type": "Organization", "label": "省委"},
                {"id": "p4", "type": "Task", "label": "抓好疫情防控"},
            ],
            "relations": [
                {"head": "p4", "type": "implements", "tail": "p1"},
                {"head": "p4", "type": "implements", "tail": "p1"},  # a duplicate counts once
                {"head": "p3", "type": "deploys", "tail": "p4"},
            ],
        }
    )
    matching = match(gold, pred, LENIENT)
    assert dict(matching.entities) == {0: 3, 1: 0, 3: 1}
    assert matching.gold_relations == (0, 1, 2)
    assert matching.pred_relations == (0, 2)
    assert dict(matching.relations) == {0: 2}
    assert matching.missed_relations == (0, 1)
    assert matching.spurious_relations == (2,)
    result = score(gold, pred, LENIENT)
    assert (result.relations.tp, result.relations.pred, result.relations.gold) == (1, 2, 3)
    assert dict(match(gold, pred, STRICT).entities) == {1: 0, 3: 1}


def test_read_annotations(tmp_path: Path) -> None:
    assert read_annotations(SEED_GOLD).name == str(SEED_GOLD)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"entities": []}).encode())
    assert read_annotations(path).entities == ()
    broken = tmp_path / "broken.json"
    broken.write_text('{"entities": [', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_annotations(broken)
    assert str(caught.value) == (
        f"E010 cannot read annotations {broken}: Expecting value: line 1 column 15 (char 14); "
        "give a JSON file as in SCHEMA.md"
    )
    with pytest.raises(InputError, match=r"^E001 "):
        read_annotations(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            ["entities"],
            "E011 pred.json is not a JSON object but a list; give a JSON file as in SCHEMA.md",
        ),
        (
            {"document": "x.txt", "relations": []},
            "E012 pred.json has no 'entities' list; give a JSON object with an 'entities' list "
            "(and optionally a 'relations' list) as in SCHEMA.md",
        ),
        (
            {"entities": {"e1": {}}},
            "E013 pred.json: 'entities' must be a list, not an object; fix the file as in "
            "SCHEMA.md",
        ),
        (
            {"entities": [], "relations": None},
            "E013 pred.json: 'relations' must be a list, not null; fix the file as in SCHEMA.md",
        ),
        (
            {"entities": [{"id": "e1", "type": "Task", "label": "x", "aliases": "y"}]},
            "E013 pred.json: entities[0].aliases must be a list, not a string; fix the file "
            "as in SCHEMA.md",
        ),
        (
            {"entities": [{"id": "e1"}, "e2"]},
            "E014 pred.json: entities[1] must be a JSON object, not a string; fix the file as "
            "in SCHEMA.md",
        ),
        (
            {"entities": [], "relations": [["e1", "partOf", "e2"]]},
            "E014 pred.json: relations[0] must be a JSON object, not a list; fix the file as "
            "in SCHEMA.md",
        ),
        (
            {"entities": [{"id": ["e1"], "type": "Task"}]},
            "E015 pred.json: entities[0].id must be a string or a number, not a list; fix the "
            "file as in SCHEMA.md",
        ),
        (
            {"entities": [], "relations": [{"head": "e1", "type": {"t": 1}, "tail": "e2"}]},
            "E015 pred.json: relations[0].type must be a string or a number, not an object; "
            "fix the file as in SCHEMA.md",
        ),
    ],
)
def test_load_annotations_names_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_annotations(data, "pred.json")
    assert str(caught.value) == message


def test_score_checks_its_input() -> None:
    with pytest.raises(InputError, match=r"^E012 gold has no 'entities' list"):
        evaluate({}, {"entities": []})
    with pytest.raises(InputError, match=r"^E012 pred has no 'entities' list"):
        score({"entities": []}, {"relations": []}, LENIENT)
