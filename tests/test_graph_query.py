"""run_query and load_turtle: exact answers, one-line errors, nothing fetched remotely."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from policykg.extract import Extraction
from policykg.graph import PKG, KnowledgeGraph, QueryError, build_graph, load_turtle, run_query

ID = "https://w3id.org/policykg/id/"
ORG = ID + "entity/organization/9d6d23948b90"
STRATEGY = ID + "entity/strategy/1bc87065d630"
TEXT = "市委要求实施乡村振兴战略。"
TINY: dict[str, Any] = {
    "document": "doc1.txt",
    "entities": [
        {
            "id": "e1",
            "type": "Organization",
            "label": "市委",
            "mentions": [{"start": 0, "end": 2, "text": "市委", "rule": "org.lexicon"}],
        },
        {"id": "e2", "type": "Strategy", "label": "乡村振兴战略", "aliases": ["乡村振兴"]},
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


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return build_graph([Extraction.from_json(TINY, TEXT)])


def test_select_with_prebound_prefixes(kg: KnowledgeGraph) -> None:
    result = run_query(
        kg,
        "SELECT ?e ?label ?alt WHERE { ?e pkg:mentionedIn ?d ; skos:prefLabel ?label "
        "OPTIONAL { ?e skos:altLabel ?alt } } ORDER BY ?label",
    )
    assert result.kind == "select"
    assert result.variables == ["e", "label", "alt"]
    assert result.rows == [(STRATEGY, "乡村振兴战略", "乡村振兴"), (ORG, "市委", None)]
    assert result.boolean is None and result.graph is None


def test_select_on_pkg_entity_needs_the_type(kg: KnowledgeGraph) -> None:
    """No inference: pkg:Entity has no instances, the concrete classes have."""
    assert run_query(kg, "SELECT ?e WHERE { ?e a pkg:Entity }").rows == []


def test_select_literals_come_back_as_lexical_forms(kg: KnowledgeGraph) -> None:
    result = run_query(
        kg,
        "SELECT ?rule ?begin ?end ?evidence WHERE { ?a a pkg:Assertion ; pkg:rule ?rule ; "
        "nif:beginIndex ?begin ; nif:endIndex ?end ; pkg:evidence ?evidence }",
    )
    assert result.rows == [("rel.implements", "0", "13", TEXT)]


def test_select_aggregate(kg: KnowledgeGraph) -> None:
    result = run_query(
        kg, "SELECT (COUNT(?m) AS ?n) WHERE { ?e pkg:mention ?m ; pkg:mentionedIn ?d }"
    )
    assert result.variables == ["n"]
    assert result.rows == [("1",)]


@pytest.mark.parametrize(
    ("sparql", "answer"),
    [
        ("ASK { ?a pkg:implements ?b }", True),
        ("ASK { ?a pkg:deploys ?b }", False),
        ('ASK { ?e skos:prefLabel "市委"@zh }', True),
    ],
)
def test_ask(kg: KnowledgeGraph, sparql: str, answer: bool) -> None:
    result = run_query(kg, sparql)
    assert (result.kind, result.boolean, result.variables, result.rows) == ("ask", answer, [], [])


def test_construct(kg: KnowledgeGraph) -> None:
    result = run_query(
        kg,
        "CONSTRUCT { ?h pkg:implements ?t } WHERE "
        "{ ?a rdf:subject ?h ; rdf:predicate pkg:implements ; rdf:object ?t }",
    )
    assert result.kind == "construct"
    assert result.graph is not None
    assert set(result.graph) == {(URIRef(ORG), PKG.implements, URIRef(STRATEGY))}
    assert "@prefix pkg: <https://w3id.org/policykg/vocab#> ." in result.graph.serialize()


def test_describe_is_a_graph_result(kg: KnowledgeGraph) -> None:
    result = run_query(kg, f"DESCRIBE <{ORG}>")
    assert result.kind == "construct"
    assert result.graph is not None
    assert (URIRef(ORG), RDF.type, PKG.Organization) in result.graph


@pytest.mark.parametrize(
    ("sparql", "message"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o ", "SPARQL syntax error: Expected SelectQuery"),
        ("SELEC ?s WHERE { ?s ?p ?o }", "SPARQL syntax error: Expected {SelectQuery"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "SPARQL syntax error: Expected {SelectQuery"),
        ("SELECT ?s WHERE { ?s foo:p ?o }", "invalid SPARQL query: Unknown namespace prefix : foo"),
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "SERVICE <http://example.org/sparql> is not supported: queries run offline",
        ),
        (
            "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
            "FROM and FROM NAMED are not supported: queries run on this graph",
        ),
    ],
)
def test_bad_query_is_a_one_line_query_error(kg: KnowledgeGraph, sparql: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)) as info:
        run_query(kg, sparql)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_query_a_graph_read_back_from_turtle(kg: KnowledgeGraph) -> None:
    back = load_turtle(kg.serialize())
    sparql = "SELECT ?l WHERE { ?e a pkg:Organization ; skos:prefLabel ?l }"
    assert run_query(back, sparql).rows == run_query(kg, sparql).rows == [("市委",)]
    assert back.rdf.value(URIRef(ORG), PKG.mention) is not None
    assert (None, PKG.rule, Literal("org.lexicon")) in back.rdf


def test_bad_turtle_is_a_one_line_value_error() -> None:
    with pytest.raises(ValueError, match=r"^invalid Turtle: ") as info:
        load_turtle("<a:b> <a:c> .")
    assert "\n" not in str(info.value)
