"""run_query, QueryStore and check_query: exact answers with term kinds, one-line errors,
nothing fetched remotely, nothing changed; rdflib's engine gives the same rows."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from policykg.extract import Extraction
from policykg.graph import (
    PKG,
    KnowledgeGraph,
    QueryError,
    QueryRefused,
    QueryStore,
    Term,
    build_graph,
    check_query,
    exports,
    load_rdf,
    load_turtle,
    run_query,
    run_query_rdflib,
)

ID = "https://w3id.org/policykg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
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


@pytest.fixture(scope="module")
def store(kg: KnowledgeGraph) -> QueryStore:
    return QueryStore.from_turtle(kg.serialize())


def keys(rows: list[tuple[str | None, ...]]) -> list[tuple[object, ...]]:
    """Rows with every value's full identity: kind, text, datatype, language."""
    return [tuple(v.key if isinstance(v, Term) else v for v in row) for row in rows]


def test_select_with_prebound_prefixes(kg: KnowledgeGraph) -> None:
    result = run_query(
        kg,
        "SELECT ?e ?label ?alt WHERE { ?e pkg:mentionedIn ?d ; skos:prefLabel ?label "
        "OPTIONAL { ?e skos:altLabel ?alt } } ORDER BY ?label",
    )
    assert result.kind == "select"
    assert result.variables == ["e", "label", "alt"]
    assert result.rows == [(STRATEGY, "乡村振兴战略", "乡村振兴"), (ORG, "市委", None)]
    label, alias = ("literal", "乡村振兴战略", None, "zh"), ("literal", "乡村振兴", None, "zh")
    assert keys(result.rows) == [
        (("uri", STRATEGY, None, None), label, alias),
        (("uri", ORG, None, None), ("literal", "市委", None, "zh"), None),
    ]
    assert result.boolean is None and result.graph is None and not result.truncated


def test_a_query_may_declare_its_own_prefixes(store: QueryStore) -> None:
    own = "PREFIX pkg: <http://example.org/other#> SELECT ?e WHERE { ?e a pkg:Organization }"
    assert store.query(own).rows == []
    other = "PREFIX p: <https://w3id.org/policykg/vocab#> SELECT ?e WHERE { ?e a p:Organization }"
    assert store.query(other).rows == [(ORG,)]


def test_select_on_pkg_entity_needs_the_type(store: QueryStore) -> None:
    """No inference: pkg:Entity has no instances, the concrete classes have."""
    assert store.query("SELECT ?e WHERE { ?e a pkg:Entity }").rows == []


def test_literals_keep_their_datatype(store: QueryStore) -> None:
    result = store.query(
        "SELECT ?rule ?begin ?end ?evidence WHERE { ?a a pkg:Assertion ; pkg:rule ?rule ; "
        "nif:beginIndex ?begin ; nif:endIndex ?end ; pkg:evidence ?evidence }",
    )
    assert result.rows == [("rel.implements", "0", "13", TEXT)]
    # Oxigraph stores integers by value: xsd:nonNegativeInteger comes back as xsd:integer.
    assert keys(result.rows) == [
        (
            ("literal", "rel.implements", None, None),
            ("literal", "0", XSD + "integer", None),
            ("literal", "13", XSD + "integer", None),
            ("literal", TEXT, None, "zh"),
        )
    ]


def test_select_aggregate(store: QueryStore) -> None:
    result = store.query(
        "SELECT (COUNT(?m) AS ?n) WHERE { ?e pkg:mention ?m ; pkg:mentionedIn ?d }"
    )
    assert result.variables == ["n"]
    assert keys(result.rows) == [(("literal", "1", XSD + "integer", None),)]


def test_blank_nodes_are_labelled_in_order_of_appearance() -> None:
    store = QueryStore.from_turtle(
        b'<urn:x:a> <urn:x:p> [ <urn:x:q> "1" ], [ <urn:x:q> "2" ] ; <urn:x:r> [] .'
    )
    result = store.query("SELECT ?b ?v WHERE { <urn:x:a> ?p ?b OPTIONAL { ?b ?q ?v } } ORDER BY ?v")
    assert keys(result.rows) == [
        (("bnode", "b0", None, None), None),
        (("bnode", "b1", None, None), ("literal", "1", None, None)),
        (("bnode", "b2", None, None), ("literal", "2", None, None)),
    ]


def test_max_rows_cuts_the_result_and_says_so(store: QueryStore) -> None:
    sparql = "SELECT ?l WHERE { ?e skos:prefLabel|skos:altLabel ?l } ORDER BY ?l"
    assert store.query(sparql).rows == [("乡村振兴",), ("乡村振兴战略",), ("市委",)]
    cut = store.query(sparql, max_rows=2)
    assert (cut.rows, cut.truncated) == ([("乡村振兴",), ("乡村振兴战略",)], True)
    exact = store.query(sparql, max_rows=3)
    assert (len(exact.rows), exact.truncated) == (3, False)
    construct = "CONSTRUCT { ?e skos:prefLabel ?l } WHERE { ?e skos:prefLabel ?l }"
    graph = store.query(construct, max_rows=1)
    assert graph.graph is not None and (len(graph.graph), graph.truncated) == (1, True)


