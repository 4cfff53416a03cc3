"""graph/exports.py: every format reads back as the graph it was written from, byte-stable.

The graphs are built from handmade extractions and the seed speech's gold annotations (no
extraction rules run), so the expected values are exact.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from policykg.extract import (
    Entity,
    EntityType,
    Evidence,
    Extraction,
    Mention,
    Relation,
    RelationType,
)
from policykg.graph import KnowledgeGraph, build_graph, load_ontology
from policykg.graph import exports as ex
from policykg.graph.turtle import part_of_triple
from policykg.graph.vocab import PKG

ID = "https://w3id.org/policykg/id/"
DOC = ID + "doc/doc1.txt-5419b869"
ORG = ID + "entity/organization/9d6d23948b90"
STRATEGY = ID + "entity/strategy/1bc87065d630"
ASSERTION = ID + "assertion/doc1.txt-5419b869/ac5f01a18a10"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED = "000_e07ead4074b87c09"

#: rdflib 7's JSON-LD and TriG parsers call its own deprecated ConjunctiveGraph API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

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

# Run in a fresh interpreter: builds the seed gold and the tiny extraction, prints every
# export format, separated by NUL bytes.
CHILD = """
import json, sys
from pathlib import Path
from policykg.extract import Extraction
from policykg.graph import build_graph
from policykg.graph import exports as ex
seeds, name = Path(sys.argv[1]), sys.argv[2]
tiny = Extraction.from_json(json.loads(sys.argv[3]), sys.argv[4])
gold = json.loads((seeds / f"{name}.json").read_text(encoding="utf-8"))
seed = Extraction.from_json(gold, (seeds / f"{name}.txt").read_text(encoding="utf-8"))
graph = build_graph([tiny, seed])
texts = [ex.to_jsonld(graph), ex.to_trig(graph), ex.to_graphml(graph), ex.to_gexf(graph)]
texts.extend(ex.to_neo4j_csv(graph))
sys.stdout.buffer.write("\\x00".join(texts).encode("utf-8"))
"""


def tiny() -> Extraction:
    return Extraction.from_json(TINY, TEXT)


def seed() -> Extraction:
    gold = json.loads((SEEDS / f"{SEED}.json").read_text(encoding="utf-8"))
    return Extraction.from_json(gold, (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    return build_graph([tiny()])


@pytest.fixture(scope="module")
def big() -> KnowledgeGraph:
    return build_graph([seed(), tiny()])


def all_formats(graph: KnowledgeGraph) -> list[str]:
    texts = [ex.to_jsonld(graph), ex.to_trig(graph), ex.to_graphml(graph), ex.to_gexf(graph)]
    return [*texts, *ex.to_neo4j_csv(graph)]


# -- determinism ------------------------------------------------------------------------------


def test_every_format_is_byte_identical_across_builds(big: KnowledgeGraph) -> None:
    again = build_graph([tiny(), seed()])
    assert all_formats(again) == all_formats(big)
    assert ex.to_ntriples(again) == ex.to_ntriples(big)


@pytest.mark.parametrize("hash_seed", ["1", "4242"])
def test_every_format_is_byte_identical_across_processes(
    big: KnowledgeGraph, hash_seed: str
) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = [sys.executable, "-c", CHILD, str(SEEDS), SEED, json.dumps(TINY), TEXT]
    child = subprocess.run(args, env=env, capture_output=True, check=True, timeout=120)
    assert child.stdout.decode("utf-8").split("\x00") == all_formats(big)


def test_formats_are_listed_in_build_order() -> None:
    assert ex.FORMATS == ("ttl", "nt", "jsonld", "trig", "graphml", "gexf", "csv")


# -- RDF formats ------------------------------------------------------------------------------


def test_turtle_is_what_the_graph_serializes(big: KnowledgeGraph) -> None:
    assert ex.to_turtle(big) == big.serialize("turtle")


def test_ntriples_is_isomorphic_and_sorted_part_by_part(big: KnowledgeGraph) -> None:
    text = ex.to_ntriples(big)
    back = Graph().parse(data=text, format="nt")
    assert isomorphic(back, big.rdf)
    lines = text.splitlines()
    keys = [(part_of_triple(_triple(line)), line) for line in lines]
    assert keys == sorted(keys) and len(lines) == len(big)


def test_jsonld_parses_back_isomorphic_to_the_turtle(big: KnowledgeGraph) -> None:
    back = Graph().parse(data=ex.to_jsonld(big), format="json-ld")
    turtle = Graph().parse(data=ex.to_turtle(big), format="turtle")
    assert len(back) == len(big)
    assert isomorphic(back, turtle)


def test_jsonld_is_read_by_oxigraph_with_the_same_triples(big: KnowledgeGraph) -> None:
    quads = list(pyoxigraph.parse(ex.to_jsonld(big), pyoxigraph.RdfFormat.JSON_LD))
    triples = pyoxigraph.parse(ex.to_ntriples(big), pyoxigraph.RdfFormat.N_TRIPLES)
    assert {quad.triple for quad in quads} == {quad.triple for quad in triples}


def test_jsonld_context_is_made_from_the_vocabulary() -> None:
    context = ex.jsonld_context()
    assert context["pkg"] == str(PKG)
    assert context["Task"] == "pkg:Task"
    assert context["deploys"] == {"@id": "pkg:deploys", "@type": "@id"}
    assert context["value"] == {"@id": "pkg:value", "@type": "xsd:decimal"}
    assert context["year"] == {"@id": "pkg:year", "@type": "xsd:gYear"}
    assert context["unit"] == {"@id": "pkg:unit"}
    assert context["evidence"] == {"@id": "pkg:evidence", "@language": "zh"}
    assert context["surfaceForm"] == {"@id": "pkg:surfaceForm", "@language": "zh"}
    assert context["prefLabel"] == {"@id": "skos:prefLabel", "@language": "zh"}
    assert context["beginIndex"] == {"@id": "nif:beginIndex", "@type": "xsd:nonNegativeInteger"}
    namespace = str(PKG)
    pkg_terms = {
        str(s)[len(namespace) :] for s in load_ontology().subjects() if str(s).startswith(namespace)
    }
    assert len(pkg_terms) == 36
    assert pkg_terms <= set(context)


def test_jsonld_nodes_use_the_context_terms(small: KnowledgeGraph) -> None:
    data = json.loads(ex.to_jsonld(small))
    assert data["@context"] == ex.jsonld_context()
    assert [node["@id"] for node in data["@graph"]] == sorted(
        node["@id"] for node in data["@graph"]
    )
    nodes = {node["@id"]: node for node in data["@graph"]}
    assert nodes[ORG] == {
        "@id": ORG,
        "@type": "Organization",
        "implements": STRATEGY,
        "mention": f"{ID}mention/doc1.txt-5419b869/0-2",
        "mentionedIn": DOC,
        "prefLabel": "市委",
    }
    assert nodes[DOC] == {
        "@id": DOC,
        "@type": ["Document", "nif:Context"],
        "beginIndex": "0",
        "date": "2022-03-01",
        "endIndex": "13",
        "identifier": "doc1.txt",
        "isString": TEXT,
        "title": "测试文件",
    }
    assert nodes[ASSERTION]["predicate"] == "pkg:implements"
    assert nodes[ASSERTION]["evidence"] == TEXT


def test_jsonld_typed_attributes_keep_their_datatypes() -> None:
    target = Entity(
        "t",
        EntityType.TARGET,
        "增长6%左右",
        [Mention(0, 7, "增长6%左右", "target")],
        attributes={"value": "6", "unit": "%", "comparator": "about", "year": "2026"},
    )
    graph = build_graph([Extraction("d.txt", "增长6%左右。", [target], [])])
    data = json.loads(ex.to_jsonld(graph))
    node = next(n for n in data["@graph"] if n["@type"] == "Target")
    assert (node["value"], node["year"], node["unit"]) == ("6", "2026", "%")
    back = Graph().parse(data=ex.to_jsonld(graph), format="json-ld")
    assert isomorphic(back, graph.rdf)
    values = set(back.objects(None, PKG.value)) | set(back.objects(None, PKG.year))
    assert values == {Literal("6", datatype=XSD.decimal), Literal("2026", datatype=XSD.gYear)}


def test_jsonld_writes_in_full_a_value_that_does_not_fit_its_term() -> None:
    metadata = {"date": "2022年3月", "title": "标题", "spatial": "呼伦贝尔市"}
    graph = build_graph([Extraction("d.txt", "文本", [], [], metadata=metadata)])
    data = json.loads(ex.to_jsonld(graph))
    (node,) = data["@graph"]
    assert "date" not in node  # the term means an xsd:date
    assert (node["dcterms:date"], node["title"]) == ("2022年3月", "标题")
    back = Graph().parse(data=ex.to_jsonld(graph), format="json-ld")
    assert isomorphic(back, graph.rdf)
    assert set(back.objects(None, DCTERMS.date)) == {Literal("2022年3月")}


def test_jsonld_of_an_empty_graph() -> None:
    data = json.loads(ex.to_jsonld(KnowledgeGraph()))
    assert data == {"@context": ex.jsonld_context(), "@graph": []}


def union(dataset: Dataset) -> Graph:
    out = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


def test_trig_union_is_isomorphic_to_the_turtle(big: KnowledgeGraph) -> None:
    dataset = Dataset()
    dataset.parse(data=ex.to_trig(big), format="trig")
    turtle = Graph().parse(data=ex.to_turtle(big), format="turtle")
    assert isomorphic(union(dataset), turtle)


def test_trig_has_one_named_graph_per_document(big: KnowledgeGraph) -> None:
    dataset = Dataset()
    dataset.parse(data=ex.to_trig(big), format="trig")
    names = {
        g.identifier for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier
    }
    documents = set(big.rdf.subjects(RDF.type, PKG.Document))
    assert names == documents and len(names) == 2
    quads = list(pyoxigraph.parse(ex.to_trig(big), pyoxigraph.RdfFormat.TRIG))
    named = {
        str(q.graph_name.value) for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)
    }
    assert named == {str(d) for d in documents}


def test_trig_graphs_of_one_document(small: KnowledgeGraph) -> None:
    parts = ex.document_graphs(small)
    assert list(parts) == [None, URIRef(DOC)]
    default = parts[None]
    assert sorted(default, key=str) == sorted(
        [
            (URIRef(ORG), RDF.type, PKG.Organization),
            (URIRef(ORG), SKOS.prefLabel, Literal("市委", lang="zh")),
            (URIRef(STRATEGY), RDF.type, PKG.Strategy),
            (URIRef(STRATEGY), SKOS.prefLabel, Literal("乡村振兴战略", lang="zh")),
        ],
        key=str,
    )
    document = parts[URIRef(DOC)]
    assert len(document) + len(default) == len(small)
    assert (URIRef(ORG), PKG.implements, URIRef(STRATEGY)) in document
    assert (URIRef(ORG), PKG.mentionedIn, URIRef(DOC)) in document
    assert (URIRef(DOC), DCTERMS.identifier, Literal("doc1.txt")) in document
    assert (URIRef(ASSERTION), RDF.type, PKG.Assertion) in document


def test_trig_puts_a_relation_in_every_document_that_asserts_it() -> None:
    other = dict(TINY, document="doc2.txt")
    graph = build_graph([tiny(), Extraction.from_json(other, TEXT)])
    relation = (URIRef(ORG), PKG.implements, URIRef(STRATEGY))
    holders = [name for name, part in ex.document_graphs(graph).items() if relation in part]
    assert holders == sorted(graph.rdf.subjects(RDF.type, PKG.Document), key=str)
    merges = set(graph.rdf.subjects(RDF.type, PKG.Merge))
    assert merges  # doc2's entities were merged into doc1's nodes
    default = ex.document_graphs(graph)[None]
    assert not [t for t in default if t[0] in merges]


def test_trig_default_graph_holds_only_entity_descriptions(big: KnowledgeGraph) -> None:
    default = ex.document_graphs(big)[None]
    assert {p for _, p, _ in default} <= {
        RDF.type,
        SKOS.prefLabel,
        SKOS.altLabel,
        PKG.value,
        PKG.unit,
        PKG.comparator,
        PKG.year,
        PKG.modality,
        PKG.attribute,
        DCTERMS.spatial,
    }
    entities = {s for s, _, _ in default}
    assert entities == set(big.rdf.subjects(PKG.mentionedIn, None))


def test_standalone_graphs_copy_the_descriptions_into_each_document() -> None:
    other = dict(TINY, document="doc2.txt")
    graph = build_graph([tiny(), Extraction.from_json(other, TEXT)])
    parts = ex.standalone_graphs(graph)
    found = graph.rdf.subjects(RDF.type, PKG.Document)
    documents = sorted((d for d in found if isinstance(d, URIRef)), key=str)
    assert list(parts) == documents  # no None: every description has a document
    split = ex.document_graphs(graph)
    default = split[None]
    assert len(default) == 4
    for doc in documents:
        assert set(parts[doc]) == set(split[doc]) | set(default)
    union = set().union(*(set(part) for part in parts.values()))
    assert union == set(graph.rdf)


def test_standalone_graphs_keep_what_describes_no_document(small: KnowledgeGraph) -> None:
    graph = KnowledgeGraph(Graph())
    for triple in small.rdf:
        graph.rdf.add(triple)
    stray = (URIRef("urn:x:stray"), SKOS.prefLabel, Literal("孤立", lang="zh"))
    graph.rdf.add(stray)
    parts = ex.standalone_graphs(graph)
    assert list(parts) == [None, URIRef(DOC)]
    assert set(parts[None]) == {stray}
    assert len(parts[URIRef(DOC)]) == len(small)


# -- graph files ------------------------------------------------------------------------------


def test_export_view_attributes_are_typed_and_flat(
    big: KnowledgeGraph, small: KnowledgeGraph
) -> None:
    view = ex.export_view(big)
    base = big.to_networkx()
    assert list(view.nodes) == list(base.nodes)
    assert list(view.edges(keys=True)) == list(base.edges(keys=True))
    for _, data in view.nodes(data=True):
        assert set(data) == {"label", "type", "kind", "aliases", "documents", "mentions"}
        assert isinstance(data["mentions"], int)
        assert all(isinstance(data[k], str) for k in data if k != "mentions")
    for _, _, data in view.edges(data=True):
        assert {"label", "type", "evidence", "rule", "document"} <= set(data)
        assert data["label"] == data["type"]
    view = ex.export_view(small)
    assert view.nodes[ORG] == {
        "label": "市委",
        "type": "Organization",
        "kind": "entity",
        "aliases": "",
        "documents": "doc1.txt",
        "mentions": 1,
    }
    assert view.edges[ORG, STRATEGY, ASSERTION] == {
        "label": "implements",
        "type": "implements",
        "evidence": TEXT,
        "rule": "rel.implements",
        "document": "doc1.txt",
        "evidenceStart": 0,
        "evidenceEnd": 13,
    }


def test_lists_are_joined_and_a_delimiter_inside_an_item_is_replaced() -> None:
    ent = Entity(
        "x", EntityType.POLICY, "甲;乙政策", [Mention(0, 5, "甲;乙政策", "p")], aliases=["丙政策"]
    )
    graph = build_graph([Extraction("d.txt", "甲;乙政策", [ent], [])])
    view = ex.export_view(graph)
    node = next(data for _, data in view.nodes(data=True) if data["kind"] == "entity")
    assert node["aliases"] == "丙政策"
    assert node["label"] == "甲;乙政策"  # a single value keeps its ";"
    two = Entity("x", EntityType.POLICY, "丁政策", [], aliases=["甲;乙政策", "丙政策"])
    view = ex.export_view(build_graph([Extraction("d.txt", "", [two], [])]))
    node = next(data for _, data in view.nodes(data=True) if data["kind"] == "entity")
    assert node["aliases"] == "丙政策;甲；乙政策"


def read_graphml(text: str) -> nx.MultiDiGraph:
    graph = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert isinstance(graph, nx.MultiDiGraph)
    return graph


def read_gexf(text: str) -> nx.MultiDiGraph:
    graph = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    assert isinstance(graph, nx.DiGraph)  # a MultiDiGraph where there are parallel edges
    return graph if isinstance(graph, nx.MultiDiGraph) else nx.MultiDiGraph(graph)


def test_graphml_reads_back_with_the_same_nodes_edges_and_attributes(big: KnowledgeGraph) -> None:
    view = ex.xml_view(big)
    back = read_graphml(ex.to_graphml(big))
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        view.number_of_nodes(),
        view.number_of_edges(),
    )
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    edges = {key: (u, v, data) for u, v, key, data in back.edges(keys=True, data=True)}
    assert edges == {key: (u, v, data) for u, v, key, data in view.edges(keys=True, data=True)}


def test_graphml_declares_typed_keys(small: KnowledgeGraph) -> None:
    text = ex.to_graphml(small)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<graphml ')
    assert 'attr.name="mentions" attr.type="long"' in text
    assert 'attr.name="evidenceStart" attr.type="long"' in text
    assert 'attr.name="label" attr.type="string"' in text
    assert "<data key=" in text and "市委" in text  # characters, not &#…; references


def test_gexf_reads_back_with_the_same_nodes_edges_and_attributes(big: KnowledgeGraph) -> None:
    view = ex.xml_view(big)
    back = read_gexf(ex.to_gexf(big))
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        view.number_of_nodes(),
        view.number_of_edges(),
    )
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    expected = {}
    for u, v, key, data in view.edges(keys=True, data=True):
        attrs = {("relation" if k == "type" else k): value for k, value in data.items()}
        expected[key] = (u, v, {**attrs, "id": key})
    assert {key: (u, v, data) for u, v, key, data in back.edges(keys=True, data=True)} == expected


def test_gexf_is_undated_and_names_policykg(small: KnowledgeGraph) -> None:
    text = ex.to_gexf(small)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<gexf ')
    assert "<creator>policykg</creator>" in text
    assert "lastmodifieddate" not in text and "networkx_key" not in text
    assert f'<edge source="{ORG}" target="{STRATEGY}" id="{ASSERTION}" label="implements">' in text


def test_xml_formats_carry_line_breaks_and_drop_what_xml_cannot_hold() -> None:
    text = "市委\r\n要求\x0b实施乡村振兴战略。"
    ents = [
        Entity("a", EntityType.ORGANIZATION, "市委", [Mention(0, 2, "市委", "o")]),
        Entity("b", EntityType.STRATEGY, "乡村振兴战略", [Mention(9, 15, "乡村振兴战略", "s")]),
    ]
    rel = Relation("a", RelationType.IMPLEMENTS, "b", "r", Evidence(0, len(text), text))
    graph = build_graph([Extraction("d.txt", text, ents, [rel])])
    for back in (read_graphml(ex.to_graphml(graph)), read_gexf(ex.to_gexf(graph))):
        evidence = {data["evidence"] for _, _, data in back.edges(data=True)} - {""}
        assert evidence == {"市委\n要求实施乡村振兴战略。"}


# -- CSV for neo4j ----------------------------------------------------------------------------


def test_csv_headers_and_rows_of_a_small_graph(small: KnowledgeGraph) -> None:
    nodes, relationships = ex.to_neo4j_csv(small)
    assert nodes == (
        "id:ID,:LABEL,label,type,aliases:string[],documents:string[],mentions:int\n"
        f"{DOC},Document,测试文件,Document,,doc1.txt,2\n"
        f"{ORG},Entity;Organization,市委,Organization,,doc1.txt,1\n"
        f"{STRATEGY},Entity;Strategy,乡村振兴战略,Strategy,,doc1.txt,1\n"
    )
    assert relationships == (
        ":START_ID,:END_ID,:TYPE,evidence,rule,document,evidenceStart:int,evidenceEnd:int,"
        "assertion\n"
        f"{ORG},{STRATEGY},implements,{TEXT},rel.implements,doc1.txt,0,13,{ASSERTION}\n"
        f"{ORG},{DOC},mentionedIn,,mention,doc1.txt,,,\n"
        f"{STRATEGY},{DOC},mentionedIn,,mention,doc1.txt,,,\n"
    )


def test_csv_has_one_row_per_node_and_relationship(big: KnowledgeGraph) -> None:
    view = big.to_networkx()
    nodes, relationships = ex.to_neo4j_csv(big)
    node_rows = list(csv.reader(io.StringIO(nodes)))
    edge_rows = list(csv.reader(io.StringIO(relationships)))
    assert tuple(node_rows[0]) == ex.NODE_HEADER
    assert tuple(edge_rows[0]) == ex.RELATIONSHIP_HEADER
    assert [row[0] for row in node_rows[1:]] == list(view.nodes)
    assert len(edge_rows) - 1 == view.number_of_edges() == len(list(view.edges))
    assert all(len(row) == len(ex.NODE_HEADER) for row in node_rows)
    assert all(len(row) == len(ex.RELATIONSHIP_HEADER) for row in edge_rows)
    ids = {row[0] for row in node_rows[1:]}
    assert all(row[0] in ids and row[1] in ids for row in edge_rows[1:])
    types = {row[2] for row in edge_rows[1:]}
    assert types == {data for _, _, data in view.edges(data="type")}


def test_csv_quotes_commas_quotes_and_line_breaks() -> None:
    text = '市委说，"实施"乡村振兴战略,\n好。'
    ents = [
        Entity("a", EntityType.ORGANIZATION, "市委", [Mention(0, 2, "市委", "o")]),
        Entity("b", EntityType.STRATEGY, "乡村振兴战略", [Mention(10, 16, "乡村振兴战略", "s")]),
    ]
    rel = Relation("a", RelationType.IMPLEMENTS, "b", "r", Evidence(0, len(text), text))
    _, relationships = ex.to_neo4j_csv(build_graph([Extraction("d.txt", text, ents, [rel])]))
    assert '"市委说，""实施""乡村振兴战略,\n好。"' in relationships
    rows = list(csv.reader(io.StringIO(relationships)))
    assert [row[3] for row in rows[1:] if row[2] == "implements"] == [text]


def _triple(line: str) -> tuple[str, str, str]:
    """The terms of an N-Triples line."""
    subject, predicate, obj = line.removesuffix(" .").split(" ", 2)
    return subject, predicate, obj
