"""A read-only SPARQL 1.1 Protocol endpoint over one graph: ``policykg serve``.

``GET /sparql?query=…``, ``POST /sparql`` with an ``application/sparql-query`` body or a
form-encoded ``query=``. SELECT and ASK answer in SPARQL JSON (the default), XML, CSV or TSV,
CONSTRUCT and DESCRIBE in Turtle (the default) or N-Triples, as the ``Accept`` header asks.
``GET /sparql`` without a query returns a service description (Turtle), ``GET /`` a short
page. Every response allows any origin (CORS), so that YASGUI in a browser can call it.

Limits, so that one query cannot take the machine or the network:

* Read-only: SPARQL Update (an update body, a form's ``update=``, an INSERT… query), PUT and
  DELETE are refused (403 or 405 with a message); so are SERVICE (the engine would call the
  other endpoint), FROM and ``default-graph-uri``/``named-graph-uri`` (403).
* Time: each query runs in a worker process that holds its own copy of the graph in an
  Oxigraph store. A query still running ``timeout`` seconds after its request came in (time
  spent waiting for a free worker counts) gets 503 with a message, and its worker is killed
  (the only way to stop Oxigraph mid-query) and replaced; the replacement loads the graph
  again in the background, so until then fewer workers serve. A request that waits
  ``timeout`` seconds for a free worker gets 503 too. Memory: one store per worker, or,
  served from a store folder (``policykg build --store``), none: each worker opens the
  folder read-only, several readers of one store at once.
* Size: at most ``max_rows`` rows (or triples) are sent; a longer result is cut and the
  response carries ``X-SPARQL-MaxRows: N`` (as Virtuoso does). A request body is at most
  1 MiB (413), a request line 64 KiB (414, the standard library's limit); a connection
  silent for 60 s is closed.

The server binds 127.0.0.1 unless told otherwise; it has no authentication.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from policykg.graph import QueryError, QueryRefused, QueryStore

from .results import format_graph, format_result

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WORKERS",
    "ENDPOINT",
    "MAX_BODY",
    "Response",
    "SparqlServer",
    "WorkerPool",
    "answer",
    "choose_format",
]

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_ROWS: Final = 10_000
DEFAULT_WORKERS: Final = 2
#: The path of the query endpoint.
ENDPOINT: Final = "/sparql"
#: The largest request body read, in bytes.
MAX_BODY: Final = 1 << 20
#: The module a worker process runs (``python -m``).
_MODULE: Final = "policykg.output.endpoint"
#: Seconds a worker may take to load the graph before the server gives up on it.
LOAD_TIMEOUT: Final = 600.0
#: What the workers load: Turtle bytes to parse, or a store folder to open read-only.
GraphSource = bytes | Path

#: Media types of each result format, the one sent first.
MEDIA_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle", "application/x-turtle"),
    "nt": ("application/n-triples", "text/plain"),
}
#: The formats of each kind of result, the default first.
KIND_FORMATS: Final[dict[str, tuple[str, ...]]] = {
    "select": ("json", "xml", "csv", "tsv"),
    "ask": ("json", "xml"),
    "construct": ("turtle", "nt"),
}
CORS: Final = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
    ("Access-Control-Expose-Headers", "X-SPARQL-MaxRows"),
    ("Access-Control-Max-Age", "86400"),
)
_READ_ONLY: Final = "SPARQL Update is not supported: this endpoint is read-only"


@dataclass(frozen=True)
class Response:
    """One HTTP response: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def error(status: int, message: str) -> Response:
    """A plain-text error response: the message on one line."""
    return Response(status, "text/plain; charset=utf-8", f"{message}\n".encode())


def answer(store: QueryStore, sparql: str, accept: str | None, max_rows: int) -> Response:
    """The response to one query, in the format the ``Accept`` header prefers.

    403 for what the endpoint refuses (update, SERVICE, FROM), 400 for a bad query.
    """
    try:
        result = store.query(sparql, max_rows)
    except QueryRefused as exc:
        return error(HTTPStatus.FORBIDDEN, str(exc))
    except QueryError as exc:
        return error(HTTPStatus.BAD_REQUEST, str(exc))
    fmt = choose_format(result.kind, accept)
    body = format_graph(result, fmt) if result.kind == "construct" else format_result(result, fmt)
    headers = (("X-SPARQL-MaxRows", str(max_rows)),) if result.truncated else ()
    content_type = f"{MEDIA_TYPES[fmt][0]}; charset=utf-8"
    return Response(HTTPStatus.OK, content_type, body.encode("utf-8"), headers)