@pytest.mark.parametrize(
    ("sparql", "answer"),
    [
        ("ASK { ?a pkg:implements ?b }", True),
        ("ASK { ?a pkg:deploys ?b }", False),
        ('ASK { ?e skos:prefLabel "市委"@zh }', True),
    ],
)
def test_ask(store: QueryStore, sparql: str, answer: bool) -> None:
    result = store.query(sparql)
    assert (result.kind, result.boolean, result.variables, result.rows) == ("ask", answer, [], [])


def test_construct(store: QueryStore) -> None:
    result = store.query(
        "CONSTRUCT { ?h pkg:implements ?t } WHERE "
        "{ ?a rdf:subject ?h ; rdf:predicate pkg:implements ; rdf:object ?t }",
    )
    assert result.kind == "construct"
    assert result.graph is not None
    assert set(result.graph) == {(URIRef(ORG), PKG.implements, URIRef(STRATEGY))}
    assert "@prefix pkg: <https://w3id.org/policykg/vocab#> ." in result.graph.serialize()


def test_describe_is_a_graph_result(store: QueryStore) -> None:
    result = store.query(f"DESCRIBE <{ORG}>")
    assert result.kind == "construct"
    assert result.graph is not None
    assert (URIRef(ORG), RDF.type, PKG.Organization) in result.graph
    assert (URIRef(ORG), URIRef(str(PKG) + "implements"), URIRef(STRATEGY)) in result.graph


PREFIXES = "dcterms, foaf, nif, org, owl, pkg, prov, rdf, rdfs, skos, xsd"


@pytest.mark.parametrize(
    ("sparql", "message"),
    [
        (
            "SELECT ?s WHERE { ?s ?p ?o ",
            'SPARQL syntax error at line 1, column 28: expected one of ",", ".", ";", "{", '
            '"{|", "}", "~", …',
        ),
        ("SELEC ?s WHERE { ?s ?p ?o }", "SPARQL syntax error at line 1, column 10: expected "),
        (
            "SELECT ?s WHERE { ?s foo:p ?o }",
            "SPARQL syntax error at line 1, column 22: unknown prefix foo: (declare it with "
            f"PREFIX foo: <…>; bound already: {PREFIXES})",
        ),
        (
            "SELECT ?s WHERE {\n  ?s a pkg:Task ;\n     市:p ?o }",
            "SPARQL syntax error at line 3, column 6: unknown prefix 市: (declare it with "
            f"PREFIX 市: <…>; bound already: {PREFIXES})",
        ),
        (
            'SELECT ?s WHERE { ?s <http://x/a:b> "c:d" ; :e ?o # g:h\n}',
            "SPARQL syntax error at line 1, column 45: unknown prefix : (declare it with ",
        ),
        (
            "SELECT (<http://example.org/f>(1) AS ?x) {}",
            "SPARQL query failed: The custom function <http://example.org/f> is not supported",
        ),
    ],
)
def test_bad_query_is_a_one_line_query_error(store: QueryStore, sparql: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        store.query(sparql)
    assert str(info.value).startswith(message)
    assert not isinstance(info.value, QueryRefused)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


SERVICE = (
    "SERVICE <http://example.org/sparql> is not supported: queries run offline, on this graph only"
)
FROM = "FROM and FROM NAMED are not supported: queries run on this graph"


@pytest.mark.parametrize(
    ("sparql", "message"),
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "SPARQL Update (INSERT) is not supported"),
        ("PREFIX x: <a:> BASE <b:> delete where { ?s ?p ?o }", "SPARQL Update (DELETE) is not"),
        ("LOAD <http://example.org/data.ttl>", "SPARQL Update (LOAD) is not supported"),
        ("# a comment\nDROP ALL", "SPARQL Update (DROP) is not supported: the graph is read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", SERVICE),
        ("SELECT * WHERE { service silent <http://example.org/sparql> {} }", SERVICE),
        ("SELECT * WHERE {SERVICE<http://example.org/sparql>{?s ?p ?o}}", SERVICE),
        ("SELECT * WHERE { ?s ?p ?e SERVICE ?e { ?s ?p ?o } }", "SERVICE ?e is not supported"),
        # a # in an IRI starts no comment, a quote in a prefixed name no string
        ("SELECT * { <a:b#c> ?p ?o SERVICE <http://example.org/sparql> {} }", SERVICE),
        ("SELECT * { ?s pkg:a\\'b ?o SERVICE <http://example.org/sparql> {} } # '", SERVICE),
        ("SELECT * { ?s ?p '''x\n''' SERVICE <http://example.org/sparql> {} }", SERVICE),
        ("SELECT * WHERE { SERVICE pkg:x { ?s ?p ?o } }", "SERVICE pkg:x is not supported"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", FROM),
        ("SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }", FROM),
        ("ASK from <http://example.org/g> {}", FROM),
    ],
)
def test_updates_service_and_from_are_refused(sparql: str, message: str) -> None:
    with pytest.raises(QueryRefused, match=f"^{re.escape(message)}"):
        check_query(sparql)


