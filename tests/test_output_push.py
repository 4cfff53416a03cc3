"""Tests of output/push.py and ``policykg push``: real servers on 127.0.0.1, queried back.

- Oxigraph's server (the ``oxigraph`` package's binary, a test dependency) gets the seeds'
  graph, a changed document and pushes limited by ``--document``; every count is read back
  through its ``/query`` endpoint.
- Virtuoso (Debian's ``virtuoso-opensource``; skipped when ``virtuoso-t`` is not installed)
  gets the same graph through Digest authentication and, once granted, anonymously.
- A small server of this process answers with what real servers send on failures (401 with
  a Basic challenge, 403 with an HTML page, 500, silence), for the coded messages.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from policykg.extract import Extraction
from policykg.graph import KnowledgeGraph, build_graph, exports
from policykg.output import api
from policykg.output.cli import PUSH_AUTH, PUSH_TIMEOUT, main
from policykg.output.errors import OutputError
from policykg.output.push import AUTH_SCHEMES, GraphStore, server_message

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPEECH = "000_e07ead4074b87c09.txt"
REPORT = "hailar_district_gov_work_report_2019.txt"
ID = "https://w3id.org/policykg/id/"
SPEECH_IRI = ID + "doc/000_e07ead4074b87c09.txt-473772c5"
REPORT_IRI = ID + "doc/hailar_district_gov_work_report_2019.txt-889be0c1"
#: Triples of each document's graph on the server: its document_graphs part (4603, 7785)
#: and the descriptions of the entities it mentions (361, 664 of the default graph's 994).
SEED_COUNTS = {SPEECH_IRI: 4964, REPORT_IRI: 8449}
#: The same for the first 3,000 characters of each seed (pair_graph), and its triples.
PAIR_COUNTS = {SPEECH_IRI: 2502, REPORT_IRI: 1066}
PAIR_TRIPLES = 3556
#: The speech cut to its first 1,500 characters, built alone, and what the pair's speech
#: has past that point (mentions and assertions with offsets).
CHANGED_COUNT = 999
LATE_COUNT = 149

MENTIONED_IN = URIRef("https://w3id.org/policykg/vocab#mentionedIn")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
UNION = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
LABEL = (
    "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/policykg/vocab#Strategy> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } FILTER(STR(?l) = '乡村振兴战略') } "
    "ORDER BY ?g"
)


# -- graphs ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KnowledgeGraph]:
    """The seeds' graph.ttl, as policykg build writes it, and the graph."""
    graph = build_graph(api.extract_documents([SEEDS]))
    path = tmp_path_factory.mktemp("push") / "graph.ttl"
    path.write_text(exports.to_turtle(graph), "utf-8")
    return path, graph


def write_graph(folder: Path, texts: dict[str, str]) -> tuple[Path, KnowledgeGraph]:
    """graph.ttl of documents given as name → text, as policykg build writes it."""
    graph = build_graph([api.extract_text(text, name) for name, text in texts.items()])
    path = folder / "graph.ttl"
    path.write_text(exports.to_turtle(graph), "utf-8")
    return path, graph


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text("utf-8")


@pytest.fixture(scope="module")
def pair_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KnowledgeGraph]:
    """The first 3,000 characters of each seed, under the seeds' names: a quick graph."""
    texts = {name: seed_text(name)[:3000] for name in (SPEECH, REPORT)}
    return write_graph(tmp_path_factory.mktemp("pair"), texts)


@pytest.fixture(scope="module")
def changed_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KnowledgeGraph]:
    """The speech alone, cut to 1,500 characters: a document of the pair, changed."""
    texts = {SPEECH: seed_text(SPEECH)[:1500]}
    return write_graph(tmp_path_factory.mktemp("changed"), texts)


TINY_TEXT = "市委要求实施乡村振兴战略。"
TINY: dict[str, Any] = {
    "document": "doc1.txt",
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
            "mentions": [{"start": 6, "end": 12, "text": "乡村振兴战略", "rule": "strategy"}],
        },
    ],
    "relations": [],
}


