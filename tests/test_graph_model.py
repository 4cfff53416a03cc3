"""KnowledgeGraph: byte-stable serialisations, round trips, the networkx view contract."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from policykg.extract import Entity, EntityType, Extraction, Mention
from policykg.graph import DocumentText, KnowledgeGraph, MentionSpan, build_graph, load_turtle
from policykg.graph.turtle import SHARED_PART, part_of_triple
from policykg.graph.vocab import PKG

ID = "https://w3id.org/policykg/id/"
DOC = ID + "doc/doc1.txt-5419b869"
DOC2 = ID + "doc/doc2.txt-a509fe09"
ORG = ID + "entity/organization/9d6d23948b90"
STRATEGY = ID + "entity/strategy/1bc87065d630"
ASSERTION = ID + "assertion/doc1.txt-5419b869/ac5f01a18a10"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED = "000_e07ead4074b87c09"

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

# Run in a fresh interpreter: builds the tiny extraction and the seed gold, prints Turtle.
CHILD = """
import json, sys
from pathlib import Path
from policykg.extract import Extraction
from policykg.graph import build_graph
seeds, name = Path(sys.argv[1]), sys.argv[2]
tiny = Extraction.from_json(json.loads(sys.argv[3]), sys.argv[4])
gold = json.loads((seeds / f"{name}.json").read_text(encoding="utf-8"))
seed = Extraction.from_json(gold, (seeds / f"{name}.txt").read_text(encoding="utf-8"))
sys.stdout.buffer.write(build_graph([seed, tiny]).serialize().encode("utf-8"))
"""


def tiny() -> Extraction:
    return Extraction.from_json(TINY, TEXT)


def seed() -> Extraction:
    gold = json.loads((SEEDS / f"{SEED}.json").read_text(encoding="utf-8"))
    return Extraction.from_json(gold, (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def big() -> KnowledgeGraph:
    return build_graph([tiny(), seed()])


def test_turtle_is_byte_identical_across_builds(big: KnowledgeGraph) -> None:
    again = build_graph([seed(), tiny()])
    assert again.serialize() == big.serialize()
    assert again.serialize("nt") == big.serialize("nt")


@pytest.mark.parametrize("hash_seed", ["1", "4242"])
def test_turtle_is_byte_identical_across_processes(big: KnowledgeGraph, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = [sys.executable, "-c", CHILD, str(SEEDS), SEED, json.dumps(TINY), TEXT]
    child = subprocess.run(args, env=env, capture_output=True, check=True, timeout=60)
    assert child.stdout == big.serialize().encode("utf-8")


def test_turtle_round_trip(big: KnowledgeGraph) -> None:
    text = big.serialize()
    back = load_turtle(text)
    assert isomorphic(back.rdf, big.rdf)
    assert back.serialize() == text


def test_oxigraph_reads_the_same_triples(big: KnowledgeGraph) -> None:
    turtle = list(pyoxigraph.parse(big.serialize(), pyoxigraph.RdfFormat.TURTLE))
    ntriples = list(pyoxigraph.parse(big.serialize("nt"), pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(turtle) == len(ntriples) == len(big) == len(big.rdf)
    assert set(turtle) == set(ntriples)


def test_ntriples_lines_are_sorted_part_by_part(big: KnowledgeGraph) -> None:
    lines = big.serialize("nt").splitlines()
    keys = [(part_of_triple(_triple(line)), line) for line in lines]
    assert keys == sorted(keys)
    assert len(lines) == len(big)
    documents = [str(doc) for doc in big.rdf.subjects(RDF.type, PKG.Document)]
    parts = list(dict.fromkeys(part for part, _ in keys))
    assert parts == [*sorted(doc.rsplit("/", 1)[1] for doc in documents), SHARED_PART]


def test_a_mention_span_pickles_as_its_fields() -> None:
    span = MentionSpan(ORG, "doc1.txt", 0, 2, "市委", "org.rule")
    assert span.__reduce__() == (MentionSpan, (ORG, "doc1.txt", 0, 2, "市委", "org.rule"))
    assert pickle.loads(pickle.dumps(span)) == span


def test_tiny_networkx_view_exactly() -> None:
    view = build_graph([tiny()]).to_networkx()
    assert type(view).__name__ == "MultiDiGraph"
    assert list(view.nodes(data=True)) == [
        (
            DOC,
            {
                "kind": "document",
                "type": "Document",
                "label": "测试文件",
                "aliases": [],
                "documents": ["doc1.txt"],
            },
        ),
        (
            ORG,
            {
                "kind": "entity",
                "type": "Organization",
                "label": "市委",
                "aliases": [],
                "documents": ["doc1.txt"],
            },
        ),
        (
            STRATEGY,
            {
                "kind": "entity",
                "type": "Strategy",
                "label": "乡村振兴战略",
                "aliases": [],
                "documents": ["doc1.txt"],
            },
        ),
    ]
    mentioned = {"type": "mentionedIn", "evidence": "", "rule": "mention", "document": "doc1.txt"}
    assert list(view.edges(keys=True, data=True)) == [
        (
            ORG,
            STRATEGY,
            ASSERTION,
            {
                "type": "implements",
                "evidence": TEXT,
                "rule": "rel.implements",
                "document": "doc1.txt",
            },
        ),
        (ORG, DOC, f"{ORG} mentionedIn {DOC}", mentioned),
        (STRATEGY, DOC, f"{STRATEGY} mentionedIn {DOC}", mentioned),
    ]


def test_view_of_merged_entity_and_untitled_document() -> None:
    doc2 = Extraction(
        "doc2.txt",
        "中共市委召开会议。",
        [
            Entity(
                "x",
                EntityType.ORGANIZATION,
                "市委",
                [Mention(2, 4, "市委", "org.lexicon")],
                aliases=["中共市委"],
            )
        ],
        [],
    )
    view = build_graph([doc2, tiny()]).to_networkx()
    assert view.number_of_nodes() == 4
    assert view.number_of_edges() == 4
    assert view.nodes[ORG]["documents"] == ["doc1.txt", "doc2.txt"]
    assert view.nodes[ORG]["label"] == "市委"
    assert view.nodes[ORG]["aliases"] == ["中共市委"]
    assert view.nodes[DOC2]["label"] == "doc2.txt"
    assert view.nodes[DOC2]["documents"] == ["doc2.txt"]
    assert sorted(key for _, _, key in view.out_edges(ORG, keys=True)) == [
        ASSERTION,
        f"{ORG} mentionedIn {DOC}",
        f"{ORG} mentionedIn {DOC2}",
    ]


def test_seed_view_counts_and_order(big: KnowledgeGraph) -> None:
    view = big.to_networkx()
    entities = [n for n, kind in view.nodes(data="kind") if kind == "entity"]
    documents = [n for n, kind in view.nodes(data="kind") if kind == "document"]
    assert documents == [ID + f"doc/{SEED}.txt-473772c5", DOC]
    assertions = [k for _, _, k, t in view.edges(keys=True, data="type") if t != "mentionedIn"]
    mentions = [k for _, _, k, t in view.edges(keys=True, data="type") if t == "mentionedIn"]
    # The seed gold has 146 entities and 253 relations; 市委 and 乡村振兴战略 are in both documents.
    assert len(entities) == 146
    assert (
        view.nodes[ORG]["documents"]
        == view.nodes[STRATEGY]["documents"]
        == [
            f"{SEED}.txt",
            "doc1.txt",
        ]
    )
    assert len(mentions) == 146 + 2
    assert len(assertions) == 253 + 1
    assert list(view.nodes) == sorted(view.nodes)
    # Edges were inserted in key order; networkx lists them by source, then by target in
    # the order the first edge to it was inserted, then by key.
    for node in view.nodes:
        firsts = [min(view.succ[node][target]) for target in view.succ[node]]
        assert firsts == sorted(firsts)
        for target in view.succ[node]:
            assert list(view.succ[node][target]) == sorted(view.succ[node][target])
    assert all(isinstance(view.nodes[n]["aliases"], list) for n in view.nodes)


def test_view_survives_the_turtle_round_trip(big: KnowledgeGraph) -> None:
    view, back = big.to_networkx(), load_turtle(big.serialize()).to_networkx()
    assert list(back.nodes(data=True)) == list(view.nodes(data=True))
    assert list(back.edges(keys=True, data=True)) == list(view.edges(keys=True, data=True))


def test_empty_graph() -> None:
    empty = build_graph([])
    assert len(empty) == 0
    assert empty.to_networkx().number_of_nodes() == 0
    assert load_turtle(empty.serialize()).serialize() == empty.serialize()


def test_documents_with_title_and_text() -> None:
    assert build_graph([tiny()]).documents() == [DocumentText(DOC, "doc1.txt", "测试文件", TEXT)]


def test_documents_survive_the_turtle_round_trip() -> None:
    graph = build_graph([tiny()])
    assert load_turtle(graph.serialize()).documents() == graph.documents()


def test_mentions_exactly() -> None:
    assert build_graph([tiny()]).mentions() == [
        MentionSpan(ORG, "doc1.txt", 0, 2, "市委", "org.lexicon"),
        MentionSpan(STRATEGY, "doc1.txt", 6, 12, "乡村振兴战略", "strategy.suffix"),
    ]


def test_mentions_of_two_documents_sorted_and_round_tripped() -> None:
    second = dict(TINY, document="doc2.txt", metadata={}, relations=[])
    graph = build_graph([Extraction.from_json(second, TEXT), tiny()])
    mentions = graph.mentions()
    assert [(m.document, m.start, m.end, m.text) for m in mentions] == [
        ("doc1.txt", 0, 2, "市委"),
        ("doc1.txt", 6, 12, "乡村振兴战略"),
        ("doc2.txt", 0, 2, "市委"),
        ("doc2.txt", 6, 12, "乡村振兴战略"),
    ]
    assert {m.entity for m in mentions} == {ORG, STRATEGY}  # merged across documents
    assert [d.name for d in graph.documents()] == ["doc1.txt", "doc2.txt"]
    assert graph.documents()[1] == DocumentText(DOC2, "doc2.txt", "", TEXT)
    assert load_turtle(graph.serialize()).mentions() == mentions


def _triple(line: str) -> tuple[str, str, str]:
    """The terms of an N-Triples line."""
    subject, predicate, obj = line.removesuffix(" .").split(" ", 2)
    return subject, predicate, obj
