"""Tests of output/endpoint.py: the SPARQL 1.1 Protocol endpoint, over loopback.

A server on an ephemeral port of 127.0.0.1 serves a handmade graph from a thread of this
process (its query workers are processes); requests go through http.client and the tests
pin status, headers and bodies.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph
import pytest

from policykg.extract import Extraction
from policykg.graph import DEFAULT_BASE, build_graph
from policykg.output import api
from policykg.output.endpoint import MAX_BODY, SparqlServer, choose_format
from policykg.output.errors import OutputError
from policykg.output.stores import StoreWriter

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
LABELS = "SELECT ?e ?l WHERE { ?e skos:prefLabel ?l } ORDER BY ?l"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": "X-SPARQL-MaxRows",
    "Access-Control-Max-Age": "86400",
}
READ_ONLY = b"SPARQL Update is not supported: this endpoint is read-only\n"

Reply = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "graph.ttl"
    path.write_text(build_graph([Extraction.from_json(TINY, TEXT)]).serialize(), "utf-8")
    return path


def running(server: SparqlServer) -> Iterator[SparqlServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(10)
        server.close()


@pytest.fixture(scope="module")
def server(graph_file: Path) -> Iterator[SparqlServer]:
    yield from running(api.serve(graph_file, port=0, max_rows=3, workers=2))


def request(
    server: SparqlServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> Reply:
    url = urlsplit(server.url)
    conn = connection or http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        wanted = ("Content-Type", "Content-Length", "X-SPARQL-MaxRows", "Allow", *CORS)
        found = {name: response.headers[name] for name in wanted if name in response.headers}
        return response.status, found, data
    finally:
        if connection is None:
            conn.close()


def get(server: SparqlServer, sparql: str, accept: str | None = None) -> Reply:
    headers = {} if accept is None else {"Accept": accept}
    return request(server, "GET", "/sparql?query=" + quote(sparql), headers=headers)


def post_form(server: SparqlServer, form: dict[str, str], accept: str | None = None) -> Reply:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept is not None:
        headers["Accept"] = accept
    return request(server, "POST", "/sparql", urlencode(form).encode(), headers)


def headers(content_type: str, body: bytes, **extra: str) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        **{name.replace("_", "-"): value for name, value in extra.items()},
        **CORS,
    }


SELECT_JSON = {
    "head": {"vars": ["e", "l"]},
    "results": {
        "bindings": [
            {
                "e": {"type": "uri", "value": STRATEGY},
                "l": {"type": "literal", "value": "乡村振兴战略", "xml:lang": "zh"},
            },
            {
                "e": {"type": "uri", "value": ORG},
                "l": {"type": "literal", "value": "市委", "xml:lang": "zh"},
            },
        ]
    },
}


def test_get_answers_sparql_json_by_default(server: SparqlServer) -> None:
    status, found, body = get(server, LABELS)
    assert (status, json.loads(body)) == (200, SELECT_JSON)
    assert found == headers("application/sparql-results+json; charset=utf-8", body)


def test_post_a_sparql_query_body(server: SparqlServer) -> None:
    reply = request(
        server,
        "POST",
        "/sparql",
        LABELS.encode(),
        {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"},
    )
    body = f"e,l\r\n{STRATEGY},乡村振兴战略\r\n{ORG},市委\r\n".encode()
    assert reply == (200, headers("text/csv; charset=utf-8", body), body)


def test_post_a_form_and_get_tsv(server: SparqlServer) -> None:
    reply = post_form(server, {"query": LABELS}, accept="text/tab-separated-values")
    body = f'?e\t?l\n<{STRATEGY}>\t"乡村振兴战略"@zh\n<{ORG}>\t"市委"@zh\n'.encode()
    assert reply == (200, headers("text/tab-separated-values; charset=utf-8", body), body)


def test_xml_results(server: SparqlServer) -> None:
    status, found, body = get(server, f"SELECT ?l WHERE {{ <{ORG}> skos:prefLabel ?l }}", "application/sparql-results+xml")  # fmt: skip  # noqa: E501
    assert status == 200
    assert found["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    assert body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        "  <head>\n"
        '    <variable name="l"/>\n'
        "  </head>\n"
        "  <results>\n"
        "    <result>\n"
        '      <binding name="l"><literal xml:lang="zh">市委</literal></binding>\n'
        "    </result>\n"
        "  </results>\n"
        "</sparql>\n"
    )


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (None, "application/sparql-results+json", b'{\n  "head": {},\n  "boolean": true\n}\n'),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            b"  <head/>\n  <boolean>true</boolean>\n</sparql>\n",
        ),
    ],
)
def test_ask(server: SparqlServer, accept: str | None, content_type: str, body: bytes) -> None:
    reply = get(server, "ASK { ?s pkg:implements ?o }", accept)
    assert reply == (200, headers(f"{content_type}; charset=utf-8", body), body)


CONSTRUCT = "CONSTRUCT { ?s pkg:implements ?o } WHERE { ?s pkg:implements ?o }"


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (
            None,
            "text/turtle",
            "@prefix pkg: <https://w3id.org/policykg/vocab#> .\n\n"
            f"<{ORG}> pkg:implements <{STRATEGY}> .\n",
        ),
        (
            "application/n-triples",
            "application/n-triples",
            f"<{ORG}> <https://w3id.org/policykg/vocab#implements> <{STRATEGY}> .\n",
        ),
    ],
)
def test_construct(server: SparqlServer, accept: str | None, content_type: str, body: str) -> None:
    data = body.encode()
    assert get(server, CONSTRUCT, accept) == (
        200,
        headers(f"{content_type}; charset=utf-8", data),
        data,
    )


def test_a_long_result_is_cut_to_max_rows_and_says_so(server: SparqlServer) -> None:
    status, found, body = get(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv")
    assert status == 200 and found["X-SPARQL-MaxRows"] == "3"
    assert body.decode().count("\r\n") == 1 + 3
    status, found, body = get(server, "SELECT ?l WHERE { ?s skos:prefLabel ?l }", "text/csv")
    assert status == 200 and "X-SPARQL-MaxRows" not in found


@pytest.mark.parametrize(
    ("method", "body", "content_type", "path", "status", "message"),
    [
        (
            "POST",
            b"INSERT DATA { <a:b> <a:c> <a:d> }",
            "application/sparql-update",
            "/sparql",
            403,
            READ_ONLY,
        ),
        (
            "POST",
            b"update=DROP%20ALL",
            "application/x-www-form-urlencoded",
            "/sparql",
            403,
            READ_ONLY,
        ),
        ("GET", None, None, "/sparql?update=DROP%20ALL", 403, READ_ONLY),
        (
            "GET",
            None,
            None,
            "/sparql?query=" + quote("INSERT DATA { <a:b> <a:c> <a:d> }"),
            403,
            b"SPARQL Update (INSERT) is not supported: the graph is read-only\n",
        ),
        (
            "GET",
            None,
            None,
            "/sparql?query="
            + quote("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
            403,
            b"SERVICE <http://example.org/sparql> is not supported: queries run offline, "
            b"on this graph only\n",
        ),
        (
            "GET",
            None,
            None,
            "/sparql?query=" + quote("SELECT * FROM <http://example.org/g> { ?s ?p ?o }"),
            403,
            b"FROM and FROM NAMED are not supported: queries run on this graph\n",
        ),
        (
            "GET",
            None,
            None,
            "/sparql?default-graph-uri=urn%3Ax&query=ASK%7B%7D",
            403,
            b"default-graph-uri and named-graph-uri are not supported: one graph only\n",
        ),
        (
            "GET",
            None,
            None,
            "/sparql?query=" + quote("SELECT ?s WHERE { ?s foo:p ?o }"),
            400,
            "SPARQL syntax error at line 1, column 22: unknown prefix foo: (declare it with "
            "PREFIX foo: <…>; bound already: dcterms, foaf, nif, org, owl, pkg, prov, rdf, rdfs, "
            "skos, xsd)\n".encode(),
        ),
        ("GET", None, None, "/sparql?query=%20", 400, b"the query is empty\n"),
        (
            "GET",
            None,
            None,
            "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
            400,
            b"give exactly one query= parameter\n",
        ),
        ("POST", b"\xff", "application/sparql-query", "/sparql", 400, b"the query is not UTF-8\n"),
        (
            "POST",
            b"ASK {}",
            "text/plain",
            "/sparql",
            415,
            b"send the query as application/sparql-query or as a form "
            b"(application/x-www-form-urlencoded) with query=\n",
        ),
        (
            "GET",
            None,
            None,
            "/query?query=ASK%7B%7D",
            404,
            b"no such page; the endpoint is /sparql\n",
        ),
        (
            "POST",
            b"ASK {}",
            "application/sparql-query",
            "/",
            404,
            b"no such page; the endpoint is /sparql\n",
        ),
        ("PUT", b"<a:b> <a:c> <a:d> .", "text/turtle", "/sparql", 405, READ_ONLY),
        ("DELETE", None, None, "/sparql", 405, READ_ONLY),
    ],
)
def test_refusals_and_errors_are_one_line_4xx(
    server: SparqlServer,
    method: str,
    body: bytes | None,
    content_type: str | None,
    path: str,
    status: int,
    message: bytes,
) -> None:
    sent = {} if content_type is None else {"Content-Type": content_type}
    reply = request(server, method, path, body, sent)
    expected = headers("text/plain; charset=utf-8", message)
    if status == 405:
        expected["Allow"] = "GET, POST"
    assert reply == (status, expected, message)


def test_a_body_over_the_limit_is_refused_unread(server: SparqlServer) -> None:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/sparql-query")
        conn.putheader("Content-Length", str(MAX_BODY + 1))
        conn.endheaders()
        response = conn.getresponse()
        assert (response.status, response.read()) == (413, b"the body is over 1048576 bytes\n")
    finally:
        conn.close()


def test_the_graph_is_unchanged_after_refused_updates(server: SparqlServer) -> None:
    post_form(server, {"update": "DELETE WHERE { ?s ?p ?o }"})
    request(server, "POST", "/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"})
    status, _, body = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
    assert (status, body) == (200, f"n\r\n{server.triples}\r\n".encode())


def test_cors_preflight(server: SparqlServer) -> None:
    reply = request(
        server,
        "OPTIONS",
        "/sparql",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"},
    )
    assert reply == (204, headers("text/plain; charset=utf-8", b""), b"")


def test_service_description_and_index_page(server: SparqlServer) -> None:
    status, found, body = request(server, "GET", "/sparql")
    assert (status, found["Content-Type"]) == (200, "text/turtle; charset=utf-8")
    triples = list(pyoxigraph.parse(body, pyoxigraph.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = [t.object for t in triples if t.predicate == pyoxigraph.NamedNode(sd + "endpoint")]
    assert endpoints == [pyoxigraph.NamedNode(server.url)]
    status, found, body = request(server, "GET", "/")
    assert (status, found["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b'<form method="get" action="/sparql">' in body


def test_one_connection_serves_several_requests(server: SparqlServer) -> None:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        for _ in range(3):
            status, _, body = request(server, "GET", "/sparql?query=ASK%7B%7D", connection=conn)
            assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    finally:
        conn.close()


def test_queries_run_at_the_same_time(server: SparqlServer) -> None:
    replies: list[Reply] = []

    def ask() -> None:
        replies.append(get(server, LABELS))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [(status, json.loads(body)) for status, _, body in replies] == [(200, SELECT_JSON)] * 6


#: A query that runs for minutes: a six-way cartesian product of the graph, counted.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


def test_a_query_past_the_time_limit_is_stopped(graph_file: Path) -> None:
    for server in running(api.serve(graph_file, port=0, timeout=1.0, workers=1)):
        pool = server._pool
        assert pool is not None
        [first] = list(pool._all)
        status, found, body = get(server, ENDLESS)
        assert (status, body) == (
            503,
            b"query stopped: it ran longer than the time limit of 1 s (policykg serve "
            b"--timeout); add LIMIT or narrow the patterns\n",
        )
        assert found["Content-Type"] == "text/plain; charset=utf-8"
        assert first.process.poll() is not None
        # the worker that replaces it answers the next queries
        replies = [get(server, "ASK {}")[0] for _ in range(20)]
        assert 200 in replies and replies[replies.index(200) :] == [200] * (20 - replies.index(200))
        workers = list(pool._all)
    assert workers and all(worker.process.poll() is not None for worker in workers)


@pytest.mark.parametrize(
    ("kind", "accept", "fmt"),
    [
        ("select", None, "json"),
        ("select", "*/*", "json"),
        ("select", "text/csv", "csv"),
        ("select", "text/csv;q=0.5, application/sparql-results+xml", "xml"),
        ("select", "application/sparql-results+json,*/*;q=0.9", "json"),
        ("select", "text/*", "csv"),
        ("select", "text/html", "json"),
        ("select", "application/json", "json"),
        ("select", "text/tab-separated-values; charset=utf-8", "tsv"),
        ("select", "text/csv;q=0, */*;q=0.1", "json"),
        ("select", "text/csv;q=abc, text/tab-separated-values;q=0.2", "tsv"),
        ("ask", "text/csv", "json"),
        ("ask", "application/xml", "xml"),
        ("construct", None, "turtle"),
        ("construct", "application/sparql-results+json,*/*;q=0.9", "turtle"),
        ("construct", "application/n-triples", "nt"),
        ("construct", "text/plain", "nt"),
    ],
)
def test_choose_format(kind: str, accept: str | None, fmt: str) -> None:
    assert choose_format(kind, accept) == fmt


def test_serve_checks_its_limits_and_the_graph_before_starting(tmp_path: Path) -> None:
    graph = tmp_path / "graph.ttl"
    graph.write_text("<a:b> <a:c> .", "utf-8")
    with pytest.raises(OutputError) as info:
        api.serve(graph, port=0)
    assert str(info.value).startswith(f"E121 {graph} is not valid Turtle (invalid Turtle: ")
    with pytest.raises(OutputError) as info:
        api.serve(graph, port=0, timeout=0)
    assert str(info.value) == (
        "E125 invalid limits (timeout 0, max rows 10000, workers 2); give a timeout over 0 "
        "seconds and at least 1 row and 1 worker"
    )


def test_a_port_in_use_is_a_one_line_error(graph_file: Path, server: SparqlServer) -> None:
    port = urlsplit(server.url).port
    with pytest.raises(OutputError) as info:
        api.serve(graph_file, port=port or 0)
    assert str(info.value) == (
        f"E126 cannot listen on 127.0.0.1:{port}: Address already in use; choose another port "
        "with --port (0 picks a free one)"
    )


def test_another_store_federates_a_query_to_it(server: SparqlServer) -> None:
    """Oxigraph's own SERVICE client (as in a federated query from another store)."""
    other = pyoxigraph.Store()
    solutions = other.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT ?e ?l WHERE {{ SERVICE <{server.url}> {{ ?e skos:prefLabel ?l }} }} ORDER BY ?l"
    )
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    assert [(s["e"], s["l"]) for s in solutions] == [
        (pyoxigraph.NamedNode(STRATEGY), pyoxigraph.Literal("乡村振兴战略", language="zh")),
        (pyoxigraph.NamedNode(ORG), pyoxigraph.Literal("市委", language="zh")),
    ]


