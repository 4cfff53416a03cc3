"""Tests of extract/rulestats.py: rule firing counts, their table and JSON.

Most tests count handmade extractions against a small handmade catalogue, so that every
number is exact; one runs the real rules on a tiny document.
"""

from __future__ import annotations

from typing import Any

from policykg.extract import Extraction, extract_text
from policykg.extract.rules import RuleInfo
from policykg.extract.rulestats import (
    RuleCount,
    count_rules,
    format_rule_stats,
    rule_stats_to_json,
)

TEXT = "市委强调，一要着力推动经济高质量发展，实施乡村振兴战略。"

CATALOGUE = {
    "lexicon.Strategy": RuleInfo("lexicon.Strategy", "entity", "Strategy", "data/lexicon.yaml"),
    "org.admin-body": RuleInfo("org.admin-body", "entity", "Organization", "data/patterns.yaml"),
    "rel.deploys.speaker": RuleInfo(
        "rel.deploys.speaker", "relation", "deploys", "extract/relations.py"
    ),
    "rel.involves.task-text": RuleInfo(
        "rel.involves.task-text", "relation", "involves", "extract/relations.py"
    ),
    "structure.enum-yao-task": RuleInfo(
        "structure.enum-yao-task", "entity", "Task", "data/structure.yaml"
    ),
    "target.zero": RuleInfo("target.zero", "entity", "Target", "data/clauses.yaml"),
}


def _mention(label: str, rule: str, start: int | None = None) -> dict[str, Any]:
    at = TEXT.index(label) if start is None else start
    return {"start": at, "end": at + len(label), "text": label, "rule": rule}


def _relation(head: str, type_: str, tail: str, rule: str) -> dict[str, Any]:
    return {"head": head, "type": type_, "tail": tail, "evidence": TEXT, "rule": rule}


def speech(name: str) -> Extraction:
    """3 entities (one found by an uncatalogued rule, one with a second mention), 2 relations."""
    data = {
        "document": name,
        "entities": [
            {
                "id": "e1",
                "type": "Organization",
                "label": "市委",
                "mentions": [
                    _mention("市委", "org.admin-body"),
                ],
            },
            {
                "id": "e2",
                "type": "Task",
                "label": "着力推动经济高质量发展",
                "mentions": [
                    _mention("着力推动经济高质量发展", "structure.enum-yao-task"),
                ],
            },
            {
                "id": "e3",
                "type": "Strategy",
                "label": "乡村振兴战略",
                "mentions": [
                    _mention("乡村振兴战略", "strategy.new-rule"),
                    _mention("乡村振兴", "lexicon.Strategy"),
                ],
            },
        ],
        "relations": [
            _relation("e1", "deploys", "e2", "rel.deploys.speaker"),
            _relation("e2", "involves", "e3", "rel.involves.task-text"),
        ],
    }
    return Extraction.from_json(data, TEXT)


def short(name: str) -> Extraction:
    """1 entity with 2 mentions of one rule, no relations."""
    data = {
        "document": name,
        "entities": [
            {
                "id": "e1",
                "type": "Organization",
                "label": "市委",
                "mentions": [
                    _mention("市委", "org.admin-body"),
                    _mention("市委", "org.admin-body", 20),
                ],
            },
        ],
    }
    return Extraction.from_json(data, TEXT)


TABLE = """\
2 documents: 6 rules fired, 1 of 6 never fired

rule                     kind      documents  mentions  entities  relations
-----------------------  --------  ---------  --------  --------  ---------
lexicon.Strategy         entity            1         1         0          0
org.admin-body           entity            2         3         2          0
rel.deploys.speaker      relation          1         0         0          1
rel.involves.task-text   relation          1         0         0          1
strategy.new-rule        ?                 1         1         1          0
structure.enum-yao-task  entity            1         1         1          0

never fired:
  target.zero  data/clauses.yaml
"""


def test_counts() -> None:
    stats = count_rules([speech("a.txt"), short("b.txt")], CATALOGUE)
    assert stats.documents == ("a.txt", "b.txt")
    assert stats.fired[1] == RuleCount(
        "org.admin-body", "entity", "Organization", "data/patterns.yaml", 2, 3, 2, 0
    )
    assert stats.fired[4] == RuleCount("strategy.new-rule", "?", "?", "?", 1, 1, 1, 0)
    assert stats.never_fired == (CATALOGUE["target.zero"],)
    assert stats.catalogued == 6


def test_table() -> None:
    assert format_rule_stats(count_rules([speech("a.txt"), short("b.txt")], CATALOGUE)) == TABLE


def test_table_of_nothing() -> None:
    stats = count_rules([], {})
    assert format_rule_stats(stats) == (
        "0 documents: 0 rules fired, 0 of 0 never fired\n"
        "\n"
        "rule  kind  documents  mentions  entities  relations\n"
        "----  ----  ---------  --------  --------  ---------\n"
        "\n"
        "never fired: none\n"
    )


def test_json() -> None:
    stats = count_rules([short("b.txt")], {"org.admin-body": CATALOGUE["org.admin-body"]})
    assert rule_stats_to_json(stats) == {
        "documents": ["b.txt"],
        "rules": [
            {
                "rule": "org.admin-body",
                "kind": "entity",
                "type": "Organization",
                "source": "data/patterns.yaml",
                "documents": 1,
                "mentions": 2,
                "entities": 1,
                "relations": 0,
            }
        ],
        "never_fired": [],
    }
    stats = count_rules([], {"target.zero": CATALOGUE["target.zero"]})
    assert rule_stats_to_json(stats)["never_fired"] == [
        {"rule": "target.zero", "kind": "entity", "type": "Target", "source": "data/clauses.yaml"}
    ]


def test_the_real_rules_on_a_tiny_document() -> None:
    """Counts of the real catalogue and rules: what fired, and that the rest never did."""
    text = (
        "我代表市委作报告。\n一、全面推进乡村振兴\n"
        "一要深入实施乡村振兴战略。二要确保重大森林火灾零发生。\n"
    )
    stats = count_rules([extract_text(text, "tiny.txt")])
    rows = [(r.rule, r.documents, r.mentions, r.entities, r.relations) for r in stats.fired]
    assert rows == [
        ("lexicon.Strategy", 1, 2, 1, 0),
        ("org.admin-body", 1, 1, 1, 0),
        ("rel.deploys.speaker", 1, 0, 0, 3),
        ("rel.hasTarget.task-text", 1, 0, 0, 1),
        ("rel.implements.task-trigger", 1, 0, 0, 2),
        ("rel.involves.task-text", 1, 0, 0, 3),
        ("rel.partOf.task-structure", 1, 0, 0, 2),
        ("structure.enum-yao-task", 1, 2, 2, 0),
        ("structure.heading-1-task", 1, 1, 1, 0),
        ("target.zero", 1, 1, 1, 0),
    ]
    assert len(stats.never_fired) == stats.catalogued - len(stats.fired)
    assert "principle.leader-instructions" in {r.id for r in stats.never_fired}