@pytest.fixture(scope="module")
def tiny_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A handmade one-document graph (no spaCy), for the failure tests."""
    path = tmp_path_factory.mktemp("tiny") / "graph.ttl"
    graph = build_graph([Extraction.from_json(TINY, TINY_TEXT)])
    path.write_text(exports.to_turtle(graph), "utf-8")
    return path


def expected_counts(graph: KnowledgeGraph) -> dict[str, int]:
    """Per document IRI: its document_graphs part and its entities' descriptions."""
    parts = exports.document_graphs(graph)
    shared = parts.pop(None)
    counts = {}
    for doc, part in parts.items():
        mentioned = set(
            graph.rdf.subjects(URIRef("https://w3id.org/policykg/vocab#mentionedIn"), doc)
        )
        counts[str(doc)] = len(part) + sum(1 for s, _, _ in shared if s in mentioned)
    return counts


def test_standalone_graphs_are_the_document_graphs_with_their_entities(
    seed_graph: tuple[Path, KnowledgeGraph],
) -> None:
    _, graph = seed_graph
    parts = exports.standalone_graphs(graph)
    assert {str(doc): len(part) for doc, part in parts.items()} == SEED_COUNTS
    assert expected_counts(graph) == SEED_COUNTS
    union = set().union(*(set(part) for part in parts.values()))
    assert len(union) == len(graph) == 13381


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def select(url: str, sparql: str, path: str = "/query") -> list[dict[str, str]]:
    """The rows of a SELECT on a server's query endpoint, each variable's value as text."""
    request = urllib.request.Request(
        url + path,
        data=urlencode({"query": sparql}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        data = json.loads(response.read())  # decodes Virtuoso's \\uXXXX escapes
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def graph_counts(url: str, path: str = "/query") -> dict[str, int]:
    rows = select(url, COUNTS, path)
    return {row["g"]: int(row["n"]) for row in rows if row["g"].startswith(ID)}


def oxigraph_binary() -> str:
    found = Path(sys.executable).parent / "oxigraph"
    return str(found) if found.exists() else shutil.which("oxigraph") or ""


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server on a free port of 127.0.0.1 with an empty store; its base URL."""
    binary = oxigraph_binary()
    if not binary:
        pytest.skip("the oxigraph server is not installed (pip install 'oxigraph>=0.5,<0.6')")
    location = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", url.removeprefix("http://")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url + "/query?query=ASK%7B%7D", process, 30)
        yield url
    finally:
        stop(process)


# -- Oxigraph ------------------------------------------------------------------------------------


def test_push_puts_each_document_in_its_own_named_graph(
    oxigraph: str, seed_graph: tuple[Path, KnowledgeGraph]
) -> None:
    path, graph = seed_graph
    done: list[tuple[int, int, str]] = []
    result = api.push(path, oxigraph + "/store", progress=lambda *args: done.append(args))
    assert result.endpoint == oxigraph + "/store"
    assert result.graphs == (
        api.PushedGraph(SPEECH, SPEECH_IRI, 4964),
        api.PushedGraph(REPORT, REPORT_IRI, 8449),
    )
    assert (result.documents, result.triples, result.unattributed) == ((SPEECH, REPORT), 13413, 0)
    assert done == [(1, 2, SPEECH), (2, 2, REPORT)]
    assert graph_counts(oxigraph) == SEED_COUNTS == expected_counts(graph)
    assert select(oxigraph, UNION) == [{"n": str(len(graph))}]
    assert select(oxigraph, LABEL) == [{"g": SPEECH_IRI}, {"g": REPORT_IRI}]


def test_pushing_again_changes_nothing(
    oxigraph: str, pair_graph: tuple[Path, KnowledgeGraph]
) -> None:
    api.push(pair_graph[0], oxigraph + "/store")
    api.push(pair_graph[0], oxigraph + "/store")
    assert graph_counts(oxigraph) == PAIR_COUNTS
    assert select(oxigraph, UNION) == [{"n": str(PAIR_TRIPLES)}]


def test_a_changed_document_replaces_its_old_statements_only(
    oxigraph: str,
    pair_graph: tuple[Path, KnowledgeGraph],
    changed_graph: tuple[Path, KnowledgeGraph],
) -> None:
    api.push(pair_graph[0], oxigraph + "/store")
    path, changed = changed_graph
    result = api.push(path, oxigraph + "/store")
    assert result.graphs == (api.PushedGraph(SPEECH, SPEECH_IRI, CHANGED_COUNT),)
    assert graph_counts(oxigraph) == {
        SPEECH_IRI: CHANGED_COUNT,
        REPORT_IRI: PAIR_COUNTS[REPORT_IRI],
    }
    # what the speech's graph holds now is exactly the changed graph's triples
    stored = select(oxigraph, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SPEECH_IRI}> {{ ?s ?p ?o }} }}")
    assert len({(row["s"], row["p"], row["o"]) for row in stored}) == CHANGED_COUNT
    subjects = {str(s) for s in changed.rdf.subjects()}
    assert {row["s"] for row in stored} == subjects
    # nothing past the cut is left (mentions and evidence have offsets), the report's graph
    # is as it was; pushing the seeds' graph again restores the speech's graph
    assert select(oxigraph, LATE) == [{"n": "0"}]
    api.push(pair_graph[0], oxigraph + "/store")
    assert graph_counts(oxigraph) == PAIR_COUNTS
    assert select(oxigraph, LATE) == [{"n": str(LATE_COUNT)}]


LATE = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SPEECH_IRI}> {{ ?x "
    "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> ?b } "
    "FILTER(?b >= 1500) }"
)


def test_push_only_the_documents_named(
    oxigraph: str, pair_graph: tuple[Path, KnowledgeGraph], changed_graph: tuple[Path, Any]
) -> None:
    api.push(changed_graph[0], oxigraph + "/store")
    result = api.push(pair_graph[0], oxigraph + "/store", documents=[REPORT])
    assert result.graphs == (api.PushedGraph(REPORT, REPORT_IRI, PAIR_COUNTS[REPORT_IRI]),)
    assert graph_counts(oxigraph) == {
        SPEECH_IRI: CHANGED_COUNT,
        REPORT_IRI: PAIR_COUNTS[REPORT_IRI],
    }
    with pytest.raises(OutputError) as info:
        api.push(pair_graph[0], oxigraph + "/store", documents=[REPORT, "speech.txt"])
    assert str(info.value) == (
        f"E136 the graph has no document speech.txt; its documents are: {SPEECH}, {REPORT}"
    )
    api.push(pair_graph[0], oxigraph + "/store")


@pytest.mark.parametrize("suffix", [".nt", ".trig"])
def test_push_reads_n_triples_and_trig(
    oxigraph: str, pair_graph: tuple[Path, KnowledgeGraph], tmp_path: Path, suffix: str
) -> None:
    _, graph = pair_graph
    path = tmp_path / f"graph{suffix}"
    render = exports.to_ntriples if suffix == ".nt" else exports.to_trig
    path.write_text(render(graph), "utf-8")
    result = api.push(path, oxigraph + "/store")
    assert [(g.iri, g.triples) for g in result.graphs] == list(PAIR_COUNTS.items())
    assert graph_counts(oxigraph) == PAIR_COUNTS


def test_the_command_pushes_and_reports(
    oxigraph: str, pair_graph: tuple[Path, KnowledgeGraph]
) -> None:
    path, _ = pair_graph
    endpoint = oxigraph + "/store"
    result = CliRunner().invoke(main, ["push", str(path), "--endpoint", endpoint])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"Pushed 2 documents ({sum(PAIR_COUNTS.values())} triples) to {endpoint}, a named "
        "graph each.\n",
        f"[1/2] {SPEECH}\n[2/2] {REPORT}\n",
    )
    quiet = CliRunner().invoke(
        main, ["push", str(path), "--endpoint", endpoint, "--document", SPEECH, "-q"]
    )
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (
        0,
        f"Pushed 1 document ({PAIR_COUNTS[SPEECH_IRI]} triples) to {endpoint}, a named graph "
        "each.\n",
        "",
    )
    assert graph_counts(oxigraph) == PAIR_COUNTS


def test_an_unreachable_endpoint_is_one_coded_line(tiny_graph: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    result = CliRunner().invoke(main, ["push", str(tiny_graph), "--endpoint", url])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"policykg: error: E130 cannot connect to {url}: Connection refused; check the "
        "--endpoint URL and that the server is running and reachable from here\n",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"endpoint": "127.0.0.1:7878/store"},
            "E134 --endpoint '127.0.0.1:7878/store' is not an HTTP URL; give the server's Graph "
            "Store Protocol URL, such as http://127.0.0.1:7878/store",
        ),
        (
            {"endpoint": "ftp://example.org/store"},
            "E134 --endpoint 'ftp://example.org/store' is not an HTTP URL; give the server's "
            "Graph Store Protocol URL, such as http://127.0.0.1:7878/store",
        ),
        (
            {"endpoint": "http://127.0.0.1:1/store", "user": "dba"},
            "E135 invalid push options (user given, password not given, auth 'auto', timeout "
            "60.0); give --user and --password together, --auth auto, basic or digest, and a "
            "timeout over 0 seconds",
        ),
        (
            {"endpoint": "http://127.0.0.1:1/store", "timeout": 0},
            "E135 invalid push options (user not given, password not given, auth 'auto', "
            "timeout 0); give --user and --password together, --auth auto, basic or digest, "
            "and a timeout over 0 seconds",
        ),
    ],
)
def test_bad_options_are_refused_before_any_request(
    tiny_graph: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(OutputError) as info:
        api.push(tiny_graph, **kwargs)
    assert str(info.value) == message


def test_bad_graph_files_are_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("<a:b> <a:c> <a:d> .\n", "utf-8")
    with pytest.raises(OutputError) as info:
        api.push(empty, "http://127.0.0.1:1/store")
    assert str(info.value) == (
        f"E137 {empty} has no documents (pkg:Document); give a graph written by policykg build"
    )
    bad = tmp_path / "bad.trig"
    bad.write_text("<a:g> { <a:b> <a:c> }", "utf-8")
    with pytest.raises(OutputError) as info:
        api.push(bad, "http://127.0.0.1:1/store")
    assert str(info.value).startswith(f"E138 cannot load graph {bad}: invalid TriG: ")
    assert str(info.value).endswith(
        "; give a graph.ttl, graph.nt or graph.trig written by policykg build"
    )


# -- failures, from a server of this process ------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    """Answers as real servers do on failures; the path says how (see do_PUT)."""

    seen: ClassVar[list[tuple[str, str, str | None, int]]] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.do_PUT()

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        auth = self.headers.get("Authorization")
        path = self.path.split("?", 1)[0]
        if path == "/slow":
            time.sleep(2)
        body = self.rfile.read(length)
        self.seen.append((self.command, path, auth, len(body)))
        token = "Basic " + base64.b64encode("用户:密码".encode()).decode()
        if path == "/picky" and not body:
            self.reply(400, b"empty body\n", {})
        elif path in ("/basic", "/picky") and auth != token:
            self.reply(401, b"", {"WWW-Authenticate": 'Basic realm="test"'})
        elif path == "/html":
            page = (
                b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>SPARQL '
                b"Graph Protocol request failed</title></head><body><h1>HTTP/1.1 403 Forbidden"
                b"</h1>\n<h3>Error 42000</h3>\n<xmp>SQ110:SECURITY: Permission denied for delete"
                b" from DB.DBA.RDF_QUAD (user ID = 107)</xmp></body></html>"
            )
            self.reply(403, page, {"Content-Type": "text/html; charset=UTF-8"})
        elif path == "/fail":
            self.reply(500, "磁盘已满: no space left\nsecond line\n".encode(), {})
        else:
            self.reply(201 if self.command == "PUT" else 204, b"", {})

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe of the reply


@pytest.fixture(scope="module")
def fake() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_basic_auth_answers_the_challenge_or_goes_first(fake: str, tiny_graph: Path) -> None:
    Recorder.seen.clear()
    api.push(tiny_graph, fake + "/basic", user="用户", password="密码")
    token = "Basic 55So5oi3OuWvhueggQ=="
    size = Recorder.seen[-1][3]
    assert Recorder.seen == [("POST", "/basic", None, 0), ("PUT", "/basic", token, size)]
    Recorder.seen.clear()
    api.push(tiny_graph, fake + "/basic", user="用户", password="密码", auth="basic")
    assert Recorder.seen == [("PUT", "/basic", token, size)]


def test_a_challenge_the_empty_post_did_not_draw_is_answered(fake: str, tiny_graph: Path) -> None:
    Recorder.seen.clear()
    api.push(tiny_graph, fake + "/picky", user="用户", password="密码")
    token = "Basic 55So5oi3OuWvhueggQ=="
    size = Recorder.seen[-1][3]
    assert Recorder.seen == [
        ("POST", "/picky", None, 0),
        ("PUT", "/picky", None, size),
        ("PUT", "/picky", token, size),
    ]


@pytest.mark.parametrize(
    ("path", "user", "auth", "message"),
    [
        (
            "/basic",
            None,
            "auto",
            "E131 {url} refused the push with HTTP 401 (Unauthorized); give --user and "
            "--password (or POLICYKG_PUSH_PASSWORD), or grant anonymous writes on the server",
        ),
        (
            "/basic",
            "用户x",
            "auto",
            "E131 {url} refused the push with HTTP 401 (Unauthorized); check --user and "
            "--password, or grant that user the right to write graphs",
        ),
        (
            "/basic",
            "用户",
            "digest",
            "E131 {url} refused the push with HTTP 401 (the server asks for Basic "
            "authentication, not --auth digest); check --user and --password, or grant that "
            "user the right to write graphs",
        ),
        (
            "/html",
            None,
            "auto",
            "E131 {url} refused the push with HTTP 403 (SQ110:SECURITY: Permission denied for "
            "delete from DB.DBA.RDF_QUAD (user ID = 107)); give --user and --password (or "
            "POLICYKG_PUSH_PASSWORD), or grant anonymous writes on the server",
        ),
        (
            "/fail",
            None,
            "auto",
            "E132 {url} answered HTTP 500 to the graph <https://w3id.org/policykg/id/doc/"
            "doc1.txt-5419b869>: 磁盘已满: no space left; check that --endpoint is the server's "
            "Graph Store Protocol URL and that the server can write",
        ),
    ],
)
def test_refusals_are_one_coded_line(
    fake: str, tiny_graph: Path, path: str, user: str | None, auth: str, message: str
) -> None:
    url = fake + path
    password = None if user is None else "密码"
    args = ["push", str(tiny_graph), "--endpoint", url, "--auth", auth]
    if user is not None:
        args += ["--user", user]
    result = CliRunner().invoke(main, args, env={"POLICYKG_PUSH_PASSWORD": password})
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "policykg: error: " + message.format(url=url) + "\n",
    )


def test_a_silent_server_times_out(fake: str, tiny_graph: Path) -> None:
    result = CliRunner().invoke(
        main, ["push", str(tiny_graph), "--endpoint", fake + "/slow", "--timeout", "0.5"]
    )
    assert (result.exit_code, result.stderr) == (
        1,
        f"policykg: error: E133 {fake}/slow did not answer within 0.5 s; check the server, or "
        "give a longer --timeout\n",
    )


def test_graph_urls_and_server_messages() -> None:
    store = GraphStore("http://h:1/repositories/r/rdf-graphs/service")
    assert store.graph_url("https://x/doc/a b") == (
        "http://h:1/repositories/r/rdf-graphs/service?graph=https%3A%2F%2Fx%2Fdoc%2Fa+b"
    )
    assert GraphStore("http://h/gsp?db=x").graph_url("urn:g") == "http://h/gsp?db=x&graph=urn%3Ag"
    assert server_message(b"\n  first  line \nsecond") == "first line"
    assert server_message(b"<html><head><title>T</title></head><p>a &amp; b</p></html>") == "a & b"
    assert server_message(b"x" * 400) == "x" * 299 + "…"


def test_spelled_out_defaults_match_the_library() -> None:
    assert PUSH_AUTH == AUTH_SCHEMES
    assert api.push.__defaults__ is not None
    assert PUSH_TIMEOUT == GraphStore("http://h/").timeout == api.push.__defaults__[3]


# -- Virtuoso ------------------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
VADInstallDir =
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A fresh Virtuoso database (user dba, password dba) on free ports of 127.0.0.1: its
    HTTP base URL and SQL port."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql=sql, http=http), "utf-8")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}"
    try:
        wait_until_up(url + "/sparql?query=ASK%7B%7D", process, 120)
        yield url, sql
    finally:
        stop(process)


def test_virtuoso_takes_a_push_with_digest_authentication(
    virtuoso: tuple[str, int],
    pair_graph: tuple[Path, KnowledgeGraph],
    changed_graph: tuple[Path, KnowledgeGraph],
) -> None:
    url, _ = virtuoso
    endpoint = url + "/sparql-graph-crud-auth"
    result = api.push(pair_graph[0], endpoint, user="dba", password="dba", auth="digest")
    assert [(g.iri, g.triples) for g in result.graphs] == list(PAIR_COUNTS.items())
    assert graph_counts(url, "/sparql") == PAIR_COUNTS
    # Virtuoso's JSON escapes non-ASCII as \uXXXX: json.loads gives the label back
    assert select(url, LABEL, "/sparql") == [{"g": REPORT_IRI}]
    api.push(changed_graph[0], endpoint, user="dba", password="dba")
    assert graph_counts(url, "/sparql") == {**PAIR_COUNTS, SPEECH_IRI: CHANGED_COUNT}
    assert select(url, LATE, "/sparql") == [{"n": "0"}]
    with pytest.raises(OutputError) as info:
        api.push(pair_graph[0], endpoint, user="dba", password="wrong")
    assert str(info.value) == (
        f"E131 {endpoint} refused the push with HTTP 401 (Unauthorized); check --user and "
        "--password, or grant that user the right to write graphs"
    )


def test_virtuoso_takes_anonymous_pushes_once_granted(
    virtuoso: tuple[str, int], pair_graph: tuple[Path, KnowledgeGraph]
) -> None:
    url, sql = virtuoso
    endpoint = url + "/sparql-graph-crud"
    with pytest.raises(OutputError) as info:
        api.push(pair_graph[0], endpoint)
    assert str(info.value) == (
        f"E131 {endpoint} refused the push with HTTP 403 (SQ110:SECURITY: Permission denied "
        "for delete from DB.DBA.RDF_QUAD (user ID = 107)); give --user and --password (or "
        "POLICYKG_PUSH_PASSWORD), or grant anonymous writes on the server"
    )
    isql = shutil.which("isql-vt") or "isql-vt"
    grant = 'GRANT SPARQL_UPDATE TO "SPARQL";'
    subprocess.run(
        [isql, f"127.0.0.1:{sql}", "dba", "dba", f"exec={grant}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    result = CliRunner().invoke(main, ["push", str(pair_graph[0]), "--endpoint", endpoint, "-q"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert graph_counts(url, "/sparql") == PAIR_COUNTS
