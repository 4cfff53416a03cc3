"""build_graph: exact triples, merging across documents, errors that name the problem."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from policykg.extract import (
    Entity,
    EntityType,
    Evidence,
    Extraction,
    Mention,
    Relation,
    RelationType,
    extract_text,
)
from policykg.graph import NIF, PKG, build_graph
from policykg.graph.build import GraphPlan, PartContext, document_part

ID = "https://w3id.org/policykg/id/"
DOC = URIRef(ID + "doc/doc1.txt-5419b869")
ORG = URIRef(ID + "entity/organization/9d6d23948b90")  # 市委
STRATEGY = URIRef(ID + "entity/strategy/1bc87065d630")  # 乡村振兴战略
DOC2 = URIRef(ID + "doc/doc2.txt-a509fe09")
M_ORG = URIRef(ID + "mention/doc1.txt-5419b869/0-2")
M_STRATEGY = URIRef(ID + "mention/doc1.txt-5419b869/6-12")
ASSERTION = URIRef(ID + "assertion/doc1.txt-5419b869/ac5f01a18a10")
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

TEXT = "市委要求实施乡村振兴战略。"
TINY: dict[str, Any] = {
    "document": "doc1.txt",
    "metadata": {"title": "测试文件", "date": "2022-03-01"},
    "entities": [
        {
            "id": "e1",
            "type": "Organization",
            "label": "市委",
            "mentions": [{"start": 0, "end": 2, "text": "市委", "rule": "org.lexicon"}],
        },
        {
            "id": "e2",
            "type": "Strategy",
            "label": "乡村振兴战略",
            "attributes": {"scope": "national"},
            "mentions": [
                {"start": 6, "end": 12, "text": "乡村振兴战略", "rule": "strategy.suffix"}
            ],
        },
    ],
    "relations": [
        {
            "head": "e1",
            "type": "implements",
            "tail": "e2",
            "evidence": TEXT,
            "evidence_start": 0,
            "evidence_end": 13,
            "rule": "rel.implements",
        }
    ],
}


def tiny() -> Extraction:
    return Extraction.from_json(TINY, TEXT)


def _nni(value: int) -> Literal:
    return Literal(value, datatype=rdfns.XSD.nonNegativeInteger)


def _doc(name: str, *entities: Entity) -> Extraction:
    return Extraction(name, "", list(entities), [])


def _ent(id_: str, label: str, *aliases: str, type_: str = "Policy", start: int = -1) -> Entity:
    mentions = [Mention(start, start + len(label), label, "r")] if start >= 0 else []
    return Entity(id_, EntityType(type_), label, mentions, list(aliases))


def test_tiny_extraction_gives_exactly_these_triples() -> None:
    expected = {
        (DOC, RDF.type, PKG.Document),
        (DOC, RDF.type, NIF.Context),
        (DOC, DCTERMS.identifier, Literal("doc1.txt")),
        (DOC, DCTERMS.title, Literal("测试文件", lang="zh")),
        (DOC, DCTERMS.date, Literal("2022-03-01", datatype=rdfns.XSD.date)),
        (DOC, NIF.isString, Literal(TEXT)),
        (DOC, NIF.beginIndex, _nni(0)),
        (DOC, NIF.endIndex, _nni(13)),
        (ORG, RDF.type, PKG.Organization),
        (ORG, SKOS.prefLabel, Literal("市委", lang="zh")),
        (ORG, PKG.mentionedIn, DOC),
        (ORG, PKG.mention, M_ORG),
        (M_ORG, RDF.type, PKG.Mention),
        (M_ORG, NIF.beginIndex, _nni(0)),
        (M_ORG, NIF.endIndex, _nni(2)),
        (M_ORG, NIF.anchorOf, Literal("市委")),
        (M_ORG, NIF.referenceContext, DOC),
        (M_ORG, PKG.rule, Literal("org.lexicon")),
        (STRATEGY, RDF.type, PKG.Strategy),
        (STRATEGY, SKOS.prefLabel, Literal("乡村振兴战略", lang="zh")),
        (STRATEGY, PKG.mentionedIn, DOC),
        (STRATEGY, PKG.mention, M_STRATEGY),
        (STRATEGY, PKG.attribute, Literal("scope=national")),
        (M_STRATEGY, RDF.type, PKG.Mention),
        (M_STRATEGY, NIF.beginIndex, _nni(6)),
        (M_STRATEGY, NIF.endIndex, _nni(12)),
        (M_STRATEGY, NIF.anchorOf, Literal("乡村振兴战略")),
        (M_STRATEGY, NIF.referenceContext, DOC),
        (M_STRATEGY, PKG.rule, Literal("strategy.suffix")),
        (ORG, PKG.implements, STRATEGY),
        (ASSERTION, RDF.type, PKG.Assertion),
        (ASSERTION, RDF.subject, ORG),
        (ASSERTION, RDF.predicate, PKG.implements),
        (ASSERTION, RDF.object, STRATEGY),
        (ASSERTION, PROV.wasDerivedFrom, DOC),
        (ASSERTION, PKG.evidence, Literal(TEXT, lang="zh")),
        (ASSERTION, NIF.beginIndex, _nni(0)),
        (ASSERTION, NIF.endIndex, _nni(13)),
        (ASSERTION, PKG.rule, Literal("rel.implements")),
    }
    assert set(build_graph([tiny()]).rdf) == expected


def test_mention_offsets_point_at_the_anchor() -> None:
    rdf = build_graph([tiny()]).rdf
    for mention in rdf.subjects(RDF.type, PKG.Mention):
        start = rdf.value(mention, NIF.beginIndex)
        end = rdf.value(mention, NIF.endIndex)
        assert isinstance(start, Literal) and isinstance(end, Literal)
        assert TEXT[start.toPython() : end.toPython()] == str(rdf.value(mention, NIF.anchorOf))


def test_shared_entity_of_two_documents_is_one_node() -> None:
    doc2 = Extraction(
        "doc2.txt",
        "市委召开会议。",
        [Entity("x9", EntityType.ORGANIZATION, "市委", [Mention(0, 2, "市委", "org.lexicon")])],
        [],
    )
    rdf = build_graph([tiny(), doc2]).rdf
    assert list(rdf.subjects(RDF.type, PKG.Organization)) == [ORG]
    assert set(rdf.objects(ORG, PKG.mentionedIn)) == {DOC, URIRef(ID + "doc/doc2.txt-a509fe09")}
    assert set(rdf.objects(ORG, PKG.mention)) == {
        M_ORG,
        URIRef(ID + "mention/doc2.txt-a509fe09/0-2"),
    }
    assert list(rdf.objects(ORG, SKOS.altLabel)) == []


def test_a_documents_part_is_made_from_its_context_alone() -> None:
    doc2 = Extraction(
        "doc2.txt",
        "市委召开会议。",
        [Entity("x9", EntityType.ORGANIZATION, "市委", [Mention(0, 2, "市委", "org.lexicon")])],
        [],
    )
    plan = GraphPlan([tiny(), doc2])
    context = plan.part_context(1)
    assert context == PartContext(
        ID,
        str(DOC2),
        {"x9": (str(ORG), "Organization", "市委")},
        (("x9", "市委", "graph.merge.same-form", str(ORG)),),  # merged into doc1.txt's 市委
    )
    # what a worker process is sent: plain data, and the same part made from it
    sent = pickle.loads(pickle.dumps(context))
    assert document_part(doc2, sent) == plan.document_part(1)
    assert document_part(tiny(), plan.part_context(0)).links == frozenset(
        {(f"<{ORG}>", f"<{PKG.implements}>", f"<{STRATEGY}>")}
    )


def test_aliases_merge_transitively_and_earliest_label_is_preferred() -> None:
    # b.txt: A (alias B); c.txt: B (alias C); a.txt: C → all one entity, through shared aliases.
    docs = [
        _doc("b.txt", _ent("e1", "“四个不摘”", "四个不摘要求")),
        _doc("c.txt", _ent("e1", "四个不摘要求", "不摘")),
        _doc("a.txt", _ent("e7", "不摘。"), _ent("e8", "其他政策")),
    ]
    rdf = build_graph(docs).rdf
    policies = set(rdf.subjects(RDF.type, PKG.Policy))
    assert len(policies) == 2
    node = URIRef(ID + "entity/policy/a53817b1b112")  # sha1("Policy\x00不摘")
    assert node in policies
    assert rdf.value(node, SKOS.prefLabel) == Literal("不摘。", lang="zh")  # a.txt sorts first
    assert sorted(str(a) for a in rdf.objects(node, SKOS.altLabel)) == [
        "“四个不摘”",
        "不摘",
        "四个不摘要求",
    ]
    assert len(set(rdf.objects(node, PKG.mentionedIn))) == 3


def test_within_a_document_the_first_mention_wins() -> None:
    doc = _doc("a.txt", _ent("e1", "长名称", "短", start=9), _ent("e2", "短", start=3))
    rdf = build_graph([doc]).rdf
    (node,) = rdf.subjects(RDF.type, PKG.Policy)
    assert rdf.value(node, SKOS.prefLabel) == Literal("短", lang="zh")
    assert list(rdf.objects(node, SKOS.altLabel)) == [Literal("长名称", lang="zh")]


def test_input_order_does_not_matter() -> None:
    docs = [
        _doc("b.txt", _ent("e1", "四个不摘", "“四个不摘”")),
        _doc("a.txt", _ent("e1", "“四个不摘”")),
    ]
    forward, backward = build_graph(docs), build_graph(docs[::-1])
    assert set(forward.rdf) == set(backward.rdf)
    (node,) = forward.rdf.subjects(RDF.type, PKG.Policy)
    assert forward.rdf.value(node, SKOS.prefLabel) == Literal("“四个不摘”", lang="zh")


def _org(id_: str, label: str, place: str | None = None, **merged: str) -> Entity:
    attributes = {"place": place} if place else {}
    return Entity(id_, EntityType.ORGANIZATION, label, [], list(merged), attributes, merged)


def test_bodies_of_two_cities_stay_apart_and_merges_are_recorded() -> None:
    docs = [
        _doc("a.txt", _org("e1", "市委", "呼伦贝尔市", 呼伦贝尔市委="resolve.place-qualified")),
        _doc("b.txt", _org("e1", "市委", "北京市"), _org("e2", "市发展和改革委员会", "北京市")),
        _doc("c.txt", _org("e3", "北京市委"), _org("e4", "北京市发改委")),
        _doc("d.txt", _org("e5", "市委")),
    ]
    rdf = build_graph(docs).rdf
    docs_of = {
        (
            str(rdf.value(n, SKOS.prefLabel)),
            *sorted(str(a) for a in rdf.objects(n, SKOS.altLabel)),
        ): sorted(str(rdf.value(d, DCTERMS.identifier)) for d in rdf.objects(n, PKG.mentionedIn))
        for n in rdf.subjects(RDF.type, PKG.Organization)
    }
    assert docs_of == {
        ("市委", "呼伦贝尔市委"): ["a.txt"],
        ("市委", "北京市委"): ["b.txt", "c.txt"],
        ("市发展和改革委员会", "北京市发改委"): ["b.txt", "c.txt"],
        ("市委",): ["d.txt"],  # no place known: apart from both cities
    }
    records = sorted(
        (
            str(rdf.value(rdf.value(r, PKG.mergedInto), SKOS.prefLabel)),
            str(rdf.value(rdf.value(r, PROV.wasDerivedFrom), DCTERMS.identifier)),
            str(rdf.value(r, DCTERMS.identifier)),
            str(rdf.value(r, PKG.surfaceForm)),
            str(rdf.value(r, PKG.rule)),
        )
        for r in rdf.subjects(RDF.type, PKG.Merge)
    )
    assert records == [
        ("市发展和改革委员会", "c.txt", "e4", "北京市发改委", "graph.merge.resolution-key"),
        ("市委", "a.txt", "e1", "呼伦贝尔市委", "resolve.place-qualified"),
        ("市委", "c.txt", "e3", "北京市委", "graph.merge.resolution-key"),
    ]
    beijing = rdf.value(predicate=PKG.surfaceForm, object=Literal("北京市委", lang="zh"))
    assert rdf.value(rdf.value(beijing, PKG.mergedInto), DCTERMS.spatial) == Literal("北京市")


def test_same_label_other_type_stays_apart() -> None:
    doc = _doc("a.txt", _ent("e1", "四个意识", type_="Principle"), _ent("e2", "四个意识"))
    rdf = build_graph([doc]).rdf
    assert len(set(rdf.subjects(SKOS.prefLabel, None))) == 2


def test_relations_follow_merged_nodes_and_keep_their_document() -> None:
    doc2 = Extraction(
        "doc2.txt",
        "",
        [
            Entity("a", EntityType.ORGANIZATION, "市委", []),
            Entity("b", EntityType.STRATEGY, "乡村振兴战略", []),
        ],
        [Relation("a", RelationType.IMPLEMENTS, "b", "", Evidence(-1, -1, ""))],
    )
    rdf = build_graph([tiny(), doc2]).rdf
    assertions = set(rdf.subjects(RDF.type, PKG.Assertion))
    assert len(assertions) == 2
    assert {rdf.value(a, PROV.wasDerivedFrom) for a in assertions} == {
        DOC,
        URIRef(ID + "doc/doc2.txt-a509fe09"),
    }
    assert list(rdf.triples((None, PKG.implements, None))) == [(ORG, PKG.implements, STRATEGY)]


def test_gold_without_offsets_has_no_mentions_or_indices() -> None:
    data = {**TINY, "metadata": {"date": "2022年3月", "source": "http://x", "region": "XX市"}}
    data["entities"] = [{k: v for k, v in e.items() if k != "mentions"} for e in TINY["entities"]]
    data["relations"] = [{"head": "e1", "type": "implements", "tail": "e2"}]
    rdf = build_graph([Extraction.from_json(data)]).rdf
    assert list(rdf.subjects(RDF.type, PKG.Mention)) == []
    assert list(rdf.triples((None, NIF.beginIndex, None))) == []
    assert list(rdf.triples((None, NIF.isString, None))) == []
    (assertion,) = rdf.subjects(RDF.type, PKG.Assertion)
    assert list(rdf.objects(assertion, PKG.evidence)) == []
    assert list(rdf.objects(assertion, PKG.rule)) == []
    assert rdf.value(DOC, DCTERMS.date) == Literal("2022年3月")
    assert rdf.value(DOC, DCTERMS.source) == Literal("http://x")
    assert rdf.value(DOC, PKG.attribute) == Literal("region=XX市")


def test_target_and_task_attributes_are_typed_literals() -> None:
    data = {
        "document": "doc1.txt",
        "entities": [
            {
                "id": "e1",
                "type": "Target",
                "label": "2019年地区生产总值增长6.5%左右",
                "attributes": {"value": "6.5", "unit": "%", "comparator": "about", "year": "2019"},
            },
            {"id": "e2", "type": "Task", "label": "违规举债", "attributes": {"modality": "严禁"}},
            {
                "id": "e3",
                "type": "Target",
                "label": "增长约六成",
                "attributes": {"value": "六成", "year": "明年", "basis": "上年"},
            },
        ],
        "relations": [],
    }
    rdf = build_graph([Extraction.from_json(data)]).rdf
    (target,) = rdf.subjects(SKOS.prefLabel, Literal("2019年地区生产总值增长6.5%左右", lang="zh"))
    assert sorted(rdf.predicate_objects(target)) == sorted(
        [
            (RDF.type, PKG.Target),
            (SKOS.prefLabel, Literal("2019年地区生产总值增长6.5%左右", lang="zh")),
            (PKG.mentionedIn, DOC),
            (PKG.value, Literal("6.5", datatype=XSD.decimal)),
            (PKG.unit, Literal("%")),
            (PKG.comparator, Literal("about")),
            (PKG.year, Literal("2019", datatype=XSD.gYear)),
        ]
    )
    (task,) = rdf.subjects(RDF.type, PKG.Task)
    assert rdf.value(task, PKG.modality) == Literal("严禁")
    (odd,) = rdf.subjects(SKOS.prefLabel, Literal("增长约六成", lang="zh"))
    assert sorted(str(o) for o in rdf.objects(odd, PKG.attribute)) == [
        "basis=上年",
        "value=六成",
        "year=明年",
    ]
    assert list(rdf.objects(odd, PKG.value)) == []


def test_seed_gold_builds_without_blank_nodes() -> None:
    name = "000_e07ead4074b87c09"
    data = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    extraction = Extraction.from_json(data, (SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    rdf = build_graph([extraction]).rdf
    assert not [t for t in rdf if any(isinstance(node, BNode) for node in t)]
    assert len(set(rdf.subjects(RDF.type, PKG.Assertion))) == len(extraction.relations)
    labels = {e.label for e in extraction.entities}
    assert {str(label) for label in rdf.objects(None, SKOS.prefLabel)} <= labels


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        ([_doc("a.txt"), _doc("a.txt")], "document 'a.txt' is given more than once"),
        (
            [_doc("a.txt", _ent("e1", "甲"), _ent("e1", "乙"))],
            "a.txt: entity id 'e1' is used twice",
        ),
        ([_doc("a.txt", _ent("e1", "“ ”"))], "a.txt: entity 'e1' has an empty label"),
    ],
)
def test_bad_input_is_named(docs: list[Extraction], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_graph(docs)


def test_relation_to_unknown_entity_is_named() -> None:
    extraction = tiny()
    extraction.entities = extraction.entities[:1]
    with pytest.raises(ValueError, match=r"doc1\.txt: a relation names unknown entity 'e2'"):
        build_graph([extraction])


def test_bad_base_is_named() -> None:
    with pytest.raises(ValueError, match="invalid base IRI 'urn:x:'"):
        build_graph([tiny()], base="urn:x:")


def test_custom_base() -> None:
    rdf = build_graph([tiny()], base="http://localhost/kg/").rdf
    assert (URIRef("http://localhost/kg/doc/doc1.txt-5419b869"), RDF.type, PKG.Document) in rdf
    assert all(str(s).startswith("http://localhost/kg/") for s in rdf.subjects())


def test_document_metadata_is_dublin_core_and_names_its_meeting() -> None:
    name = "hailar_district_gov_work_report_2019"
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    rdf = build_graph([extract_text(text, f"{name}.txt")]).rdf
    (doc,) = rdf.subjects(RDF.type, PKG.Document)
    meeting = "呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议"
    assert {(p, o) for p, o in rdf.predicate_objects(doc) if str(p).startswith(str(DCTERMS))} == {
        (DCTERMS.identifier, Literal(f"{name}.txt")),
        (DCTERMS.title, Literal("政府工作报告", lang="zh")),
        (DCTERMS.date, Literal("2019-03-04", datatype=XSD.date)),
        (DCTERMS.creator, Literal("萨国文", lang="zh")),
        (DCTERMS.publisher, Literal("区人民政府", lang="zh")),
        (DCTERMS.spatial, Literal("呼伦贝尔市海拉尔区", lang="zh")),
        (DCTERMS.relation, Literal(meeting, lang="zh")),
    }
    event = rdf.value(doc, PKG.deliveredAt)
    assert (event, RDF.type, PKG.Event) in rdf
    assert rdf.value(event, SKOS.prefLabel) == Literal(meeting, lang="zh")
