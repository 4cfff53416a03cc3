"""The view collected part by part equals the view the RDF graph gives, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.extract import Extraction, extract_text
from policykg.graph import KnowledgeGraph, build_graph
from policykg.graph.build import GraphPlan
from policykg.graph.turtle import SHARED_PART, part_of_triple
from policykg.graph.view import ViewCollector

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
#: The seeds graph's view: 2 documents and 457 entities; relation and mention edges; mentions.
NODES, EDGES, MENTIONS = 459, 1201, 622


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


def test_documents_and_mentions_are_the_graphs(plan: GraphPlan, graph: KnowledgeGraph) -> None:
    view = collected(plan)
    assert view.documents() == graph.documents()
    assert view.mentions() == graph.mentions()
    assert len(view.mentions()) == MENTIONS


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
