"""The stable Turtle and N-Triples writer: exact text, part order, what parsers read back."""

from __future__ import annotations

import pyoxigraph
from rdflib import Graph

from policykg.graph.terms import iri, literal
from policykg.graph.turtle import (
    SHARED_PART,
    by_part,
    by_subject,
    ntriples_body,
    ntriples_part,
    ntriples_statements,
    part_of,
    part_of_triple,
    turtle,
    turtle_body,
    turtle_header,
    turtle_part,
    turtle_statements,
)
from policykg.graph.vocab import PREFIXES

BASE = "https://w3id.org/policykg/id/"
PKG = "https://w3id.org/policykg/vocab#"
RDF_TYPE = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
XSD_NNI = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"

DOC_B = iri(f"{BASE}doc/b.txt-22222222")
DOC_A = iri(f"{BASE}doc/a.txt-11111111")
SPAN_A = iri(f"{BASE}mention/a.txt-11111111/0-2")
TASK = iri(f"{BASE}entity/task/0123456789ab")

TRIPLES = [
    (TASK, iri(f"{PKG}mention"), SPAN_A),
    (TASK, RDF_TYPE, iri(f"{PKG}Task")),
    (TASK, iri("http://www.w3.org/2004/02/skos/core#prefLabel"), literal("推动发展", "zh")),
    (DOC_B, RDF_TYPE, iri(f"{PKG}Document")),
    (SPAN_A, iri(f"{NIF}beginIndex"), literal("0", datatype=XSD_NNI)),
    (SPAN_A, iri(f"{NIF}anchorOf"), literal('说"好"\n')),
    (DOC_A, RDF_TYPE, iri(f"{NIF}Context")),
    (DOC_A, RDF_TYPE, iri(f"{PKG}Document")),
    (DOC_A, iri("http://purl.org/dc/terms/identifier"), literal("a.txt")),
]


def test_part_of_reads_the_document_key() -> None:
    assert part_of(DOC_A) == part_of(SPAN_A) == "a.txt-11111111"
    assert part_of(iri(f"{BASE}assertion/b.txt-22222222/0123456789ab")) == "b.txt-22222222"
    assert part_of(iri(f"{BASE}merge/b.txt-22222222/0123456789ab")) == "b.txt-22222222"
    assert part_of(TASK) == SHARED_PART
    assert [key for key, _ in by_part(TRIPLES)] == ["a.txt-11111111", "b.txt-22222222", SHARED_PART]


def test_an_entitys_links_to_a_document_go_in_the_documents_part() -> None:
    assert part_of_triple((TASK, iri(f"{PKG}mention"), SPAN_A)) == "a.txt-11111111"
    assert part_of_triple((TASK, iri(f"{PKG}mentionedIn"), DOC_B)) == "b.txt-22222222"
    assert part_of_triple((TASK, RDF_TYPE, iri(f"{PKG}Task"))) == SHARED_PART
    assert part_of_triple((TASK, iri(f"{PKG}implements"), TASK)) == SHARED_PART
    assert part_of_triple((SPAN_A, iri(f"{PKG}rule"), literal("r"))) == "a.txt-11111111"


def test_turtle_body_exactly() -> None:
    assert turtle_body(TRIPLES) == (
        f"{DOC_A} a nif:Context, pkg:Document ;\n"
        '    dcterms:identifier "a.txt" .\n\n'
        f"{TASK} pkg:mention {SPAN_A} .\n\n"
        f"{SPAN_A} nif:anchorOf " + '"说\\"好\\"\\n" ;\n'
        '    nif:beginIndex "0"^^xsd:nonNegativeInteger .\n\n'
        f"{DOC_B} a pkg:Document .\n\n"
        f"{TASK} a pkg:Task ;\n"
        '    skos:prefLabel "推动发展"@zh .\n\n'
    )


def test_ntriples_body_is_sorted_part_by_part_without_duplicates() -> None:
    lines = ntriples_body(TRIPLES + TRIPLES[:2]).splitlines()
    assert len(lines) == len(TRIPLES)
    assert lines[0].startswith(f"{DOC_A} ") and lines[-1].startswith(f"{TASK} ")
    keys = []
    for line in lines:
        subject, predicate, obj = line.removesuffix(" .").split(" ", 2)
        keys.append((part_of_triple((subject, predicate, obj)), line))
    assert keys == sorted(keys)


def test_statements_grouped_by_subject_write_as_their_triples() -> None:
    grouped = by_subject(TRIPLES + TRIPLES[:3])
    assert sorted(grouped) == sorted({s for s, _, _ in TRIPLES})
    assert grouped[SPAN_A] == {(p, o) for s, p, o in TRIPLES if s == SPAN_A}
    assert turtle_statements(grouped) == turtle_part(TRIPLES)
    assert ntriples_statements(grouped) == ntriples_part(TRIPLES)
    assert ntriples_statements(grouped).splitlines()[0] == (
        f'{DOC_A} <http://purl.org/dc/terms/identifier> "a.txt" .'
    )


def test_header_binds_every_prefix() -> None:
    assert turtle_header().count("@prefix") == len(PREFIXES)


def test_parsers_read_the_same_triples() -> None:
    text = turtle(TRIPLES)
    ours = Graph().parse(data=text, format="turtle")
    assert len(ours) == len(TRIPLES)
    assert set(ours) == set(Graph().parse(data=ntriples_body(TRIPLES), format="nt"))
    assert len(list(pyoxigraph.parse(text, pyoxigraph.RdfFormat.TURTLE))) == len(TRIPLES)
