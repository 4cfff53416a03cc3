"""Grouping mentions into entities (extract/resolve.py)."""

from __future__ import annotations

import pytest

from policykg.extract import extract_text
from policykg.extract.resolve import (
    MentionRecord,
    choose_label,
    entity_keys,
    group_mentions,
    mention_key,
    place_of,
    resolution_key,
)
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
        (E.ORGANIZATION, "市发展和改革委员会", "市发改委"),
        (E.ORGANIZATION, "市发展改革委", "市发改委"),
        (E.ORGANIZATION, "区人力资源和社会保障局", "区人社局"),
        (E.ORGANIZATION, "中国共产党浙江省第十四届委员会", "浙江省委"),
        (E.ORGANIZATION, "北京市人民代表大会常务委员会", "北京市人大常委会"),
        (E.ORGANIZATION, "中国人民政治协商会议北京市委员会", "中国人民政治协商会议北京市委员会"),
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


def test_resolution_key_names_its_rules() -> None:
    assert resolution_key(E.ORGANIZATION, "中共呼伦贝尔市委员会") == (
        "呼伦贝尔市委",
        ("resolve.org.party-committee",),
    )
    assert resolution_key(E.ORGANIZATION, "市委") == ("市委", ())


@pytest.mark.parametrize(
    ("label", "chain", "place"),
    [
        ("市委", "呼伦贝尔市海拉尔区", "呼伦贝尔市"),
        ("区政府", "呼伦贝尔市海拉尔区", "海拉尔区"),
        ("县发改委", "呼伦贝尔市海拉尔区", "海拉尔区"),
        ("省委", "浙江省", "浙江省"),
        ("区委", "北京市", None),
        ("市场监管局", "北京市", None),
        ("党中央", "北京市", None),
        ("市委", "", None),
    ],
)
def test_place_of_a_body_named_by_its_level(label: str, chain: str, place: str | None) -> None:
    assert place_of(label, chain) == place


def test_entity_keys_keep_two_cities_apart() -> None:
    assert entity_keys(E.ORGANIZATION, ["市委", "呼伦贝尔市委"], "呼伦贝尔市") == {"呼伦贝尔市委"}
    assert entity_keys(E.ORGANIZATION, ["市委"], "北京市") == {"北京市委"}
    assert entity_keys(E.ORGANIZATION, ["市发展和改革委员会"], "北京市") == {"北京市发改委"}
    assert entity_keys(E.ORGANIZATION, ["市委"], None) == {"市委"}
    assert entity_keys(E.STRATEGY, ["乡村振兴战略", "乡村振兴"], "北京市") == {"乡村振兴"}


def test_every_merge_names_its_rule() -> None:
    text = (
        "——2019年3月4日在呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议上\n"
        "区人民政府和区政府。区发展和改革委员会、区发改委。呼伦贝尔市委，市委，党中夹，党中央。\n"
    )
    x = extract_text(text, "t.txt")
    merged = {e.label: (e.merged, e.attributes.get("place")) for e in x.entities}
    assert merged == {
        "区人民政府": ({"区政府": "resolve.org.government"}, "海拉尔区"),
        "区发展和改革委员会": ({"区发改委": "resolve.org.ndrc"}, "海拉尔区"),
        "市委": ({"呼伦贝尔市委": "resolve.place-qualified"}, "呼伦贝尔市"),
        "党中央": ({"党中夹": "resolve.ocr-fold"}, None),
        "呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议": ({}, None),
    }