# -- serving a store folder (policykg build --store) ------------------------------------------


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = build_graph([Extraction.from_json(TINY, TEXT)])
    folder = tmp_path_factory.mktemp("serve-store") / "store"
    with StoreWriter(folder, folder.parent / "out", [], []) as writer:
        writer.prepare(graph.serialize(), "turtle", len(graph), DEFAULT_BASE)
        writer.commit()
    return folder


def test_serve_a_store_folder_with_workers_reading_it_at_once(
    store_folder: Path, graph_file: Path
) -> None:
    triples = len(api.load_store(graph_file))
    for server in running(api.serve(store_folder, port=0, workers=2)):
        assert server.triples == triples
        pool = server._pool
        assert pool is not None and len(pool._all) == 2
        assert all(worker.process.poll() is None for worker in pool._all)
        test_queries_run_at_the_same_time(server)  # six queries, two workers
        assert get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv") == (
            200,
            headers("text/csv; charset=utf-8", f"n\r\n{triples}\r\n".encode()),
            f"n\r\n{triples}\r\n".encode(),
        )


def test_serve_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        api.serve(tmp_path, port=0)
    assert str(info.value) == (
        f"E140 {tmp_path} is a folder but not a policykg store (it has no valid "
        "policykg-store.json); give a graph.ttl or a store folder written by policykg build "
        "--store"
    )
