"""The view collected part by part equals the view the RDF graph gives, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.extract import Extraction, extract_text
from policykg.graph import KnowledgeGraph, build_graph
from policykg.graph.build import GraphPlan
from policykg.graph.turtle import SHARED_PART, part_of_triple
from policykg.graph.view import GraphView, ViewCollector

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
#: The seeds graph's view: 2 documents and 457 entities; relation and mention edges; mentions.
NODES, EDGES, MENTIONS = 459, 1201, 622
#: The shared statements: their subjects (every entity) and their number.
SHARED = (457, 994)


def seed_extractions() -> list[Extraction]:
    """The seeds' extractions (mentions with offsets and rules, merges, two documents)."""
    return [
        extract_text(p.read_text(encoding="utf-8"), p.name) for p in sorted(SEEDS.glob("*.txt"))
    ]


@pytest.fixture(scope="module")
def plan() -> GraphPlan:
    return GraphPlan(seed_extractions())


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return build_graph(seed_extractions())


def collected(plan: GraphPlan) -> ViewCollector:
    view = ViewCollector(plan)
    for index in plan.document_order():
        view.add(plan.document_part(index))
    return view


def test_networkx_view_is_the_graphs(plan: GraphPlan, graph: KnowledgeGraph) -> None:
    ours, theirs = collected(plan).to_networkx(), graph.to_networkx()
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges(keys=True, data=True)) == list(theirs.edges(keys=True, data=True))
    assert (ours.number_of_nodes(), ours.number_of_edges()) == (NODES, EDGES)


def test_plain_view_is_the_networkx_view(plan: GraphPlan, graph: KnowledgeGraph) -> None:
    view, theirs = collected(plan).graph_view(), graph.to_networkx()
    assert list(view.nodes.items()) == list(theirs.nodes(data=True))
    edges = {(head, tail, key): attrs for head, tail, key, attrs in view.edges}
    assert edges == {(h, t, k): a for h, t, k, a in theirs.edges(keys=True, data=True)}
    assert (len(view.nodes), len(view.edges)) == (NODES, EDGES)


def test_plain_view_counts_entities_and_distinct_relations(plan: GraphPlan) -> None:
    collector = collected(plan)
    view = collector.graph_view()
    theirs = view.to_networkx()
    assert view.entities() == sum(1 for _, kind in theirs.nodes(data="kind") if kind == "entity")
    stated = {(h, t, kind) for h, t, kind in theirs.edges(data="type") if kind != "mentionedIn"}
    assert view.relations() == len(stated)
    assert (view.entities(), view.relations()) == (457, 732)
    assert collector.relations() == 732


def test_plain_view_to_networkx_adds_edges_by_key_and_missing_ends() -> None:
    view = GraphView(
        {"urn:a": {"label": "a"}, "urn:b": {"label": "b"}},
        [("urn:b", "urn:z", "k2", {"type": "x"}), ("urn:a", "urn:b", "k1", {"type": "y"})],
    )
    graph = view.to_networkx()
    assert list(graph.nodes(data=True)) == [
        ("urn:a", {"label": "a"}),
        ("urn:b", {"label": "b"}),
        ("urn:z", {}),
    ]
    assert list(graph.edges(keys=True, data="type")) == [
        ("urn:a", "urn:b", "k1", "y"),
        ("urn:b", "urn:z", "k2", "x"),
    ]
    assert (view.entities(), view.relations()) == (0, 2)


def test_documents_are_the_graphs_and_the_parts_hold_its_mentions(
    plan: GraphPlan, graph: KnowledgeGraph
) -> None:
    assert collected(plan).documents() == graph.documents()
    mentions = [m for i in range(len(plan.documents)) for m in plan.document_part(i).mentions]
    in_order = sorted(mentions, key=lambda m: (m.document, m.start, m.end, m.entity))
    assert in_order == graph.mentions()
    assert len(mentions) == MENTIONS


def test_shared_statements_are_the_shared_triples_by_subject(plan: GraphPlan) -> None:
    statements = plan.shared_statements()
    triples = {(s, p, o) for s, pairs in statements.items() for p, o in pairs}
    assert triples == plan.shared_triples()
    assert sorted(statements) == sorted({s for s, _, _ in triples})
    assert (len(statements), len(triples)) == SHARED


def test_parts_partition_the_graph(plan: GraphPlan, graph: KnowledgeGraph) -> None:
    everything = set(plan.shared_triples())
    own_total = 0
    for index in plan.document_order():
        part = plan.document_part(index)
        key = part.iri.rsplit("/", 1)[1]
        assert {part_of_triple(t) for t in part.own} == {key}
        assert part.own_count == len(part.own)
        assert {(s, p, o) for s, pairs in part.statements.items() for p, o in pairs} == part.own
        assert {part_of_triple(t) for t in part.links} == {SHARED_PART}
        assert not everything & part.own
        own_total += len(part.own)
        everything |= part.own | part.links
    assert everything == graph.triples()
    assert len(everything) == len(graph) and own_total < len(graph)


def test_parts_stream_once_and_let_the_extractions_go() -> None:
    plan = GraphPlan(seed_extractions())
    expected = [plan.document_part(index) for index in plan.document_order()]
    assert list(plan.parts()) == expected
    assert [(ext.entities, ext.relations, ext.text) for ext in plan.documents] == [([], [], "")] * 2
    assert [ext.document for ext in plan.documents] == [
        "000_e07ead4074b87c09.txt",
        "hailar_district_gov_work_report_2019.txt",
    ]
