"""Pages of the named queries (graph/paging.py) on the graph of the seeds: laid end to end
they are the whole query's rows, in its order, whatever the page size."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.extract import extract_file
from policykg.graph import NamedQuery, QueryError, QueryStore, Term, build_graph, named_queries
from policykg.graph.paging import run_page, with_values

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPEECH = "000_e07ead4074b87c09.txt"
REPORT = "hailar_district_gov_work_report_2019.txt"


@pytest.fixture(scope="module")
def store() -> QueryStore:
    graph = build_graph([extract_file(SEEDS / SPEECH), extract_file(SEEDS / REPORT)])
    return QueryStore.from_turtle(graph.serialize())


def test_which_named_queries_page_by_keys() -> None:
    keyed = {
        name: q.keys.split("?", 2)[1].split()[0] for name, q in named_queries().items() if q.keys
    }
    assert keyed == {
        "document-names": "document",
        "evidence": "document",
        "organisation-tasks": "organisation",
        "problem-concerns": "problem",
        "targets": "target",
        "task-targets": "task",
        "unaddressed-problems": "problem",
    }
    assert {name: q.batch for name, q in named_queries().items() if q.batch} == {
        "document-names": 2
    }
    assert [name for name, q in named_queries().items() if q.engine_sorts] == ["evidence"]


@pytest.mark.parametrize("name", list(named_queries()))
@pytest.mark.parametrize("size", [1, 13, 100])
def test_pages_laid_end_to_end_are_the_whole_result(
    store: QueryStore, name: str, size: int
) -> None:
    named = named_queries()[name]
    whole = store.query(named.sparql)
    pages, offset = [], 0
    if size == 1:  # one row at a time: the first 30 rows are enough to cross keys
        whole = type(whole)(
            "select", whole.variables, whole.rows[:30], truncated=len(whole.rows) > 30
        )
    while True:
        page = run_page(store, named, size, offset)
        assert page.variables == whole.variables
        assert len(page.rows) == min(size, len(whole.rows) - offset)
        pages += page.rows
        offset += size
        assert page.truncated == (offset < len(whole.rows) or whole.truncated)
        if offset >= len(whole.rows):
            break
    assert [[v.key for v in row if isinstance(v, Term)] for row in pages] == [
        [v.key for v in row if isinstance(v, Term)] for row in whole.rows
    ]
    assert pages == whole.rows


@pytest.mark.parametrize("name", list(named_queries()))
def test_all_rows_and_rows_past_the_end(store: QueryStore, name: str) -> None:
    named = named_queries()[name]
    whole = store.query(named.sparql).rows
    assert run_page(store, named, None).rows == whole
    assert run_page(store, named, None, 5).rows == whole[5:]
    past = run_page(store, named, 10, len(whole) + 3)
    assert (past.rows, past.truncated) == ([], False)


def test_the_first_page_of_document_names(store: QueryStore) -> None:
    page = run_page(store, named_queries()["document-names"], 3)
    assert page.rows == [
        (SPEECH, "Policy", "“一区两带七集群”建设"),
        (SPEECH, "Policy", "中央八项规定精神"),
        (SPEECH, "Policy", "习近平新时代中国特色社会主义思想教育培训计划"),
    ]
    assert page.truncated


def test_keys_of_mixed_kinds_page_the_whole_result() -> None:
    """Keys that are not literals of one kind cannot be sorted here as the engine would:
    the whole query runs, and is cut."""
    store = QueryStore.from_turtle(
        '@prefix : <urn:x:> . :a :label "b" . :b :label "a"@zh . :c :label "c"@zh .'
    )
    named = NamedQuery(
        "labels",
        "Labels",
        "SELECT ?label WHERE { ?s <urn:x:label> ?label } ORDER BY ?label",
        "SELECT ?label WHERE { ?s <urn:x:label> ?label }",
    )
    whole = store.query(named.sparql).rows
    page = run_page(store, named, 2, 1)
    assert (page.rows, page.truncated) == (whole[1:3], False)


def test_a_keys_query_selects_one_variable(store: QueryStore) -> None:
    named = NamedQuery("x", "X", "SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?s ?p WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError) as error:
        run_page(store, named, 1)
    assert str(error.value) == (
        "a keys query must select one variable: SELECT ?s ?p WHERE { ?s ?p ?o }"
    )


def test_a_negative_page_is_refused(store: QueryStore) -> None:
    with pytest.raises(ValueError, match=r"^invalid page: limit -1, offset 0$"):
        run_page(store, named_queries()["deployers"], -1)


def test_with_values_binds_literals_first_in_the_pattern() -> None:
    values = [Term('a "b"\n', "literal", language="zh"), Term("5", "literal", XSD_INT), Term("c")]
    assert with_values("SELECT ?x WHERE { ?s ?p ?x }", "x", values) == (
        'SELECT ?x WHERE {\n  VALUES ?x { "a \\"b\\"\\n"@zh "5"^^<' + XSD_INT + '> "c" } ?s ?p ?x }'
    )
    assert (
        with_values("# {\nASK { ?s ?p ?x }", "x", []) == "# {\nASK {\n  VALUES ?x {  } ?s ?p ?x }"
    )


def test_with_values_refuses_what_it_cannot_bind() -> None:
    with pytest.raises(
        ValueError, match=r"^only literals can be bound as keys, not the uri urn:a$"
    ):
        with_values("SELECT * WHERE { ?s ?p ?x }", "x", [Term("urn:a", "uri")])
    with pytest.raises(ValueError, match=r"^the query has no WHERE \{ … \} pattern"):
        with_values("DESCRIBE <urn:a>", "x", [])


XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize(
    "values",
    [
        '"b", 10, 9, "a"@zh, <urn:x:i>',  # mixed kinds: the engine sorts
        "10, 9.5, 9, 1.25",  # integers and decimals: not one datatype, the engine sorts
        '"b", "a", "c"',  # strings: sorted here
        "10, 9, 100",  # integers by value: sorted here
    ],
)
@pytest.mark.parametrize("engine_sorts", [False, True])
def test_a_batch_sorts_as_the_engine_does(values: str, engine_sorts: bool) -> None:
    store = QueryStore.from_turtle(
        f'@prefix : <urn:x:> . :a :key "k" ; :v {values} . :b :key "k" . :c :key "j" ; :v 1 .'
    )
    sparql = "SELECT ?k ?v WHERE { ?s <urn:x:key> ?k OPTIONAL { ?s <urn:x:v> ?v } } ORDER BY ?k ?v"
    keys = "SELECT ?k WHERE { ?s <urn:x:key> ?k }"
    named = NamedQuery("kv", "KV", sparql, keys, engine_sorts=engine_sorts)
    whole = store.query(sparql).rows
    for limit in (100, 2, None):
        rows = run_page(store, named, limit).rows
        assert [v.key if isinstance(v, Term) else v for row in rows for v in row] == [
            v.key if isinstance(v, Term) else v for row in whole[:limit] for v in row
        ]
    assert whole[1] == ("k", None)
