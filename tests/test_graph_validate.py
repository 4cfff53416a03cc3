"""graph/shapes.ttl and graph/validate.py: built graphs conform, broken ones say exactly how.

The relation shapes are checked against ``RELATION_SIGNATURES`` by behaviour: one graph
holds every (relation, head type, tail type) combination, and pyshacl must reject exactly
those that ``admits`` refuses. That the graphs ``policykg build`` writes of the seeds and
of the corpus conform is tested in test_output_cli.py, on the builds made there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, SKOS, XSD

from policykg.extract import EntityType, Extraction, RelationType
from policykg.extract.resources import comparators
from policykg.extract.schema import admits
from policykg.graph import ENTITY_CLASSES, RELATION_PROPERTIES, KnowledgeGraph, build_graph
from policykg.graph.validate import Violation, describe, load_shapes, validate_graph
from policykg.graph.vocab import NIF, PKG, new_graph

ID = "https://w3id.org/policykg/id/"
DOC = ID + "doc/doc1.txt-5419b869"
ORG = ID + "entity/organization/9d6d23948b90"
STRATEGY = ID + "entity/strategy/1bc87065d630"
ASSERTION = ID + "assertion/doc1.txt-5419b869/ac5f01a18a10"
MENTION = ID + "mention/doc1.txt-5419b869/0-2"

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
            "aliases": ["乡村振兴"],
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


def tiny() -> KnowledgeGraph:
    return build_graph([Extraction.from_json(TINY, TEXT)])


def found(graph: KnowledgeGraph) -> list[tuple[str, str, str, str]]:
    """(focus, path, value, message) of every violation."""
    report = validate_graph(graph)
    assert report.conforms is (not report.violations)
    return [(v.focus, v.path, v.value, v.message) for v in report.violations]


# -- the shapes file --------------------------------------------------------------------------


def test_shapes_parse_with_rdflib_and_oxigraph() -> None:
    shapes = load_shapes()
    text = shapes.serialize(format="turtle")
    assert len(list(pyoxigraph.parse(text, pyoxigraph.RdfFormat.TURTLE))) == len(shapes)
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) == 23
    for shape in node_shapes:  # every constraint says what it wants, for the report
        messages = list(shapes.objects(shape, SH.message))
        for prop in shapes.objects(shape, SH.property):
            messages.extend(shapes.objects(prop, SH.message))
        for sparql in shapes.objects(shape, SH.sparql):
            messages.extend(shapes.objects(sparql, SH.message))
        assert messages, shape


def test_comparators_of_the_shapes_are_those_of_the_cues() -> None:
    shapes = load_shapes()
    (shape,) = [
        p for p in shapes.objects(None, SH.property) if (p, SH.path, PKG.comparator) in shapes
    ]
    (head,) = shapes.objects(shape, SH["in"])
    allowed = {str(value) for value in _rdf_list(shapes, head)}
    assert allowed == set(comparators().values())


def _rdf_list(graph: Graph, head: Any) -> list[Any]:
    items = []
    while head != RDF.nil:
        items.append(graph.value(head, RDF.first))
        head = graph.value(head, RDF.rest)
    return items


def test_relation_shapes_admit_exactly_the_schema_signatures() -> None:
    """Every relation between every two entity types, in one graph; one validation."""
    graph = new_graph()
    doc = URIRef(ID + "doc/d")
    graph.add((doc, RDF.type, PKG.Document))
    graph.add((doc, RDF.type, NIF.Context))
    graph.add((doc, DCTERMS.identifier, Literal("d.txt")))
    combos: dict[URIRef, tuple[RelationType, EntityType, EntityType]] = {}
    for relation, head, tail in itertools.product(RelationType, EntityType, EntityType):
        name = f"{ID}x/{relation.value}/{head.value}/{tail.value}"
        head_node, tail_node = URIRef(f"{name}/head"), URIRef(f"{name}/tail")
        for node, entity_type in ((head_node, head), (tail_node, tail)):
            graph.add((node, RDF.type, ENTITY_CLASSES[entity_type]))
            graph.add((node, SKOS.prefLabel, Literal(entity_type.value, lang="zh")))
            graph.add((node, PKG.mentionedIn, doc))
        graph.add((head_node, RELATION_PROPERTIES[relation], tail_node))
        combos[head_node] = (relation, head, tail)
    report = validate_graph(KnowledgeGraph(graph))
    rejected = {combos[URIRef(v.focus)] for v in report.violations if URIRef(v.focus) in combos}
    refused = {combo for combo in combos.values() if not admits(*combo)}
    assert rejected == refused
    assert len(refused) == 9 * 81 - 45  # 45 = Σ heads × tails of the signatures (partOf: 3)
    # the only other results: no assertion restates these relations
    others = {v.message for v in report.violations if URIRef(v.focus) not in combos}
    assert others == {
        "a relation of an entity of this document has no pkg:Assertion that restates it"
    }


# -- graphs that conform ----------------------------------------------------------------------


def test_a_built_graph_conforms_and_the_report_counts_its_triples() -> None:
    graph = tiny()
    report = validate_graph(graph)
    assert (report.conforms, report.triples, report.violations) == (True, len(graph), ())


# -- graphs that do not -----------------------------------------------------------------------

Mutation = Callable[[Graph], None]


def _set(subject: str, prop: URIRef, value: Any) -> Mutation:
    def change(graph: Graph) -> None:
        graph.set((URIRef(subject), prop, value))

    return change


def _remove(subject: str, prop: URIRef) -> Mutation:
    def change(graph: Graph) -> None:
        graph.remove((URIRef(subject), prop, None))

    return change


def _add(subject: str, prop: URIRef, value: Any) -> Mutation:
    def change(graph: Graph) -> None:
        graph.add((URIRef(subject), prop, value))

    return change


ENTITY_LABEL = "an entity has exactly one skos:prefLabel, a literal tagged @zh"
DOCUMENT_TRACE = "a relation of an entity of this document has no pkg:Assertion that restates it"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_remove(ORG, SKOS.prefLabel), [(ORG, "skos:prefLabel", "", ENTITY_LABEL)]),
        (
            _set(ORG, SKOS.prefLabel, Literal("市委")),
            [(ORG, "skos:prefLabel", "市委", ENTITY_LABEL)],
        ),
        (
            _add(ORG, SKOS.prefLabel, Literal("中共市委", lang="zh")),
            [(ORG, "skos:prefLabel", "", ENTITY_LABEL)],
        ),
        (
            _remove(ORG, PKG.mentionedIn),
            [
                (
                    ORG,
                    "pkg:mentionedIn",
                    "",
                    "an entity is pkg:mentionedIn at least one pkg:Document, and only in documents",
                )
            ],
        ),
        (
            _add(ORG, RDF.type, PKG.Task),
            [(ORG, "rdf:type", "", "an entity has exactly one of the nine entity classes")],
        ),
        (
            _add(ORG, PKG.value, Literal("六")),
            [
                (
                    ORG,
                    "",
                    ORG,
                    "only a pkg:Target has pkg:value, pkg:unit, pkg:comparator or pkg:year",
                ),
                (ORG, "pkg:value", "六", "pkg:value is an xsd:decimal"),
            ],
        ),
        (
            _add(STRATEGY, PKG.partOf, URIRef(ORG)),
            [
                (DOC, "pkg:partOf", STRATEGY, DOCUMENT_TRACE),
                (
                    STRATEGY,
                    "",
                    STRATEGY,
                    "the head of pkg:partOf is an Organization, Task or Problem",
                ),
            ],
        ),
        (
            _add(ORG, PKG.partOf, URIRef(STRATEGY)),
            [
                (DOC, "pkg:partOf", ORG, DOCUMENT_TRACE),
                (
                    ORG,
                    "pkg:partOf",
                    STRATEGY,
                    "an Organization is pkg:partOf an Organization only",
                ),
            ],
        ),
        (
            _remove(ORG, PKG.implements),
            [
                (
                    DOC,
                    "",
                    ASSERTION,
                    "the relation an assertion from this document restates is not in the graph",
                )
            ],
        ),
        (
            _set(MENTION, NIF.anchorOf, Literal("县委")),
            [
                (
                    DOC,
                    "",
                    MENTION,
                    "a mention's nif:anchorOf is not the text at its offsets in this document",
                )
            ],
        ),
        (
            _set(MENTION, NIF.beginIndex, Literal(3, datatype=XSD.nonNegativeInteger)),
            [
                (
                    DOC,
                    "",
                    MENTION,
                    "a mention's nif:anchorOf is not the text at its offsets in this document",
                ),
                (
                    MENTION,
                    "nif:beginIndex",
                    "3",
                    "a mention has exactly one nif:beginIndex, an xsd:nonNegativeInteger not "
                    "after its nif:endIndex",
                ),
            ],
        ),
        (
            _set(ASSERTION, PKG.evidence, Literal("市委要求。", lang="zh")),
            [
                (
                    DOC,
                    "",
                    ASSERTION,
                    "an assertion's pkg:evidence is not the text at its offsets in this document",
                )
            ],
        ),
        (
            _remove(ASSERTION, PROV.wasDerivedFrom),
            [
                (
                    ASSERTION,
                    "prov:wasDerivedFrom",
                    "",
                    "an assertion prov:wasDerivedFrom exactly one pkg:Document",
                )
            ],
        ),
        (
            _set(ASSERTION, RDF.predicate, PKG.mention),
            [
                (
                    ASSERTION,
                    "rdf:predicate",
                    "https://w3id.org/policykg/vocab#mention",
                    "an assertion has exactly one rdf:predicate, one of the nine relation "
                    "properties",
                ),
                (
                    DOC,
                    "",
                    ASSERTION,
                    "the relation an assertion from this document restates is not in the graph",
                ),
                (DOC, "pkg:implements", ORG, DOCUMENT_TRACE),
            ],
        ),
        (
            _remove(DOC, DCTERMS.identifier),
            [
                (
                    DOC,
                    "dcterms:identifier",
                    "",
                    "a document has exactly one dcterms:identifier, its name as a plain string",
                )
            ],
        ),
        (
            _set(DOC, DCTERMS.date, Literal("2022", datatype=XSD.gYear)),
            [
                (
                    DOC,
                    "dcterms:date",
                    "2022",
                    "a document has at most one dcterms:date, an xsd:date or a plain string",
                )
            ],
        ),
    ],
)
def test_a_broken_graph_names_each_violation(
    change: Mutation, expected: list[tuple[str, str, str, str]]
) -> None:
    graph = tiny()
    change(graph.rdf)
    assert found(graph) == expected


def test_merge_records_are_checked() -> None:
    other = dict(TINY, document="doc2.txt")
    graph = build_graph([Extraction.from_json(TINY, TEXT), Extraction.from_json(other, TEXT)])
    assert found(graph) == []
    record = min(graph.rdf.subjects(RDF.type, PKG.Merge), key=str)
    graph.rdf.remove((record, PKG.rule, None))
    graph.rdf.add((record, PKG.surfaceForm, Literal("乡村振兴")))
    assert found(graph) == [
        (str(record), "pkg:rule", "", "a merge record has exactly one pkg:rule, a plain string"),
        (
            str(record),
            "pkg:surfaceForm",
            "",
            "a merge record has exactly one pkg:surfaceForm, a literal tagged @zh",
        ),
        (
            str(record),
            "pkg:surfaceForm",
            "乡村振兴",
            "a merge record has exactly one pkg:surfaceForm, a literal tagged @zh",
        ),
    ]


def test_a_violation_names_its_nodes_by_their_labels() -> None:
    graph = tiny()
    graph.rdf.set((URIRef(MENTION), NIF.anchorOf, Literal("县委")))
    graph.rdf.add((URIRef(STRATEGY), PKG.value, Literal("六")))
    report = validate_graph(graph)
    assert not report.conforms
    assert report.violations[0] == Violation(
        focus=DOC,
        label="doc1.txt",
        path="",
        value=MENTION,
        value_label="县委",
        message="a mention's nif:anchorOf is not the text at its offsets in this document",
        severity="Violation",
        shape="https://w3id.org/policykg/shapes#DocumentTrace",
        value_is_iri=True,
    )
    value = [v for v in report.violations if v.path == "pkg:value"]
    assert [(v.label, v.value, v.value_is_iri, v.shape) for v in value] == [
        ("乡村振兴战略", "六", False, "")
    ]


def test_describe_names_every_kind_of_node() -> None:
    graph = tiny().rdf
    assert describe(graph, URIRef(ORG)) == "市委"
    assert describe(graph, URIRef(DOC)) == "doc1.txt"
    assert describe(graph, URIRef(MENTION)) == "市委"
    assert describe(graph, URIRef(ASSERTION)) == "市委 implements 乡村振兴战略"
    assert describe(graph, URIRef(ID + "nothing")) == ""
    assert describe(graph, Literal("市委")) == ""
    graph.remove((URIRef(STRATEGY), SKOS.prefLabel, None))
    assert describe(graph, URIRef(STRATEGY)) == "乡村振兴"