@pytest.mark.parametrize(
    "sparql",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://example.org/> {}" }',
        "SELECT ?s WHERE { ?s ?p ?o } # SERVICE <http://example.org/> {}",
        "SELECT ?service ?from WHERE { ?service pkg:from ?from . ?s pkg:service ?o }",
        "SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o . ?s ?p <urn:x:FROM> }",
        "SELECT ?s WHERE { ?s ?p 'INSERT' }",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(?o = "it\'s \\" SERVICE") }',
    ],
)
def test_keywords_in_strings_comments_and_names_are_no_refusal(
    store: QueryStore, sparql: str
) -> None:
    check_query(sparql)
    assert store.query(sparql).kind == "select"


def test_a_store_is_never_changed_by_a_query(store: QueryStore) -> None:
    before = len(store)
    with pytest.raises(QueryRefused):
        store.query(f"INSERT DATA {{ <{ORG}> a pkg:Strategy }}")
    assert len(store) == before


def test_rdflib_gives_the_same_rows(kg: KnowledgeGraph, store: QueryStore) -> None:
    sparql = (
        "SELECT ?e ?l ?alt ?rule WHERE { ?e skos:prefLabel ?l OPTIONAL { ?e skos:altLabel ?alt } "
        "OPTIONAL { ?e pkg:mention/pkg:rule ?rule } } ORDER BY ?l"
    )
    assert keys(run_query_rdflib(kg, sparql).rows) == keys(store.query(sparql).rows)
    assert keys(run_query_rdflib(kg, sparql).rows)[1][3] == ("literal", "org.lexicon", None, None)
    with pytest.raises(QueryRefused):
        run_query_rdflib(kg, "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match=r"^SPARQL syntax error: "):
        run_query_rdflib(kg, "SELECT ?s WHERE {")


def test_term_is_a_str_with_a_kind() -> None:
    term = Term("市委", "literal", language="zh")
    assert term == "市委" and isinstance(term, str) and hash(term) == hash("市委")
    assert term.key == ("literal", "市委", None, "zh")
    assert Term("a", "literal", XSD + "string").datatype is None
    assert repr(Term("5", "literal", XSD + "integer")) == f"Term('5', literal^^{XSD}integer)"
    assert repr(Term("urn:x", "uri")) == "Term('urn:x', uri)"


def test_store_from_turtle_and_from_graph_hold_the_same_triples(kg: KnowledgeGraph) -> None:
    assert len(QueryStore.from_turtle(kg.serialize())) == len(QueryStore.from_graph(kg)) == len(kg)
    with_bom = "\ufeff" + kg.serialize()
    assert len(QueryStore.from_turtle(with_bom)) == len(QueryStore.from_turtle(with_bom.encode()))


def test_bad_turtle_is_a_one_line_value_error() -> None:
    with pytest.raises(
        ValueError, match=r"^invalid Turtle: Parser error at line 1 column 13: "
    ) as info:
        QueryStore.from_turtle("<a:b> <a:c> .")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match=r"^invalid Turtle: ") as info:
        load_turtle("<a:b> <a:c> .")
    assert "\n" not in str(info.value)


RdfFormat = typing.Literal["turtle", "nt", "trig"]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig"])
def test_load_rdf_reads_every_rdf_export(kg: KnowledgeGraph, fmt: RdfFormat) -> None:
    text = {"turtle": exports.to_turtle, "nt": exports.to_ntriples, "trig": exports.to_trig}[fmt]
    back = load_rdf(text(kg), fmt)
    assert set(back.rdf) == set(kg.rdf)


def test_load_rdf_errors_name_the_format() -> None:
    with pytest.raises(ValueError, match=r"^invalid TriG: ") as info:
        load_rdf("<a:g> { <a:b> <a:c> }", "trig")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match=r"^invalid N-Triples: "):
        load_rdf("<a:b> <a:c> .", "nt")


def test_query_a_graph_read_back_from_turtle(kg: KnowledgeGraph) -> None:
    back = load_turtle(kg.serialize())
    sparql = "SELECT ?l WHERE { ?e a pkg:Organization ; skos:prefLabel ?l }"
    assert run_query(back, sparql).rows == run_query(kg, sparql).rows == [("市委",)]
    assert back.rdf.value(URIRef(ORG), PKG.mention) is not None
    assert (None, PKG.rule, Literal("org.lexicon")) in back.rdf


def test_the_prefixes_oxigraph_takes_are_the_vocabulary() -> None:
    from policykg.graph import PREFIXES
    from policykg.graph.prefixes import PREFIX_IRIS

    assert {prefix: str(namespace) for prefix, namespace in PREFIXES.items()} == PREFIX_IRIS


@pytest.mark.parametrize("package", ["policykg.graph", "policykg.extract"])
def test_each_name_of_a_package_loads_from_its_module(package: str) -> None:
    """The graph and extract packages import their names on first use: each one is there."""
    import importlib

    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        module.nothing  # noqa: B018
