"""The Python API of policykg's commands: build, extract, query, evaluate, on files.

The command line (``policykg.output.cli``) only wraps these functions; scripts and notebooks
call them directly::

    >>> from policykg.output.api import build, query
    >>> result = build(["seeds/"], "out/")
    >>> query(result.graph_ttl, "SELECT ?t WHERE { ?t a pkg:Task }").rows[:1]

Every error the user can fix is a :class:`~policykg.extract.PolicyKGError` (or a
``ValueError`` such as :class:`~policykg.graph.QueryError`) with a one-line message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykg.extract import Extraction, InputError, extract_file, read_text
from policykg.extract.diagnose import Diagnosis, diagnose
from policykg.extract.evaluate import Evaluation, evaluate, read_annotations
from policykg.extract.rulestats import RuleStats, count_rules
from policykg.graph import (
    DEFAULT_BASE,
    KnowledgeGraph,
    NamedQuery,
    QueryResult,
    QueryStore,
    build_graph,
    load_turtle,
    named_queries,
    validate_base,
)

from .errors import Errors, OutputError
from .files import collect_documents, document_names, locate_document, write_files_atomic
from .html import render_html

if TYPE_CHECKING:
    from .endpoint import SparqlServer

__all__ = [
    "GRAPH_HTML",
    "GRAPH_TTL",
    "BuildResult",
    "ErrorListing",
    "Progress",
    "build",
    "default_title",
    "evaluate_files",
    "extract",
    "extract_documents",
    "extract_json",
    "list_errors",
    "list_queries",
    "load_graph",
    "load_store",
    "named_query",
    "query",
    "read_query",
    "rule_stats",
    "serve",
]

#: File names a build writes into its output folder.
GRAPH_TTL = "graph.ttl"
GRAPH_HTML = "graph.html"

#: Called after each document is extracted with (documents done, documents in all, name).
Progress = Callable[[int, int, str], None]

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote and what the graph holds.

    ``entities`` counts graph nodes (entities merged across documents), ``relations`` the
    distinct (head, type, tail) relation triples, ``triples`` all RDF triples in the Turtle.
    """

    graph_ttl: Path
    graph_html: Path
    document_names: tuple[str, ...]
    entities: int
    relations: int
    triples: int
    graph: KnowledgeGraph = field(repr=False, compare=False)

    @property
    def documents(self) -> int:
        """The number of documents in the graph."""
        return len(self.document_names)

    @property
    def paths(self) -> tuple[Path, Path]:
        """The files written: the Turtle file and the HTML page."""
        return (self.graph_ttl, self.graph_html)


def extract_text(text: str, document: str = "<text>") -> Extraction:
    """Extract one document's text; spaCy loads on the first call, not at import."""
    from policykg.extract.pipeline import extract_text as run

    return run(text, document)


def extract_documents(
    paths: Iterable[StrPath], progress: Progress | None = None
) -> list[Extraction]:
    """Extract every document that ``paths`` name (files or folders of ``.txt`` files).

    Each document is named by its file name, or by the end of its path where several share
    a file name (:func:`~policykg.output.files.document_names`).
    """
    documents = collect_documents(paths)
    names = document_names(documents)
    extractions = []
    for done, (path, name) in enumerate(zip(documents, names, strict=True), start=1):
        extractions.append(extract_text(read_text(path), name))
        if progress is not None:
            progress(done, len(documents), name)
    return extractions


def rule_stats(paths: Iterable[StrPath], progress: Progress | None = None) -> RuleStats:
    """How often each rule fired on the documents ``paths`` name, and which never did.

    Documents are collected, named and extracted as :func:`build` does them (``progress``
    is called after each); see :mod:`policykg.extract.rulestats` for what is counted.
    """
    return count_rules(extract_documents(paths, progress))