def choose_format(kind: str, accept: str | None) -> str:
    """The format of a ``kind`` result that ``accept`` rates highest; the default when it
    rates none (an ``Accept`` header is a preference, not an order)."""
    formats = KIND_FORMATS[kind]
    ranges = _parse_accept(accept or "*/*")
    best, best_q = formats[0], 0.0
    for fmt in formats:
        q = _quality(MEDIA_TYPES[fmt], ranges)
        if q > best_q:
            best, best_q = fmt, q
    return best


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """Media ranges with their quality; a malformed q counts as 0."""
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return ranges


def _quality(media_types: tuple[str, ...], ranges: list[tuple[str, float]]) -> float:
    """The quality of a format under the most specific range that matches it: one of its
    media types named exactly, else the type it is sent as (``text/*``), else ``*/*``."""
    sent = media_types[0]
    for patterns in (media_types, (f"{sent.split('/')[0]}/*",), ("*/*",)):
        found = [q for media_range, q in ranges if media_range in patterns]
        if found:
            return max(found)
    return 0.0


# -- worker processes -------------------------------------------------------------------------


def _worker_main(fd: int, max_rows: int) -> None:
    """A worker (``python -m policykg.output.endpoint FD MAX_ROWS``): read the graph from
    the socket ``fd``, say ready, then answer ``(sparql, accept)`` until told to stop.

    Only built-in types cross the socket (the worker runs this module as ``__main__``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    conn = Connection(fd)
    kind = conn.recv()
    payload = conn.recv_bytes()
    if kind == "store":
        store = QueryStore.read_only(os.fsdecode(payload))
    else:
        store = QueryStore.from_turtle(payload)
    conn.send(("ready", len(store)))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        sparql, accept = request
        try:
            response = answer(store, sparql, accept, max_rows)
        except Exception as exc:  # a bug: say so rather than leave the request hanging
            response = error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc!r}")
        conn.send((response.status, response.content_type, response.body, response.headers))


class _Worker:
    """One worker process (a fresh interpreter) and the server's end of its socket.

    A fresh ``python -m`` rather than multiprocessing: a child of multiprocessing's spawn or
    forkserver methods re-imports the caller's ``__main__``, which breaks ``serve`` called
    from a script without a main guard or from standard input.
    """

    def __init__(self, max_rows: int) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", _MODULE, str(theirs.fileno()), str(max_rows)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # out of the terminal's process group: no Ctrl-C
            )
        self.conn = Connection(ours.detach())

    def load(self, source: GraphSource, timeout: float) -> bool:
        """Send the graph (or the store folder to open); whether the worker loaded it within
        ``timeout`` seconds."""
        try:
            if isinstance(source, bytes):
                self.conn.send("turtle")
                self.conn.send_bytes(source)
            else:
                self.conn.send("store")
                self.conn.send_bytes(os.fsencode(source))
            return bool(self.conn.poll(timeout)) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            return False

    def ask(self, sparql: str, accept: str | None, timeout: float) -> Response | None:
        """The worker's response, or None when it has not answered within ``timeout``."""
        self.conn.send((sparql, accept))
        if not self.conn.poll(max(timeout, 0.0)):
            return None
        status, content_type, body, headers = self.conn.recv()
        return Response(status, content_type, body, headers)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5.0)
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the graph and answer one query at a time.

    A query that outlives its timeout has its worker killed and replaced (see the module
    docstring). ``source`` is the graph as Turtle (each worker parses it) or the path of a
    store folder (each worker opens it read-only).
    """

    def __init__(self, source: GraphSource, workers: int, max_rows: int) -> None:
        self._source, self._max_rows = source, max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(max(workers, 1))]  # they import in parallel
        for worker in started:
            if not worker.load(source, LOAD_TIMEOUT):
                self.close()
                raise OSError("a query worker could not load the graph; try fewer --workers")
            self._idle.put(worker)

    def run(self, sparql: str, accept: str | None, timeout: float) -> Response:
        """The worker's response to one query, or 503 when it takes over ``timeout`` s."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return error(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"all query workers stayed busy for {timeout:g} s; try again later",
            )
        try:
            response = worker.ask(sparql, accept, deadline - time.monotonic())
        except (EOFError, OSError):
            self._replace(worker)
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, "the query worker died; try again")
        if response is not None:
            self._idle.put(worker)
            return response
        self._replace(worker)
        return error(
            HTTPStatus.SERVICE_UNAVAILABLE,
            f"query stopped: it ran longer than the time limit of {timeout:g} s "
            "(policykg serve --timeout); add LIMIT or narrow the patterns",
        )

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    def _start(self) -> _Worker:
        worker = _Worker(self._max_rows)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another, which joins the pool once it has loaded."""
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        worker.stop(kill=True)
        if closed:
            return
        fresh = self._start()

        def join_when_ready() -> None:
            if fresh.load(self._source, LOAD_TIMEOUT) and not self._closed:
                self._idle.put(fresh)

        threading.Thread(target=join_when_ready, daemon=True).start()


# -- HTTP -------------------------------------------------------------------------------------


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server: requests in threads, queries in a :class:`WorkerPool`.

    Making one binds the socket (so that a port in use fails at once); :meth:`start_workers`
    then starts the workers; ``serve_forever()`` serves; :meth:`close` stops the workers.
    """

    daemon_threads = True

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float,
        max_rows: int,
        triples: int,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if ":" in host:  # an IPv6 address such as ::1
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.query_timeout, self.max_rows = timeout, max_rows
        self.triples, self.log = triples, log
        self._pool: WorkerPool | None = None

    def start_workers(self, source: GraphSource, workers: int) -> None:
        """Start ``workers`` processes, each loading the graph from ``source`` (Turtle, or
        a store folder's path to open read-only), and wait."""
        self._pool = WorkerPool(source, workers, self.max_rows)

    def run(self, sparql: str, accept: str | None) -> Response:
        """The response to one query, from a worker."""
        if self._pool is None:
            return error(HTTPStatus.SERVICE_UNAVAILABLE, "the query workers are not started")
        return self._pool.run(sparql, accept, self.query_timeout)

    @property
    def url(self) -> str:
        """The endpoint's URL, with the port actually bound (``--port 0`` picks one)."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{ENDPOINT}"

    def close(self) -> None:
        """Close the socket and stop the workers (after ``serve_forever`` has returned)."""
        self.server_close()
        if self._pool is not None:
            self._pool.close()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    #: Seconds a connection may stay silent before it is closed (idle keep-alive, slow senders).
    timeout = 60

    def version_string(self) -> str:
        return "policykg"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(
                Response(HTTPStatus.OK, "text/html; charset=utf-8", _page("serve-index.html"))
            )
            return
        if url.path != ENDPOINT:
            self._send(error(HTTPStatus.NOT_FOUND, f"no such page; the endpoint is {ENDPOINT}"))
            return
        params = parse_qs(url.query, keep_blank_values=True)
        if "query" not in params and "update" not in params:
            description = _page("serve-service.ttl").decode().replace("{endpoint}", self.server.url)
            self._send(Response(HTTPStatus.OK, "text/turtle; charset=utf-8", description.encode()))
            return
        self._query(params)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != ENDPOINT:
            self._send(error(HTTPStatus.NOT_FOUND, f"no such page; the endpoint is {ENDPOINT}"))
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(error(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length"))
            return
        if int(length) > MAX_BODY:
            self.close_connection = True
            self._send(
                error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY} bytes")
            )
            return
        body = self.rfile.read(int(length))
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if media == "application/sparql-update":
            self._send(error(HTTPStatus.FORBIDDEN, _READ_ONLY))
            return
        if media == "application/sparql-query":
            try:
                params["query"] = [*params.get("query", []), body.decode("utf-8")]
            except UnicodeDecodeError:
                self._send(error(HTTPStatus.BAD_REQUEST, "the query is not UTF-8"))
                return
        elif media == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                self._send(error(HTTPStatus.BAD_REQUEST, "the form is not UTF-8"))
                return
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
        else:
            self._send(
                error(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the query as application/sparql-query or as a form "
                    "(application/x-www-form-urlencoded) with query=",
                )
            )
            return
        self._query(params)

    def do_OPTIONS(self) -> None:
        self._send(Response(HTTPStatus.NO_CONTENT, "text/plain; charset=utf-8", b""))

    def _read_only(self) -> None:
        self._send(error(HTTPStatus.METHOD_NOT_ALLOWED, _READ_ONLY), (("Allow", "GET, POST"),))

    do_PUT = do_DELETE = do_PATCH = _read_only

    def _query(self, params: dict[str, list[str]]) -> None:
        """Check the protocol parameters, then run the query in a worker."""
        if "update" in params:
            self._send(error(HTTPStatus.FORBIDDEN, _READ_ONLY))
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            message = "default-graph-uri and named-graph-uri are not supported: one graph only"
            self._send(error(HTTPStatus.FORBIDDEN, message))
            return
        queries = params.get("query", [])
        if len(queries) != 1:
            self._send(error(HTTPStatus.BAD_REQUEST, "give exactly one query= parameter"))
            return
        if not queries[0].strip():
            self._send(error(HTTPStatus.BAD_REQUEST, "the query is empty"))
            return
        accept = self.headers.get("Accept")
        self._send(self.server.run(queries[0], accept))

    def _send(self, response: Response, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in (*CORS, *response.headers, *extra):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")


def _page(name: str) -> bytes:
    """A file of ``templates/`` next to this module."""
    resource = importlib.resources.files(__package__ or "policykg.output") / "templates" / name
    return resource.read_bytes()


if __name__ == "__main__":
    _worker_main(int(sys.argv[1]), int(sys.argv[2]))
