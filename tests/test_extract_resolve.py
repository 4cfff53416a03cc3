"""Grouping mentions into entities (extract/resolve.py)."""

from __future__ import annotations

import pytest

from policykg.extract.resolve import MentionRecord, choose_label, group_mentions, mention_key
from policykg.extract.schema import EntityType
from policykg.extract.textview import Span, make_view

E = EntityType


@pytest.mark.parametrize(
    ("etype", "surface", "key"),
    [
        (E.ORGANIZATION, "区人民政府", "区政府"),
        (E.ORGANIZATION, "中共XX市委", "XX市委"),
        (E.EVENT, "市委经济工作会议", "市委经济工作会"),
        (E.EVENT, "党的二十大代表选举工作", "党的二十大代表选举"),
        (E.STRATEGY, "生态立市之路", "生态立市"),
        (E.PRINCIPLE, "绿水青山就是金山银山理念", "绿水青山就是金山银山"),
        (E.PRINCIPLE, "党的十九大和十九届二中、三中全会精神", "党的十九大十九届二中三中全会精神"),
        (E.PERSON, "省委XX 书记", "XX书记"),
        (E.PERSON, "习近平同志", "习近平"),
        (E.PERSON, "XX同志", "XX"),
        (E.POLICY, "“四个不摘”", "四个不摘"),
    ],
)
def test_mention_key(etype: EntityType, surface: str, key: str) -> None:
    assert mention_key(etype, surface) == key


def test_group_mentions_merges_variants_and_place_qualified_bodies() -> None:
    text = "区人民政府，区政府，呼伦贝尔市委，市委，XX同志，XX书记，省委XX书记"
    view = make_view(text)
    spans = {
        "区人民政府": E.ORGANIZATION,
        "区政府": E.ORGANIZATION,
        "呼伦贝尔市委": E.ORGANIZATION,
        "市委": E.ORGANIZATION,
        "XX同志": E.PERSON,
        "XX书记": E.PERSON,
        "省委XX书记": E.PERSON,
    }
    mentions = []
    pos = 0
    for surface, etype in spans.items():
        start = text.index(surface, pos)
        pos = start + len(surface)
        mentions.append(MentionRecord(Span(start, pos), etype, "test"))
    groups = group_mentions(view, mentions)
    labels = [(str(g.type), choose_label(text, view, g, mentions), len(g.mentions)) for g in groups]
    assert labels == [
        ("Organization", "区人民政府", 2),
        ("Organization", "市委", 2),  # the body's own short name labels it
        ("Person", "XX同志", 1),
        ("Person", "XX书记", 2),
    ]


def test_choose_label_prefers_the_lexicon_form() -> None:
    text = "以习近平同志为核心的党中央，党中央"
    view = make_view(text)
    mentions = [
        MentionRecord(Span(0, 13), E.ORGANIZATION, "lexicon.Organization", "党中央"),
        MentionRecord(Span(14, 17), E.ORGANIZATION, "lexicon.Organization", "党中央"),
    ]
    [group] = group_mentions(view, mentions)
    assert choose_label(text, view, group, mentions) == "党中央"
