"""Regenerate eval_cases.jsonl: predictions with the output of the reference scorer pinned.

Not run by the tests (they must pass without ``../shared``). Run it by hand, from the
repository root, when the reference scorer ``../shared/eval/score.py`` changes:

    python tests/data/make_eval_cases.py ../shared/eval/score.py

Each line holds a case: ``gold`` and ``pred`` (each a path under seeds/ or an inline document)
and what score.py printed for them: ``expected`` (its ``--json`` object), ``report`` and
``report_show_errors`` (its stdout without and with ``--show-errors``).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED = "seeds/000_e07ead4074b87c09.json"
OUT = Path(__file__).with_name("eval_cases.jsonl")

Doc = dict[str, Any]

TASK_SCOPED = {"involves", "implements", "hasTarget", "addresses"}


def seed_gold() -> Doc:
    doc: Doc = json.loads((ROOT / SEED).read_text(encoding="utf-8"))
    return doc


def without_evidence(doc: Doc) -> Doc:
    out = copy.deepcopy(doc)
    out["relations"] = [
        {k: v for k, v in r.items() if k != "evidence"} for r in out.get("relations", [])
    ]
    return out


def seed_cases() -> list[tuple[str, str, Doc | str]]:
    gold = without_evidence(seed_gold())
    ents = {e["id"]: e for e in gold["entities"]}
    # "pred": SEED stands for the gold file itself (evidence and all)
    cases: list[tuple[str, str, Doc | str]] = [("seed_self", "the gold itself: all 1.0", SEED)]

    pred = copy.deepcopy(gold)
    pred["entities"] = [e for i, e in enumerate(pred["entities"]) if i % 4 != 3]
    cases.append(("seed_drop_entities", "every 4th entity dropped, relations kept", pred))

    pred = copy.deepcopy(gold)
    for i, e in enumerate(pred["entities"]):
        if i % 5 == 0 and len(e["label"]) > 2:
            e["label"] = e["label"][:-1]  # lenient match (or none, for short labels)
            e.pop("aliases", None)
        elif i % 7 == 0:
            e["label"] = "加快" + e["label"] + "工作"
        elif i % 9 == 0:
            e["label"] = "“" + e["label"].replace("", " ").strip() + "”。"  # strict after norm
        elif i % 11 == 0:
            e["label"] = e["label"][::-1]  # same characters: char F1 1.0
            e.pop("aliases", None)
    cases.append(("seed_lenient_labels", "labels shortened, extended, quoted, reversed", pred))

    pred = copy.deepcopy(gold)
    for i, e in enumerate(pred["entities"]):
        if i % 10 == 4:
            e["type"] = "Policy" if e["type"] != "Policy" else "Principle"
    pred["entities"] += [
        {"id": "s1", "type": "Task", "label": "抓好学习贯彻"},
        {"id": "s2", "type": "Organization", "label": "市委常委"},
        {"id": "s3", "type": "Target", "label": "一季度开门红"},
        {"id": "s4", "type": "Unknown", "label": "无类型"},
        {"id": "s5", "label": "没有类型"},
    ]
    pred["relations"] += [
        {"head": "s1", "type": "involves", "tail": "e3"},
        {"head": "s2", "type": "partOf", "tail": "e3"},
        {"head": "e65", "type": "hasTarget", "tail": "s3"},
        {"head": "e65", "type": "hasTarget", "tail": "s3"},
        {"head": "nope", "type": "involves", "tail": "e3"},
        {"head": "nope2", "type": "involves", "tail": "e3"},
        {"head": "e1", "type": "heldBy", "tail": "e3"},  # a duplicate of a gold relation
        {"head": "e3", "type": "deploys", "tail": "e67", "evidence": "extra keys are ignored"},
    ]
    cases.append(("seed_spurious", "wrong types, spurious entities and relations", pred))

    task_parent = {
        r["head"]: r["tail"]
        for r in gold["relations"]
        if r["type"] == "partOf" and ents[r["head"]]["type"] == ents[r["tail"]]["type"] == "Task"
    }
    pred = copy.deepcopy(gold)
    moved = {"e67", "e72", "e122"}
    for r in pred["relations"]:
        if r["type"] in TASK_SCOPED and r["head"] in moved:
            r["head"] = task_parent[r["head"]]
    cases.append(("seed_stated_on_parent_only", "facts of 3 sub-tasks put on parents", pred))

    pred = copy.deepcopy(gold)
    pred["relations"] = [
        r for r in pred["relations"] if not (r["type"] == "partOf" and r["head"] in task_parent)
    ]
    cases.append(("seed_no_task_partof", "no partOf between tasks in pred", pred))

    cases.append(("seed_empty_pred", "no entities, no relations key", {"entities": []}))
    return cases


def task(eid: str, label: str) -> Doc:
    return {"id": eid, "type": "Task", "label": label}


def rel(head: str, type_: str, tail: str) -> Doc:
    return {"head": head, "type": type_, "tail": tail}


def small_cases() -> list[tuple[str, str, Doc, Doc]]:
    gold: Doc = {
        "document": "small.txt",
        "entities": [
            task("t1", "推动高质量发展"),
            task("t2", "深化改革"),
            task("t3", "深化国企改革"),
            {"id": "p1", "type": "Policy", "label": "国企改革三年行动", "aliases": ["三年行动"]},
            {"id": "p2", "type": "Strategy", "label": "乡村振兴战略"},
            {"id": "o1", "type": "Organization", "label": "市委"},
            {"id": "g1", "type": "Target", "label": "全年经济增长8.0%以上"},
        ],
        "relations": [
            rel("t2", "partOf", "t1"),
            rel("t3", "partOf", "t2"),
            rel("t3", "implements", "p1"),
            rel("t1", "implements", "p1"),  # dropped: t3 below t1 says the same
            rel("t1", "involves", "p2"),
            rel("t1", "hasTarget", "g1"),
            rel("o1", "deploys", "t1"),
            rel("o1", "deploys", "t1"),  # duplicate gold relation: counts twice
        ],
    }
    same = copy.deepcopy(gold)
    same["relations"] = [*same["relations"], rel("t2", "implements", "p1")]

    on_parent = copy.deepcopy(gold)
    on_parent["relations"] = [r for r in gold["relations"] if r["head"] != "t3"]
    on_parent["relations"].append(rel("t3", "partOf", "t2"))

    cycle = copy.deepcopy(gold)
    cycle["relations"] = [*gold["relations"], rel("t1", "partOf", "t3")]

    normalised = copy.deepcopy(gold)
    normalised["entities"] = [
        task("a", " 推动高质量发展。"),
        task("b", "深化\u3000改革；"),
        task("c", "改革国企深化"),  # same characters as t3: char F1 1.0 counts as strict
        {"id": "d", "type": "Policy", "label": "《三年行动》"},
        {"id": "e", "type": "Strategy", "label": "乡村振兴"},
        {"id": "f", "type": "Organization", "label": "ＸＸ市委"},
        {"id": "g", "type": "Target", "label": "全年经济增长８．０％以上"},
    ]
    normalised["relations"] = [
        rel("b", "partOf", "a"),
        rel("c", "partOf", "b"),
        rel("c", "implements", "d"),
        rel("a", "involves", "e"),
        rel("a", "hasTarget", "g"),
        rel("f", "deploys", "a"),
        rel("f", "deploys", "a"),
        rel("x", "deploys", "a"),
    ]

    one_of_two = copy.deepcopy(gold)
    one_of_two["entities"] += [
        {"id": "o2", "type": "Organization", "label": "市委"},
        {"id": "o1", "type": "Organization", "label": "县委"},  # duplicate id: the last wins
    ]
    return [
        ("small_self", "duplicate gold relation, implements on t1 dropped", gold, gold),
        ("small_repeated_on_parent", "t2 repeats t3's implements: dropped", gold, same),
        ("small_stated_on_parent_only", "t3's implements only on t1", gold, on_parent),
        ("small_partof_cycle", "t1 -> t3 -> t2 -> t1 drops all their implements", gold, cycle),
        ("small_normalisation", "NFKC, spaces, quotes, trailing punctuation", gold, normalised),
        ("small_duplicate_ids", "two pred entities for one gold, a reused id", gold, one_of_two),
        ("small_empty_gold", "nothing to find", {"entities": []}, gold),
    ]


def run(score_py: str, gold: Path, pred: Path, *flags: str) -> str:
    done = subprocess.run(
        [sys.executable, score_py, str(gold), str(pred), *flags],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return done.stdout


def pin(score_py: str, gold_path: Path, pred: Doc | str, tmp: Path) -> dict[str, Any]:
    if isinstance(pred, str):
        pred_path = ROOT / pred
    else:
        pred_path = tmp / "pred.json"
        pred_path.write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    printed = run(score_py, gold_path, pred_path, "--json")
    # score.py prints its summary line after the JSON object, even with --json
    json_text, _, summary = printed.rstrip("\n").rpartition("\n")
    expected = json.loads(json_text)
    assert json.dumps(expected, ensure_ascii=False, indent=1) == json_text
    report = run(score_py, gold_path, pred_path)
    assert report.endswith(summary + "\n")
    return {
        "expected": expected,
        "report": report,
        "report_show_errors": run(score_py, gold_path, pred_path, "--show-errors"),
    }


def main() -> None:
    score_py = sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared/eval/score.py")
    lines = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name, description, pred in seed_cases():
            case = {"name": name, "description": description, "gold": SEED, "pred": pred}
            case.update(pin(score_py, ROOT / SEED, pred, tmp))
            lines.append(case)
        for name, description, gold, pred in small_cases():
            gold_path = tmp / "gold.json"
            gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
            case = {"name": name, "description": description, "gold": gold, "pred": pred}
            case.update(pin(score_py, gold_path, pred, tmp))
            lines.append(case)
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for case in lines:
            fh.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
