"""The extraction model and its JSON form (extract/model.py, schema.py, normalize.py)."""

from __future__ import annotations

import pytest

from policykg.extract import (
    Entity,
    EntityType,
    Evidence,
    Extraction,
    Mention,
    Relation,
    RelationType,
    normalize_label,
)
from policykg.extract.schema import admits

E, R = EntityType, RelationType


def sample() -> Extraction:
    return Extraction(
        "a.txt",
        "一要抓好“四个不摘”。",
        [
            Entity("e1", E.TASK, "抓好“四个不摘”", [Mention(2, 10, "抓好“四个不摘”", "t")]),
            Entity(
                "e2",
                E.POLICY,
                "四个不摘",
                [Mention(5, 9, "四个不摘", "p")],
                ["“四个不摘”"],
                {"k": "v"},
            ),
        ],
        [Relation("e1", R.IMPLEMENTS, "e2", "r", Evidence(0, 11, "一要抓好“四个不摘”。"))],
        {"title": "T"},
    )


def test_json_round_trip() -> None:
    data = sample().to_json()
    assert data == {
        "document": "a.txt",
        "metadata": {"title": "T"},
        "entities": [
            {
                "id": "e1",
                "type": "Task",
                "label": "抓好“四个不摘”",
                "rule": "t",
                "mentions": [{"start": 2, "end": 10, "text": "抓好“四个不摘”", "rule": "t"}],
            },
            {
                "id": "e2",
                "type": "Policy",
                "label": "四个不摘",
                "aliases": ["“四个不摘”"],
                "attributes": {"k": "v"},
                "rule": "p",
                "mentions": [{"start": 5, "end": 9, "text": "四个不摘", "rule": "p"}],
            },
        ],
        "relations": [
            {
                "head": "e1",
                "type": "implements",
                "tail": "e2",
                "evidence": "一要抓好“四个不摘”。",
                "evidence_start": 0,
                "evidence_end": 11,
                "rule": "r",
            }
        ],
    }
    assert Extraction.from_json(data, sample().text) == sample()


def test_entity_lookup_names_the_missing_id() -> None:
    with pytest.raises(KeyError, match=r"no entity 'e9' in a\.txt"):
        sample().entity("e9")


def test_from_json_rejects_non_list() -> None:
    with pytest.raises(ValueError, match=r"'entities' must be a list, not dict"):
        Extraction.from_json({"entities": {}})


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("“四个不摘”", "四个不摘"),
        ("乡村 振兴。", "乡村振兴"),
        ("ＸＸ书记", "XX书记"),
        ("《纲要》", "纲要"),
    ],
)
def test_normalize_label(label: str, key: str) -> None:
    assert normalize_label(label) == key


@pytest.mark.parametrize(
    ("relation", "head", "tail", "ok"),
    [
        (R.DEPLOYS, E.ORGANIZATION, E.TASK, True),
        (R.DEPLOYS, E.TASK, E.TASK, False),
        (R.PART_OF, E.TASK, E.TASK, True),
        (R.PART_OF, E.TASK, E.PROBLEM, False),
        (R.CONCERNS, E.PROBLEM, E.PROBLEM, False),
        (R.CONCERNS, E.PROBLEM, E.PERSON, True),
        (R.HELD_BY, E.EVENT, E.ORGANIZATION, True),
    ],
)
def test_admits(relation: RelationType, head: EntityType, tail: EntityType, ok: bool) -> None:
    assert admits(relation, head, tail) is ok