def build(
    paths: Iterable[StrPath],
    out_dir: StrPath,
    base: str = DEFAULT_BASE,
    title: str | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Extract the documents, build one graph, write ``OUT/graph.ttl`` and ``OUT/graph.html``.

    ``out_dir`` is created if needed. Both files are rendered before either is written and
    are written atomically, so a failure at any step leaves earlier output as it was. The
    base IRI and the output folder are checked before the (slow) extraction starts.
    ``title`` is the page heading (default: :func:`default_title`).
    """
    validate_base(base)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(Errors.E110.format(path=os.fspath(out_dir)))
    extractions = extract_documents(paths, progress)
    graph = build_graph(extractions, base=base)
    names = tuple(ext.document for ext in extractions)
    view = graph.to_networkx()
    turtle = graph.serialize("turtle")
    page = render_html(view, title=title if title is not None else default_title(names))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E111.format(path=os.fspath(out_dir), reason=reason)) from exc
    ttl_path, html_path = out / GRAPH_TTL, out / GRAPH_HTML
    write_files_atomic({ttl_path: turtle, html_path: page})
    entities = sum(1 for _, kind in view.nodes(data="kind") if kind == "entity")
    relations = {
        (head, tail, kind) for head, tail, kind in view.edges(data="type") if kind != "mentionedIn"
    }
    return BuildResult(ttl_path, html_path, names, entities, len(relations), len(graph), graph)


def default_title(names: Sequence[str]) -> str:
    """The page heading of a build: the document's name, or how many documents there are."""
    if len(names) == 1:
        return f"policykg: {names[0]}"
    return f"policykg: {len(names)} documents"


def extract(path: StrPath) -> Extraction:
    """The extraction of one document, named by its file name (as gold files name it)."""
    return extract_file(path)


def extract_json(path: StrPath) -> dict[str, Any]:
    """The extraction of one document in the JSON form of SCHEMA.md (keys in a fixed order)."""
    return extract(path).to_json()


def load_graph(path: StrPath) -> KnowledgeGraph:
    """A graph read back from a Turtle file; :class:`OutputError` names an unusable file."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start}"
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    try:
        return load_turtle(data)
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=name, reason=exc)) from None


def load_store(path: StrPath) -> QueryStore:
    """A graph read from a Turtle file into an Oxigraph store, for queries.

    :class:`OutputError` names an unusable file (as :func:`load_graph` does).
    """
    try:
        return QueryStore.from_turtle(_read_turtle(path))
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=os.fspath(path), reason=exc)) from None


def _read_turtle(path: StrPath) -> bytes:
    """The bytes of a Turtle file, without a BOM; OutputError when unreadable or not UTF-8."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start + len(data) - len(body)}"
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    return body


def query(graph_path: StrPath, sparql: str, max_rows: int | None = None) -> QueryResult:
    """Run a SPARQL query on the graph in a Turtle file (policykg prefixes pre-bound).

    The graph is loaded into an Oxigraph store (:func:`load_store`); ``max_rows`` cuts a
    longer result (``QueryResult.truncated``). :class:`~policykg.graph.QueryError` (a
    ``ValueError``) when the query is bad.
    """
    if not sparql.strip():
        raise OutputError(Errors.E123)
    return load_store(graph_path).query(sparql, max_rows)


def list_queries() -> list[NamedQuery]:
    """The named queries shipped with policykg, sorted by name."""
    return list(named_queries().values())


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; :class:`OutputError` lists the names when it is unknown."""
    found = named_queries()
    if name not in found:
        raise OutputError(Errors.E124.format(name=name, names=", ".join(found)))
    return found[name]


def serve(
    graph_path: StrPath,
    host: str = "127.0.0.1",
    port: int = 8765,
    timeout: float = 10.0,
    max_rows: int = 10_000,
    workers: int = 2,
    log: Callable[[str], None] | None = None,
) -> SparqlServer:
    """A read-only SPARQL endpoint on the graph in a Turtle file, bound but not yet serving.

    Call ``serve_forever()`` on the result (and ``close()`` after). The file is read once
    and checked here; each of ``workers`` processes then loads its own copy. ``log`` is
    called with one line per request. See :mod:`policykg.output.endpoint` for the limits.
    """
    from .endpoint import SparqlServer

    if timeout <= 0 or max_rows < 1 or workers < 1:
        raise OutputError(Errors.E125.format(timeout=timeout, max_rows=max_rows, workers=workers))
    data = _read_turtle(graph_path)
    try:
        triples = len(QueryStore.from_turtle(data))
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=os.fspath(graph_path), reason=exc)) from None
    try:
        server = SparqlServer(host, port, timeout, max_rows, triples, log)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E126.format(host=host, port=port, reason=reason)) from None
    try:
        server.start_workers(data, workers)
    except BaseException:
        server.close()
        raise
    return server


def read_query(path: StrPath) -> str:
    """The text of a query file (UTF-8, with or without BOM)."""
    name = os.fspath(path)
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start}"
        raise OutputError(Errors.E122.format(path=name, reason=reason)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E122.format(path=name, reason=reason)) from None


def evaluate_files(gold: StrPath, pred: StrPath) -> Evaluation:
    """Score a predicted JSON file against a gold one, as ``../shared/eval/score.py`` does."""
    return evaluate(read_annotations(gold), read_annotations(pred))


@dataclass(frozen=True)
class ErrorListing:
    """The missed and spurious items of a prediction, and where their sentences came from.

    ``text_path`` is the document the sentences were taken from (None without one); ``note``
    says so in one line, or why there are no sentences.
    """

    diagnosis: Diagnosis
    text_path: Path | None
    note: str


def list_errors(gold: StrPath, pred: StrPath, text: StrPath | None = None) -> ErrorListing:
    """What a prediction missed and added, with sentences (``policykg eval --show-errors``).

    The sentences come from ``text``, or else from the document the files' ``document`` key
    names, looked for next to the gold file and then next to the predicted one. Without it
    the listing has no sentences and ``note`` says why; an unreadable ``text`` given
    explicitly is an :class:`~policykg.extract.InputError`.
    """
    gold_doc, pred_doc = read_annotations(gold), read_annotations(pred)
    names = list(dict.fromkeys(n for n in (gold_doc.document, pred_doc.document) if n))
    path = Path(text) if text is not None else locate_document(names, _folders(gold, pred))
    if path is None:
        if not names:
            why = "neither file names its document (a 'document' key)"
        else:
            why = f"{' or '.join(names)} is not next to {os.fspath(gold)} or {os.fspath(pred)}"
        note = f"no sentences: {why}; give the text with --text FILE"
        return ErrorListing(diagnose(gold_doc, pred_doc), None, note)
    try:
        content = read_text(path)
    except InputError as exc:
        if text is not None:
            raise
        return ErrorListing(diagnose(gold_doc, pred_doc), None, f"no sentences: {exc}")
    note = f"sentences from {os.fspath(path)}"
    return ErrorListing(diagnose(gold_doc, pred_doc, content), path, note)


def _folders(*files: StrPath) -> list[Path]:
    """The folders holding ``files``, in order."""
    return [Path(f).parent for f in files]
