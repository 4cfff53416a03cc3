"""Tests of output/results.py: query results as table, CSV and JSON; extraction summaries."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from policykg.extract import Extraction
from policykg.graph import KnowledgeGraph, QueryResult, Term, build_graph, run_query
from policykg.output.results import (
    FORMATS,
    display_width,
    format_csv,
    format_graph,
    format_json,
    format_result,
    format_summary,
    format_table,
    format_tsv,
    format_xml,
)

ID = "https://w3id.org/policykg/id/"
ORG = ID + "entity/organization/9d6d23948b90"
STRATEGY = ID + "entity/strategy/1bc87065d630"
XSD = "http://www.w3.org/2001/XMLSchema#"
TEXT = "市委强调，一要着力推动经济高质量发展，实施乡村振兴战略，确保全年经济增长8.0%以上。"


def _mention(label: str) -> dict[str, Any]:
    start = TEXT.index(label)
    return {"start": start, "end": start + len(label), "text": label, "rule": "test"}


def _relation(head: str, type_: str, tail: str) -> dict[str, Any]:
    return {
        "head": head,
        "type": type_,
        "tail": tail,
        "evidence": TEXT,
        "evidence_start": 0,
        "evidence_end": len(TEXT),
        "rule": "rel.test",
    }


#: A handmade extraction: the expected tables do not move when extraction rules do.
TINY: dict[str, Any] = {
    "document": "tiny.txt",
    "entities": [
        {"id": "e1", "type": "Organization", "label": "市委", "mentions": [_mention("市委")]},
        {
            "id": "e2",
            "type": "Task",
            "label": "着力推动经济高质量发展",
            "mentions": [_mention("着力推动经济高质量发展")],
        },
        {
            "id": "e3",
            "type": "Strategy",
            "label": "乡村振兴战略",
            "aliases": ["乡村振兴"],
            "mentions": [_mention("乡村振兴战略")],
        },
        {
            "id": "e4",
            "type": "Target",
            "label": "全年经济增长8.0%以上",
            "mentions": [_mention("全年经济增长8.0%以上")],
        },
    ],
    "relations": [
        _relation("e1", "deploys", "e2"),
        _relation("e2", "involves", "e3"),
        _relation("e2", "hasTarget", "e4"),
    ],
}

LABELS = (
    "SELECT ?type ?label ?alias WHERE { ?e pkg:mentionedIn ?d ; a ?t ; skos:prefLabel ?label "
    'OPTIONAL { ?e skos:altLabel ?alias } BIND(STRAFTER(STR(?t), "#") AS ?type) } ORDER BY ?type'
)
RELATIONS = (
    "SELECT ?head ?rel ?tail WHERE { ?a a pkg:Assertion ; rdf:subject ?h ; rdf:predicate ?p ; "
    "rdf:object ?t . ?h skos:prefLabel ?head . ?t skos:prefLabel ?tail "
    'BIND(STRAFTER(STR(?p), "#") AS ?rel) } ORDER BY ?rel'
)


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return build_graph([Extraction.from_json(TINY, TEXT)])


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc", 3),
        ("市委", 4),
        ("全年经济增长8.0%以上", 20),
        ("“乡村振兴”", 10),  # curly quotes are ambiguous width: counted as 1
        ("ＡＢ", 4),  # full-width Latin
        ("（一）", 6),
        ("e\u0301", 1),  # combining acute accent
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


# -- SELECT -----------------------------------------------------------------------------------


def test_table_aligns_chinese_by_display_width(kg: KnowledgeGraph) -> None:
    assert format_table(run_query(kg, LABELS)) == (
        "type          label                   alias\n"
        "------------  ----------------------  --------\n"
        "Organization  市委\n"
        "Strategy      乡村振兴战略            乡村振兴\n"
        "Target        全年经济增长8.0%以上\n"
        "Task          着力推动经济高质量发展\n"
    )


def test_table_of_relations(kg: KnowledgeGraph) -> None:
    assert format_table(run_query(kg, RELATIONS)) == (
        "head                    rel        tail\n"
        "----------------------  ---------  ----------------------\n"
        "市委                    deploys    着力推动经济高质量发展\n"
        "着力推动经济高质量发展  hasTarget  全年经济增长8.0%以上\n"
        "着力推动经济高质量发展  involves   乡村振兴战略\n"
    )


def test_table_cells_are_one_line_and_empty_result_keeps_the_header() -> None:
    result = QueryResult("select", ["quote", "n"], [("一要\r\n二要\t三要", "1"), (None, "2")])
    assert format_table(result) == (
        "quote" + " " * 11 + "n\n" + "-" * 14 + "  -\n" + "一要 二要 三要  1\n" + " " * 16 + "2\n"
    )
    assert format_table(QueryResult("select", ["x"], [])) == "x\n-\n"


def test_csv_has_a_header_crlf_and_quotes(kg: KnowledgeGraph) -> None:
    assert format_csv(run_query(kg, LABELS)) == (
        "type,label,alias\r\n"
        "Organization,市委,\r\n"
        "Strategy,乡村振兴战略,乡村振兴\r\n"
        "Target,全年经济增长8.0%以上,\r\n"
        "Task,着力推动经济高质量发展,\r\n"
    )
    tricky = QueryResult("select", ["a", "b"], [('say "hi", then\nleave', None)])
    assert format_csv(tricky) == 'a,b\r\n"say ""hi"", then\nleave",\r\n'


def test_json_is_sparql_results_json(kg: KnowledgeGraph) -> None:
    query = "SELECT ?e ?l ?none WHERE { ?e a pkg:Organization ; skos:prefLabel ?l }"
    text = format_json(run_query(kg, query))
    assert json.loads(text) == {
        "head": {"vars": ["e", "l", "none"]},
        "results": {
            "bindings": [
                {
                    "e": {"type": "uri", "value": ORG},
                    "l": {"type": "literal", "value": "市委", "xml:lang": "zh"},
                }
            ]
        },
    }
    assert text.startswith('{\n  "head": {\n    "vars": [\n      "e",')
    assert text.endswith("}\n")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("https://w3id.org/policykg/id/doc/x", "uri"),
        ("http://example.org/a#b", "uri"),
        ("urn:policykg:x", "uri"),
        ("市委", "literal"),
        ("rel.implements", "literal"),
        ("2019-03-04", "literal"),
        ("http://example.org/a b", "literal"),
        ("note: http://x", "literal"),
    ],
)
def test_json_binding_type_of_plain_strings(value: str, kind: str) -> None:
    """A hand-made result of plain strings: an absolute IRI is taken for a uri."""
    text = format_json(QueryResult("select", ["v"], [(value,)]))
    assert json.loads(text)["results"]["bindings"] == [{"v": {"type": kind, "value": value}}]


#: One row with every kind of term: an IRI, a literal with a language, a typed literal, a
#: plain literal with characters to escape, a blank node, and an unbound value.
TERMS = QueryResult(
    "select",
    ["iri", "label", "number", "text", "node", "none"],
    [
        (
            Term(ORG, "uri"),
            Term("市委", "literal", language="zh"),
            Term("8", "literal", XSD + "decimal"),
            Term('a "b"\tc\r\nd\\ & <e>\x0c', "literal"),
            Term("b0", "bnode"),
            None,
        )
    ],
)


def test_json_keeps_term_kinds() -> None:
    assert json.loads(format_json(TERMS))["results"]["bindings"] == [
        {
            "iri": {"type": "uri", "value": ORG},
            "label": {"type": "literal", "value": "市委", "xml:lang": "zh"},
            "number": {"type": "literal", "value": "8", "datatype": XSD + "decimal"},
            "text": {"type": "literal", "value": 'a "b"\tc\r\nd\\ & <e>\x0c'},
            "node": {"type": "bnode", "value": "b0"},
        }
    ]


def test_tsv_writes_terms_as_in_turtle() -> None:
    assert format_tsv(TERMS) == (
        "?iri\t?label\t?number\t?text\t?node\t?none\n"
        f'<{ORG}>\t"市委"@zh\t"8"^^<{XSD}decimal>\t"a \\"b\\"\\tc\\r\\nd\\\\ & <e>\x0c"\t_:b0\t\n'
    )
    assert format_result(TERMS, "tsv") == format_tsv(TERMS)


def test_csv_and_table_write_blank_nodes_with_their_prefix() -> None:
    result = QueryResult("select", ["node"], [(Term("b0", "bnode"),)])
    assert format_csv(result) == "node\r\n_:b0\r\n"
    assert format_table(result) == "node\n----\n_:b0\n"


def test_xml_is_sparql_results_xml() -> None:
    assert format_xml(TERMS) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        "  <head>\n"
        '    <variable name="iri"/>\n'
        '    <variable name="label"/>\n'
        '    <variable name="number"/>\n'
        '    <variable name="text"/>\n'
        '    <variable name="node"/>\n'
        '    <variable name="none"/>\n'
        "  </head>\n"
        "  <results>\n"
        "    <result>\n"
        f'      <binding name="iri"><uri>{ORG}</uri></binding>\n'
        '      <binding name="label"><literal xml:lang="zh">市委</literal></binding>\n'
        f'      <binding name="number"><literal datatype="{XSD}decimal">8</literal></binding>\n'
        '      <binding name="text"><literal>a &quot;b&quot;\tc&#13;\nd\\ &amp; &lt;e&gt;\ufffd'
        "</literal></binding>\n"
        '      <binding name="node"><bnode>b0</bnode></binding>\n'
        "    </result>\n"
        "  </results>\n"
        "</sparql>\n"
    )


@pytest.mark.parametrize(
    ("fmt", "parser"),
    [
        ("json", pyoxigraph.QueryResultsFormat.JSON),
        ("xml", pyoxigraph.QueryResultsFormat.XML),
        ("tsv", pyoxigraph.QueryResultsFormat.TSV),
    ],
)
def test_oxigraph_reads_back_the_same_terms(
    fmt: str, parser: pyoxigraph.QueryResultsFormat
) -> None:
    clean = QueryResult("select", TERMS.variables, [(*TERMS.rows[0][:3], Term('a "b"\tc\r\nd\\ <e>'), *TERMS.rows[0][4:])])  # fmt: skip  # noqa: E501
    solutions = pyoxigraph.parse_query_results(format_result(clean, fmt).encode(), parser)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    [solution] = list(solutions)
    assert [str(solution[v]) if solution[v] is not None else None for v in clean.variables] == [
        f"<{ORG}>",
        '"市委"@zh',
        f'"8"^^<{XSD}decimal>',
        '"a \\"b\\"\\tc\\r\\nd\\\\ <e>"',
        str(solution["node"]),
        None,
    ]
    assert isinstance(solution["node"], pyoxigraph.BlankNode)


def test_ask_as_xml() -> None:
    assert format_xml(QueryResult("ask", boolean=True)) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        "  <head/>\n"
        "  <boolean>true</boolean>\n"
        "</sparql>\n"
    )


# -- ASK and CONSTRUCT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "true", "false"),
    [
        ("table", "true\n", "false\n"),
        ("csv", "true\n", "false\n"),
        (
            "json",
            '{\n  "head": {},\n  "boolean": true\n}\n',
            '{\n  "head": {},\n  "boolean": false\n}\n',
        ),
    ],
)
def test_ask(kg: KnowledgeGraph, fmt: str, true: str, false: str) -> None:
    yes = run_query(kg, 'ASK { ?s skos:prefLabel "乡村振兴战略"@zh }')
    no = run_query(kg, 'ASK { ?s skos:prefLabel "乡村振兴"@zh }')
    assert (format_result(yes, fmt), format_result(no, fmt)) == (true, false)


CONSTRUCT = "CONSTRUCT { ?e skos:prefLabel ?l } WHERE { ?e a pkg:Strategy ; skos:prefLabel ?l }"


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_construct_prints_turtle(kg: KnowledgeGraph, fmt: str) -> None:
    assert format_result(run_query(kg, CONSTRUCT), fmt) == (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "\n"
        f'<{STRATEGY}> skos:prefLabel "乡村振兴战略"@zh .\n'
    )


def test_construct_as_json_ld_sorted_by_id() -> None:
    graph = Graph()
    graph.add((URIRef("urn:x:b"), SKOS.prefLabel, Literal("乙", lang="zh")))
    graph.add((URIRef("urn:x:a"), SKOS.prefLabel, Literal("甲", lang="zh")))
    text = format_json(QueryResult("construct", graph=graph))
    label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert json.loads(text) == [
        {"@id": "urn:x:a", label: [{"@language": "zh", "@value": "甲"}]},
        {"@id": "urn:x:b", label: [{"@language": "zh", "@value": "乙"}]},
    ]
    assert "甲" in text  # not \u escaped


@pytest.mark.parametrize(("fmt", "expected"), [("table", ""), ("csv", ""), ("json", "[]\n")])
def test_empty_construct(kg: KnowledgeGraph, fmt: str, expected: str) -> None:
    query = "CONSTRUCT { ?e skos:prefLabel ?l } WHERE { ?e a pkg:Person ; skos:prefLabel ?l }"
    assert format_result(run_query(kg, query), fmt) == expected


def test_format_graph_as_turtle_and_sorted_n_triples(kg: KnowledgeGraph) -> None:
    result = run_query(kg, CONSTRUCT.replace("pkg:Strategy", "?class"))
    assert format_graph(result, "nt").splitlines() == sorted(
        f'<{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@zh .'
        for iri, label in [
            (ORG, "市委"),
            (STRATEGY, "乡村振兴战略"),
            (ID + "entity/target/7bd24c687de5", "全年经济增长8.0%以上"),
            (ID + "entity/task/4380db4c4cbe", "着力推动经济高质量发展"),
        ]
    )
    assert format_graph(run_query(kg, CONSTRUCT), "turtle") == format_table(
        run_query(kg, CONSTRUCT)
    )
    assert format_graph(QueryResult("construct", graph=Graph()), "nt") == ""
    with pytest.raises(ValueError, match=r"^a SELECT result is not a graph$"):
        format_graph(QueryResult("select"), "nt")
    with pytest.raises(
        ValueError, match=r"^unknown graph format 'xml': expected one of turtle, nt$"
    ):
        format_graph(result, "xml")


def test_unknown_format() -> None:
    assert FORMATS == ("table", "csv", "json", "tsv", "xml")
    with pytest.raises(ValueError) as info:
        format_result(QueryResult("ask", boolean=True), "yaml")
    assert str(info.value) == (
        "unknown result format 'yaml': expected one of table, csv, json, tsv, xml"
    )


# -- extraction summary -----------------------------------------------------------------------


def test_summary_lists_every_type_with_counts() -> None:
    assert format_summary(Extraction.from_json(TINY, TEXT)) == (
        "tiny.txt: 4 entities, 3 relations\n"
        "\n"
        "entity type    count\n"
        "Organization       1\n"
        "Person             0\n"
        "Strategy           1\n"
        "Policy             0\n"
        "Principle          0\n"
        "Problem            0\n"
        "Task               1\n"
        "Target             1\n"
        "Event              0\n"
        "\n"
        "relation type  count\n"
        "deploys            1\n"
        "implements         0\n"
        "involves           1\n"
        "hasTarget          1\n"
        "concerns           0\n"
        "addresses          0\n"
        "proposedBy         0\n"
        "partOf             0\n"
        "heldBy             0\n"
    )
