"""Terms as N-Triples strings: exact forms, and the round trip to rdflib terms."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from policykg.graph.terms import iri, literal, node, ntriples_line, term

NNI = str(XSD.nonNegativeInteger)


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (iri("https://w3id.org/policykg/id/doc/a-1"), "<https://w3id.org/policykg/id/doc/a-1>"),
        (literal("乡村振兴", "zh"), '"乡村振兴"@zh'),
        (literal("5", datatype=NNI), f'"5"^^<{NNI}>'),
        (literal('a"b\\c\nd\re'), '"a\\"b\\\\c\\nd\\re"'),
        (literal("tab\tvt\x0bff\x0cls\u2028"), '"tab\tvt\x0bff\x0cls\u2028"'),
        (literal(""), '""'),
    ],
)
def test_exact_forms(made: str, expected: str) -> None:
    assert made == expected


@pytest.mark.parametrize(
    "value",
    [
        URIRef("https://w3id.org/policykg/id/entity/task/abc"),
        Literal("市委"),
        Literal('含"引号"与\\反斜杠\n和换行\r', lang="zh"),
        Literal("x@y", lang="zh"),
        Literal('"^^<http://x>'),
        Literal("7", datatype=XSD.nonNegativeInteger),
        Literal("8.0", datatype=XSD.decimal),
        Literal("\x0b\x85\u2028"),
        BNode("b0"),
    ],
)
def test_round_trip(value: URIRef | Literal | BNode) -> None:
    back = node(term(value))
    assert back == value and type(back) is type(value)
    if isinstance(value, Literal):
        assert isinstance(back, Literal)
        assert (str(back), back.language, back.datatype) == (
            str(value),
            value.language,
            value.datatype,
        )


def test_ntriples_line() -> None:
    assert ntriples_line(("<s>", "<p>", '"o"@zh')) == '<s> <p> "o"@zh .\n'
