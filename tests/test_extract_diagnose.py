"""Tests of extract/diagnose.py: missed and spurious items with the sentence they came from.

The handmade trio data/diagnose.txt, data/diagnose_gold.json and data/diagnose_pred.json
holds one case of each kind: a gold label found as written, inside quotation marks, only by
its alias, or not at all; predicted mentions whose offsets fit the text, do not fit it, or
are absent; a relation dropped by the most-specific-task rule, a duplicate, an unknown end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policykg.extract import extract_file, read_text
from policykg.extract.diagnose import (
    Context,
    EntityDiff,
    RelationDiff,
    TextIndex,
    diagnose,
    format_diagnosis,
    shorten,
)
from policykg.extract.evaluate import LENIENT, STRICT, score
from policykg.extract.textview import Span

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parent.parent / "seeds"

TEXT = read_text(DATA / "diagnose.txt")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


GOLD = _load("diagnose_gold.json")
PRED = _load("diagnose_pred.json")

#: ``format_diagnosis(diagnose(GOLD, PRED, TEXT), "sentences from diagnose.txt")``, and what
#: ``policykg eval diagnose_gold.json diagnose_pred.json --show-errors`` prints after the scores.
LISTING = (DATA / "diagnose_listing.txt").read_text(encoding="utf-8")


def test_listing_of_the_handmade_trio() -> None:
    listing = format_diagnosis(diagnose(GOLD, PRED, TEXT), "sentences from diagnose.txt")
    assert listing + "\n" == LISTING


def test_listing_without_the_text_has_no_sentences() -> None:
    diagnosis = diagnose(GOLD, PRED)
    assert not diagnosis.has_text
    assert all(e.context is None for e in diagnosis.entities)
    lines = format_diagnosis(diagnosis).splitlines()
    assert lines[:5] == [
        "ERRORS (lenient): entities 4 missed, 4 spurious; relations 4 missed, 3 spurious",
        "",
        "Organization: 1 missed, 1 spurious",
        "  missed    市委常委会",
        "  spurious  省委  [org.admin-body]",
    ]
    assert "(not found in the text)" not in lines
    # relations keep their evidence: it is in the files, not in the text
    assert "            抓好“【三权分置】”改革" in lines


def test_records() -> None:
    diagnosis = diagnose(GOLD, PRED, TEXT)
    assert diagnosis.threshold == LENIENT
    assert diagnosis.count("missed") == (4, 4)
    assert diagnosis.count("spurious") == (4, 3)
    assert diagnosis.entities[2] == EntityDiff(
        "missed",
        "Policy",
        "三权分置",
        "",
        Context("一要全面实施乡村振兴战略，抓好“三权分置”改革。", 16, 20),
    )
    assert diagnosis.relations[1] == RelationDiff(
        "spurious", "deploys", "市委", "e99", "rel.deploys.speaker", "", None
    )
    # the gold involves stated on the parent task as well is not missed: only the sub-task's
    assert [(r.head, r.tail) for r in diagnosis.relations if r.type == "involves"] == [
        ("全面实施乡村振兴战略", "三权分置"),
        ("全面实施乡村振兴战略", "乡村振兴战略"),
        ("推动经济高质量发展", "乡村振兴战略"),
    ]
    # the duplicate implements is listed once
    assert sum(1 for r in diagnosis.relations if r.type == "implements") == 1


def test_a_gold_entity_is_shown_at_its_label_else_at_its_earliest_alias() -> None:
    text = "常委班子带头学习。市委强调。市委常委会召开会议。"
    gold = {
        "entities": [
            {"id": "a", "type": "Organization", "label": "市委常委会", "aliases": ["市委"]},
            {"id": "b", "type": "Organization", "label": "常委会", "aliases": ["市委", "常委班子"]},
            {"id": "c", "type": "Organization", "label": "区委", "aliases": ["县委"]},
        ]
    }
    diagnosis = diagnose(gold, {"entities": []}, text)
    assert [(e.label, e.context) for e in diagnosis.entities] == [
        ("区委", None),  # sorted by label
        ("市委常委会", Context("市委常委会召开会议。", 0, 5)),
        ("常委会", Context("市委常委会召开会议。", 2, 5)),
    ]
    gold["entities"][1]["label"] = "常委会议"
    assert diagnose(gold, {"entities": []}, text).entities[2].context == Context(
        "常委班子带头学习。", 0, 4
    )


def test_strict_matching_lists_the_near_misses_too() -> None:
    diagnosis = diagnose(GOLD, PRED, TEXT, threshold=STRICT)
    assert format_diagnosis(diagnosis).splitlines()[0] == (
        "ERRORS (strict): entities 5 missed, 5 spurious; relations 6 missed, 5 spurious"
    )
    tasks = [(e.kind, e.label) for e in diagnosis.entities if e.type == "Task"]
    assert tasks == [("missed", "着力推动经济高质量发展"), ("spurious", "推动经济高质量发展")]
    heading = format_diagnosis(diagnose(GOLD, PRED, threshold=0.75)).splitlines()[0]
    assert heading.startswith("ERRORS (threshold 0.75): ")


# -- finding items in the text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        ("抓好“三权分置”改革", "三权分置", Span(3, 7)),
        ("抓好“三权分置”改革", "“三权分置”改革", Span(3, 10)),  # quotation marks ignored
        ("坚持“两个确立”", "两个确立。", Span(3, 7)),  # trailing punctuation dropped
        ("省委XX 书记来XX调研", "省委XX书记", Span(0, 7)),  # white space ignored
        ("ＸＸ猪产业集群", "XX猪产业集群", Span(0, 7)),  # full-width folded
        ("一要全面实施乡村振兴战略", "乡村振兴战略规划", None),
        ("一要全面实施乡村振兴战略", "“”", None),
    ],
)
def test_find(text: str, name: str, found: Span | None) -> None:
    assert TextIndex(text).find(name) == found


def test_first_is_the_earliest_name_the_longer_where_two_start_alike() -> None:
    index = TextIndex("加快建设乡村振兴示范区，实施乡村振兴战略")
    assert index.first(["乡村振兴战略", "乡村振兴示范区", "乡村振兴"]) == Span(4, 11)
    assert index.first(["乡村振兴", "乡村振兴示范区"]) == Span(4, 11)
    assert index.first(["城乡融合"]) is None


def test_mention_takes_the_first_mention_that_fits_the_text() -> None:
    index = TextIndex("市委召开会议。市委强调。")
    mentions = [
        {"start": 7, "end": 9, "text": "市委"},
        {"start": 0, "end": 2, "text": "市委"},
        {"start": 1, "end": 3, "text": "市委"},  # another text's offsets
        {"start": 20, "end": 22},  # past the end
        {"start": "0", "end": 2},
    ]
    assert index.mention({"mentions": mentions}) == Span(0, 2)
    assert index.mention({"mentions": mentions[2:]}) is None
    assert index.mention({}) is None


def test_context_is_the_sentence_holding_the_span() -> None:
    index = TextIndex("市委召开会议。\n一要抓好疫情防控！二要推动发展")
    assert index.context(Span(10, 14)) == Context("一要抓好疫情防控！", 2, 6)
    assert index.context(Span(19, 23)) == Context("二要推动发展", 2, 6)
    # a span across a sentence end widens the sentence
    assert index.context(Span(4, 10)) == Context("市委召开会议。\n一要", 4, 10)


@pytest.mark.parametrize(
    ("context", "width", "snippet"),
    [
        (Context("一要抓好疫情防控。", 2, 8), 80, "一要【抓好疫情防控】。"),
        (Context("0123456789", 4, 6), 4, "…3【45】6…"),
        (Context("0123456789", 1, 3), 6, "0【12】345…"),  # the room left of it goes right
        (Context("0123456789", 7, 9), 6, "…456【78】9"),
        (Context("0123456789", 2, 8), 4, "…【234567】…"),
        (Context("一要\r\n抓好", 4, 6), 80, "一要  【抓好】"),
    ],
)
def test_snippet(context: Context, width: int, snippet: str) -> None:
    assert context.snippet(width) == snippet


def test_shorten() -> None:
    assert shorten("一要 抓好\n疫情防控", 80) == "一要 抓好 疫情防控"
    assert shorten("0123456789", 10) == "0123456789"
    assert shorten("0123456789", 6) == "01234…"


# -- the seed ---------------------------------------------------------------------------------


def test_seed_listing_agrees_with_the_scores() -> None:
    gold = _seed_gold()
    pred = extract_file(SEEDS / "000_e07ead4074b87c09.txt").to_json()
    diagnosis = diagnose(gold, pred, read_text(SEEDS / "000_e07ead4074b87c09.txt"))
    result = score(gold, pred, LENIENT)
    missed, spurious = diagnosis.count("missed"), diagnosis.count("spurious")
    assert missed == (
        result.entities.gold - result.entities.tp,
        result.relations.gold - result.relations.tp,
    )
    assert spurious == (
        result.entities.pred - result.entities.tp,
        result.relations.pred - result.relations.tp,
    )
    assert sorted(f"{e.type}:{e.label}" for e in diagnosis.entities if e.kind == "missed") == (
        sorted(result.missed_entities)
    )
    # every predicted entity has offsets into the text, every gold label is in it
    assert [e.label for e in diagnosis.entities if e.context is None] == []
    for entity in diagnosis.entities:
        assert entity.context is not None
        assert entity.kind == "missed" or entity.rule
        marked = entity.context.sentence[entity.context.start : entity.context.end]
        assert entity.kind == "missed" or marked == entity.label or marked in entity.label


def _seed_gold() -> dict[str, Any]:
    return _load_path(SEEDS / "000_e07ead4074b87c09.json")


def _load_path(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
